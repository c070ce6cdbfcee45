package moneykit

/*
#include <stdint.h>
#include <stdlib.h>
#include "moneykit.h"

// Defined in client.go's preamble (it sets the Logger's call context).
int32_t mk_go_webhook_verify(const mk_webhook_verifier *verifier, const char *signature,
		const char *body, size_t body_len, const mk_cancel *cancel, uintptr_t call,
		char **out_event_json, char **out_event_type, char **out_idempotency_key,
		char **out_error);
*/
import "C"

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Webhook verification (docs/C-API.md, "Webhooks"): the library checks the
// MoneyKit-Signature (ES256 with the keys of GET /.well-known/jwks.json,
// fetched and cached through the Client), the timestamps, the body's hash and
// the body as an event, and keeps the duplicate check; this file hands out
// the typed events (webhooks_gen.go, webhook_events.go) and answers HTTP.

// SignatureHeader is the request header that carries a delivery's signature.
const SignatureHeader = "MoneyKit-Signature"

// DeliveryStatus says what to do with a verified delivery.
type DeliveryStatus int

const (
	// DeliveryNew is a delivery seen for the first time, now claimed by this
	// caller: handle it, then call Done (MK_OK).
	DeliveryNew DeliveryStatus = iota
	// DeliveryDuplicate was handled before: answer 2xx and do not handle it
	// again (MK_WEBHOOK_DUPLICATE).
	DeliveryDuplicate
	// DeliveryInFlight is a copy of a delivery being handled right now:
	// answer 409 so MoneyKit retries later (MK_WEBHOOK_IN_FLIGHT).
	DeliveryInFlight
)

// String returns "new", "duplicate" or "in_flight".
func (s DeliveryStatus) String() string {
	switch s {
	case DeliveryNew:
		return "new"
	case DeliveryDuplicate:
		return "duplicate"
	case DeliveryInFlight:
		return "in_flight"
	}
	return "unknown"
}

// WebhookDelivery is a genuine delivery: its typed event and what to do
// with it (Status). With DeliveryNew the caller must call Done once it has
// handled the event (ok) or failed to (not ok: MoneyKit's retry is then
// handled again).
type WebhookDelivery struct {
	// Event is the typed event: *LinkProductRefresh, *LinkStateChanged,
	// *TransactionsUpdatesAvailable, or *UnknownEvent for a type (or major
	// version) this package does not know. Never nil.
	Event Event
	// Status: DeliveryNew, DeliveryDuplicate or DeliveryInFlight.
	Status DeliveryStatus
	// Type is the event's webhook_event.
	Type WebhookEventType
	// Key is the event's webhook_idempotency_key.
	Key string
	// Body is the request body exactly as sent.
	Body []byte

	v       *WebhookVerifier
	settled atomic.Bool
}

// Done settles a DeliveryNew delivery's claim: ok marks its key handled (a
// repeat within WebhookOptions.SeenTTL is DeliveryDuplicate), not ok releases
// it so MoneyKit's retry is handled again. Only the first call counts; for
// the other statuses it does nothing.
func (d *WebhookDelivery) Done(ok bool) error {
	if d.Status != DeliveryNew || d.v == nil || !d.settled.CompareAndSwap(false, true) {
		return nil
	}
	return d.v.Done(d.Key, ok)
}

// WebhookVerifier verifies MoneyKit's webhook deliveries for a Client's app:
// safe for concurrent use by many goroutines (one per request), sharing the
// cached keys and the duplicate check. Close it when done; Client.Close
// closes the verifiers made from it.
type WebhookVerifier struct {
	c       *Client
	maxBody int

	mu  sync.RWMutex           // read-held around every C call on ptr, write-held to free it
	ptr *C.mk_webhook_verifier // nil once closed
}

// liveVerifiers counts the verifiers made and not yet freed (for the tests).
var liveVerifiers atomic.Int64

