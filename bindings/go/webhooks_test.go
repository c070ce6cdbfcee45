package moneykit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
	"github.com/moneykit-native/moneykit-native/bindings/go/moneykittest"
)

// Webhooks end to end: a sandbox of its own (moneykittest) that signs and
// delivers to an httptest receiver on loopback, whose handler each test sets.

// hookEnv is a sandbox delivering to recv (20 times faster: refreshes
// complete in 0.5 s, retries come 50 ms, 100 ms, ... apart).
type hookEnv struct {
	srv     *moneykittest.Server
	client  *moneykit.Client
	recv    *httptest.Server
	handler atomic.Pointer[http.Handler]
}

func newHookEnv(t *testing.T, args ...string) *hookEnv {
	t.Helper()
	e := &hookEnv{}
	e.recv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := e.handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "no handler yet", http.StatusServiceUnavailable)
	}))
	t.Cleanup(e.recv.Close)
	e.srv = moneykittest.NewServer(t, append([]string{"--webhook-url", e.recv.URL + "/hooks/moneykit", "--time-scale", "20"}, args...)...)
	e.client = e.srv.NewClient(moneykit.Options{Timeout: 10 * time.Second})
	return e
}

func (e *hookEnv) serve(h http.Handler) { e.handler.Store(&h) }

// trigger asks the sandbox for a test delivery (POST /webhooks/test/link/{id}).
func (e *hookEnv) trigger(t *testing.T, link, event, key string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"webhook_event": event, "webhook_idempotency_key": key})
	req, _ := http.NewRequest("POST", e.srv.URL+"/webhooks/test/link/"+link, bytes.NewReader(body))
	req.Header.Set("X-Client-Id", "sandbox-client")
	req.Header.Set("X-Client-Secret", "sandbox-secret")
	req.Header.Set("moneykit-version", "2023-02-18")
	req.Header.Set("content-type", "application/json")
	resp, err := adminHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("test delivery for %s: HTTP %d", link, resp.StatusCode)
	}
}

// attempt is an entry of GET /_sandbox/webhooks/deliveries.
type attempt struct {
	Event         string  `json:"event"`
	State         *string `json:"state"`
	LinkID        string  `json:"link_id"`
	Attempt       int     `json:"attempt"`
	Status        *int    `json:"status"`
	DeliveryToken string  `json:"delivery_token"`
	Key           string  `json:"idempotency_key"`
	Forgery       *string `json:"forgery"`
}

func (e *hookEnv) attempts(t *testing.T) []attempt {
	t.Helper()
	resp, err := adminHTTP.Get(e.srv.URL + "/_sandbox/webhooks/deliveries")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var all []attempt
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		t.Fatal(err)
	}
	return all
}

// eventRecorder is a webhook callback that records the events it gets.
type eventRecorder struct {
	mu     sync.Mutex
	events []moneykit.Event
	got    chan moneykit.Event
}

func newEventRecorder() *eventRecorder { return &eventRecorder{got: make(chan moneykit.Event, 64)} }

func (r *eventRecorder) fn(_ context.Context, ev moneykit.Event) error {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	r.got <- ev
	return nil
}

func (r *eventRecorder) next(t *testing.T, d time.Duration) moneykit.Event {
	t.Helper()
	select {
	case ev := <-r.got:
		return ev
	case <-time.After(d):
		t.Fatalf("no webhook event within %v", d)
		return nil
	}
}

