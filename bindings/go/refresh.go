package moneykit

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "moneykit.h"

// Defined in client.go's preamble (they set the Logger's call context).
int32_t mk_go_refresh_identity(const mk_client *client, const char *link_id,
		uint64_t wait_ms, const char *options_json, const mk_cancel *cancel, uintptr_t call,
		char **out_json, char **out_stale_json, char **out_error);
int32_t mk_go_wait_identity_newer(const mk_client *client, const char *link_id,
		const char *after, uint64_t wait_ms, const char *options_json, const mk_cancel *cancel,
		uintptr_t call, char **out_json, char **out_stale_json, char **out_error);
int32_t mk_go_request_identity_refresh(const mk_client *client, const char *link_id,
		uint64_t timeout_ms, const mk_cancel *cancel, uintptr_t call, char **out_error);
*/
import "C"

import (
	"context"
	"runtime"
	"time"
	"unsafe"
)

// refreshOptions returns the options JSON as C memory (NULL for none); free
// it with C.free.
func refreshOptions(opts []RefreshOptions) (*C.char, error) {
	switch len(opts) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, newError(StatusInvalidArgument, "at most one RefreshOptions")
	}
	if err := opts[0].check(); err != nil {
		return nil, err
	}
	b, err := opts[0].json()
	if err != nil { // never expected: check refused what JSON cannot hold
		return nil, newError(StatusInvalidArgument, "RefreshOptions: "+err.Error(), err)
	}
	return C.CString(string(b)), nil
}

// RefreshIdentity asks MoneyKit to refresh the link's owner data (POST
// /links/{id}/products with {"products": ["identity"]}) and returns the fresh
// identity once its RefreshedAt is later than before the request. It reads
// the identity once first, then polls Get Identity within the per-link limit
// (RefreshOptions.LinkPerMinute, default 3 a minute): the fresh data comes
// within one poll interval of MoneyKit's update.
//
// wait bounds the whole call; 0 means until ctx's deadline (then ctx must
// have one). A context deadline earlier than wait shortens it; ctx's
// cancellation stops the call within about 100 ms.
//
// Errors are *Error values. When the data was not refreshed in time the error
// matches ErrTimeout (and context.DeadlineExceeded when ctx's deadline was the
// limit) and its Stale field holds the last identity read. MoneyKit's daily
// refresh limit (a 429 on the refresh request, never retried) matches
// ErrRateLimited, with a message saying so, RetryAfter when the server sent
// one, and Stale. A cancelled call matches ErrCancelled and context.Canceled,
// with Stale when one was read. Other failures are those of GetIdentity.
func (c *Client) RefreshIdentity(ctx context.Context, linkID string, wait time.Duration, opts ...RefreshOptions) (*IdentityResponse, error) {
	return c.poll(ctx, linkID, wait, opts, nil, false)
}

// WaitIdentityNewer polls Get Identity, the first poll at once and then within
// the per-link limit, until the link's RefreshedAt is later than after, and
// returns that identity: for a refresh requested elsewhere
// (RequestIdentityRefresh, a webhook, another process). A zero after waits
// for any RefreshedAt at all. wait, ctx, the options and the errors are as
// for RefreshIdentity (no daily-limit outcome: nothing is requested).
func (c *Client) WaitIdentityNewer(ctx context.Context, linkID string, after time.Time, wait time.Duration, opts ...RefreshOptions) (*IdentityResponse, error) {
	return c.poll(ctx, linkID, wait, opts, &after, true)
}

