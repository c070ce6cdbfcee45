package moneykit

/*
#include <stdint.h>
#include "moneykit.h"
*/
import "C"

import (
	"context"
	"log/slog"
	"runtime/cgo"
)

// The Logger option: the library calls mk_go_event (client.go) once per HTTP
// attempt, on the thread that makes the call and before the call returns,
// with the Client's Logger handle as user_data and, through a thread-local
// the C wrapper sets, the handle of the call's context.

// With Options.CoordinationURL, Redis reports through the same Logger: a
// record "moneykit coordination" (method REDIS, path coordination, no
// http_status) at Warn when this process loses Redis (status
// MK_ERR_TRANSPORT or MK_ERR_TIMEOUT; it keeps to its local share of the
// budget and tries Redis again after retry_wait), at Info when Redis is back
// (MK_OK; elapsed: how long it was lost). One record per loss, one per return.

// tokenPath is the path template of token requests (mk_event.path).
const tokenPath = "/auth/token"

// coordinationMethod is the method of Redis's events (mk_event.method).
const coordinationMethod = "REDIS"

// eventLevel is the level of an attempt's record, as the library's own
// log_level lines: Debug for token requests, Info for successful attempts,
// Warn for failed ones (MK_ERR_CANCELLED and MK_ERR_TIMEOUT included: one
// level per outcome, whatever ended the call).
func eventLevel(path string, status Status) slog.Level {
	switch {
	case path == tokenPath:
		return slog.LevelDebug
	case status == StatusOK:
		return slog.LevelInfo
	default:
		return slog.LevelWarn
	}
}

// moneykitGoEvent turns one mk_event into one slog record. The event's
// pointers are valid only during this call: everything is copied. A panic in
// the handler is swallowed: it must not unwind into the library.
//
//export moneykitGoEvent
func moneykitGoEvent(client, call C.uintptr_t, ev *C.mk_event) {
	defer func() { _ = recover() }()
	if client == 0 || ev == nil {
		return
	}
	logger, ok := cgo.Handle(client).Value().(*slog.Logger)
	if !ok || logger == nil {
		return
	}
	ctx := context.Background()
	e := eventFromC(ev)
	if call != 0 {
		if cs, ok := cgo.Handle(call).Value().(*callState); ok {
			ctx = cs.ctx
			e.Status = cs.outcome(e.Status)
		}
	}
	level := eventLevel(e.Path, e.Status)
	if !logger.Enabled(ctx, level) {
		return
	}
	msg := "moneykit attempt"
	if e.Method == coordinationMethod {
		msg = "moneykit coordination"
	}
	logger.LogAttrs(ctx, level, msg, e.attrs()...)
}

// callState is what a call and the records of its attempts share (the
// record's context handle points at it): the call's context and, once an
// attempt ended with MK_ERR_CANCELLED or MK_ERR_TIMEOUT while the context had
// ended, that context error. The record of that attempt and the call's error
// then both say the status the context's end gives (contextError): a
// deadline is MK_ERR_TIMEOUT even though the library saw the cancel handle
// that the deadline triggered. The library calls the event callback on the
// calling goroutine's thread before the call returns, so no lock is needed.
type callState struct {
	ctx   context.Context
	ended error      // the context's error, decided once; nil while none
	h     cgo.Handle // of cs, for the C wrapper; 0 without a Logger
}

// handle makes cs's handle when c has a Logger (0 otherwise); the caller
// deletes it once the C call has returned.
func (cs *callState) handle(c *Client) cgo.Handle {
	if c.events != 0 {
		cs.h = cgo.NewHandle(cs)
	}
	return cs.h
}

// contextErr is the context error that ends the call: the one decided when
// an attempt ended, else contextErr(cs.ctx) now.
func (cs *callState) contextErr() error {
	if cs.ended == nil {
		cs.ended = contextErr(cs.ctx)
	}
	return cs.ended
}

// outcome is the status an attempt's record shows: s, except that
// MK_ERR_CANCELLED and MK_ERR_TIMEOUT become the context end's status when
// the context has ended (as the call's error does).
func (cs *callState) outcome(s Status) Status {
	if s != StatusCancelled && s != StatusTimeout {
		return s
	}
	if cerr := cs.contextErr(); cerr != nil {
		return contextStatus(cerr)
	}
	return s
}
