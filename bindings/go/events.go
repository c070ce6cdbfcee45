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

// tokenPath is the path template of token requests (mk_event.path).
const tokenPath = "/auth/token"

// eventLevel is the level of an attempt's record, as the library's own
// log_level lines: Debug for token requests, Info for successful attempts,
// Warn for failed ones.
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
	if call != 0 {
		if c, ok := cgo.Handle(call).Value().(context.Context); ok {
			ctx = c
		}
	}
	e := eventFromC(ev)
	level := eventLevel(e.Path, e.Status)
	if !logger.Enabled(ctx, level) {
		return
	}
	logger.LogAttrs(ctx, level, "moneykit attempt", e.attrs()...)
}
