package moneykit

import (
	"encoding/json"
	"fmt"
	"time"
)

// The types below mirror MoneyKit's Get Identity response (API version
// 2023-02-18). Nullable or optional fields are pointers (nil when the server
// sent null or nothing); lists are nil when absent or null and empty when the
// server sent []. Unknown fields are ignored and enum-like strings
// (AccountType, State, PhoneNumber.Type, product names...) are kept as sent,
// so newer servers do not break this package. Amounts are json.Number: the
// decimal text exactly as sent, never rounded through float64 (convert with
// new(big.Rat).SetString(n.String()) or a decimal library of your choice).

// IdentityResponse is the 200 body of GET /links/{id}/identity.
type IdentityResponse struct {
	Accounts []Account `json:"accounts"`
	Link     Link      `json:"link"`
}

// Account is an account of the link with its owners (AccountIdentity).
type Account struct {
	AccountID   string   `json:"account_id"`
	AccountType string   `json:"account_type"` // e.g. "depository.checking"; open set
	Name        string   `json:"name"`
	Nickname    *string  `json:"nickname"`
	AccountMask *string  `json:"account_mask"` // last 4 characters
	Balances    Balances `json:"balances"`
	OriginalID  *string  `json:"original_id"`
	Closed      *bool    `json:"closed"`
	Owners      []Owner  `json:"owners"`
}

// Balances are an account's balances (AccountBalances).
type Balances struct {
	Currency    *string      `json:"currency"` // ISO 4217
	Available   *json.Number `json:"available"`
	Current     *json.Number `json:"current"`
	Limit       *json.Number `json:"limit"`
	BalanceDate *time.Time   `json:"balance_date"`
}

// Owner is an owner of an account; any of its lists may be empty.
type Owner struct {
	Names        []string      `json:"names"`
	Addresses    []Address     `json:"addresses"`
	PhoneNumbers []PhoneNumber `json:"phone_numbers"`
	Emails       []Email       `json:"emails"`
}

// Address is a postal address of an owner.
type Address struct {
	City       *string `json:"city"`
	Country    *string `json:"country"`
	PostalCode *string `json:"postal_code"`
	Region     *string `json:"region"`
	Street     *string `json:"street"`
	Primary    *bool   `json:"primary"`
}

// PhoneNumber is a phone number of an owner.
type PhoneNumber struct {
	Number  string `json:"number"`
	Primary *bool  `json:"primary"`
	Type    string `json:"type"` // "home", "work", "mobile", "other"; open set
}

// Email is an email address of an owner.
type Email struct {
	Address string `json:"address"`
	Primary *bool  `json:"primary"`
}

// Link describes the link (LinkCommon).
type Link struct {
	LinkID            string                 `json:"link_id"`
	InstitutionID     string                 `json:"institution_id"`
	InstitutionName   string                 `json:"institution_name"`
	InstitutionAvatar string                 `json:"institution_avatar"`
	State             string                 `json:"state"` // "connected", "error"...; open set
	ErrorCode         *string                `json:"error_code"`
	LastSyncedAt      *time.Time             `json:"last_synced_at"` // deprecated by MoneyKit
	Provider          string                 `json:"provider"`
	LinkTags          []string               `json:"link_tags"`
	Tags              []string               `json:"tags"` // newer servers' name for LinkTags
	Webhook           *string                `json:"webhook"`
	Products          map[string]LinkProduct `json:"products"` // by product name, e.g. "identity"
	AvailableProducts []string               `json:"available_products"`
}

// LinkProduct is the state of one product of a link.
type LinkProduct struct {
	RefreshedAt     *time.Time       `json:"refreshed_at"`
	LastAttemptedAt *time.Time       `json:"last_attempted_at"`
	ErrorCode       *string          `json:"error_code"`
	ErrorMessage    *string          `json:"error_message"`
	Unavailable     *string          `json:"unavailable"`
	Settings        *ProductSettings `json:"settings"`
	HasHistory      *bool            `json:"has_history"` // transactions only
}

// ProductSettings are a product's settings.
type ProductSettings struct {
	Required          *bool   `json:"required"`
	RequirePermission *bool   `json:"require_permission"`
	Prefetch          *bool   `json:"prefetch"`
	Reason            *string `json:"reason"`
}

// RefreshedAt returns link.products.identity.refreshed_at: when MoneyKit last
// fetched the owner data. Nil when unknown (or r is nil).
func (r *IdentityResponse) RefreshedAt() *time.Time {
	if r == nil {
		return nil
	}
	p, ok := r.Link.Products["identity"]
	if !ok {
		return nil
	}
	return p.RefreshedAt
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

// timestamp decodes an ISO-8601 date-time as leniently as the C library
// validates it: RFC 3339, plus "t" or " " as separator, "z", a ±hhmm offset,
// or no offset at all (read as UTC).
type timestamp time.Time

func (t *timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date-time: %w", err)
	}
	v, err := parseTimestamp(s)
	if err != nil {
		return err
	}
	*t = timestamp(v)
	return nil
}

func parseTimestamp(s string) (time.Time, error) {
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return v, nil
	}
	b := []byte(s)
	if len(b) < 19 {
		return time.Time{}, fmt.Errorf("date-time %q: too short", s)
	}
	if b[10] == 't' || b[10] == ' ' {
		b[10] = 'T'
	}
	rest := 19
	if rest < len(b) && b[rest] == '.' {
		rest++
		for rest < len(b) && b[rest] >= '0' && b[rest] <= '9' {
			rest++
		}
	}
	switch tail := b[rest:]; {
	case len(tail) == 0:
		b = append(b, 'Z')
	case len(tail) == 1 && tail[0] == 'z':
		tail[0] = 'Z'
	case len(tail) == 5 && (tail[0] == '+' || tail[0] == '-'):
		b = append(b[:rest+3], ':', tail[3], tail[4])
	}
	v, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, fmt.Errorf("date-time %q: %w", s, err)
	}
	return v, nil
}

// UnmarshalJSON implements json.Unmarshaler (lenient date-times).
func (b *Balances) UnmarshalJSON(data []byte) error {
	type plain Balances
	aux := struct {
		*plain
		BalanceDate *timestamp `json:"balance_date"`
	}{plain: (*plain)(b)}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	b.BalanceDate = (*time.Time)(aux.BalanceDate)
	return nil
}

// UnmarshalJSON implements json.Unmarshaler (lenient date-times).
func (l *Link) UnmarshalJSON(data []byte) error {
	type plain Link
	aux := struct {
		*plain
		LastSyncedAt *timestamp `json:"last_synced_at"`
	}{plain: (*plain)(l)}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	l.LastSyncedAt = (*time.Time)(aux.LastSyncedAt)
	return nil
}

// UnmarshalJSON implements json.Unmarshaler (lenient date-times).
func (p *LinkProduct) UnmarshalJSON(data []byte) error {
	type plain LinkProduct
	aux := struct {
		*plain
		RefreshedAt     *timestamp `json:"refreshed_at"`
		LastAttemptedAt *timestamp `json:"last_attempted_at"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	p.RefreshedAt = (*time.Time)(aux.RefreshedAt)
	p.LastAttemptedAt = (*time.Time)(aux.LastAttemptedAt)
	return nil
}
