package moneykit_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// linkStats is GET /_sandbox/links/<id> of e's sandbox.
func (e *hookEnv) linkStats(t *testing.T, link string) (identityRequests, refreshes int) {
	t.Helper()
	resp, err := adminHTTP.Get(e.srv.URL + "/_sandbox/links/" + link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		IdentityRequests int `json:"identity_requests"`
		RefreshRequests  int `json:"refresh_requests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s.IdentityRequests, s.RefreshRequests
}

func TestRefreshWaiterReturnsOnTheCompletedEvent(t *testing.T) {
	e := newHookEnv(t)
	w := moneykit.NewRefreshWaiter(e.client)
	var taken atomic.Int64
	e.serve(moneykit.WebhookHandler(e.client, func(_ context.Context, ev moneykit.Event) error {
		if w.Deliver(ev) {
			taken.Add(1)
		}
		return nil
	}))
	before, err := e.client.GetIdentity(bg, "mk_sandbox_ok")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// Polling would come only after a minute (and then every 20 s).
	got, err := w.RefreshIdentity(bg, "mk_sandbox_ok", 30*time.Second, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Fatalf("took %v", el)
	}
	if !got.IsNewerThan(before) {
		t.Fatalf("refreshed_at %v, before %v", got.RefreshedAt(), before.RefreshedAt())
	}
	// Deliver returned true on the handler's goroutine, which counts it just after.
	eventually(t, 2*time.Second, "the handler to count the event", func() bool { return taken.Load() > 0 })
	if taken.Load() != 1 {
		t.Fatalf("Deliver took %d events, want 1 (completed)", taken.Load())
	}
	// One Get Identity before (besides this test's own), one after the event: no polling.
	if n, r := e.linkStats(t, "mk_sandbox_ok"); n != 3 || r != 1 {
		t.Fatalf("%d identity requests, %d refreshes; want 3 and 1", n, r)
	}
}

func TestRefreshWaiterFallsBackToPolling(t *testing.T) {
	e := newHookEnv(t)
	w := moneykit.NewRefreshWaiter(e.client)
	// The events are verified and answered, but never handed to the waiter.
	e.serve(moneykit.WebhookHandler(e.client, func(context.Context, moneykit.Event) error { return nil }))
	start := time.Now()
	got, err := w.RefreshIdentity(bg, "mk_sandbox_ok", 20*time.Second, 300*time.Millisecond,
		moneykit.RefreshOptions{TimeScale: 20})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 300*time.Millisecond {
		t.Fatalf("returned after %v, before the fallback bound", el)
	}
	if got.RefreshedAt() == nil {
		t.Fatal("no refreshed_at")
	}
	// Read first, then polled (at least once) after the bound.
	if n, _ := e.linkStats(t, "mk_sandbox_ok"); n < 2 {
		t.Fatalf("%d identity requests, want the first read and polls", n)
	}
}

func TestRefreshWaiterReportsAFailedRefresh(t *testing.T) {
	e := newHookEnv(t)
	w := moneykit.NewRefreshWaiter(e.client)
	e.serve(moneykit.WebhookHandler(e.client, func(_ context.Context, ev moneykit.Event) error {
		w.Deliver(ev)
		return nil
	}))
	_, err := w.RefreshIdentity(bg, "mk_webhook_refresh_failed", 20*time.Second, time.Minute)
	var rf *moneykit.RefreshFailedError
	if !errors.Is(err, moneykit.ErrRefreshFailed) || !errors.As(err, &rf) || rf.Message == "" || rf.Stale == nil ||
		rf.LinkID != "mk_webhook_refresh_failed" {
		t.Fatalf("got %v", err)
	}
}

func TestRefreshWaiterArguments(t *testing.T) {
	e := newHookEnv(t)
	w := moneykit.NewRefreshWaiter(e.client)
	if _, err := w.RefreshIdentity(bg, "mk_sandbox_ok", 0, time.Second); !errors.Is(err, moneykit.ErrInvalidArgument) {
		t.Fatalf("no wait and no deadline: %v", err)
	}
	if _, err := w.RefreshIdentity(bg, "mk_sandbox_ok", time.Second, -1); !errors.Is(err, moneykit.ErrInvalidArgument) {
		t.Fatalf("negative fallback: %v", err)
	}
	// A context that ends while waiting for the event.
	e.serve(http.NotFoundHandler())
	ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
	defer cancel()
	_, err := w.RefreshIdentity(ctx, "mk_sandbox_ok", 0, time.Minute)
	var me *moneykit.Error
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &me) || me.Stale == nil {
		t.Fatalf("context deadline: %v", err)
	}
	// Other events are not taken.
	if w.Deliver(&moneykit.LinkStateChanged{}) || w.Deliver(&moneykit.UnknownEvent{}) {
		t.Fatal("Deliver took an event no refresh waits for")
	}
}
