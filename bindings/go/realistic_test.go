package moneykit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// The realistic sandbox (issue 15): MoneyKit's limits (3 Get Identity a
// minute per link, 600 per app, one refresh per link a day), latency, and a
// time scale of 60 (a minute lasts a second); a refresh advances
// refreshed_at one (scaled) minute after it is requested.
var realisticArgs = []string{"--realistic", "--time-scale", "60", "--latency-ms", "40,20", "--refresh-delay-ms", "60000"}

const timeScale = 60

// original is the bulk links' refreshed_at before any refresh.
var original = time.Date(2023, 2, 16, 9, 14, 11, 0, time.UTC)

// poll is one refresh poll: 60 / 3 scaled seconds plus 2 %.
const poll = 340 * time.Millisecond

var realistic struct {
	once sync.Once
	url  string
	stop func()
	err  error
}

// realisticURL starts the realistic sandbox on first use (TestMain stops it).
// Tests use distinct mk_sandbox_bulk_<n> links, so limits never overlap.
func realisticURL(t testing.TB) string {
	t.Helper()
	realistic.once.Do(func() {
		bin, err := findSandbox()
		if err != nil {
			realistic.err = err
			return
		}
		realistic.url, realistic.stop, realistic.err = startSandbox(bin, realisticArgs...)
	})
	if realistic.err != nil {
		t.Fatal(realistic.err)
	}
	return realistic.url
}

// realisticClient is a client of the realistic sandbox with the static token
// and no retries (a 429 must show up, not be retried away).
func realisticClient(t testing.TB) *moneykit.Client {
	t.Helper()
	nextRun(t)
	url := realisticURL(t)
	return newClient(t, func(o *moneykit.Options) {
		o.BaseURL = url
		o.AccessToken = "sandbox-access-token"
	})
}

