package moneykit

/*
#include "moneykit.h"
*/
import "C"

import (
	"encoding/json"
	"sync/atomic"
	"time"
	"unsafe"
)

// Identities reach Go through the library's typed view (docs/C-API.md, "Typed
// view"): the core validates the body and builds C structs in one pass, and
// the generated builders (view_gen.go) copy them into the Go types. It beats
// encoding/json by a wide margin (README.md, "Decoding: the typed view":
// 3-4x less CPU), and it leaves one timestamp parser, the core's.

// liveViews counts the views made and not yet freed (for the tests).
var liveViews atomic.Int64

// parseView validates body with the library's one validator and builds the
// response from its view (mk_identity_parse).
func parseView(body []byte) (*IdentityResponse, error) {
	// A non-NULL pointer even for an empty body (NULL means "no body" to C).
	var empty [1]byte
	ptr := unsafe.Pointer(&empty[0])
	if len(body) > 0 {
		ptr = unsafe.Pointer(unsafe.SliceData(body))
	}
	var h *C.mk_identity
	var errStr *C.char
	// SAFETY: body holds no Go pointers, so cgo lets C read it for the call's
	// duration; the library reads exactly len(body) bytes.
	rc := C.mk_identity_parse((*C.char)(ptr), C.size_t(len(body)), &h, &errStr)
	takeCString(errStr)
	defer freeCString(errStr)
	if rc != C.MK_OK {
		if h != nil { // never expected: NULL on error
			C.mk_identity_free(h)
		}
		return nil, errorFromC(rc, errStr)
	}
	return fromView(h)
}

// fromView copies the view h into a new IdentityResponse, then frees h.
func fromView(h *C.mk_identity) (*IdentityResponse, error) {
	if h == nil { // never expected: the header promises the view on MK_OK
		return nil, newError(StatusInternal, "the library returned MK_OK without a view")
	}
	liveViews.Add(1)
	defer func() {
		C.mk_identity_free(h)
		liveViews.Add(-1)
	}()
	var root *C.mk_identity_response
	if rc := C.mk_identity_root(h, &root); rc != C.MK_OK || root == nil {
		return nil, newError(StatusInternal, "the library gave a view without a root; please report it")
	}
	r := new(IdentityResponse)
	viewIdentityResponse(root, r)
	return r, nil
}

// The helpers of view_gen.go. Every pointer they read is into the view, which
// lives until mk_identity_free; what they return is Go memory only.

// viewSlice is the n items at p as a Go slice over C memory (nil when n is
// 0: an empty list's pointer must not be dereferenced).
func viewSlice[T any](p *T, n C.size_t) []T {
	if p == nil || n == 0 {
		return nil
	}
	// SAFETY: the view promises n items at p, alive until mk_identity_free;
	// the slice is only read, and never kept past the builder.
	return unsafe.Slice(p, int(n))
}

// viewStr copies a present string (absent reads as "").
func viewStr(s C.mk_str) string {
	if s.ptr == nil || s.len == 0 {
		return ""
	}
	// SAFETY: ptr points at len bytes of the view; string() copies them.
	return string(unsafe.Slice((*byte)(unsafe.Pointer(s.ptr)), int(s.len)))
}

// viewOpt copies an optional string-like value: nil when absent.
func viewOpt[T ~string](s C.mk_str) *T {
	if s.ptr == nil {
		return nil
	}
	v := T(viewStr(s))
	return &v
}

// viewRaw copies an opaque value's JSON text: nil when absent.
func viewRaw(s C.mk_str) json.RawMessage {
	if s.ptr == nil {
		return nil
	}
	// SAFETY: as viewStr; the bytes are copied into a new slice.
	return append(json.RawMessage(nil), unsafe.Slice((*byte)(unsafe.Pointer(s.ptr)), int(s.len))...)
}

// viewOptBool reads an mk_opt_bool: nil when absent.
func viewOptBool(b C.mk_opt_bool) *bool {
	if b == C.MK_BOOL_ABSENT {
		return nil
	}
	v := b == C.MK_BOOL_TRUE
	return &v
}

// viewTimestamp reads a present timestamp: the core parsed it (the one
// parser of the schema's grammar); the instant has microsecond precision.
func viewTimestamp(t *C.mk_timestamp) Timestamp {
	return Timestamp{
		Time:     time.UnixMicro(int64(t.unix_micros)).UTC(),
		DateOnly: t.kind == C.MK_TIMESTAMP_DATE_ONLY,
		NoOffset: t.kind != C.MK_TIMESTAMP_OFFSET,
		Raw:      viewStr(t.text),
	}
}

// viewOptTimestamp reads an optional timestamp: nil when absent.
func viewOptTimestamp(t *C.mk_timestamp) *Timestamp {
	if t.text.ptr == nil || t.kind == C.MK_TIMESTAMP_ABSENT {
		return nil
	}
	v := viewTimestamp(t)
	return &v
}

// viewStrings copies a list of strings: nil when absent, empty when [].
func viewStrings(p *C.mk_str, n C.size_t) []string {
	if p == nil {
		return nil
	}
	out := make([]string, n)
	for i, s := range viewSlice(p, n) {
		out[i] = viewStr(s)
	}
	return out
}

// viewList builds a list of objects with build: nil when absent, empty when [].
func viewList[CT, GT any](p *CT, n C.size_t, build func(*CT, *GT)) []GT {
	if p == nil {
		return nil
	}
	out := make([]GT, n)
	items := viewSlice(p, n)
	for i := range items {
		build(&items[i], &out[i])
	}
	return out
}
