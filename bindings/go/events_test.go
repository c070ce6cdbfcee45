package moneykit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// recorder is a slog.Handler that keeps every record at or above min, with
// the value its context carries under ctxKey.
type recorder struct {
	min  slog.Level
	mu   sync.Mutex
	recs []record
}

type record struct {
	level  slog.Level
	msg    string
	attrs  map[string]slog.Value
	ctxVal any
}

type ctxKey struct{}

func (r *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= r.min }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler           { return r }
func (r *recorder) WithGroup(string) slog.Handler                { return r }
func (r *recorder) Handle(ctx context.Context, x slog.Record) error {
	rec := record{level: x.Level, msg: x.Message, attrs: map[string]slog.Value{}, ctxVal: ctx.Value(ctxKey{})}
	x.Attrs(func(a slog.Attr) bool { rec.attrs[a.Key] = a.Value; return true })
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
	return nil
}

// take returns the records so far and forgets them.
func (r *recorder) take() []record {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.recs
	r.recs = nil
	return out
}

func (rec record) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v %q", rec.level, rec.msg)
	keys := make([]string, 0, len(rec.attrs))
	for k := range rec.attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, rec.attrs[k])
	}
	return b.String()
}

// checkRecord compares a record with the expected level and attributes
// (elapsed is only checked to be there; "request_id": "*" means any non-empty
// value) and checks it carries nothing else.
func checkRecord(t *testing.T, rec record, level slog.Level, want map[string]any) {
	t.Helper()
	if rec.level != level || rec.msg != "moneykit attempt" {
		t.Errorf("record %v: want level %v, message \"moneykit attempt\"", rec, level)
	}
	if _, ok := rec.attrs["elapsed"]; !ok {
		t.Errorf("record %v: no elapsed", rec)
	}
	for k, v := range rec.attrs {
		switch w, ok := want[k]; {
		case k == "elapsed":
		case !ok:
			t.Errorf("record %v: unexpected attribute %s", rec, k)
		case w == "*":
			if v.String() == "" {
				t.Errorf("record %v: empty %s", rec, k)
			}
		case fmt.Sprint(v.Any()) != fmt.Sprint(w):
			t.Errorf("record %v: %s = %v, want %v", rec, k, v, w)
		}
	}
	for k := range want {
		if _, ok := rec.attrs[k]; !ok {
			t.Errorf("record %v: no %s", rec, k)
		}
	}
}

