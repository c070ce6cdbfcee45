package moneykit

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "moneykit.h"

// Defined in events.go (//export).
extern void moneykitGoEvent(uintptr_t client, uintptr_t call, mk_event *event);

// The call's context handle (a runtime/cgo.Handle, 0 for none) of the call
// running on this thread, for the events it emits: the library calls the
// event callback on the calling thread, before the call returns.
static __thread uintptr_t mk_go_call;

static int32_t mk_go_get_identity(const mk_client *client, const char *link_id,
		const char *const *account_ids, size_t account_ids_len, uint64_t timeout_ms,
		const mk_cancel *cancel, uintptr_t call, char **out_json,
		char **out_request_id, char **out_error) {
	mk_go_call = call;
	int32_t rc = mk_get_identity_ex(client, link_id, account_ids, account_ids_len,
		timeout_ms, cancel, out_json, out_request_id, out_error);
	mk_go_call = 0;
	return rc;
}

static int32_t mk_go_get_identity_view(const mk_client *client, const char *link_id,
		const char *const *account_ids, size_t account_ids_len, uint64_t timeout_ms,
		const mk_cancel *cancel, uintptr_t call, mk_identity **out_identity,
		char **out_request_id, char **out_error) {
	mk_go_call = call;
	int32_t rc = mk_get_identity_view(client, link_id, account_ids, account_ids_len,
		timeout_ms, cancel, out_identity, out_request_id, out_error);
	mk_go_call = 0;
	return rc;
}

// Not static: refresh.go declares and calls them.
int32_t mk_go_refresh_identity(const mk_client *client, const char *link_id,
		uint64_t wait_ms, const char *options_json, const mk_cancel *cancel, uintptr_t call,
		char **out_json, char **out_stale_json, char **out_error) {
	mk_go_call = call;
	int32_t rc = mk_refresh_identity(client, link_id, wait_ms, options_json, cancel,
		out_json, out_stale_json, out_error);
	mk_go_call = 0;
	return rc;
}

int32_t mk_go_wait_identity_newer(const mk_client *client, const char *link_id,
		const char *after, uint64_t wait_ms, const char *options_json, const mk_cancel *cancel,
		uintptr_t call, char **out_json, char **out_stale_json, char **out_error) {
	mk_go_call = call;
	int32_t rc = mk_wait_identity_newer(client, link_id, after, wait_ms, options_json, cancel,
		out_json, out_stale_json, out_error);
	mk_go_call = 0;
	return rc;
}

int32_t mk_go_request_identity_refresh(const mk_client *client, const char *link_id,
		uint64_t timeout_ms, const mk_cancel *cancel, uintptr_t call, char **out_error) {
	mk_go_call = call;
	int32_t rc = mk_request_identity_refresh(client, link_id, timeout_ms, cancel, out_error);
	mk_go_call = 0;
	return rc;
}

int32_t mk_go_webhook_verify(const mk_webhook_verifier *verifier, const char *signature,
		const char *body, size_t body_len, const mk_cancel *cancel, uintptr_t call,
		char **out_event_json, char **out_event_type, char **out_idempotency_key,
		char **out_error) {
	mk_go_call = call;
	int32_t rc = mk_webhook_verify(verifier, signature, body, body_len, cancel,
		out_event_json, out_event_type, out_idempotency_key, out_error);
	mk_go_call = 0;
	return rc;
}

static void mk_go_event(void *user_data, const mk_event *event) {
	moneykitGoEvent((uintptr_t)user_data, mk_go_call, (mk_event *)event);
}

// user_data carries a runtime/cgo.Handle (an integer), converted in C so that
// Go never turns an integer into an unsafe.Pointer.
static int32_t mk_go_set_event_callback(mk_client *client, uintptr_t handle, char **out_error) {
	return mk_client_set_event_callback(client, mk_go_event, (void *)handle, out_error);
}
*/
import "C"

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"runtime/cgo"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Version returns the version of the loaded C library, e.g. "0.1.0".
func Version() string { return C.GoString(C.mk_version()) }

// Counters for the tests (export_test.go): clients not yet freed, C strings
// received and not yet freed, C calls running.
var liveClients, liveCStrings, cCallsRunning atomic.Int64

// Client is a MoneyKit client backed by one mk_client: one connection pool
// and one cached access token, safe for concurrent use by many goroutines.
// Call Close when done; a finalizer frees a Client that was forgotten.
type Client struct {
	ptr *C.mk_client // set by NewClient; freed once no call runs

	mu       sync.Mutex
	closed   bool                      // no new calls
	inflight map[*C.mk_cancel]struct{} // the cancel handles of the calls in flight
	batches  map[*Batch]struct{}       // batches not yet freed (each counts in calls)
	calls    sync.WaitGroup            // calls in flight
	freeOnce sync.Once

	logger *slog.Logger
	events cgo.Handle // of logger, the event callback's user_data; 0 without Logger

	// The webhook verifiers made from this client (under mu), freed before it
	// (webhooks.go); and the one VerifyWebhook and WebhookHandler share.
	verifiers      map[*WebhookVerifier]struct{}
	defaultOnce    sync.Once
	defaultWebhook *WebhookVerifier
	defaultErr     error
}

