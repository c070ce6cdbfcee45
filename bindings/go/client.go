package moneykit

/*
#include <stdlib.h>
#include <string.h>
#include "moneykit.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Version returns the version of the loaded C library, e.g. "0.1.0".
func Version() string { return C.GoString(C.mk_version()) }

// AuthMode selects how a Client authenticates when Options.AccessToken is
// empty.
type AuthMode string

const (
	// AuthToken (the default): OAuth2 client credentials via POST
	// /auth/token, then "Authorization: Bearer"; the token is cached and
	// shared by every goroutine using the Client.
	AuthToken AuthMode = "token"
	// AuthHeaders sends X-Client-Id and X-Client-Secret on every request.
	AuthHeaders AuthMode = "headers"
)

// Options configure a Client. Every zero value means the library default
// (listed in README.md); negative durations are refused.
type Options struct {
	// ClientID and ClientSecret: empty means the MONEYKIT_CLIENT_ID /
	// MONEYKIT_CLIENT_SECRET environment variables. Not needed with
	// AccessToken.
	ClientID     string
	ClientSecret string
	// BaseURL: default env MONEYKIT_BASE_URL, else https://api.moneykit.com.
	// Plain http is accepted for loopback hosts only.
	BaseURL string
	// AccessToken is a bearer token you already hold: no token requests.
	AccessToken string
	// Auth is AuthToken (default) or AuthHeaders.
	Auth AuthMode
	// MoneyKitVersion is sent as the moneykit-version header (default
	// "2023-02-18").
	MoneyKitVersion string
	// Timeout is the whole-request deadline per attempt (default 30 s);
	// ConnectTimeout the connect timeout (default 10 s). Both are rounded up
	// to whole milliseconds.
	Timeout        time.Duration
	ConnectTimeout time.Duration
	// MaxRetries is the number of extra attempts for transport errors,
	// timeouts, 429, 500, 502, 503 and 504: nil means the default (2);
	// Retries(0) disables retries.
	MaxRetries *int
	// RetryBase is the backoff base (default 500 ms): base × 2^n with full
	// jitter, capped at 8 s; a Retry-After header wins.
	RetryBase time.Duration
	// MaxRetryAfter: a longer Retry-After is not waited for, the call fails
	// at once with ErrRateLimited (default 60 s).
	MaxRetryAfter time.Duration
	// MaxResponseBytes: larger bodies fail with ErrDecode (default 16 MiB).
	MaxResponseBytes int64
	// UserAgent is appended to the library's "moneykit-native/<version>".
	UserAgent string
	// Proxy is a proxy URL (default env ALL_PROXY / HTTPS_PROXY / HTTP_PROXY).
	Proxy string
	// CAFile is a PEM file of extra root certificates to trust.
	CAFile string
	// LogLevel is "off", "warn", "info" or "debug": one line per attempt on
	// stderr, never owner data or secrets (default env MONEYKIT_LOG, else off).
	LogLevel string
}

// Retries returns a pointer to n, for Options.MaxRetries.
func Retries(n int) *int { return &n }

// optionsJSON is the options JSON of mk_client_new (C-API.md).
type optionsJSON struct {
	BaseURL          string `json:"base_url,omitempty"`
	AccessToken      string `json:"access_token,omitempty"`
	Auth             string `json:"auth,omitempty"`
	MoneyKitVersion  string `json:"moneykit_version,omitempty"`
	TimeoutMS        int64  `json:"timeout_ms,omitempty"`
	ConnectTimeoutMS int64  `json:"connect_timeout_ms,omitempty"`
	MaxRetries       *int   `json:"max_retries,omitempty"`
	RetryBaseMS      int64  `json:"retry_base_ms,omitempty"`
	MaxRetryAfterMS  int64  `json:"max_retry_after_ms,omitempty"`
	MaxResponseBytes int64  `json:"max_response_bytes,omitempty"`
	UserAgent        string `json:"user_agent,omitempty"`
	Proxy            string `json:"proxy,omitempty"`
	CAFile           string `json:"ca_file,omitempty"`
	LogLevel         string `json:"log_level,omitempty"`
}

// millis converts a duration to milliseconds, rounding away from zero so that
// a positive duration never becomes 0 ("default") and a negative one never
// becomes 0 either (the library refuses it).
func millis(d time.Duration) int64 {
	ms := d / time.Millisecond
	switch rem := d % time.Millisecond; {
	case rem > 0:
		ms++
	case rem < 0:
		ms--
	}
	return int64(ms)
}

func (o *Options) json() ([]byte, error) {
	return json.Marshal(optionsJSON{
		BaseURL:          o.BaseURL,
		AccessToken:      o.AccessToken,
		Auth:             string(o.Auth),
		MoneyKitVersion:  o.MoneyKitVersion,
		TimeoutMS:        millis(o.Timeout),
		ConnectTimeoutMS: millis(o.ConnectTimeout),
		MaxRetries:       o.MaxRetries,
		RetryBaseMS:      millis(o.RetryBase),
		MaxRetryAfterMS:  millis(o.MaxRetryAfter),
		MaxResponseBytes: o.MaxResponseBytes,
		UserAgent:        o.UserAgent,
		Proxy:            o.Proxy,
		CAFile:           o.CAFile,
		LogLevel:         o.LogLevel,
	})
}

// Counters for the tests (export_test.go): clients not yet freed, C strings
// received and not yet freed, C calls running.
var liveClients, liveCStrings, cCallsRunning atomic.Int64

// Client is a MoneyKit client backed by one mk_client: one connection pool
// and one cached access token, safe for concurrent use by many goroutines.
// Call Close when done; a finalizer frees a Client that was forgotten.
type Client struct {
	ptr *C.mk_client // set by NewClient; freed by Close once no call runs

	mu     sync.Mutex
	closed bool
	calls  sync.WaitGroup // C calls in flight, including abandoned ones
	freed  chan struct{}  // closed once ptr has been freed
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
	js, err := opts.json()
	if err != nil {
		return nil, newError(StatusInvalidArgument, "options: "+err.Error(), err)
	}
	cID, err := cStringOrNil("client id", opts.ClientID)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cID))
	cSecret, err := cStringOrNil("client secret", opts.ClientSecret)
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
		return nil, errorFromC(rc, errStr)
	}
	c := &Client{ptr: ptr, freed: make(chan struct{})}
	liveClients.Add(1)
	runtime.SetFinalizer(c, (*Client).finalize)
	return c, nil
}

func (c *Client) finalize() { _ = c.Close() }

// Close frees the client. It waits until every call in flight has returned
// from C, including calls whose context ended (those finish in the
// background, bounded by Timeout and the retries). It is idempotent and safe
// to call concurrently with itself and with calls: calls made after Close
// started fail with ErrClosed. It always returns nil.
func (c *Client) Close() error {
	c.mu.Lock()
	first := !c.closed
	c.closed = true
	c.mu.Unlock()
	if !first {
		<-c.freed
		return nil
	}
	runtime.SetFinalizer(c, nil)
	c.calls.Wait()
	C.mk_client_free(c.ptr)
	c.ptr = nil
	liveClients.Add(-1)
	close(c.freed)
	return nil
}

// acquire registers a call in flight, unless the client is closed.
func (c *Client) acquire() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return newError(StatusInvalidArgument, "the client is closed", ErrClosed)
	}
	c.calls.Add(1)
	return nil
}

// GetIdentity fetches the identity of a link (GET /links/{linkID}/identity),
// optionally only for the given account ids, and decodes it.
//
// If ctx is already done, it returns ctx.Err() without any request. If ctx
// ends during the call, it returns ctx.Err() at once; the request goes on in
// the background until the library returns, and its result is then freed.
// Other errors are *Error values matching one of the Err* sentinels.
func (c *Client) GetIdentity(ctx context.Context, linkID string, accountIDs ...string) (*IdentityResponse, error) {
	// The library validated the body before returning it: decode, do not re-judge.
	return call(c, ctx, linkID, accountIDs, decodeAccepted)
}

// GetIdentityJSON is GetIdentity without decoding: the response body exactly
// as MoneyKit sent it (after the library checked it against the schema).
func (c *Client) GetIdentityJSON(ctx context.Context, linkID string, accountIDs ...string) ([]byte, error) {
	return call(c, ctx, linkID, accountIDs, func(b []byte) ([]byte, error) {
		return append([]byte(nil), b...), nil
	})
}

type result[T any] struct {
	val T
	err error
}

// call runs one mk_get_identity with ctx handling. consume reads the JSON
// while it is still in C memory (no copy); it is skipped when the caller has
// gone away.
func call[T any](c *Client, ctx context.Context, linkID string, accountIDs []string, consume func([]byte) (T, error)) (T, error) {
	var zero T
	if ctx == nil {
		return zero, newError(StatusInvalidArgument, "nil Context")
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if err := c.acquire(); err != nil {
		return zero, err
	}
	if ctx.Done() == nil { // cannot be cancelled: no goroutine needed
		defer c.calls.Done()
		return invoke(c, linkID, accountIDs, nil, consume)
	}
	var abandoned atomic.Bool
	done := make(chan result[T], 1) // buffered: the worker never blocks
	go func() {
		defer c.calls.Done()
		v, err := invoke(c, linkID, accountIDs, &abandoned, consume)
		done <- result[T]{v, err}
	}()
	select {
	case r := <-done:
		return r.val, r.err
	case <-ctx.Done():
		abandoned.Store(true)
		select {
		case r := <-done: // finished meanwhile: the result is as good
			return r.val, r.err
		default:
			return zero, ctx.Err()
		}
	}
}

// invoke makes the C call on c (which must be acquired) and frees everything
// it allocated or received before returning.
func invoke[T any](c *Client, linkID string, accountIDs []string, abandoned *atomic.Bool, consume func([]byte) (T, error)) (T, error) {
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

	var out, errStr *C.char
	cCallsRunning.Add(1)
	rc := C.mk_get_identity(c.ptr, cLink, idsPtr, C.size_t(len(ids)), &out, &errStr)
	cCallsRunning.Add(-1)
	runtime.KeepAlive(ids)
	runtime.KeepAlive(c)
	takeCString(out)
	takeCString(errStr)
	defer freeCString(out)
	defer freeCString(errStr)

	if rc != C.MK_OK {
		return zero, errorFromC(rc, errStr)
	}
	if out == nil { // never expected: the header promises the JSON on MK_OK
		return zero, newError(StatusInternal, "the library returned MK_OK without a body")
	}
	if abandoned != nil && abandoned.Load() {
		return zero, context.Canceled // nobody reads it
	}
	return consume(unsafe.Slice((*byte)(unsafe.Pointer(out)), C.strlen(out)))
}
