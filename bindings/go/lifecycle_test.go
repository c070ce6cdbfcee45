package moneykit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// lateBy is how long after its context ends (or whatever else should end
// it) a call may still return: the library promises 100 ms; the rest is slack
// for -race on a loaded 2-core machine. Each test using it waits for
// something that would take several seconds more if the call were not ended
// (a 6 s slow answer, a 10 s or 30 s timeout, a silent server).
const lateBy = 1500 * time.Millisecond

// goroutinesInC counts the goroutines inside the C call of GetIdentity, from
// the runtime's own goroutine dump (each holds an OS thread while there),
// independently of the package's counter.
func goroutinesInC(t testing.TB) int {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 2); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range strings.Split(buf.String(), "\n\n") {
		if strings.Contains(g, "._Cfunc_mk_go_get_identity(") || strings.Contains(g, "._Cfunc_mk_go_get_identity_view(") {
			n++
		}
	}
	return n
}

// 200 calls against a server that never answers, with 50 ms contexts, leave
// no thread in C one second later: the context's end reaches the C call.
func TestSilentServerCallsLeaveNoThreadInC(t *testing.T) {
	settle(t)
	c := newClient(t, func(o *moneykit.Options) {
		o.AccessToken = "sandbox-access-token"
		o.Timeout = 30 * time.Second // only the contexts end these calls
	})
	// The counts are real: while calls hang in C, both see them.
	const hanging = 3
	ctx, cancel := context.WithCancel(bg)
	var wg sync.WaitGroup
	for i := 0; i < hanging; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.GetIdentity(ctx, "mk_fault_silent")
			checkContextError(t, "hanging call", err, context.Canceled, moneykit.ErrCancelled)
		}()
	}
	eventually(t, 5*time.Second, "calls to enter C", func() bool { return moneykit.CCallsRunning() == hanging })
	if n := goroutinesInC(t); n != hanging {
		t.Errorf("the goroutine dump shows %d goroutines in C, want %d", n, hanging)
	}
	cancel()
	wg.Wait()

	before := len(requestsFor(t, "/links/mk_fault_silent/"))
	const calls = 200
	var slowest atomic.Int64
	for i := 0; i < calls; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.GetIdentity(ctx, "mk_fault_silent")
			took := time.Since(start)
			for {
				old := slowest.Load()
				if int64(took) <= old || slowest.CompareAndSwap(old, int64(took)) {
					break
				}
			}
			checkContextError(t, fmt.Sprintf("call %d", i), err, context.DeadlineExceeded, moneykit.ErrTimeout)
		}(i)
	}
	wg.Wait()
	// Every call has returned: none may still be in C (the C call is
	// synchronous, so no waiting is needed or wanted here).
	if n := moneykit.CCallsRunning(); n != 0 {
		t.Errorf("after the calls returned, %d are still in C (package counter)", n)
	}
	if n := goroutinesInC(t); n != 0 {
		t.Errorf("after the calls returned, %d goroutines are still in C (goroutine dump)", n)
	}
	reached := len(requestsFor(t, "/links/mk_fault_silent/")) - before
	t.Logf("%d of %d calls reached the server; slowest returned after %v", reached, calls, time.Duration(slowest.Load()))
	if reached < calls/4 {
		t.Errorf("only %d of %d calls reached the server: the test did not test much", reached, calls)
	}
	if s := time.Duration(slowest.Load()); s > 50*time.Millisecond+2*lateBy {
		t.Errorf("the slowest call returned after %v", s)
	}
	settle(t)
}

// The context's deadline itself is passed down as the call's timeout: a
// context whose Done channel never closes still bounds the call.
func TestContextDeadlinePassedDown(t *testing.T) {
	t.Parallel()
	c := newClient(t, func(o *moneykit.Options) { o.AccessToken = "sandbox-access-token" })
	ctx := deadlineOnly{bg, time.Now().Add(300 * time.Millisecond)}
	start := time.Now()
	_, err := c.GetIdentity(ctx, "mk_fault_silent")
	if took := time.Since(start); took < 250*time.Millisecond || took > 300*time.Millisecond+lateBy {
		t.Errorf("returned after %v, want about 300 ms", took)
	}
	checkContextError(t, "deadline only", err, context.DeadlineExceeded, moneykit.ErrTimeout)
}

// deadlineOnly has a deadline but no Done channel: nothing but the timeout
// passed to C can end a call made with it.
type deadlineOnly struct {
	context.Context
	dl time.Time
}

func (d deadlineOnly) Deadline() (time.Time, bool) { return d.dl, true }

// Cancellation without a deadline, with a cause: the error matches the
// cause too; a context that does not end leaves the library's errors alone.
func TestContextCancelCauseAndOwnTimeouts(t *testing.T) {
	t.Parallel()
	c := newClient(t, func(o *moneykit.Options) {
		o.AccessToken = "sandbox-access-token"
		o.Deadline = 300 * time.Millisecond
	})
	cause := errors.New("the user went away")
	ctx, cancel := context.WithCancelCause(bg)
	time.AfterFunc(100*time.Millisecond, func() { cancel(cause) })
	start := time.Now()
	_, err := c.GetIdentity(ctx, "mk_fault_trickle")
	if took := time.Since(start); took > 100*time.Millisecond+lateBy {
		t.Errorf("cancelled call returned after %v", took)
	}
	checkContextError(t, "cancel with cause", err, context.Canceled, moneykit.ErrCancelled)
	if !errors.Is(err, cause) {
		t.Errorf("%v does not match the cause", err)
	}

	// The client's Deadline (300 ms) ends a call whose context does not end:
	// ErrTimeout without a context error.
	ctx2, cancel2 := context.WithTimeout(bg, 20*time.Second)
	defer cancel2()
	start = time.Now()
	_, err = c.GetIdentity(ctx2, "mk_fault_silent")
	if took := time.Since(start); took > 300*time.Millisecond+lateBy {
		t.Errorf("Deadline 300 ms: returned after %v", took)
	}
	if !errors.Is(err, moneykit.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, moneykit.ErrCancelled) {
		t.Errorf("Deadline 300 ms: got %v", err)
	}
}