// cString copies s into C memory, refusing strings with a NUL byte (C would
// silently see a shorter string). Free the result with C.free.
func cString(what, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, newError(StatusInvalidArgument, what+" contains a NUL byte")
	}
	return C.CString(s), nil
}

// cStringOrNil is cString with "" mapped to NULL.
func cStringOrNil(what, s string) (*C.char, error) {
	if s == "" {
		return nil, nil
	}
	return cString(what, s)
}

// freeSecret zeroes and frees a C copy of a secret.
func freeSecret(p *C.char) {
	if p != nil {
		C.memset(unsafe.Pointer(p), 0, C.strlen(p))
		C.free(unsafe.Pointer(p))
	}
}

// takeCString copies nothing: it counts a string the library handed out, to
// be released with freeCString.
func takeCString(p *C.char) {
	if p != nil {
		liveCStrings.Add(1)
	}
}

// freeCString frees a string the library handed out (mk_string_free).
func freeCString(p *C.char) {
	if p != nil {
		C.mk_string_free(p)
		liveCStrings.Add(-1)
	}
}

// NewClient creates a client. Errors are *Error values (ErrInvalidArgument
// for bad options or missing credentials).
func NewClient(opts Options) (*Client, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if err := checkCredentials(&opts); err != nil {
		return nil, err
	}
	js, err := opts.json()
	if err != nil { // never expected: check refused what JSON cannot hold
		return nil, newError(StatusInvalidArgument, "Options: "+err.Error(), err)
	}
	cID, err := cStringOrNil("Options.ClientID", opts.ClientID)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cID))
	cSecret, err := cStringOrNil("Options.ClientSecret", opts.ClientSecret)
	if err != nil {
		return nil, err
	}
	defer freeSecret(cSecret)
	cOpts := (*C.char)(C.CBytes(append(js, 0)))
	clear(js) // may hold the access token
	defer freeSecret(cOpts)

	var ptr *C.mk_client
	var errStr *C.char
	rc := C.mk_client_new(cID, cSecret, cOpts, &ptr, &errStr)
	takeCString(errStr)
	defer freeCString(errStr)
	if rc != C.MK_OK {
		if ptr != nil { // never expected: the header promises NULL on error
			C.mk_client_free(ptr)
		}
		e := errorFromC(rc, errStr)
		if e.Status == StatusInvalidArgument {
			e.Message = goOptionMessage(e.Message, clientName(&opts))
		}
		return nil, e
	}
	c := &Client{ptr: ptr, inflight: make(map[*C.mk_cancel]struct{}), batches: make(map[*Batch]struct{}), logger: opts.Logger}
	liveClients.Add(1)
	if opts.Logger != nil {
		// The handle holds the Logger, not c, so the finalizer still works.
		// It is deleted after mk_client_free, when no callback can come.
		c.events = cgo.NewHandle(opts.Logger)
		var errStr *C.char
		rc := C.mk_go_set_event_callback(ptr, C.uintptr_t(c.events), &errStr)
		takeCString(errStr)
		defer freeCString(errStr)
		if rc != C.MK_OK {
			err := errorFromC(rc, errStr)
			c.free()
			return nil, err
		}
	}
	runtime.SetFinalizer(c, (*Client).finalize)
	return c, nil
}

func (c *Client) finalize() { _ = c.Close() }

// Close frees the client. Calls in flight are cancelled: each returns within
// about 100 ms with an *Error matching ErrCancelled and ErrClosed (unless it
// ends otherwise first), and Close returns once they all have left C, so it
// never waits for a slow or silent server. Batches not yet closed are
// cancelled and freed (their Next returns false, Err matches ErrClosed). Calls made after Close started fail
// at once with ErrClosed. Close is idempotent and safe to call concurrently
// with itself, Shutdown and calls. It always returns nil. Use Shutdown to let
// calls in flight finish first.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	for h := range c.inflight {
		C.mk_cancel_trigger(h)
	}
	batches := make([]*Batch, 0, len(c.batches))
	for b := range c.batches {
		batches = append(batches, b)
	}
	c.mu.Unlock()
	for _, b := range batches {
		b.closeBy(newError(StatusCancelled, "the client was closed during the batch", ErrClosed), false)
	}
	c.free()
	return nil
}

