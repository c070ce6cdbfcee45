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

// Claim is what a user claims to be, compared with an identity's owners by
// MatchOwners. Every field is optional ("" or nil: not given) but at least
// one must be given.
type Claim struct {
	Name    string        `json:"name,omitempty"`
	Email   string        `json:"email,omitempty"`
	Phone   string        `json:"phone,omitempty"`
	Address *ClaimAddress `json:"address,omitempty"`
}

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

// ClaimAddress is a claimed postal address; every part is optional.
type ClaimAddress struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

// OwnerMatch is the result of MatchOwners: one entry per account of the
// identity, in response order, and the best of them.
type OwnerMatch struct {
	// Best is the entry with the highest Score (the first on ties) among
	// accounts that have owners; nil when none has.
	Best *AccountMatch `json:"best"`
	// Accounts has one entry per account, for the owner of that account who
	// matches the claim best.
	Accounts []AccountMatch `json:"accounts"`
}

// AccountMatch is how well the best-matching owner of one account matches
// the claim. Scores are 0-100: at least MatchScore (80) means the same value
// written differently, below DifferentBelow (50) a different value.
type AccountMatch struct {
	AccountID string `json:"account_id"`
	// OwnerIndex is the owner's index in the account's Owners; nil when the
	// account has none (then Score is 0 and every field nil).
	OwnerIndex *int `json:"owner_index"`
	// Score is the weighted mean of the non-nil fields' scores: name 40,
	// email 20, phone 20, address 20, rounded half up. Check the fields too:
	// a matching email with a different name is a 60, not a pass.
	Score int `json:"score"`
	// Each field is nil when the claim or that owner has no value for it.
	Name    *NameMatch    `json:"name"`
	Email   *FieldMatch   `json:"email"`
	Phone   *FieldMatch   `json:"phone"`
	Address *AddressMatch `json:"address"`
}

// NameMatch scores the claimed name against the owner's names.
type NameMatch struct {
	Score int `json:"score"`
	// Nickname: matched through the nickname table (Bob / Robert).
	Nickname bool `json:"nickname"`
	// FirstOrLastOnly: one side gives only a first or a last name.
	FirstOrLastOnly bool `json:"first_or_last_only"`
	// Business: either name is a business name (Inc, LLC, Ltd, ...).
	Business bool `json:"business"`
}

// FieldMatch scores an email or a phone number.
type FieldMatch struct {
	Score int `json:"score"`
}

// AddressMatch scores the claimed address against the owner's addresses.
type AddressMatch struct {
	Score int `json:"score"`
	// PostalCodeMatch: both have a postal code and they agree (ZIP vs ZIP+4
	// agree).
	PostalCodeMatch bool `json:"postal_code_match"`
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
