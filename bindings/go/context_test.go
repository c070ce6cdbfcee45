package moneykit_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// The tests in this file that count goroutines, clients or C strings are not
// parallel: go test runs every non-parallel test before the parallel ones.

// 32 goroutines share one client (and its token) for successes and errors.
func TestConcurrentGoroutinesShareOneClient(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	const goroutines, calls = 32, 12
	var wg sync.WaitGroup
	var ok, notFound atomic.Int64
	errs := make(chan error, goroutines*calls)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				ctx, cancel := context.WithTimeout(bg, 30*time.Second) // exercise the goroutine path too
				switch (g + i) % 3 {
				case 0:
					r, err := c.GetIdentity(ctx, "mk_sandbox_ok", "acc_2Xq8PnL4cWd7RkYs9TbEhM")
					if err != nil || len(r.Accounts) != 1 || r.Accounts[0].Owners[0].Names[0] != "Margaret O'Brien" {
						errs <- fmt.Errorf("ok: %v", err)
					} else {
						ok.Add(1)
					}
				case 1:
					b, err := c.GetIdentityJSON(bg, "mk_sandbox_unicode")
					if err != nil || len(b) == 0 {
						errs <- fmt.Errorf("json: %v", err)
					} else {
						ok.Add(1)
					}
				default:
					_, err := c.GetIdentity(ctx, fmt.Sprintf("mk_missing_%d_%d", g, i))
					if !errors.Is(err, moneykit.ErrNotFound) {
						errs <- fmt.Errorf("not found: %v", err)
					} else {
						notFound.Add(1)
					}
				}
				cancel()
			}
		}(g)
	}
	// Collect garbage all along, to catch a missing runtime.KeepAlive.
	stopGC := make(chan struct{})
	gcDone := make(chan struct{})
	go func() {
		defer close(gcDone)
		for {
			select {
			case <-stopGC:
				return
			default:
				runtime.GC()
				time.Sleep(time.Millisecond)
			}
		}
	}()
	wg.Wait()
	close(stopGC)
	<-gcDone
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := ok.Load() + notFound.Load(); got != goroutines*calls {
		t.Errorf("%d calls succeeded as expected, want %d", got, goroutines*calls)
	}
}

// A context that is already done fails without calling C: the error matches
// ctx.Err() and the library's status for it.
func TestDoneContextMakesNoRequest(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	link := uniq("mk_sandbox_never_")
	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, err := c.GetIdentity(ctx, link)
	checkContextError(t, "cancelled", err, context.Canceled, moneykit.ErrCancelled)
	ctx, cancel = context.WithDeadline(bg, time.Now().Add(-time.Second))
	defer cancel()
	_, err = c.GetIdentityJSON(ctx, link)
	checkContextError(t, "past deadline", err, context.DeadlineExceeded, moneykit.ErrTimeout)
	var nilCtx context.Context
	if _, err := c.GetIdentity(nilCtx, link); !errors.Is(err, moneykit.ErrInvalidArgument) {
		t.Errorf("nil context: got %v", err)
	}
	if n := len(requestsFor(t, link)); n != 0 {
		t.Errorf("%d requests reached the sandbox", n)
	}
}

// checkContextError checks the error of a call its context ended: an *Error
// of the library's status for it that matches the context's error too.
func checkContextError(t *testing.T, what string, err, ctxErr, sentinel error) {
	t.Helper()
	var e *moneykit.Error
	switch {
	case !errors.As(err, &e):
		t.Errorf("%s: got %v (%T), want an *Error", what, err, err)
	case !errors.Is(err, ctxErr) || !errors.Is(err, sentinel):
		t.Errorf("%s: got %v, want an error matching %v and %v", what, err, ctxErr, sentinel)
	case errors.Is(err, moneykit.ErrClosed):
		t.Errorf("%s: %v matches ErrClosed", what, err)
	}
}

// Cancelling (or a deadline) during a slow response cancels the C call: the
// method returns promptly after the context's end (the library promises about
// 100 ms; lateBy allows for a loaded machine, far below the 6 s answer), with
// no C call left running, and nothing leaks. The cancelled calls are
// cancelled once the sandbox has logged their request (a real signal that the
// call is waiting in C), not after a guessed delay.
func TestContextEndsDuringCall(t *testing.T) {
	settle(t)
	base := runtime.NumGoroutine()
	c := newClient(t, func(o *moneykit.Options) { o.AccessToken = "sandbox-access-token" })

	const slow = 6 * time.Second
	link := fmt.Sprintf("mk_fault_slow_%d", slow.Milliseconds())
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tag := uniq("acc_during_") // an account id, to find this call's request in the log
			var ctx context.Context
			var cancel context.CancelFunc
			want, sentinel := context.Canceled, moneykit.ErrCancelled
			var ended atomic.Int64 // when the context ended (UnixNano)
			signalled := make(chan error, 1)
			if i%2 == 0 {
				ctx, cancel = context.WithCancel(bg)
				go func() {
					err := awaitRequest(tag, 10*time.Second)
					ended.Store(time.Now().UnixNano())
					cancel()
					signalled <- err
				}()
			} else {
				ctx, cancel = context.WithTimeout(bg, 150*time.Millisecond)
				dl, _ := ctx.Deadline()
				ended.Store(dl.UnixNano())
				want, sentinel = context.DeadlineExceeded, moneykit.ErrTimeout
				signalled <- nil
			}
			defer cancel()
			var err error
			if i < 2 {
				_, err = c.GetIdentity(ctx, link, tag)
			} else {
				_, err = c.GetIdentityJSON(ctx, link, tag)
			}
			returned := time.Now()
			if serr := <-signalled; serr != nil {
				t.Errorf("call %d: %v", i, serr)
			}
			if late := returned.Sub(time.Unix(0, ended.Load())); late > lateBy {
				t.Errorf("call %d returned %v after its context ended, want about 100 ms", i, late)
			}
			checkContextError(t, fmt.Sprintf("call %d", i), err, want, sentinel)
		}(i)
	}
	wg.Wait()
	if n := moneykit.CCallsRunning(); n != 0 {
		t.Errorf("%d C calls still running after their methods returned", n)
	}
	if n := goroutinesInC(t); n != 0 {
		t.Errorf("%d goroutines still in a C call", n)
	}
	settle(t)
	eventually(t, 5*time.Second, "goroutines to settle", func() bool { return runtime.NumGoroutine() <= base })

	// The client is still fine afterwards.
	if _, err := c.GetIdentity(bg, "mk_sandbox_ok"); err != nil {
		t.Fatal(err)
	}
	settle(t)
}