func (r *eventRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func TestWebhookRefreshDeliversTypedEvents(t *testing.T) {
	e := newHookEnv(t)
	rec := newEventRecorder()
	e.serve(moneykit.WebhookHandler(e.client, rec.fn))
	before, err := e.client.GetIdentity(bg, "mk_sandbox_ok")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.client.RequestIdentityRefresh(bg, "mk_sandbox_ok"); err != nil {
		t.Fatal(err)
	}
	var states []moneykit.ProductRefreshState
	var completed *moneykit.LinkProductRefresh
	for completed == nil {
		ev := rec.next(t, 15*time.Second)
		p, ok := ev.(*moneykit.LinkProductRefresh)
		if !ok {
			t.Fatalf("got %T, want *LinkProductRefresh", ev)
		}
		if p.LinkID != "mk_sandbox_ok" || p.Product != moneykit.WebhookProductIdentity ||
			p.WebhookEvent != moneykit.WebhookEventTypeLinkProductRefresh || p.WebhookMajorVersion != 1 ||
			!strings.HasPrefix(p.WebhookIdempotencyKey, "whk_") || p.Common().LinkID != "mk_sandbox_ok" {
			t.Fatalf("unexpected event %+v", p)
		}
		states = append(states, p.State)
		if p.State == moneykit.ProductRefreshStateCompleted {
			completed = p
		}
	}
	if len(states) != 2 || states[0] != moneykit.ProductRefreshStateInProgress {
		t.Fatalf("states %v, want [in_progress completed]", states)
	}
	// completed's state_changed_at is the refreshed_at identity answers now.
	after, err := e.client.GetIdentity(bg, "mk_sandbox_ok")
	if err != nil {
		t.Fatal(err)
	}
	if !after.IsNewerThan(before) || !completed.StateChangedAt.Time.Equal(*after.RefreshedAt()) {
		t.Fatalf("state_changed_at %v, refreshed_at %v -> %v", completed.StateChangedAt, before.RefreshedAt(), after.RefreshedAt())
	}
	if completed.WebhookTimestamp.Raw == "" || completed.WebhookTimestamp.Time.IsZero() {
		t.Fatalf("webhook_timestamp not read: %+v", completed.WebhookTimestamp)
	}
	// Every attempt was answered 200 by the handler.
	eventually(t, 5*time.Second, "the log's two attempts", func() bool { return len(e.attempts(t)) == 2 })
	for _, a := range e.attempts(t) {
		if a.Status == nil || *a.Status != 200 || a.Attempt != 1 {
			t.Fatalf("attempt %+v, want answered 200 at once", a)
		}
	}
}

func TestWebhookTestDeliveriesAreTyped(t *testing.T) {
	e := newHookEnv(t)
	rec := newEventRecorder()
	e.serve(moneykit.WebhookHandler(e.client, rec.fn))
	e.trigger(t, "mk_sandbox_ok", "link.state_changed", "go-typed-1")
	if ev, ok := rec.next(t, 10*time.Second).(*moneykit.LinkStateChanged); !ok || ev.State != moneykit.LinkStateConnected || ev.Error != nil || ev.WebhookIdempotencyKey != "go-typed-1" {
		t.Fatalf("link.state_changed: %#v", ev)
	}
	e.trigger(t, "mk_sandbox_ok", "transactions.updates_available", "go-typed-2")
	if ev, ok := rec.next(t, 10*time.Second).(*moneykit.TransactionsUpdatesAvailable); !ok || !ev.HasHistory {
		t.Fatalf("transactions.updates_available: %#v", ev)
	}
	// An event newer than this package: an UnknownEvent, never refused.
	e.trigger(t, "mk_sandbox_ok", "product.state_changed", "go-typed-3")
	u, ok := rec.next(t, 10*time.Second).(*moneykit.UnknownEvent)
	if !ok || u.WebhookEvent != moneykit.WebhookEventTypeProductStateChanged || u.LinkID != "mk_sandbox_ok" ||
		!bytes.Contains(u.Raw, []byte(`"go-typed-3"`)) {
		t.Fatalf("product.state_changed: %#v", u)
	}
}

func TestWebhookDuplicatesAreHandledOnce(t *testing.T) {
	e := newHookEnv(t)
	rec := newEventRecorder()
	e.serve(moneykit.WebhookHandler(e.client, rec.fn))
	if err := e.client.RequestIdentityRefresh(bg, "mk_webhook_duplicate"); err != nil {
		t.Fatal(err)
	}
	// Two events, each delivered twice: in_progress and completed, each once
	// to the callback.
	eventually(t, 15*time.Second, "every copy answered 200", func() bool {
		tokens := map[string]bool{}
		for _, a := range e.attempts(t) {
			if a.Status != nil && *a.Status == 200 {
				tokens[a.DeliveryToken] = true
			}
		}
		return len(tokens) == 4
	})
	if rec.count() != 2 {
		t.Fatalf("the callback ran %d times, want 2 (in_progress, completed)", rec.count())
	}
	completed := 0
	for _, ev := range rec.events {
		if p := ev.(*moneykit.LinkProductRefresh); p.State == moneykit.ProductRefreshStateCompleted {
			completed++
		}
	}
	if completed != 1 {
		t.Fatalf("completed seen %d times", completed)
	}
	keys := map[string]int{}
	for _, a := range e.attempts(t) {
		keys[a.Key]++
	}
	for k, n := range keys {
		if n < 2 {
			t.Fatalf("key %s delivered %d times, want a duplicate", k, n)
		}
	}
}

func TestWebhookVerifyReportsDuplicateAndInFlight(t *testing.T) {
	e := newHookEnv(t)
	got := make(chan *moneykit.WebhookDelivery, 4)
	e.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := e.client.VerifyWebhook(r)
		if err != nil {
			t.Errorf("VerifyWebhook: %v", err)
			w.WriteHeader(500)
			return
		}
		got <- d
	}))
	e.trigger(t, "mk_webhook_duplicate", "link.product_refresh", "go-dup-1")
	first, second := <-got, <-got
	if first.Status != moneykit.DeliveryNew || second.Status != moneykit.DeliveryInFlight ||
		first.Key != "go-dup-1" || second.Key != "go-dup-1" || first.Type != moneykit.WebhookEventTypeLinkProductRefresh ||
		!bytes.Equal(first.Body, second.Body) {
		t.Fatalf("first %v %q, second %v %q", first.Status, first.Key, second.Status, second.Key)
	}
	if err := first.Done(true); err != nil {
		t.Fatal(err)
	}
	// The same event (idempotency key) again: a duplicate now.
	e.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := e.client.VerifyWebhook(r)
		if err != nil {
			t.Errorf("VerifyWebhook: %v", err)
			return
		}
		got <- d
	}))
	e.trigger(t, "mk_sandbox_ok", "link.product_refresh", "go-dup-1")
	if d := <-got; d.Status != moneykit.DeliveryDuplicate || d.Event == nil {
		t.Fatalf("a repeat after Done(true): %v", d.Status)
	}
}