func admin(t testing.TB, path string) map[string]any {
	t.Helper()
	resp, err := http.Get(realisticURL(t) + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func num(t testing.TB, v map[string]any, key string) int {
	t.Helper()
	f, ok := v[key].(float64)
	if !ok {
		t.Fatalf("%s: not a number in %v", key, v)
	}
	return int(f)
}

// withinLinkLimit checks the sandbox's view of one link: no 429, never more
// than 3 identity calls in a (scaled) minute.
func withinLinkLimit(t testing.TB, link string) {
	t.Helper()
	s := admin(t, "/_sandbox/links/"+link)
	if num(t, s, "rate_limited") != 0 || num(t, s, "max_in_window") > 3 {
		t.Errorf("%s beyond the per-link limit: %v", link, s)
	}
}

// runs counts each test's runs in this process (-count=N shares one
// sandbox): each run gets its own links (limits and daily refreshes are per
// link).
var runs sync.Map

func nextRun(t testing.TB) {
	n, _ := runs.LoadOrStore(t.Name(), new(int))
	*n.(*int)++
}

func bulkLink(t testing.TB, n int) string {
	r, _ := runs.Load(t.Name())
	run := 1
	if r != nil {
		run = *r.(*int)
	}
	return fmt.Sprintf("mk_sandbox_bulk_%d", n+100000*(run-1))
}

func bulk(t testing.TB, start, n int) []string {
	links := make([]string, n)
	for i := range links {
		links[i] = bulkLink(t, start+i)
	}
	return links
}

// batchGoroutines counts goroutines with a frame of the package's batch code
// (Next, an AfterFunc of a batch's context) in the runtime's goroutine dump.
func batchGoroutines(t testing.TB) int {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 2); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range strings.Split(buf.String(), "\n\n") {
		if strings.Contains(g, "moneykit.(*Batch)") || strings.Contains(g, "moneykit.(*Client).Identities") {
			n++
		}
	}
	return n
}

// noLeak checks, once the test's batches are done, that no goroutine was
// left behind (counted by the runtime, and from the dump), no batch is
// unfreed and no library string is held.
func noLeak(t *testing.T, before int) {
	t.Helper()
	eventually(t, 5*time.Second, "goroutines to end", func() bool {
		return runtime.NumGoroutine() <= before && batchGoroutines(t) == 0
	})
	if n := moneykit.LiveBatches(); n != 0 {
		t.Errorf("%d batches not freed", n)
	}
	settle(t)
}

func TestBatchYieldsEachLinkOnceWithinTheLimits(t *testing.T) {
	c := realisticClient(t)
	links := bulk(t, 1000, 300)
	before := admin(t, "/_sandbox/stats")
	goroutines := runtime.NumGoroutine()

	start := time.Now()
	b, err := c.Identities(bg, links, moneykit.BatchOptions{TimeScale: timeScale})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Len() != 300 || b.Progress().Total != 300 {
		t.Fatalf("Len %d, Progress %+v", b.Len(), b.Progress())
	}
	seen := map[string]int{}
	var snapshots []moneykit.BatchProgress
	for b.Next() {
		r := b.Result()
		if r.Err != nil {
			t.Fatalf("%s: %v", r.LinkID, r.Err)
		}
		if r.Identity == nil || r.Identity.Link.LinkID != r.LinkID || links[r.Index] != r.LinkID {
			t.Fatalf("result %d %q does not fit its link", r.Index, r.LinkID)
		}
		if !bytes.Contains(r.JSON, []byte(r.LinkID)) {
			t.Fatalf("%s: JSON without its link id", r.LinkID)
		}
		seen[r.LinkID]++
		if len(seen)%50 == 0 {
			snapshots = append(snapshots, b.Progress())
		}
	}
	took := time.Since(start)
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	if b.Next() {
		t.Fatal("Next after the end")
	}
	if len(seen) != 300 {
		t.Fatalf("%d links seen, want 300", len(seen))
	}
	for l, n := range seen {
		if n != 1 {
			t.Errorf("%s: %d results", l, n)
		}
	}
	end := b.Progress() // the last snapshot, kept after the handle was freed
	if end.Total != 300 || end.Done != 300 || end.OK != 300 || end.Failed != 0 || end.InFlight != 0 ||
		end.RateLimited != 0 || end.Cancelled || end.AllowedPerMinute != 600*timeScale {
		t.Errorf("final progress %+v", end)
	}
	for _, p := range snapshots {
		if p.Done <= 0 || p.Done > 300 || p.OK+p.Failed != p.Done || p.Elapsed < 0 || p.RatePerMinute < 0 {
			t.Errorf("snapshot %+v", p)
		}
	}
	after := admin(t, "/_sandbox/stats")
	if d := num(t, after, "rate_limited") - num(t, before, "rate_limited"); d != 0 {
		t.Errorf("the sandbox answered %d requests with 429", d)
	}
	if d := num(t, after, "identity_requests") - num(t, before, "identity_requests"); d != 300 {
		t.Errorf("%d identity requests, want 300", d)
	}
	// 300 at 600 a (scaled) minute: 0.5 s plus latency; generous for -race.
	t.Logf("300 links in %v", took)
	if took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	// The client is still usable, and nothing is left behind.
	if _, err := c.GetIdentity(bg, "mk_sandbox_ok"); err != nil {
		t.Fatal(err)
	}
	noLeak(t, goroutines)
}

// cancelled checks a result that came after the batch's context ended.
func cancelledOrOK(t *testing.T, r moneykit.BatchResult, ctxErr error) {
	t.Helper()
	if r.Err != nil && !(errors.Is(r.Err, moneykit.ErrCancelled) && errors.Is(r.Err, ctxErr) ||
		errors.Is(r.Err, moneykit.ErrTimeout) && errors.Is(r.Err, ctxErr)) {
		t.Errorf("%s: %v, want a result or the context's error", r.LinkID, r.Err)
	}
}

func TestBatchContextCancelStopsIt(t *testing.T) {
	c := realisticClient(t)
	goroutines := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	// 60 a (scaled) minute: one per ~17 ms, 300 would take ~5 s.
	b, err := c.Identities(ctx, bulk(t, 2000, 300), moneykit.BatchOptions{Concurrency: 4, AppPerMinute: 60, TimeScale: timeScale})
	if err != nil {
		t.Fatal(err)
	}
	var got []moneykit.BatchResult
	var cancelledAt time.Time
	for b.Next() {
		got = append(got, b.Result())
		if len(got) == 10 {
			cancel()
			cancelledAt = time.Now()
		}
	}
	// Not cancelled, the rest would take about 5 s.
	if took := time.Since(cancelledAt); took > lateBy {
		t.Errorf("the batch ended %v after its context", took)
	}
	if len(got) < 10 || len(got) >= 300 {
		t.Fatalf("%d results", len(got))
	}
	ids := map[string]bool{}
	for _, r := range got {
		ids[r.LinkID] = true
	}
	if len(ids) != len(got) {
		t.Errorf("duplicates among %d results", len(got))
	}
	for _, r := range got[10:] {
		cancelledOrOK(t, r, context.Canceled)
	}
	err = b.Err()
	var mkErr *moneykit.Error
	if !errors.Is(err, context.Canceled) || !errors.Is(err, moneykit.ErrCancelled) || !errors.As(err, &mkErr) {
		t.Errorf("Err() = %v, want the context's cancellation", err)
	}
	if p := b.Progress(); !p.Cancelled || p.Done >= 300 {
		t.Errorf("progress %+v", p)
	}
	b.Cancel() // idempotent, also once freed
	b.Close()
	noLeak(t, goroutines)
}

func TestBatchContextDeadline(t *testing.T) {
	c := realisticClient(t)
	goroutines := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	b, err := c.Identities(ctx, bulk(t, 3000, 200), moneykit.BatchOptions{Concurrency: 2, AppPerMinute: 30, TimeScale: timeScale})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for b.Next() {
		n++
		cancelledOrOK(t, b.Result(), context.DeadlineExceeded)
	}
	// 300 ms; without the deadline 200 links at 30 a (scaled) minute take 6.7 s.
	if took := time.Since(start); took > 300*time.Millisecond+lateBy {
		t.Errorf("took %v", took)
	}
	if n == 0 || n >= 200 {
		t.Errorf("%d results", n)
	}
	if err := b.Err(); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, moneykit.ErrTimeout) {
		t.Errorf("Err() = %v", err)
	}
	noLeak(t, goroutines)
}