// Close racing with a stream of calls: every call either succeeds or gets
// ErrClosed, and the race detector sees nothing. Close comes once calls are
// known to be flowing (a count of successes, more each round), not after a
// guessed delay.
func TestCloseRacesWithCalls(t *testing.T) {
	for round := 0; round < 3; round++ {
		c, err := moneykit.NewClient(moneykit.Options{BaseURL: sandboxURL, AccessToken: "sandbox-access-token", MaxRetries: moneykit.Retries(0)})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var closedSeen, succeeded atomic.Int64
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					ctx, cancel := context.WithTimeout(bg, 10*time.Second)
					_, err := c.GetIdentity(ctx, "mk_sandbox_ok")
					cancel()
					if errors.Is(err, moneykit.ErrClosed) {
						closedSeen.Add(1)
						return
					}
					if err != nil {
						t.Errorf("unexpected error: %v", err)
						return
					}
					succeeded.Add(1)
				}
			}()
		}
		want := int64(8 + 16*round)
		eventually(t, 30*time.Second, "calls to succeed before Close", func() bool { return succeeded.Load() >= want })
		c.Close()
		wg.Wait()
		if closedSeen.Load() != 8 {
			t.Errorf("%d goroutines saw ErrClosed, want 8", closedSeen.Load())
		}
	}
	settle(t)
}

// A client nobody closes is freed by its finalizer.
func TestFinalizerFreesForgottenClient(t *testing.T) {
	settle(t)
	before := moneykit.LiveClients()
	func() {
		c, err := moneykit.NewClient(moneykit.Options{BaseURL: sandboxURL, AccessToken: "sandbox-access-token"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetIdentity(bg, "mk_sandbox_ok"); err != nil {
			t.Fatal(err)
		}
	}()
	if moneykit.LiveClients() != before+1 {
		t.Fatalf("live clients %d, want %d", moneykit.LiveClients(), before+1)
	}
	eventually(t, 10*time.Second, "the finalizer to free the client", func() bool {
		runtime.GC()
		return moneykit.LiveClients() == before
	})
}

// Many create/call/close cycles leave no client and no string behind, on
// the success path and on each error path (every call is checked to have
// taken the path it is there for: a leak on an error path that is never
// reached would go unseen).
func TestNoLeaksOverManyCalls(t *testing.T) {
	settle(t)
	before := moneykit.LiveClients()
	cases := []struct {
		link string
		want error // nil: success
	}{
		{"mk_sandbox_ok", nil},
		{"mk_sandbox_deleted", moneykit.ErrLinkDeleted},
		{"mk_fault_malformed", moneykit.ErrDecode},
	}
	checkPath := func(what string, i int, link string, err, want error) {
		t.Helper()
		var e *moneykit.Error
		switch {
		case want == nil && err != nil:
			t.Errorf("round %d, %s(%s): %v, want success", i, what, link, err)
		case want != nil && (!errors.Is(err, want) || !errors.As(err, &e)):
			t.Errorf("round %d, %s(%s): %v, want an *Error matching %v", i, what, link, err, want)
		}
	}
	for i := 0; i < 20; i++ {
		c, err := moneykit.NewClient(moneykit.Options{BaseURL: sandboxURL, AccessToken: "sandbox-access-token", MaxRetries: moneykit.Retries(0)})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			r, err := c.GetIdentity(bg, tc.link)
			checkPath("GetIdentity", i, tc.link, err, tc.want)
			if tc.want == nil && (r == nil || len(r.Accounts) != 2) {
				t.Errorf("round %d, GetIdentity(%s): %+v, want 2 accounts", i, tc.link, r)
			}
			b, err := c.GetIdentityJSON(bg, tc.link)
			checkPath("GetIdentityJSON", i, tc.link, err, tc.want)
			if tc.want == nil && len(b) == 0 {
				t.Errorf("round %d, GetIdentityJSON(%s): empty body", i, tc.link)
			}
		}
		c.Close()
		// And a call on the closed client: the ErrClosed path.
		if _, err := c.GetIdentity(bg, "mk_sandbox_ok"); !errors.Is(err, moneykit.ErrClosed) || !errors.Is(err, moneykit.ErrInvalidArgument) {
			t.Errorf("round %d, after Close: %v, want ErrClosed and ErrInvalidArgument", i, err)
		}
	}
	if c, err := moneykit.NewClient(moneykit.Options{BaseURL: "ftp://x"}); !errors.Is(err, moneykit.ErrInvalidArgument) {
		t.Errorf("bad base URL: %v, want ErrInvalidArgument", err)
		if c != nil {
			c.Close()
		}
	}
	check(t, "live clients", moneykit.LiveClients(), before)
	check(t, "live C strings", moneykit.LiveCStrings(), int64(0))
}
