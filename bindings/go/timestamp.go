package moneykit

import (
	"encoding/json"
	"time"
)

// Timestamp is an ISO-8601 date-time as MoneyKit sends it: a bare date
// (2023-02-16), a time with or without seconds and with a fraction of any
// length, and a "Z", ±HH:MM, ±HHMM or ±HH offset, or none. The library's core
// parses it (the one parser of the schema's grammar, schema/README.md); this
// package only copies the result out of the typed view (view.go).
type Timestamp struct {
	// Time is the instant, in UTC, to the microsecond (fraction digits past
	// six are cut). A bare date is midnight UTC; a time without an offset is
	// read as UTC.
	Time time.Time
	// DateOnly reports that the text was a bare date (YYYY-MM-DD).
	DateOnly bool
	// NoOffset reports that the text had no UTC offset (always true with
	// DateOnly): the server's local time may have been meant.
	NoOffset bool
	// Raw is the text exactly as sent.
	Raw string
}

// String returns the text as sent, or the instant in RFC 3339 when there is
// none (a Timestamp built in Go).
func (t Timestamp) String() string {
	if t.Raw != "" {
		return t.Raw
	}
	return t.Time.UTC().Format(time.RFC3339Nano)
}

// Canonical returns the UTC instant as YYYY-MM-DDTHH:MM:SS.ffffffZ, always
// six fraction digits, further digits cut (the conformance corpus's form).
func (t Timestamp) Canonical() string {
	return t.Time.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// MarshalJSON writes the text as sent (see String).
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.String())
}