// Shutdown refuses new calls (they fail with ErrClosed), waits until the
// calls in flight have returned or ctx ends, then closes the client as Close
// does, cancelling what is still running (a Batch counts as a call until it
// is drained or closed). It returns nil, or ctx.Err() when calls had to be
// cancelled.
func (c *Client) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	idle := make(chan struct{})
	go func() { c.calls.Wait(); close(idle) }()
	select {
	case <-idle:
		c.free()
		return nil
	case <-ctx.Done():
		c.Close()
		return ctx.Err()
	}
}

// free frees the C client once no call is in flight; c.closed must be set.
// Concurrent callers all return after it is done.
func (c *Client) free() {
	c.freeOnce.Do(func() {
		runtime.SetFinalizer(c, nil)
		c.calls.Wait()
		c.freeVerifiers() // they borrow the client: freed first
		C.mk_client_free(c.ptr)
		c.ptr = nil
		if c.events != 0 {
			c.events.Delete() // after mk_client_free: no callback can follow
		}
		liveClients.Add(-1)
	})
}

// acquire registers a call in flight with a new cancel handle, unless the
// client is closed. Pair it with release.
func (c *Client) acquire() (*C.mk_cancel, error) {
	var h *C.mk_cancel
	var errStr *C.char
	rc := C.mk_cancel_new(&h, &errStr)
	takeCString(errStr)
	defer freeCString(errStr)
	if rc != C.MK_OK {
		return nil, errorFromC(rc, errStr)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		C.mk_cancel_free(h)
		return nil, newError(StatusInvalidArgument, "the client is closed", ErrClosed)
	}
	c.inflight[h] = struct{}{}
	c.calls.Add(1)
	return h, nil
}

// release unregisters a call whose C call has returned and frees its handle
// (Close triggers handles only under c.mu, so none is triggered after this).
func (c *Client) release(h *C.mk_cancel) {
	c.mu.Lock()
	delete(c.inflight, h)
	c.mu.Unlock()
	C.mk_cancel_free(h)
	c.calls.Done()
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// GetIdentity fetches the identity of a link (GET /links/{linkID}/identity),
// optionally only for the given account ids, and decodes it. The result's
// RequestID method gives the response's x-request-id.
//
// The context bounds the call: its deadline becomes the call's timeout in C
// and its cancellation cancels the C call, which then returns (and frees its
// OS thread) within about 100 ms. A call ended by its context returns an
// *Error that matches both ctx.Err() and the library's status: ErrCancelled
// and context.Canceled, or ErrTimeout and context.DeadlineExceeded (also
// context.Cause(ctx) when it differs); a context that is already done
// returns such an error without a request. Other errors are *Error values
// matching one of the Err* sentinels.
func (c *Client) GetIdentity(ctx context.Context, linkID string, accountIDs ...string) (*IdentityResponse, error) {
	// The library validated the body and built its typed view: copy, do not re-judge.
	return call(c, ctx, linkID, accountIDs, true, func(res callResult) (*IdentityResponse, error) {
		r, err := fromView(res.view)
		if r != nil {
			r.requestID = res.requestID
		}
		return r, err
	})
}

// GetIdentityJSON is GetIdentity without decoding: the response body exactly
// as MoneyKit sent it (after the library checked it against the schema). Its
// request id is not returned (use GetIdentity, or the Logger's records).
func (c *Client) GetIdentityJSON(ctx context.Context, linkID string, accountIDs ...string) ([]byte, error) {
	return call(c, ctx, linkID, accountIDs, false, func(res callResult) ([]byte, error) {
		return append([]byte(nil), res.body...), nil
	})
}

// callResult is what a successful mk_get_identity_ex or mk_get_identity_view
// gave: the body (in C memory, valid during consume) or the view (consume
// must free it: fromView does), and the request id.
type callResult struct {
	body      []byte
	view      *C.mk_identity
	requestID string
}

// contextErr is ctx.Err(), or context.DeadlineExceeded when the deadline has
// passed but the context's timer has not fired yet (the C timeout, rounded up
// to a millisecond, can end the call a moment before it).
func contextErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

// contextStatus is the status of a call its context ended with cerr:
// StatusTimeout for a deadline, else StatusCancelled.
func contextStatus(cerr error) Status {
	if errors.Is(cerr, context.DeadlineExceeded) {
		return StatusTimeout
	}
	return StatusCancelled
}

// contextError turns e (nil: no request was made) into the error of a call
// whose context ended with cerr: StatusTimeout for a deadline, else
// StatusCancelled, matching cerr (and the context's cause) with errors.Is.
func contextError(ctx context.Context, cerr error, e *Error) *Error {
	s := contextStatus(cerr)
	if e == nil {
		e = &Error{}
	}
	e.Status = s
	e.Name = s.String()
	e.Message = "the context ended: " + cerr.Error()
	e.extra = append(e.extra, cerr)
	if cause := context.Cause(ctx); cause != nil && cause != cerr {
		e.extra = append(e.extra, cause)
	}
	return e
}

// call runs one mk_get_identity_ex on the calling goroutine, with ctx's
// deadline as its timeout and a cancel handle that ctx's end (or Close)
// triggers. view: mk_get_identity_view rather than mk_get_identity_ex.
// consume reads the JSON while it is still in C memory (no copy), or takes
// the view.
func call[T any](c *Client, ctx context.Context, linkID string, accountIDs []string, view bool, consume func(callResult) (T, error)) (T, error) {
	var zero T
	if ctx == nil {
		return zero, newError(StatusInvalidArgument, "nil Context")
	}
	var timeoutMS uint64 // 0: only the client's Deadline
	if cerr := contextErr(ctx); cerr != nil {
		return zero, contextError(ctx, cerr, nil)
	}
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left <= 0 { // passed between the two looks
			return zero, contextError(ctx, context.DeadlineExceeded, nil)
		}
		timeoutMS = uint64(millis(left)) // rounded up: never 0
	}
	h, err := c.acquire()
	if err != nil {
		return zero, err
	}
	defer c.release(h)
	if ctx.Done() != nil {
		// A goroutine (context.AfterFunc's) triggers the handle when ctx
		// ends; it is stopped, or waited for, before release frees the handle.
		triggered := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			C.mk_cancel_trigger(h)
			close(triggered)
		})
		defer func() {
			if !stop() {
				<-triggered
			}
		}()
	}
	cs := &callState{ctx: ctx}
	callHandle := cs.handle(c)
	if callHandle != 0 {
		defer callHandle.Delete()
	}
	v, err := invoke(c, h, timeoutMS, callHandle, linkID, accountIDs, view, consume)
	var e *Error
	if err != nil && errors.As(err, &e) && (e.Status == StatusCancelled || e.Status == StatusTimeout) {
		if cerr := cs.contextErr(); cerr != nil {
			return zero, contextError(ctx, cerr, e)
		}
		if e.Status == StatusCancelled && c.isClosed() {
			e.extra = append(e.extra, ErrClosed)
		}
	}
	return v, err
}