func TestBatchCloseAndClientClose(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	c := realisticClient(t)
	opts := moneykit.BatchOptions{Concurrency: 2, AppPerMinute: 30, TimeScale: timeScale}

	// Close from another goroutine while Next waits.
	b, err := c.Identities(bg, bulk(t, 4000, 100), opts)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, func() { b.Close() })
	start := time.Now()
	for b.Next() {
	}
	// Closed after 200 ms; the 100 links would take 3.3 s.
	if took := time.Since(start); took > 200*time.Millisecond+lateBy {
		t.Errorf("Close took %v to end Next", took)
	}
	if err := b.Err(); err != nil {
		t.Errorf("Err() after Close = %v", err)
	}

	// A batch left running when its Client closes: freed by the Client.
	b2, err := c.Identities(bg, bulk(t, 4200, 100), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !b2.Next() {
		t.Fatal("no first result")
	}
	start = time.Now()
	c.Close()
	// Waiting for the batch would take 3 s.
	if took := time.Since(start); took > lateBy {
		t.Errorf("Client.Close took %v", took)
	}
	for b2.Next() {
	}
	if err := b2.Err(); !errors.Is(err, moneykit.ErrClosed) || !errors.Is(err, moneykit.ErrCancelled) {
		t.Errorf("Err() after Client.Close = %v", err)
	}
	if _, err := c.Identities(bg, bulk(t, 4400, 1), opts); !errors.Is(err, moneykit.ErrClosed) {
		t.Errorf("Identities on a closed client: %v", err)
	}
	if moneykit.LiveClients() < 0 {
		t.Error("client counter below zero")
	}
	noLeak(t, goroutines)
}