// NewWebhookVerifier makes a verifier of this client's deliveries
// (mk_webhook_verifier_new). Nothing is fetched yet: the keys come with the
// first delivery, through the client (its base URL, proxy, CA file and
// timeouts), with X-Client-Id = opts.ClientID or else the client's client id
// (a client made with AccessToken only needs opts.ClientID). Errors are
// *Error values (ErrInvalidArgument for options out of range; ErrClosed).
func (c *Client) NewWebhookVerifier(opts WebhookOptions) (*WebhookVerifier, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	js, err := opts.json()
	if err != nil { // never expected: check refused what JSON cannot hold
		return nil, newError(StatusInvalidArgument, "WebhookOptions: "+err.Error(), err)
	}
	cOpts, err := cString("WebhookOptions", string(js))
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cOpts))
	h, err := c.acquire() // the client stays open during the call
	if err != nil {
		return nil, err
	}
	defer c.release(h)
	var ptr *C.mk_webhook_verifier
	var errStr *C.char
	rc := C.mk_webhook_verifier_new(c.ptr, cOpts, &ptr, &errStr)
	runtime.KeepAlive(c)
	takeCString(errStr)
	defer freeCString(errStr)
	if rc != C.MK_OK {
		if ptr != nil { // never expected: NULL on error
			C.mk_webhook_verifier_free(ptr)
		}
		e := errorFromC(rc, errStr)
		if e.Status == StatusInvalidArgument {
			e.Message = goOptionMessage(e.Message, fieldName(webhookOptionsFields))
		}
		return nil, e
	}
	v := &WebhookVerifier{c: c, ptr: ptr, maxBody: opts.MaxBodyBytes}
	if v.maxBody == 0 {
		v.maxBody = defaultMaxBodyBytes
	}
	liveVerifiers.Add(1)
	c.mu.Lock()
	if c.verifiers == nil {
		c.verifiers = make(map[*WebhookVerifier]struct{})
	}
	c.verifiers[v] = struct{}{}
	c.mu.Unlock()
	return v, nil
}

// Close frees the verifier (its cached keys and duplicate check) once the
// calls on it have returned. Calls made after it fail with ErrClosed. It is
// idempotent and always returns nil.
func (v *WebhookVerifier) Close() error {
	v.c.mu.Lock()
	delete(v.c.verifiers, v)
	v.c.mu.Unlock()
	v.free()
	return nil
}

func (v *WebhookVerifier) free() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ptr != nil {
		C.mk_webhook_verifier_free(v.ptr)
		v.ptr = nil
		liveVerifiers.Add(-1)
	}
}

// freeVerifiers frees the client's verifiers; called by free once no call
// runs, before mk_client_free.
func (c *Client) freeVerifiers() {
	c.mu.Lock()
	vs := make([]*WebhookVerifier, 0, len(c.verifiers))
	for v := range c.verifiers {
		vs = append(vs, v)
	}
	c.verifiers = nil
	c.mu.Unlock()
	for _, v := range vs {
		v.free()
	}
}

// defaultVerifier is the client's shared verifier (default options), made
// on first use.
func (c *Client) defaultVerifier() (*WebhookVerifier, error) {
	c.defaultOnce.Do(func() {
		c.defaultWebhook, c.defaultErr = c.NewWebhookVerifier(WebhookOptions{})
	})
	return c.defaultWebhook, c.defaultErr
}

// VerifyWebhook verifies a delivery with the client's shared verifier
// (default WebhookOptions, made on first use; see WebhookVerifier.VerifyRequest).
func (c *Client) VerifyWebhook(r *http.Request) (*WebhookDelivery, error) {
	v, err := c.defaultVerifier()
	if err != nil {
		return nil, err
	}
	return v.VerifyRequest(r)
}

