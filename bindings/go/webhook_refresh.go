package moneykit

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrRefreshFailed is matched by the *RefreshFailedError RefreshWaiter's
// RefreshIdentity returns when MoneyKit reported the refresh failed.
var ErrRefreshFailed = errors.New("moneykit: the identity refresh failed")

// RefreshFailedError is a refresh MoneyKit reported failed (a
// link.product_refresh event with state failed).
type RefreshFailedError struct {
	// LinkID is the link refreshed.
	LinkID string
	// Message is the event's error_message ("" when it had none).
	Message string
	// Stale is the identity read before the refresh.
	Stale *IdentityResponse
}

func (e *RefreshFailedError) Error() string {
	if e.Message == "" {
		return "moneykit: the identity refresh failed"
	}
	return "moneykit: the identity refresh failed: " + e.Message
}

// Is makes errors.Is(err, ErrRefreshFailed) true.
func (e *RefreshFailedError) Is(target error) bool { return target == ErrRefreshFailed }

// RefreshWaiter refreshes identities without polling: RefreshIdentity
// requests the refresh and returns the new identity as soon as the link's
// verified identity refresh event (link.product_refresh, product identity,
// state completed) arrives, which the application's webhook handler hands to
// Deliver. When no such event came within the fallback bound it polls Get
// Identity as Client.WaitIdentityNewer does. Safe for concurrent use; one
// waiter serves any number of refreshes and links.
//
//	w := moneykit.NewRefreshWaiter(client)
//	http.Handle("/webhooks/moneykit", moneykit.WebhookHandler(client,
//		func(ctx context.Context, ev moneykit.Event) error {
//			w.Deliver(ev)
//			return nil
//		}))
//	...
//	identity, err := w.RefreshIdentity(ctx, linkID, 10*time.Minute, time.Minute)
type RefreshWaiter struct {
	c *Client

	mu      sync.Mutex
	waiting map[string]map[chan *LinkProductRefresh]struct{} // by link id
}

// NewRefreshWaiter returns a waiter whose refreshes go through c.
func NewRefreshWaiter(c *Client) *RefreshWaiter {
	return &RefreshWaiter{c: c, waiting: make(map[string]map[chan *LinkProductRefresh]struct{})}
}

// Deliver hands the waiter a verified event (call it from the webhook
// handler's callback with every event; any other event is ignored). It
// reports whether a RefreshIdentity was waiting for it. It never blocks.
func (w *RefreshWaiter) Deliver(ev Event) bool {
	e, ok := ev.(*LinkProductRefresh)
	if !ok || e.Product != WebhookProductIdentity ||
		(e.State != ProductRefreshStateCompleted && e.State != ProductRefreshStateFailed) {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	taken := false
	for ch := range w.waiting[e.LinkID] {
		select {
		case ch <- e:
			taken = true
		default: // that refresh has more events than it will read
		}
	}
	return taken
}

func (w *RefreshWaiter) register(linkID string) chan *LinkProductRefresh {
	ch := make(chan *LinkProductRefresh, 8)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.waiting[linkID] == nil {
		w.waiting[linkID] = make(map[chan *LinkProductRefresh]struct{})
	}
	w.waiting[linkID][ch] = struct{}{}
	return ch
}

func (w *RefreshWaiter) unregister(linkID string, ch chan *LinkProductRefresh) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.waiting[linkID], ch)
	if len(w.waiting[linkID]) == 0 {
		delete(w.waiting, linkID)
	}
}

// RefreshIdentity reads the link's identity, requests a refresh
// (RequestIdentityRefresh), then waits for the link's identity refresh event
// and returns the identity read right after it, newer than the one before.
// An event older than the identity read first (a previous refresh's, late) is
// ignored. When no event came within fallback (0: poll at once), or the
// identity read after it is not newer yet, it polls Get Identity until it is
// (Client.WaitIdentityNewer with opts) for the rest of wait.
//
// wait bounds the whole call (0: ctx's deadline, which must then be set);
// ctx's deadline, when earlier, shortens it. Errors: those of GetIdentity and
// RequestIdentityRefresh (the daily limit matches ErrRateLimited, with Stale
// the identity read first), a *RefreshFailedError (ErrRefreshFailed) when
// MoneyKit's event says the refresh failed, and WaitIdentityNewer's (ErrTimeout
// with Stale when the data did not change in time).
func (w *RefreshWaiter) RefreshIdentity(ctx context.Context, linkID string, wait, fallback time.Duration, opts ...RefreshOptions) (*IdentityResponse, error) {
	if ctx == nil {
		return nil, newError(StatusInvalidArgument, "nil Context")
	}
	if wait < 0 || fallback < 0 {
		return nil, newError(StatusInvalidArgument, "wait and fallback must not be negative")
	}
	if wait == 0 {
		if _, ok := ctx.Deadline(); !ok {
			return nil, newError(StatusInvalidArgument, "wait must be positive, or the context must have a deadline")
		}
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	// Registered before the request, so that no event is missed.
	ch := w.register(linkID)
	defer w.unregister(linkID, ch)

	before, err := w.c.GetIdentity(ctx, linkID)
	if err != nil {
		return nil, err
	}
	if err := w.c.RequestIdentityRefresh(ctx, linkID); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Stale = before
		}
		return nil, err
	}
	after := before.RefreshedAt()
	newer := func(t Timestamp) bool { return after == nil || t.Time.After(*after) }

	timer := time.NewTimer(fallback)
	defer timer.Stop()
wait:
	for {
		select {
		case ev := <-ch:
			if !newer(ev.StateChangedAt) {
				continue // a previous refresh's event
			}
			if ev.State == ProductRefreshStateFailed {
				msg := ""
				if ev.ErrorMessage != nil {
					msg = *ev.ErrorMessage
				}
				return nil, &RefreshFailedError{LinkID: linkID, Message: msg, Stale: before}
			}
			fresh, err := w.c.GetIdentity(ctx, linkID)
			if err != nil {
				return nil, err
			}
			if fresh.IsNewerThan(before) {
				return fresh, nil
			}
			break wait // not visible yet: poll
		case <-timer.C:
			break wait
		case <-ctx.Done():
			return nil, contextError(ctx, contextErr(ctx), &Error{Stale: before})
		}
	}
	var since time.Time
	if after != nil {
		since = *after
	}
	return w.c.WaitIdentityNewer(ctx, linkID, since, 0, opts...)
}
