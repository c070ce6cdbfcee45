package moneykit

// ParseIdentity decodes a Get Identity response body obtained some other way
// (GetIdentityJSON, a cache, a test fixture). The library's validator, the
// one GetIdentity runs on every response, decides whether the body is
// acceptable, and the library builds its typed view of it, which this
// package copies (view.go): what it accepts always decodes. A refused body
// gives an *Error with StatusDecode (matching ErrDecode) whose message is
// "<path>: <problem>", e.g. "accounts[0].owners[0].emails[0]: expected
// object": it never contains a value from the body.
func ParseIdentity(body []byte) (*IdentityResponse, error) {
	return parseView(body)
}