func readAll(r *http.Request) ([]byte, error) {
	defer r.Body.Close()
	return io.ReadAll(r.Body)
}

// cloneRequest is r with body as its body again.
func cloneRequest(r *http.Request, body []byte) *http.Request {
	c := r.Clone(r.Context())
	c.Body = io.NopCloser(bytes.NewReader(body))
	return c
}

// forgedIDs are the sandbox's forged-delivery magic ids and their reasons.
var forgedIDs = []struct{ link, reason string }{
	{"mk_webhook_bad_signature", "signature"},
	{"mk_webhook_stale_iat", "iat_too_old"},
	{"mk_webhook_future_iat", "iat_in_future"},
	{"mk_webhook_unknown_kid", "kid_unknown"},
	{"mk_webhook_tampered_body", "body_hash"},
	{"mk_webhook_alg_none", "alg"},
	{"mk_webhook_hs256", "alg"},
}

func TestWebhookForgedIDsAreAnswered400WithTheirReason(t *testing.T) {
	e := newHookEnv(t, "--webhook-max-attempts", "1")
	type verdict struct {
		link, reason string
		err          error
	}
	verdicts := make(chan verdict, 16)
	called := atomic.Int64{}
	handler := moneykit.WebhookHandler(e.client, func(context.Context, moneykit.Event) error {
		called.Add(1)
		return nil
	})
	e.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The reason, as the application sees it; then the package's handler answers.
		body, _ := readAll(r)
		_, err := e.client.VerifyWebhook(cloneRequest(r, body))
		var me *moneykit.Error
		reason := ""
		if errors.As(err, &me) {
			reason = me.Reason
		}
		var link struct {
			LinkID string `json:"link_id"`
		}
		_ = json.Unmarshal(body, &link)
		verdicts <- verdict{link.LinkID, reason, err}
		handler.ServeHTTP(w, cloneRequest(r, body))
	}))
	for _, f := range forgedIDs {
		e.trigger(t, f.link, "link.product_refresh", "go-forged-"+f.link)
		v := <-verdicts
		if v.link != f.link || !errors.Is(v.err, moneykit.ErrSignature) || v.reason != f.reason {
			t.Fatalf("%s: got %s %q %v, want reason %q", f.link, v.link, v.reason, v.err, f.reason)
		}
		if moneykit.WebhookResponseStatus(v.err) != 400 {
			t.Fatalf("%s: WebhookResponseStatus %d", f.link, moneykit.WebhookResponseStatus(v.err))
		}
	}
	// The handler answered each 400 and never called back.
	eventually(t, 5*time.Second, "every attempt logged", func() bool { return len(e.attempts(t)) == len(forgedIDs) })
	for _, a := range e.attempts(t) {
		if a.Status == nil || *a.Status != 400 || a.Forgery == nil {
			t.Fatalf("attempt %+v, want a forgery answered 400", a)
		}
	}
	if called.Load() != 0 {
		t.Fatalf("the callback ran for a forged delivery")
	}
}