// poll runs mk_refresh_identity (newer false) or mk_wait_identity_newer.
func (c *Client) poll(ctx context.Context, linkID string, wait time.Duration, opts []RefreshOptions, after *time.Time, newer bool) (*IdentityResponse, error) {
	if ctx == nil {
		return nil, newError(StatusInvalidArgument, "nil Context")
	}
	if wait < 0 {
		return nil, newError(StatusInvalidArgument, "wait must not be negative")
	}
	if cerr := contextErr(ctx); cerr != nil {
		return nil, contextError(ctx, cerr, nil)
	}
	fromCtx := false
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left <= 0 {
			return nil, contextError(ctx, context.DeadlineExceeded, nil)
		}
		if wait == 0 || left < wait {
			wait, fromCtx = left, true
		}
	}
	if wait == 0 {
		return nil, newError(StatusInvalidArgument, "wait must be positive, or the context must have a deadline")
	}
	cOpts, err := refreshOptions(opts)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cOpts))
	cLink, err := cString("link id", linkID)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cLink))
	var cAfter *C.char
	if after != nil && !after.IsZero() {
		cAfter = C.CString(after.UTC().Format(time.RFC3339Nano))
		defer C.free(unsafe.Pointer(cAfter))
	}

	h, err := c.acquire()
	if err != nil {
		return nil, err
	}
	defer c.release(h)
	defer watchContext(ctx, h)()
	cs := &callState{ctx: ctx}
	if callHandle := cs.handle(c); callHandle != 0 {
		defer callHandle.Delete()
	}

	waitMS := C.uint64_t(millis(wait))
	var out, stale, errStr *C.char
	var rc C.int32_t
	cCallsRunning.Add(1)
	if newer {
		rc = C.mk_go_wait_identity_newer(c.ptr, cLink, cAfter, waitMS, cOpts, h,
			C.uintptr_t(cs.h), &out, &stale, &errStr)
	} else {
		rc = C.mk_go_refresh_identity(c.ptr, cLink, waitMS, cOpts, h,
			C.uintptr_t(cs.h), &out, &stale, &errStr)
	}
	cCallsRunning.Add(-1)
	runtime.KeepAlive(c)
	takeCString(out)
	takeCString(stale)
	takeCString(errStr)
	defer freeCString(out)
	defer freeCString(stale)
	defer freeCString(errStr)

	if rc == C.MK_OK {
		if out == nil { // never expected
			return nil, newError(StatusInternal, "the library returned MK_OK without a body")
		}
		return parseView(unsafe.Slice((*byte)(unsafe.Pointer(out)), C.strlen(out)))
	}
	e := errorFromC(rc, errStr)
	if e.Status == StatusInvalidArgument {
		e.Message = goOptionMessage(e.Message, fieldName(refreshOptionsFields))
	}
	if stale != nil {
		// The library validated it; a failure to map it only loses Stale.
		e.Stale, _ = parseView(unsafe.Slice((*byte)(unsafe.Pointer(stale)), C.strlen(stale)))
	}
	return nil, c.contextOutcome(cs, e, fromCtx)
}

// RequestIdentityRefresh only asks MoneyKit to refresh the link's owner data
// (POST /links/{id}/products, answered 202) and returns: wait later with
// WaitIdentityNewer. MoneyKit's daily refresh limit is an *Error matching
// ErrRateLimited whose message says so (never retried). ctx bounds the call
// as it does GetIdentity's.
func (c *Client) RequestIdentityRefresh(ctx context.Context, linkID string) error {
	if ctx == nil {
		return newError(StatusInvalidArgument, "nil Context")
	}
	if cerr := contextErr(ctx); cerr != nil {
		return contextError(ctx, cerr, nil)
	}
	var timeoutMS uint64
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left <= 0 {
			return contextError(ctx, context.DeadlineExceeded, nil)
		}
		timeoutMS = uint64(millis(left))
	}
	cLink, err := cString("link id", linkID)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cLink))
	h, err := c.acquire()
	if err != nil {
		return err
	}
	defer c.release(h)
	defer watchContext(ctx, h)()
	cs := &callState{ctx: ctx}
	if callHandle := cs.handle(c); callHandle != 0 {
		defer callHandle.Delete()
	}
	var errStr *C.char
	cCallsRunning.Add(1)
	rc := C.mk_go_request_identity_refresh(c.ptr, cLink, C.uint64_t(timeoutMS), h, C.uintptr_t(cs.h), &errStr)
	cCallsRunning.Add(-1)
	runtime.KeepAlive(c)
	takeCString(errStr)
	defer freeCString(errStr)
	if rc == C.MK_OK {
		return nil
	}
	return c.contextOutcome(cs, errorFromC(rc, errStr), false)
}

// watchContext triggers h when ctx ends, until the returned function is
// called (which waits for a trigger in progress, so h may be freed after).
func watchContext(ctx context.Context, h *C.mk_cancel) func() {
	if ctx.Done() == nil {
		return func() {}
	}
	triggered := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		C.mk_cancel_trigger(h)
		close(triggered)
	})
	return func() {
		if !stop() {
			<-triggered
		}
	}
}

// contextOutcome makes a failed call's error match its context's end (or
// ErrClosed), as call does for GetIdentity. deadlineFromCtx: the call's
// limit was ctx's deadline, so a timeout also matches
// context.DeadlineExceeded even when the library stopped a moment early (it
// returns when the next poll would come too late).
func (c *Client) contextOutcome(cs *callState, e *Error, deadlineFromCtx bool) error {
	if e.Status != StatusCancelled && e.Status != StatusTimeout {
		return e
	}
	if cerr := cs.contextErr(); cerr != nil {
		return contextError(cs.ctx, cerr, e)
	}
	switch {
	case e.Status == StatusTimeout && deadlineFromCtx:
		e.extra = append(e.extra, context.DeadlineExceeded)
	case e.Status == StatusCancelled && c.isClosed():
		e.extra = append(e.extra, ErrClosed)
	}
	return e
}