// invoke makes the C call on c (which must be acquired, h being its cancel
// handle) and frees everything it allocated or received before returning.
func invoke[T any](c *Client, h *C.mk_cancel, timeoutMS uint64, callHandle cgo.Handle, linkID string, accountIDs []string, view bool, consume func(callResult) (T, error)) (T, error) {
	var zero T
	cLink, err := cString("link id", linkID)
	if err != nil {
		return zero, err
	}
	defer C.free(unsafe.Pointer(cLink))

	// The array of pointers is Go memory holding only C pointers, which cgo
	// allows passing; KeepAlive keeps it alive until C has returned.
	var ids []*C.char
	defer func() {
		for _, p := range ids {
			C.free(unsafe.Pointer(p))
		}
	}()
	for _, a := range accountIDs {
		p, err := cString("account id", a)
		if err != nil {
			return zero, err
		}
		ids = append(ids, p)
	}
	var idsPtr **C.char
	if len(ids) > 0 {
		idsPtr = &ids[0]
	}

	var out, requestID, errStr *C.char
	var identity *C.mk_identity
	var rc C.int32_t
	cCallsRunning.Add(1)
	if view {
		rc = C.mk_go_get_identity_view(c.ptr, cLink, idsPtr, C.size_t(len(ids)), C.uint64_t(timeoutMS), h,
			C.uintptr_t(callHandle), &identity, &requestID, &errStr)
	} else {
		rc = C.mk_go_get_identity(c.ptr, cLink, idsPtr, C.size_t(len(ids)), C.uint64_t(timeoutMS), h,
			C.uintptr_t(callHandle), &out, &requestID, &errStr)
	}
	cCallsRunning.Add(-1)
	runtime.KeepAlive(ids)
	runtime.KeepAlive(c)
	takeCString(out)
	takeCString(requestID)
	takeCString(errStr)
	defer freeCString(out)
	defer freeCString(requestID)
	defer freeCString(errStr)

	if rc != C.MK_OK {
		if identity != nil { // never expected: NULL on error
			C.mk_identity_free(identity)
		}
		return zero, errorFromC(rc, errStr)
	}
	if out == nil && identity == nil { // never expected: the header promises the result on MK_OK
		return zero, newError(StatusInternal, "the library returned MK_OK without a body")
	}
	res := callResult{view: identity}
	if out != nil {
		res.body = unsafe.Slice((*byte)(unsafe.Pointer(out)), C.strlen(out))
	}
	if requestID != nil {
		res.requestID = C.GoString(requestID)
	}
	return consume(res)
}