// VerifyRequest verifies an incoming webhook request: its MoneyKit-Signature
// header and its body, read up to the verifier's MaxBodyBytes (one byte
// more, so a larger body is refused with reason body_too_large without being
// read to its end). r's context bounds a key fetch. See Verify.
func (v *WebhookVerifier) VerifyRequest(r *http.Request) (*WebhookDelivery, error) {
	if r == nil {
		return nil, newError(StatusInvalidArgument, "nil *http.Request")
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, int64(v.maxBody)+1))
		if err != nil {
			// A body that could not be read is no delivery to judge: answer 5xx.
			return nil, newError(StatusTransport, "reading the webhook request's body failed", err)
		}
		body = b
	}
	return v.Verify(r.Context(), r.Header.Get(SignatureHeader), body)
}

// Verify verifies one delivery (mk_webhook_verify): signature is the
// MoneyKit-Signature header's value ("" when absent), body the raw request
// body as received. A genuine delivery gives its typed event and status (new,
// duplicate, in flight); a new one must be settled with Done.
//
// Errors are *Error values. ErrSignature: the delivery is not genuine (answer
// 400); the error's Reason says which check failed. Any other error (the keys
// could not be fetched: ErrTransport, ErrTimeout, ErrUnauthorized, ...;
// ErrDecode for a signed body that is not an event) is answered 5xx so that
// MoneyKit retries (WebhookResponseStatus). ctx's end cancels a key fetch.
func (v *WebhookVerifier) Verify(ctx context.Context, signature string, body []byte) (*WebhookDelivery, error) {
	if ctx == nil {
		return nil, newError(StatusInvalidArgument, "nil Context")
	}
	if cerr := contextErr(ctx); cerr != nil {
		return nil, contextError(ctx, cerr, nil)
	}
	cSig, err := cStringOrNil("signature", signature)
	if err != nil {
		// A NUL byte cannot be in a genuine header: a delivery to refuse.
		return nil, &Error{Status: StatusSignature, Name: StatusSignature.String(),
			Message: "the signature header contains a NUL byte", Reason: "malformed"}
	}
	defer C.free(unsafe.Pointer(cSig))
	c := v.c
	h, err := c.acquire()
	if err != nil {
		return nil, err
	}
	defer c.release(h)
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.ptr == nil {
		return nil, newError(StatusInvalidArgument, "the webhook verifier is closed", ErrClosed)
	}
	defer watchContext(ctx, h)()
	cs := &callState{ctx: ctx}
	if callHandle := cs.handle(c); callHandle != 0 {
		defer callHandle.Delete()
	}
	var cBody *C.char
	if len(body) > 0 {
		// SAFETY: body holds no Go pointers, so cgo lets C read it for the
		// call's duration; the library reads exactly len(body) bytes.
		cBody = (*C.char)(unsafe.Pointer(unsafe.SliceData(body)))
	}
	var event, typ, key, errStr *C.char
	cCallsRunning.Add(1)
	rc := C.mk_go_webhook_verify(v.ptr, cSig, cBody, C.size_t(len(body)), h, C.uintptr_t(cs.h),
		&event, &typ, &key, &errStr)
	cCallsRunning.Add(-1)
	runtime.KeepAlive(body)
	runtime.KeepAlive(c)
	for _, p := range []*C.char{event, typ, key, errStr} {
		takeCString(p)
	}
	defer freeCString(event)
	defer freeCString(typ)
	defer freeCString(key)
	defer freeCString(errStr)

	var status DeliveryStatus
	switch rc {
	case C.MK_OK:
		status = DeliveryNew
	case C.MK_WEBHOOK_DUPLICATE:
		status = DeliveryDuplicate
	case C.MK_WEBHOOK_IN_FLIGHT:
		status = DeliveryInFlight
	default:
		return nil, c.contextOutcome(cs, errorFromC(rc, errStr), false)
	}
	if event == nil || key == nil { // never expected: the header promises them
		return nil, newError(StatusInternal, "the library verified a delivery without handing out its event")
	}
	d := &WebhookDelivery{
		Status: status,
		Key:    C.GoString(key),
		Body:   append([]byte(nil), body...),
		v:      v,
	}
	if typ != nil {
		d.Type = WebhookEventType(C.GoString(typ))
	}
	ev, err := decodeEvent(d.Body)
	if err != nil {
		// The library checked the body: never expected. Release the claim.
		if status == DeliveryNew {
			_ = v.Done(d.Key, false)
		}
		return nil, err
	}
	d.Event = ev
	return d, nil
}