func TestBatchFailuresAreResultsAndBadArgumentsFail(t *testing.T) {
	c := realisticClient(t)
	links := []string{"mk_sandbox_ok", "mk_sandbox_not_found", bulkLink(t, 5000)}
	b, err := c.Identities(bg, links, moneykit.BatchOptions{TimeScale: timeScale})
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]moneykit.BatchResult{}
	for b.Next() {
		results[b.Result().LinkID] = b.Result()
	}
	if len(results) != 3 || b.Err() != nil {
		t.Fatalf("%d results, Err %v", len(results), b.Err())
	}
	bad := results["mk_sandbox_not_found"]
	if !errors.Is(bad.Err, moneykit.ErrNotFound) || bad.Identity != nil || bad.JSON != nil || bad.Index != 1 {
		t.Errorf("not found: %+v", bad)
	}
	if results["mk_sandbox_ok"].Identity == nil || results[bulkLink(t, 5000)].Identity == nil {
		t.Error("missing identities")
	}
	if p := b.Progress(); p.OK != 2 || p.Failed != 1 {
		t.Errorf("progress %+v", p)
	}

	// No links: a batch that ends at once.
	empty, err := c.Identities(bg, nil, moneykit.BatchOptions{})
	if err != nil || empty.Len() != 0 || empty.Next() || empty.Err() != nil {
		t.Errorf("empty batch: %v", err)
	}

	for name, tc := range map[string]struct {
		links []string
		opts  moneykit.BatchOptions
	}{
		"empty id":      {[]string{"mk_sandbox_ok", ""}, moneykit.BatchOptions{}},
		"NUL":           {[]string{"mk_sandbox\x00ok"}, moneykit.BatchOptions{}},
		"too long":      {[]string{strings.Repeat("x", 1025)}, moneykit.BatchOptions{}},
		"concurrency":   {links, moneykit.BatchOptions{Concurrency: 1000}},
		"negative":      {links, moneykit.BatchOptions{AppPerMinute: -1}},
		"time scale":    {links, moneykit.BatchOptions{TimeScale: 0.5}},
		"link per min.": {links, moneykit.BatchOptions{LinkPerMinute: 5000}},
	} {
		if b, err := c.Identities(bg, tc.links, tc.opts); !errors.Is(err, moneykit.ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", name, err)
			if b != nil {
				b.Close()
			}
		}
	}
	done, cancel := context.WithCancel(bg)
	cancel()
	if _, err := c.Identities(done, links, moneykit.BatchOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("a done context: %v", err)
	}
	if _, err := c.Identities(nil, links, moneykit.BatchOptions{}); !errors.Is(err, moneykit.ErrInvalidArgument) {
		t.Errorf("nil context: %v", err)
	}
	if n := moneykit.LiveBatches(); n != 0 {
		t.Errorf("%d batches not freed", n)
	}
}

func TestRefreshReturnsANewerIdentity(t *testing.T) {
	c := realisticClient(t)
	link := bulkLink(t, 9001)
	start := time.Now()
	fresh, err := c.RefreshIdentity(bg, link, 10*time.Second, moneykit.RefreshOptions{TimeScale: timeScale})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Link.LinkID != link || fresh.RefreshedAt() == nil || !fresh.RefreshedAt().After(original) {
		t.Fatalf("refreshed_at %v, want after %v", fresh.RefreshedAt(), original)
	}
	// The update comes 1 s after the request; the next poll sees it (lateBy:
	// slack for a loaded machine; not polling would wait the whole 10 s).
	if took < 900*time.Millisecond || took > time.Second+poll+lateBy {
		t.Errorf("took %v", took)
	}
	s := admin(t, "/_sandbox/links/"+link)
	if num(t, s, "refresh_requests") != 1 || num(t, s, "refreshes_completed") != 1 {
		t.Errorf("link stats %v", s)
	}
	withinLinkLimit(t, link)
	settle(t)
}

