package moneykit

/*
#include "moneykit.h"
*/
import "C"

import (
	"encoding/json"
	"errors"
	"unsafe"
)

// ParseIdentity decodes a Get Identity response body obtained some other way
// (GetIdentityJSON, a cache, a test fixture). The library's validator, the
// one GetIdentity runs on every response, decides whether the body is
// acceptable; what it accepts always decodes. A refused body gives an *Error
// with StatusDecode (matching ErrDecode) whose message is "<path>: <problem>",
// e.g. "accounts[0].owners[0].emails[0]: expected object": it never contains
// a value from the body.
func ParseIdentity(body []byte) (*IdentityResponse, error) {
	if err := validateIdentity(body); err != nil {
		return nil, err
	}
	return decodeAccepted(body)
}

// validateIdentity runs mk_validate_identity on body, read in place.
func validateIdentity(body []byte) error {
	// A non-NULL pointer even for an empty body (NULL means "no body" to C).
	var empty [1]byte
	ptr := unsafe.Pointer(&empty[0])
	if len(body) > 0 {
		ptr = unsafe.Pointer(unsafe.SliceData(body))
	}
	var errStr *C.char
	// body holds no Go pointers, so cgo lets C read it for the call's duration.
	rc := C.mk_validate_identity((*C.char)(ptr), C.size_t(len(body)), &errStr)
	takeCString(errStr)
	defer freeCString(errStr)
	if rc != C.MK_OK {
		return errorFromC(rc, errStr)
	}
	return nil
}

// decodeAccepted maps a body the library accepted onto IdentityResponse
// without judging it again. A failure here is a bug in this package (its
// types disagree with the validator): it is reported as StatusInternal, with
// the field's path but never encoding/json's message, which can quote values.
func decodeAccepted(body []byte) (*IdentityResponse, error) {
	r := new(IdentityResponse)
	if err := json.Unmarshal(body, r); err != nil {
		msg := "the Go binding could not map a body the library accepted"
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			msg += " (at " + typeErr.Field + ")"
		}
		return nil, newError(StatusInternal, msg+"; please report it")
	}
	return r, nil
}