func TestWebhookHandlerErrorIsRetriedAndHandled(t *testing.T) {
	e := newHookEnv(t)
	var calls atomic.Int64
	e.serve(moneykit.WebhookHandler(e.client, func(_ context.Context, ev moneykit.Event) error {
		if calls.Add(1) == 1 {
			return errors.New("the database is down")
		}
		return nil
	}))
	e.trigger(t, "mk_sandbox_ok", "link.state_changed", "go-retry-1")
	eventually(t, 10*time.Second, "a second attempt answered 200", func() bool {
		for _, a := range e.attempts(t) {
			if a.Attempt == 2 && a.Status != nil && *a.Status == 200 {
				return true
			}
		}
		return false
	})
	as := e.attempts(t)
	if as[0].Attempt != 1 || as[0].Status == nil || *as[0].Status != 500 {
		t.Fatalf("first attempt %+v, want answered 500", as[0])
	}
	if calls.Load() != 2 {
		t.Fatalf("the callback ran %d times, want 2 (failed, then the retry)", calls.Load())
	}
}

func TestWebhookHandlerAnswers(t *testing.T) {
	e := newHookEnv(t)
	h := moneykit.WebhookHandler(e.client, func(context.Context, moneykit.Event) error { return nil })
	for _, c := range []struct {
		method, sig string
		want        int
	}{
		{"GET", "", 405},
		{"POST", "", 400},
		{"POST", "a.b.c", 400},
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(c.method, "/hooks", strings.NewReader(string(eventBody("k"))))
		if c.sig != "" {
			r.Header.Set("MoneyKit-Signature", c.sig)
		}
		h.ServeHTTP(w, r)
		if w.Code != c.want || (c.want == 400 && !strings.Contains(w.Body.String(), "malformed")) {
			t.Fatalf("%s %q: %d %q, want %d", c.method, c.sig, w.Code, w.Body.String(), c.want)
		}
	}
	// Keys that cannot be fetched (the client's base URL answers nothing): 503, retry.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	c, err := moneykit.NewClient(moneykit.Options{BaseURL: dead.URL, ClientID: "x", ClientSecret: "y", MaxRetries: moneykit.Retries(0)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	k := newSigner("k1")
	body := eventBody("k")
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/hooks", bytes.NewReader(body))
	r.Header.Set("MoneyKit-Signature", k.genuine(body, time.Now().Unix()))
	moneykit.WebhookHandler(c, func(context.Context, moneykit.Event) error { return nil }).ServeHTTP(w, r)
	if w.Code != 503 {
		t.Fatalf("keys unreachable: %d, want 503", w.Code)
	}
}