func TestRefreshTooShortWaitReturnsTheStaleIdentity(t *testing.T) {
	c := realisticClient(t)
	link := bulkLink(t, 9002)
	start := time.Now()
	fresh, err := c.RefreshIdentity(bg, link, 500*time.Millisecond, moneykit.RefreshOptions{TimeScale: timeScale})
	took := time.Since(start)
	var e *moneykit.Error
	if fresh != nil || !errors.Is(err, moneykit.ErrTimeout) || !errors.As(err, &e) {
		t.Fatalf("got %v, %v; want ErrTimeout", fresh, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Error("the wait, not a context, ended it")
	}
	if took > 500*time.Millisecond+lateBy {
		t.Errorf("returned %v after a 500 ms wait", took)
	}
	// "... within the wait of 500 ms", or, when the next poll the link allows would come
	// after it, "... would come after the wait of 500 ms, so the call ends now" (c56ed92).
	if !strings.Contains(e.Message, "identity not refreshed") || !strings.Contains(e.Message, "wait of 500 ms") {
		t.Errorf("message %q", e.Message)
	}
	if e.Stale == nil || e.Stale.Link.LinkID != link || e.Stale.RefreshedAt() == nil || !e.Stale.RefreshedAt().Equal(original) {
		t.Fatalf("Stale = %+v", e.Stale)
	}
	withinLinkLimit(t, bulkLink(t, 9002))

	// The context's deadline as the limit: also matches DeadlineExceeded.
	time.Sleep(1050 * time.Millisecond)
	ctx, cancel := context.WithTimeout(bg, 500*time.Millisecond)
	defer cancel()
	future := time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC) // never reached
	_, err = c.WaitIdentityNewer(ctx, link, future, 0, moneykit.RefreshOptions{TimeScale: timeScale})
	if !errors.Is(err, moneykit.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &e) || e.Stale == nil {
		t.Errorf("a context deadline: %v", err)
	}
	withinLinkLimit(t, link)
	settle(t)
}

func TestRefreshDailyLimitIsRateLimited(t *testing.T) {
	c := realisticClient(t)
	link := bulkLink(t, 9003)
	opts := moneykit.RefreshOptions{TimeScale: timeScale}
	if _, err := c.RefreshIdentity(bg, link, 10*time.Second, opts); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1050 * time.Millisecond) // leave the link one scaled minute
	_, err := c.RefreshIdentity(bg, link, 10*time.Second, opts)
	var e *moneykit.Error
	if !errors.Is(err, moneykit.ErrRateLimited) || !errors.As(err, &e) {
		t.Fatalf("got %v, want ErrRateLimited", err)
	}
	if !strings.Contains(e.Message, "daily refresh limit") || e.HTTPStatus != 429 || e.RetryAfter <= 0 {
		t.Errorf("error %+v", e)
	}
	if e.Stale == nil || !e.Stale.RefreshedAt().After(original) {
		t.Errorf("Stale = %+v, want the first refresh's data", e.Stale)
	}
	err = c.RequestIdentityRefresh(bg, link)
	if !errors.Is(err, moneykit.ErrRateLimited) || !strings.Contains(err.Error(), "daily refresh limit") {
		t.Errorf("RequestIdentityRefresh: %v", err)
	}
	if s := admin(t, "/_sandbox/links/"+link); num(t, s, "refreshes_refused") != 2 {
		t.Errorf("link stats %v", s)
	}
	withinLinkLimit(t, link)
	settle(t)
}

