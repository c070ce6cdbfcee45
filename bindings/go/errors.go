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

// The Status type and constants, the per-status sentinels (ErrNotFound, ...)
// and the error JSON's wire struct are generated from the schema into
// status_gen.go; this file keeps how a failure becomes an *Error.

// ErrClosed is matched (besides ErrInvalidArgument) by the *Error a call on a
// closed Client returns.
var ErrClosed = errors.New("moneykit: client is closed")

// sentinel is the type of the Err* values: matched with errors.Is by every
// *Error of its status.
type sentinel struct {
	status Status
	text   string
}

func (s *sentinel) Error() string { return "moneykit: " + s.text }

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
	// Reason is set with ErrSignature only: which check refused the webhook
	// delivery, one of malformed, alg, kid_unknown, signature, body_hash,
	// iat_too_old, iat_in_future, expired, body_too_large (docs/C-API.md,
	// "Webhooks"); "" otherwise.
	Reason string
	// ValidationErrors are the server's validation_errors of a 422
	// api_error.request.validation_failed (redacted); nil otherwise.
	ValidationErrors []ValidationError
	// Retryable says whether a later retry of the same call can help: true for
	// timeouts, transport errors (not TLS or redirect failures), HTTP 429, 500,
	// 502, 503 and 504; false otherwise.
	Retryable bool
	// Response is the last HTTP error response (status, headers, body; redacted,
	// never a 2xx body), nil when none was received (e.g. a transport error).
	Response *RawResponse
	// Stale is the last identity seen by a RefreshIdentity or
	// WaitIdentityNewer that failed (ErrTimeout: not refreshed in time;
	// ErrRateLimited: the daily refresh limit; ErrCancelled), nil when none
	// was read and for every other call.
	Stale *IdentityResponse

	extra []error // further errors matched by errors.Is/As (ErrClosed, a JSON error)
}

// ValidationError is one entry of a 422 api_error.request.validation_failed's
// validation_errors.
type ValidationError struct {
	// Location is where, as sent: each step a string or an int64
	// (e.g. ["query", "account_ids", 0]).
	Location []any  `json:"-"`
	Message  string `json:"message"`
	Type     string `json:"type"`
}

// UnmarshalJSON reads location steps as strings and int64s (others are left out).
func (v *ValidationError) UnmarshalJSON(b []byte) error {
	var w struct {
		Location []json.RawMessage `json:"location"`
		Message  string            `json:"message"`
		Type     string            `json:"type"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	v.Message, v.Type, v.Location = w.Message, w.Type, nil
	for _, raw := range w.Location {
		var s string
		var n int64
		if json.Unmarshal(raw, &s) == nil {
			v.Location = append(v.Location, s)
		} else if json.Unmarshal(raw, &n) == nil {
			v.Location = append(v.Location, n)
		}
	}
	return nil
}

// RawResponse is the last HTTP error response of a failed call, redacted
// (C-API.md, "Error JSON"): headers have lowercase names and leave out cookies
// and credentials; Body is at most 16 KiB of text.
type RawResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// String shows the status and body length only (the body stays out of logs).
func (r *RawResponse) String() string {
	return fmt.Sprintf("RawResponse{Status: %d, Headers: %d, Body: %d bytes}", r.Status, len(r.Headers), len(r.Body))
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
				e.HTTPStatus = int(*w.HTTPStatus)
			}
			e.ErrorCode = str(w.ErrorCode)
			e.ErrorMessage = str(w.ErrorMessage)
			e.DocumentationURL = str(w.DocumentationURL)
			e.LinkErrorCode = str(w.LinkErrorCode)
			e.RequestID = str(w.RequestID)
			if w.RetryAfterMs != nil {
				e.RetryAfter = time.Duration(*w.RetryAfterMs) * time.Millisecond
			}
			e.Attempts = int(w.Attempts)
			e.Reason = str(w.Reason)
			e.ValidationErrors = w.ValidationErrors
			e.Retryable = w.Retryable
			e.Response = w.Response
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