// The Logger gets one record per attempt, with the call's context: Debug for
// the token request, Info for successes, Warn for failures (with the retry
// wait when one follows). Records never carry ids, secrets or owner data.
func TestLoggerRecordsEveryAttempt(t *testing.T) {
	t.Parallel()
	rec := &recorder{min: slog.LevelDebug}
	c := newClient(t, func(o *moneykit.Options) {
		o.Logger = slog.New(rec)
		o.MaxRetries = moneykit.Retries(1)
	})
	ctx := context.WithValue(bg, ctxKey{}, "call 1")
	r, err := c.GetIdentity(ctx, "mk_sandbox_ok")
	if err != nil {
		t.Fatal(err)
	}
	if r.RequestID() == "" {
		t.Error("no RequestID on a successful response (the sandbox always sends one)")
	}
	recs := rec.take()
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2 (token, identity): %v", len(recs), recs)
	}
	checkRecord(t, recs[0], slog.LevelDebug, map[string]any{
		"method": "POST", "path": "/auth/token", "http_status": 201, "status": "MK_OK", "attempt": 1,
		"request_id": "*",
	})
	checkRecord(t, recs[1], slog.LevelInfo, map[string]any{
		"method": "GET", "path": "/links/{id}/identity", "http_status": 200, "status": "MK_OK", "attempt": 1,
		"request_id": r.RequestID(),
	})

	// A 503 with Retry-After: 1, then success.
	link := uniq("mk_fault_503_once_")
	if _, err := c.GetIdentity(context.WithValue(bg, ctxKey{}, "call 2"), link); err != nil {
		t.Fatal(err)
	}
	// A failure without retry.
	missing := uniq("mk_sandbox_missing_")
	_, err = c.GetIdentityJSON(context.WithValue(bg, ctxKey{}, "call 3"), missing)
	if !errors.Is(err, moneykit.ErrNotFound) {
		t.Fatalf("missing link: %v", err)
	}
	recs = append(recs, rec.take()...)
	if len(recs) != 5 {
		t.Fatalf("%d records, want 5: %v", len(recs), recs)
	}
	checkRecord(t, recs[2], slog.LevelWarn, map[string]any{
		"method": "GET", "path": "/links/{id}/identity", "http_status": 503, "status": "MK_ERR_SERVER", "attempt": 1,
		"request_id": "*", "retry_wait": time.Second,
	})
	checkRecord(t, recs[3], slog.LevelInfo, map[string]any{
		"method": "GET", "path": "/links/{id}/identity", "http_status": 200, "status": "MK_OK", "attempt": 2,
		"request_id": "*",
	})
	checkRecord(t, recs[4], slog.LevelWarn, map[string]any{
		"method": "GET", "path": "/links/{id}/identity", "http_status": 404, "status": "MK_ERR_NOT_FOUND", "attempt": 1,
		"request_id": "*",
	})
	for i, want := range []string{"call 1", "call 1", "call 2", "call 2", "call 3"} {
		if recs[i].ctxVal != want {
			t.Errorf("record %d has context value %v, want %q", i, recs[i].ctxVal, want)
		}
	}
	for _, r := range recs {
		for _, secret := range []string{"sandbox-secret", "sandbox-client", "mk_sandbox_ok", link, missing, "Margaret"} {
			if strings.Contains(r.String(), secret) {
				t.Errorf("record %v contains %q", r, secret)
			}
		}
	}

	// A Logger at Info leaves out token requests; records come only from
	// clients with a Logger.
	info := &recorder{min: slog.LevelInfo}
	c2 := newClient(t, func(o *moneykit.Options) { o.Logger = slog.New(info) })
	if _, err := c2.GetIdentity(bg, "mk_sandbox_ok"); err != nil {
		t.Fatal(err)
	}
	recs = info.take()
	if len(recs) != 1 || recs[0].attrs["path"].String() != "/links/{id}/identity" || recs[0].ctxVal != nil {
		t.Errorf("Info logger: %v", recs)
	}
	if got := rec.take(); len(got) != 0 {
		t.Errorf("another client's call reached this Logger: %v", got)
	}
}

// panicky is a handler that panics: the call must not notice.
type panicky struct{ recorder }

func (p *panicky) Handle(context.Context, slog.Record) error { panic("handler bug") }

func TestLoggerPanicDoesNotReachTheCall(t *testing.T) {
	t.Parallel()
	c := newClient(t, func(o *moneykit.Options) { o.Logger = slog.New(&panicky{}) })
	if r, err := c.GetIdentity(bg, "mk_sandbox_ok"); err != nil || len(r.Accounts) != 2 {
		t.Fatalf("%v", err)
	}
}

// RequestID is set by GetIdentity only.
func TestRequestID(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	a, err := c.GetIdentity(bg, "mk_sandbox_ok")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.GetIdentity(bg, "mk_sandbox_ok")
	if err != nil {
		t.Fatal(err)
	}
	if a.RequestID() == "" || a.RequestID() == b.RequestID() {
		t.Errorf("request ids %q and %q: want two different non-empty ids", a.RequestID(), b.RequestID())
	}
	p, err := moneykit.ParseIdentity(rawIdentity(t, "mk_sandbox_ok"))
	if err != nil {
		t.Fatal(err)
	}
	var nilResp *moneykit.IdentityResponse
	if p.RequestID() != "" || nilResp.RequestID() != "" {
		t.Errorf("ParseIdentity / nil: %q %q", p.RequestID(), nilResp.RequestID())
	}
}
