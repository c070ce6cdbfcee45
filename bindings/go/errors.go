package moneykit

/*
#include <string.h>
#include "moneykit.h"
*/
import "C"

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"
)

// Status is the status code of the C library (enum mk_status in moneykit.h).
// The numbers are stable and never reused.
type Status int32

// The status codes; each equals the enum mk_status value of the same name in
// moneykit.h (a compile-time check in this file and a test enforce it).
const (
	StatusOK              Status = 0  // MK_OK: success
	StatusInvalidArgument Status = 1  // MK_ERR_INVALID_ARGUMENT: bad id, options, base URL, missing credentials
	StatusTransport       Status = 2  // MK_ERR_TRANSPORT: DNS, connect, TLS, reset, refused redirect
	StatusTimeout         Status = 3  // MK_ERR_TIMEOUT: connect timeout or request deadline
	StatusDecode          Status = 4  // MK_ERR_DECODE: body not valid JSON / not the schema / too large
	StatusUnauthorized    Status = 5  // MK_ERR_UNAUTHORIZED: HTTP 401 or token request refused
	StatusForbidden       Status = 6  // MK_ERR_FORBIDDEN: HTTP 403 link_error.forbidden_action
	StatusNotFound        Status = 7  // MK_ERR_NOT_FOUND: HTTP 404 link_error.not_found
	StatusLinkDeleted     Status = 8  // MK_ERR_LINK_DELETED: HTTP 410 link_error.deleted
	StatusLinkBadState    Status = 9  // MK_ERR_LINK_BAD_STATE: HTTP 422 link_error.bad_state
	StatusRateLimited     Status = 10 // MK_ERR_RATE_LIMITED: HTTP 429 after retries
	StatusServer          Status = 11 // MK_ERR_SERVER: HTTP 5xx after retries
	StatusHTTP            Status = 12 // MK_ERR_HTTP: any other unexpected HTTP status
	StatusInternal        Status = 13 // MK_ERR_INTERNAL: a bug inside the library
)

// Compile-time proof that the constants above equal the header's: a constant
// index out of range (or negative) does not compile.
func _() {
	var x [1]struct{}
	_, _ = x[StatusOK-C.MK_OK], x[C.MK_OK-StatusOK]
	_, _ = x[StatusInvalidArgument-C.MK_ERR_INVALID_ARGUMENT], x[C.MK_ERR_INVALID_ARGUMENT-StatusInvalidArgument]
	_, _ = x[StatusTransport-C.MK_ERR_TRANSPORT], x[C.MK_ERR_TRANSPORT-StatusTransport]
	_, _ = x[StatusTimeout-C.MK_ERR_TIMEOUT], x[C.MK_ERR_TIMEOUT-StatusTimeout]
	_, _ = x[StatusDecode-C.MK_ERR_DECODE], x[C.MK_ERR_DECODE-StatusDecode]
	_, _ = x[StatusUnauthorized-C.MK_ERR_UNAUTHORIZED], x[C.MK_ERR_UNAUTHORIZED-StatusUnauthorized]
	_, _ = x[StatusForbidden-C.MK_ERR_FORBIDDEN], x[C.MK_ERR_FORBIDDEN-StatusForbidden]
	_, _ = x[StatusNotFound-C.MK_ERR_NOT_FOUND], x[C.MK_ERR_NOT_FOUND-StatusNotFound]
	_, _ = x[StatusLinkDeleted-C.MK_ERR_LINK_DELETED], x[C.MK_ERR_LINK_DELETED-StatusLinkDeleted]
	_, _ = x[StatusLinkBadState-C.MK_ERR_LINK_BAD_STATE], x[C.MK_ERR_LINK_BAD_STATE-StatusLinkBadState]
	_, _ = x[StatusRateLimited-C.MK_ERR_RATE_LIMITED], x[C.MK_ERR_RATE_LIMITED-StatusRateLimited]
	_, _ = x[StatusServer-C.MK_ERR_SERVER], x[C.MK_ERR_SERVER-StatusServer]
	_, _ = x[StatusHTTP-C.MK_ERR_HTTP], x[C.MK_ERR_HTTP-StatusHTTP]
	_, _ = x[StatusInternal-C.MK_ERR_INTERNAL], x[C.MK_ERR_INTERNAL-StatusInternal]
}

// String returns the header's name of the status, e.g. "MK_ERR_NOT_FOUND"
// (mk_status_name), or "Status(N)" for a number outside the table.
func (s Status) String() string {
	name := C.GoString(C.mk_status_name(C.int32_t(s)))
	if !strings.HasPrefix(name, "MK_") {
		return fmt.Sprintf("Status(%d)", int32(s))
	}
	return name
}

// Description returns the library's one-line English description of the
// status (mk_status_describe).
func (s Status) Description() string {
	return C.GoString(C.mk_status_describe(C.int32_t(s)))
}

// Sentinel errors, one per failure status. Every *Error matches the sentinel
// of its Status with errors.Is:
//
//	if errors.Is(err, moneykit.ErrNotFound) { ... }
//
// Use errors.As with a *Error to read the details (HTTP status, request id...).
var (
	ErrInvalidArgument error = &sentinel{StatusInvalidArgument, "invalid argument"}
	ErrTransport       error = &sentinel{StatusTransport, "transport error"}
	ErrTimeout         error = &sentinel{StatusTimeout, "timeout"}
	ErrDecode          error = &sentinel{StatusDecode, "response could not be decoded"}
	ErrUnauthorized    error = &sentinel{StatusUnauthorized, "unauthorized"}
	ErrForbidden       error = &sentinel{StatusForbidden, "forbidden"}
	ErrNotFound        error = &sentinel{StatusNotFound, "link not found"}
	ErrLinkDeleted     error = &sentinel{StatusLinkDeleted, "link deleted"}
	ErrLinkBadState    error = &sentinel{StatusLinkBadState, "link in a bad state"}
	ErrRateLimited     error = &sentinel{StatusRateLimited, "rate limited"}
	ErrServer          error = &sentinel{StatusServer, "server error"}
	ErrHTTP            error = &sentinel{StatusHTTP, "unexpected HTTP status"}
	ErrInternal        error = &sentinel{StatusInternal, "internal library error"}

	// ErrClosed is matched (besides ErrInvalidArgument) by the *Error a call
	// on a closed Client returns.
	ErrClosed = errors.New("moneykit: client is closed")
)