func TestWebhookOptionsAndClose(t *testing.T) {
	e := newHookEnv(t)
	if _, err := e.client.NewWebhookVerifier(moneykit.WebhookOptions{Tolerance: moneykit.Ptr(2 * time.Hour)}); !errors.Is(err, moneykit.ErrInvalidArgument) ||
		!strings.Contains(err.Error(), "WebhookOptions.Tolerance") {
		t.Fatalf("Tolerance 2h: %v", err)
	}
	if _, err := e.client.NewWebhookVerifier(moneykit.WebhookOptions{ClientID: "bad\x01id"}); !errors.Is(err, moneykit.ErrInvalidArgument) ||
		!strings.Contains(err.Error(), "WebhookOptions.ClientID") {
		t.Fatalf("ClientID with a control character: %v", err)
	}
	// An access-token client needs a ClientID for the key set.
	tok := e.srv.NewClient(moneykit.Options{AccessToken: "sandbox-access-token"})
	if _, err := tok.NewWebhookVerifier(moneykit.WebhookOptions{}); !errors.Is(err, moneykit.ErrInvalidArgument) {
		t.Fatalf("access token only: %v", err)
	}
	v, err := tok.NewWebhookVerifier(moneykit.WebhookOptions{ClientID: "sandbox-client", SeenMax: moneykit.Ptr(0)})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *moneykit.WebhookDelivery, 2)
	e.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := v.VerifyRequest(r)
		if err != nil {
			t.Errorf("VerifyRequest: %v", err)
			return
		}
		got <- d
	}))
	// SeenMax 0: no duplicate check, both copies are new.
	e.trigger(t, "mk_webhook_duplicate", "link.state_changed", "go-opt-1")
	if a, b := <-got, <-got; a.Status != moneykit.DeliveryNew || b.Status != moneykit.DeliveryNew {
		t.Fatalf("SeenMax 0: %v %v", a.Status, b.Status)
	}
	before := moneykit.LiveVerifiers()
	v.Close()
	v.Close()
	if moneykit.LiveVerifiers() != before-1 {
		t.Fatalf("Close did not free the verifier")
	}
	if _, err := v.Verify(bg, "a.b.c", []byte("{}")); !errors.Is(err, moneykit.ErrClosed) {
		t.Fatalf("Verify after Close: %v", err)
	}
	// Client.Close frees the verifiers made from it.
	c := e.srv.NewClient(moneykit.Options{})
	if _, err := c.NewWebhookVerifier(moneykit.WebhookOptions{}); err != nil {
		t.Fatal(err)
	}
	n := moneykit.LiveVerifiers()
	c.Close()
	if moneykit.LiveVerifiers() != n-1 {
		t.Fatalf("Client.Close left its verifier")
	}
	settle(t)
}

func TestParseTimestampIsTheLibrarys(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		date bool
	}{
		{"2024-01-31T12:00:00Z", "2024-01-31T12:00:00Z", false},
		{"2024-01-31", "2024-01-31T00:00:00Z", true},
		{"2024-01-31 12:00+01:00", "2024-01-31T11:00:00Z", false},
	} {
		ts, err := moneykit.ParseTimestamp(c.in)
		if err != nil || ts.Time.Format(time.RFC3339) != c.want || ts.DateOnly != c.date || ts.Raw != c.in {
			t.Fatalf("%q: %+v %v", c.in, ts, err)
		}
	}
	for _, bad := range []string{"", "2024-02-30", "yesterday", "2024-01-31T25:00Z", `2024"`} {
		if _, err := moneykit.ParseTimestamp(bad); !errors.Is(err, moneykit.ErrDecode) || strings.Contains(err.Error(), bad) && bad != "" {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}
