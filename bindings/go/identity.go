package moneykit

import "time"

// Helpers on the generated response types (models_gen.go).

// RefreshedAt returns link.products.identity.refreshed_at: when MoneyKit last
// fetched the owner data. Nil when unknown (or r is nil).
func (r *IdentityResponse) RefreshedAt() *time.Time {
	if r == nil {
		return nil
	}
	p, ok := r.Link.Products["identity"]
	if !ok || p.RefreshedAt == nil {
		return nil
	}
	t := p.RefreshedAt.Time
	return &t
}

// IsNewerThan reports whether r carries newer owner data than prev, an
// earlier response for the same link: Get Identity never triggers a fetch, so
// callers poll until RefreshedAt increases. It is true when r has a
// RefreshedAt and prev is nil, has none, or has an earlier one.
func (r *IdentityResponse) IsNewerThan(prev *IdentityResponse) bool {
	cur := r.RefreshedAt()
	if cur == nil {
		return false
	}
	old := prev.RefreshedAt()
	return old == nil || cur.After(*old)
}

// RequestID returns the x-request-id header of the response r was decoded
// from by GetIdentity: quote it when reporting a problem to MoneyKit. It is
// "" when the server sent none, for a response from ParseIdentity, or when r
// is nil. (Failed calls carry theirs in Error.RequestID.)
func (r *IdentityResponse) RequestID() string {
	if r == nil {
		return ""
	}
	return r.requestID
}
