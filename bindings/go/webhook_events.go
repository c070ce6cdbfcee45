package moneykit

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Event is a verified webhook event: *LinkProductRefresh, *LinkStateChanged,
// *TransactionsUpdatesAvailable (webhooks_gen.go, from the schema's
// webhook_events), or *UnknownEvent for an event newer than this package.
// Switch on its type:
//
//	switch e := ev.(type) {
//	case *moneykit.LinkProductRefresh:
//		if e.Product == moneykit.WebhookProductIdentity && e.State == moneykit.ProductRefreshStateCompleted { ... }
//	case *moneykit.UnknownEvent:
//		// e.WebhookEvent names it; e.Raw is the body
//	}
type Event interface {
	// Common returns the fields every event has.
	Common() *EventCommon
}

// Common returns c: every event embeds an EventCommon, so every event is an
// Event.
func (c *EventCommon) Common() *EventCommon { return c }

// UnknownEvent is an event this package has no type for: a webhook_event it
// does not know (product.state_changed, anything newer) or a major version
// other than 1. It is never refused for being new: its common fields are
// read (the library checked them) and Raw is the body as sent.
type UnknownEvent struct {
	EventCommon
	// Raw is the event's JSON body exactly as sent.
	Raw json.RawMessage
}

// decodeEvent builds the typed event of a body mk_webhook_verify accepted.
// It refuses nothing the library accepted (an error means a bug).
func decodeEvent(body []byte) (Event, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, newError(StatusDecode, "webhook body: expected a JSON object")
	}
	var c EventCommon
	if err := decodeEventCommon(m, &c); err != nil {
		return nil, err
	}
	ev, err := decodeKnownEvent(m, c)
	if err != nil {
		return nil, err
	}
	if ev == nil {
		ev = &UnknownEvent{EventCommon: c, Raw: json.RawMessage(body)}
	}
	return ev, nil
}

// eventField reads m[key] (exact key; absent leaves dst as it is) into dst.
// The message names the key and the Go type, never a value.
func eventField(m map[string]json.RawMessage, key string, dst any) error {
	raw, ok := m[key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return newError(StatusDecode, fmt.Sprintf("webhook body: %s: not readable as %T", key, dst))
	}
	return nil
}

// ParseTimestamp reads text as MoneyKit's timestamps are read (the grammar of
// Timestamp): through the library's own parser, so there is one. The error
// (ErrDecode) never quotes text.
func ParseTimestamp(text string) (Timestamp, error) {
	bad := newError(StatusDecode, "not an ISO-8601 date-time")
	for i := 0; i < len(text); i++ {
		if c := text[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return Timestamp{}, bad
		}
	}
	var b strings.Builder
	b.Grow(len(timestampProbeHead) + len(text) + len(timestampProbeTail) + 2)
	b.WriteString(timestampProbeHead)
	b.WriteByte('"')
	b.WriteString(text)
	b.WriteByte('"')
	b.WriteString(timestampProbeTail)
	r, err := parseView([]byte(b.String()))
	if err != nil {
		return Timestamp{}, bad
	}
	t := timestampProbeField(r)
	if t == nil {
		return Timestamp{}, bad
	}
	return *t, nil
}

// UnmarshalJSON reads a JSON string with ParseTimestamp; null leaves t as it
// is.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return newError(StatusDecode, "a timestamp must be a JSON string")
	}
	v, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}