type sentinel struct {
	status Status
	text   string
}

func (s *sentinel) Error() string { return "moneykit: " + s.text }

var sentinels = [...]error{
	StatusInvalidArgument: ErrInvalidArgument,
	StatusTransport:       ErrTransport,
	StatusTimeout:         ErrTimeout,
	StatusDecode:          ErrDecode,
	StatusUnauthorized:    ErrUnauthorized,
	StatusForbidden:       ErrForbidden,
	StatusNotFound:        ErrNotFound,
	StatusLinkDeleted:     ErrLinkDeleted,
	StatusLinkBadState:    ErrLinkBadState,
	StatusRateLimited:     ErrRateLimited,
	StatusServer:          ErrServer,
	StatusHTTP:            ErrHTTP,
	StatusInternal:        ErrInternal,
}

// sentinelFor returns the sentinel of a failure status; unknown numbers (a
// newer library) count as internal errors.
func sentinelFor(s Status) error {
	if s > StatusOK && int(s) < len(sentinels) {
		return sentinels[s]
	}
	return ErrInternal
}

// Error is the error every failed call returns: the library's error JSON
// (see C-API.md), typed. String fields are "" and numbers 0 when unknown.
type Error struct {
	Status           Status        // the status code (never StatusOK)
	Name             string        // its name, e.g. "MK_ERR_NOT_FOUND"
	Message          string        // a sentence for logs; never contains secrets
	HTTPStatus       int           // the HTTP status of the last response, 0 if none
	ErrorCode        string        // MoneyKit's error_code, e.g. "link_error.not_found"
	ErrorMessage     string        // MoneyKit's error_message
	DocumentationURL string        // MoneyKit's documentation_url
	LinkErrorCode    string        // link_error_code of a 422 link_error.bad_state
	RequestID        string        // the x-request-id response header
	RetryAfter       time.Duration // the server's Retry-After, 0 if none
	Attempts         int           // attempts made (0: failed before sending anything)

	extra []error // further errors matched by errors.Is/As (ErrClosed, a JSON error)
}

// Error returns "moneykit: <message> (<name>[, request <id>])".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("moneykit: ")
	b.WriteString(e.Message)
	b.WriteString(" (")
	b.WriteString(e.Name)
	if e.RequestID != "" {
		b.WriteString(", request ")
		b.WriteString(e.RequestID)
	}
	b.WriteString(")")
	return b.String()
}

// Unwrap returns the sentinel of e.Status (so errors.Is(err, ErrNotFound)
// works) followed by any underlying error.
func (e *Error) Unwrap() []error {
	return append([]error{sentinelFor(e.Status)}, e.extra...)
}

// newError builds a Go-side *Error (no HTTP details).
func newError(s Status, msg string, extra ...error) *Error {
	return &Error{Status: s, Name: s.String(), Message: msg, extra: extra}
}

// errorJSON is the wire form of the library's error JSON.
type errorJSON struct {
	Status           int32   `json:"status"`
	Name             string  `json:"name"`
	Message          string  `json:"message"`
	HTTPStatus       *int    `json:"http_status"`
	ErrorCode        *string `json:"error_code"`
	ErrorMessage     *string `json:"error_message"`
	DocumentationURL *string `json:"documentation_url"`
	LinkErrorCode    *string `json:"link_error_code"`
	RequestID        *string `json:"request_id"`
	RetryAfterMS     *int64  `json:"retry_after_ms"`
	Attempts         int     `json:"attempts"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// parseError turns a status and the library's error JSON (may be empty) into
// an *Error. The returned status is authoritative; the JSON adds the details.
func parseError(s Status, errJSON []byte) *Error {
	e := &Error{Status: s}
	var w errorJSON
	if len(errJSON) > 0 {
		if err := json.Unmarshal(errJSON, &w); err == nil {
			e.Name = w.Name
			e.Message = w.Message
			if w.HTTPStatus != nil {
				e.HTTPStatus = *w.HTTPStatus
			}
			e.ErrorCode = str(w.ErrorCode)
			e.ErrorMessage = str(w.ErrorMessage)
			e.DocumentationURL = str(w.DocumentationURL)
			e.LinkErrorCode = str(w.LinkErrorCode)
			e.RequestID = str(w.RequestID)
			if w.RetryAfterMS != nil {
				e.RetryAfter = time.Duration(*w.RetryAfterMS) * time.Millisecond
			}
			e.Attempts = w.Attempts
		}
	}
	if e.Name == "" {
		e.Name = s.String()
	}
	if e.Message == "" {
		e.Message = s.Description()
	}
	return e
}

// errorFromC converts a failed call's status and error string (may be NULL).
// It does not free errStr.
func errorFromC(rc C.int32_t, errStr *C.char) *Error {
	var b []byte
	if errStr != nil {
		b = unsafe.Slice((*byte)(unsafe.Pointer(errStr)), C.strlen(errStr))
	}
	return parseError(Status(rc), b)
}