// Close does not wait behind calls to a silent server: it cancels them, they
// fail with ErrCancelled and ErrClosed, and no thread stays in C.
func TestCloseCancelsCallsInFlight(t *testing.T) {
	settle(t)
	clients := moneykit.LiveClients()
	c, err := moneykit.NewClient(moneykit.Options{BaseURL: sandboxURL, AccessToken: "sandbox-access-token", MaxRetries: moneykit.Retries(0)})
	if err != nil {
		t.Fatal(err)
	}
	var calls sync.WaitGroup
	for i := 0; i < 6; i++ {
		calls.Add(1)
		go func(i int) {
			defer calls.Done()
			ctx := bg // cannot be cancelled: only Close ends these calls
			if i == 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(bg, time.Minute)
				defer cancel()
			}
			_, err := c.GetIdentity(ctx, "mk_fault_silent")
			if !errors.Is(err, moneykit.ErrCancelled) || !errors.Is(err, moneykit.ErrClosed) || errors.Is(err, context.Canceled) {
				t.Errorf("call %d in flight during Close: %v", i, err)
			}
		}(i)
	}
	eventually(t, 5*time.Second, "calls to enter C", func() bool { return moneykit.CCallsRunning() == 6 })

	start := time.Now()
	var closers sync.WaitGroup
	for i := 0; i < 4; i++ {
		closers.Add(1)
		go func() {
			defer closers.Done()
			if err := c.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if took := time.Since(start); took > lateBy {
				t.Errorf("Close returned after %v", took)
			}
			if n := moneykit.CCallsRunning(); n != 0 {
				t.Errorf("Close returned with %d C calls running", n)
			}
		}()
	}
	closers.Wait()
	calls.Wait()
	if n := goroutinesInC(t); n != 0 {
		t.Errorf("%d goroutines in C after Close", n)
	}

	_, err = c.GetIdentity(bg, "mk_sandbox_ok")
	if !errors.Is(err, moneykit.ErrClosed) || !errors.Is(err, moneykit.ErrInvalidArgument) {
		t.Errorf("call after Close: %v", err)
	}
	var e *moneykit.Error
	if !errors.As(err, &e) || e.Status != moneykit.StatusInvalidArgument {
		t.Errorf("call after Close is not an *Error: %v", err)
	}
	if _, err := c.GetIdentityJSON(bg, "mk_sandbox_ok"); !errors.Is(err, moneykit.ErrClosed) {
		t.Errorf("GetIdentityJSON after Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if n := moneykit.LiveClients(); n != clients {
		t.Errorf("%d live clients, want %d", n, clients)
	}
	settle(t)
}

// Shutdown lets calls in flight finish and refuses new ones; when its
// context ends first it cancels the rest and returns ctx.Err() promptly.
func TestShutdown(t *testing.T) {
	settle(t)
	opts := moneykit.Options{BaseURL: sandboxURL, AccessToken: "sandbox-access-token", MaxRetries: moneykit.Retries(0)}
	c, err := moneykit.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	const slow = 600 * time.Millisecond
	link := fmt.Sprintf("mk_fault_slow_%d", slow.Milliseconds())
	start := time.Now()
	var calls sync.WaitGroup
	for i := 0; i < 4; i++ {
		calls.Add(1)
		go func(i int) {
			defer calls.Done()
			r, err := c.GetIdentity(bg, link)
			if err != nil || len(r.Accounts) != 2 {
				t.Errorf("call %d in flight during Shutdown: %v", i, err)
			}
		}(i)
	}
	eventually(t, 5*time.Second, "calls to enter C", func() bool { return moneykit.CCallsRunning() == 4 })
	shut := make(chan error, 1)
	go func() { shut <- c.Shutdown(bg) }()
	eventually(t, 5*time.Second, "Shutdown to start", func() bool {
		_, err := c.GetIdentity(bg, "mk_sandbox_ok")
		return errors.Is(err, moneykit.ErrClosed)
	})
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if took := time.Since(start); took < slow-50*time.Millisecond {
		t.Errorf("Shutdown returned after %v, before the calls in flight ended", took)
	}
	calls.Wait()

	c, err = moneykit.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	calls.Add(1)
	go func() {
		defer calls.Done()
		if _, err := c.GetIdentity(bg, "mk_fault_silent"); !errors.Is(err, moneykit.ErrCancelled) || !errors.Is(err, moneykit.ErrClosed) {
			t.Errorf("silent call during Shutdown: %v", err)
		}
	}()
	eventually(t, 5*time.Second, "the call to enter C", func() bool { return moneykit.CCallsRunning() == 1 })
	ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	if err := c.Shutdown(ctx); err != context.DeadlineExceeded {
		t.Errorf("Shutdown past its context: %v", err)
	}
	if took := time.Since(start); took > 200*time.Millisecond+lateBy {
		t.Errorf("Shutdown returned after %v", took)
	}
	calls.Wait()
	settle(t)
}