func TestRequestThenWaitIdentityNewer(t *testing.T) {
	c := realisticClient(t)
	link := bulkLink(t, 9004)
	opts := moneykit.RefreshOptions{TimeScale: timeScale}
	before, err := c.GetIdentity(bg, link)
	if err != nil || !before.RefreshedAt().Equal(original) {
		t.Fatalf("%v %v", before.RefreshedAt(), err)
	}
	if err := c.RequestIdentityRefresh(bg, link); err != nil {
		t.Fatal(err)
	}
	// Not a synchronisation: spacing for the per-link limit. The wait below
	// paces its own polls but does not count the Get Identity above; 400 ms
	// (or more) after it, no (scaled) minute holds more than 3.
	time.Sleep(400 * time.Millisecond)
	fresh, err := c.WaitIdentityNewer(bg, link, *before.RefreshedAt(), 5*time.Second, opts)
	if err != nil || !fresh.IsNewerThan(before) {
		t.Fatalf("%v %v", fresh.RefreshedAt(), err)
	}
	// Already newer: the first (immediate) poll returns it; zero: any
	// refreshed_at. This wait's polls are paced for a time scale of 6 (one
	// per 3.4 s, slower than the sandbox allows), so a first poll that was
	// not immediate would come after 3.4 s: lateBy leaves room for a loaded
	// machine.
	time.Sleep(1050 * time.Millisecond) // leave the link one scaled minute
	start := time.Now()
	again, err := c.WaitIdentityNewer(bg, link, time.Time{}, 5*time.Second, moneykit.RefreshOptions{TimeScale: 6})
	if err != nil || !again.RefreshedAt().Equal(*fresh.RefreshedAt()) || time.Since(start) > lateBy {
		t.Errorf("%v %v after %v", again.RefreshedAt(), err, time.Since(start))
	}
	withinLinkLimit(t, link)
	settle(t)
}

func TestRefreshCancel(t *testing.T) {
	c := realisticClient(t)
	ctx, cancel := context.WithCancel(bg)
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.RefreshIdentity(ctx, bulkLink(t, 9005), 10*time.Second, moneykit.RefreshOptions{TimeScale: timeScale})
	// Cancelled at 300 ms; not cancelled, it returns the fresh data after 1 s.
	if took := time.Since(start); took > 300*time.Millisecond+lateBy {
		t.Errorf("took %v", took)
	}
	var e *moneykit.Error
	if !errors.Is(err, moneykit.ErrCancelled) || !errors.Is(err, context.Canceled) || !errors.As(err, &e) {
		t.Fatalf("got %v", err)
	}
	if e.Stale == nil {
		t.Error("no Stale: the read before the request")
	}
	settle(t)
}

func TestRefreshArguments(t *testing.T) {
	c := realisticClient(t)
	link := bulkLink(t, 9006)
	for name, f := range map[string]func() error{
		"negative wait": func() error { _, err := c.RefreshIdentity(bg, link, -time.Second); return err },
		"no wait, no deadline": func() error {
			_, err := c.WaitIdentityNewer(bg, link, original, 0)
			return err
		},
		"link per minute": func() error {
			_, err := c.RefreshIdentity(bg, link, time.Second, moneykit.RefreshOptions{LinkPerMinute: -1})
			return err
		},
		"time scale": func() error {
			_, err := c.RefreshIdentity(bg, link, time.Second, moneykit.RefreshOptions{TimeScale: 20000})
			return err
		},
		"two options": func() error {
			_, err := c.RefreshIdentity(bg, link, time.Second, moneykit.RefreshOptions{}, moneykit.RefreshOptions{})
			return err
		},
		"NUL": func() error { return c.RequestIdentityRefresh(bg, "mk\x00x") },
	} {
		if err := f(); !errors.Is(err, moneykit.ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", name, err)
		}
	}
	if s := admin(t, "/_sandbox/links/"+link); num(t, s, "identity_requests") != 0 || num(t, s, "refresh_requests") != 0 {
		t.Errorf("requests were made: %v", s)
	}
	settle(t)
}
