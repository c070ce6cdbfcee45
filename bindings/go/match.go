package moneykit

/*
#include <stdlib.h>
#include <string.h>
#include "moneykit.h"
*/
import "C"

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"unsafe"
)

// Owner-match score thresholds (docs/C-API.md, "Owner match").
const (
	// MatchScore: a score of at least this means the same value written
	// differently ("Doe, John" and "John Doe").
	MatchScore = 80
	// DifferentBelow: a score below this means a different value. Scores in
	// between are partial matches; the flags say why.
	DifferentBelow = 50
)

// Claim, ClaimAddress, OwnerMatch, AccountMatch, NameScore, FieldScore and
// AddressScore are generated from the schema (records_gen.go).

// hasNUL reports whether a claimed value holds a NUL byte (C would see a
// shorter string).
func (c *Claim) hasNUL() bool {
	vals := []string{c.Name, c.Email, c.Phone}
	if a := c.Address; a != nil {
		vals = append(vals, a.Street, a.City, a.Region, a.PostalCode, a.Country)
	}
	for _, v := range vals {
		if strings.IndexByte(v, 0) >= 0 {
			return true
		}
	}
	return false
}

// MatchOwners compares a claim with the owners of a Get Identity response
// body (GetIdentityJSON's, or any body the library accepts), offline: no
// request, nothing logged, and the result holds scores and flags only.
// Errors are *Error values: ErrInvalidArgument for an empty claim, a value
// over 1024 bytes, an unusable value (a name without letters, a phone without
// 7 digits) or a NUL byte; ErrDecode (message "<path>: <problem>") for a body
// the library's validator refuses. No error message holds a claimed or owner
// value.
func MatchOwners(identityJSON []byte, claim Claim) (*OwnerMatch, error) {
	if bytes.IndexByte(identityJSON, 0) >= 0 {
		return nil, newError(StatusInvalidArgument, "the identity JSON contains a NUL byte")
	}
	if claim.hasNUL() {
		return nil, newError(StatusInvalidArgument, "a claim value contains a NUL byte")
	}
	claimJSON, err := json.Marshal(claim)
	if err != nil { // never expected: strings only
		return nil, newError(StatusInvalidArgument, "claim: "+err.Error(), err)
	}
	cIdentity := (*C.char)(C.CBytes(append(identityJSON[:len(identityJSON):len(identityJSON)], 0)))
	defer C.free(unsafe.Pointer(cIdentity))
	cClaim := (*C.char)(C.CBytes(append(claimJSON, 0)))
	defer C.free(unsafe.Pointer(cClaim))

	var out, errStr *C.char
	rc := C.mk_match_owners(cIdentity, cClaim, &out, &errStr)
	takeCString(out)
	takeCString(errStr)
	defer freeCString(out)
	defer freeCString(errStr)
	if rc != C.MK_OK {
		return nil, errorFromC(rc, errStr)
	}
	if out == nil { // never expected
		return nil, newError(StatusInternal, "the library returned MK_OK without a result")
	}
	m := new(OwnerMatch)
	if err := json.Unmarshal(unsafe.Slice((*byte)(unsafe.Pointer(out)), C.strlen(out)), m); err != nil {
		return nil, newError(StatusInternal, "the Go binding could not map the match result; please report it")
	}
	return m, nil
}

// MatchOwners fetches the link's identity (GetIdentityJSON, with ctx) and
// compares the claim with its owners (the package's MatchOwners). A claim
// with nothing given fails before any request.
func (c *Client) MatchOwners(ctx context.Context, linkID string, claim Claim) (*OwnerMatch, error) {
	if claim == (Claim{}) || (claim.Name == "" && claim.Email == "" && claim.Phone == "" && *claim.Address == (ClaimAddress{})) {
		return nil, newError(StatusInvalidArgument, "the claim gives no name, email, phone or address")
	}
	body, err := c.GetIdentityJSON(ctx, linkID)
	if err != nil {
		return nil, err
	}
	return MatchOwners(body, claim)
}