// Done settles the claim of a DeliveryNew delivery by its idempotency key
// (mk_webhook_done; WebhookDelivery.Done calls it): ok marks it handled, not
// ok releases it. A key that is not claimed is ignored.
func (v *WebhookVerifier) Done(key string, ok bool) error {
	cKey, err := cString("idempotency key", key)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cKey))
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.ptr == nil {
		return newError(StatusInvalidArgument, "the webhook verifier is closed", ErrClosed)
	}
	handled := C.int32_t(0)
	if ok {
		handled = 1
	}
	var errStr *C.char
	rc := C.mk_webhook_done(v.ptr, cKey, handled, &errStr)
	takeCString(errStr)
	defer freeCString(errStr)
	if rc != C.MK_OK {
		return errorFromC(rc, errStr)
	}
	return nil
}

// WebhookResponseStatus is the HTTP status to answer a delivery whose
// verification failed with err: 400 for ErrSignature (not genuine: MoneyKit
// drops it), 503 for anything else (the keys could not be fetched, ...:
// MoneyKit retries it).
func WebhookResponseStatus(err error) int {
	if errors.Is(err, ErrSignature) {
		return http.StatusBadRequest
	}
	return http.StatusServiceUnavailable
}

// WebhookHandler is a net/http handler of MoneyKit's webhook deliveries,
// verified with the client's shared verifier (see Client.VerifyWebhook; use
// NewWebhookVerifier and its Handler for other options). See
// WebhookVerifier.Handler for what it answers. When the verifier cannot be
// made (a client with AccessToken only and no client id) every request is
// answered 500.
func WebhookHandler(c *Client, fn func(context.Context, Event) error) http.Handler {
	v, err := c.defaultVerifier()
	if err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "moneykit: no webhook verifier: "+err.Error(), http.StatusInternalServerError)
		})
	}
	return v.Handler(fn)
}

// Handler is a net/http handler of MoneyKit's webhook deliveries. For each
// POST it verifies the delivery and answers:
//   - 400 when it is not genuine (ErrSignature; the body names the reason);
//   - 200 for a duplicate, without calling fn;
//   - 409 for a copy of a delivery being handled right now (MoneyKit retries);
//   - for a new delivery, fn's outcome: 200 when fn returns nil (the key is
//     marked handled), 500 when it returns an error or panics (the claim is
//     released, so MoneyKit's retry is handled again; a panic goes on to
//     net/http);
//   - 503 when the delivery could not be verified (the keys could not be
//     fetched, ...): MoneyKit retries;
//   - 405 for a method other than POST.
//
// fn gets the request's context and the typed event; it runs on the
// request's goroutine and should be quick (MoneyKit waits 10 s at most; hand
// long work to a queue and return).
func (v *WebhookVerifier) Handler(fn func(context.Context, Event) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		d, err := v.VerifyRequest(r)
		if err != nil {
			status := WebhookResponseStatus(err)
			text := "webhook delivery not verified"
			var e *Error
			if errors.As(err, &e) && e.Reason != "" {
				text = "webhook delivery refused: " + e.Reason
			}
			http.Error(w, text, status)
			return
		}
		switch d.Status {
		case DeliveryDuplicate:
			w.WriteHeader(http.StatusOK)
			return
		case DeliveryInFlight:
			http.Error(w, "webhook delivery in flight", http.StatusConflict)
			return
		}
		ok := false
		defer func() {
			if !ok {
				_ = d.Done(false) // also when fn panics: the retry is handled again
			}
		}()
		if err := fn(r.Context(), d.Event); err != nil {
			http.Error(w, "webhook handler failed", http.StatusInternalServerError)
			return
		}
		ok = true
		_ = d.Done(true)
		w.WriteHeader(http.StatusOK)
	})
}
