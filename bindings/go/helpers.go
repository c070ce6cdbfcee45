package moneykit

import (
	"encoding/json"
	"fmt"
	"time"
)

// Helpers of the generated code (canonical_gen.go, status_gen.go,
// options_gen.go).

// String returns the header's name of the status, e.g. "MK_ERR_NOT_FOUND",
// or "Status(N)" for a number outside the table.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int32(s))
}

// Description returns the one-line English description of the status, as
// mk_status_describe gives it ("unknown status" outside the table).
func (s Status) Description() string {
	if s >= 0 && int(s) < len(statusDescriptions) {
		return statusDescriptions[s]
	}
	return "unknown status"
}

// The converters of canonical_gen.go.

// same is the converter of strings and booleans.
func same[T any](v T) T { return v }

// enumText is the converter of enums: a plain string.
func enumText[E ~string](e E) string { return string(e) }

// canonOpt converts an optional value: nil stays nil.
func canonOpt[T, U any](p *T, f func(T) U) any {
	if p == nil {
		return nil
	}
	return f(*p)
}

// canonList converts a list element by element: nil stays nil, empty stays empty.
func canonList[T, U any](s []T, f func(T) U) any {
	if s == nil {
		return nil
	}
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// canonMap converts a map's values.
func canonMap[T, U any](m map[string]T, f func(T) U) any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = f(v)
	}
	return out
}

// canonOpaque is an opaque value's JSON as a plain value.
func canonOpaque(raw json.RawMessage) any {
	var v any
	if raw == nil || json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}

// millis converts a duration to milliseconds, rounding away from zero so that
// a positive duration never becomes 0 and a negative one never becomes 0
// either (the library refuses it).
func millis(d time.Duration) int64 {
	ms := d / time.Millisecond
	switch rem := d % time.Millisecond; {
	case rem > 0:
		ms++
	case rem < 0:
		ms--
	}
	return int64(ms)
}

// Ptr returns a pointer to v, for the options whose zero is a valid value
// (nil means the default): Options{RetryBase: moneykit.Ptr(time.Duration(0))}.
func Ptr[T any](v T) *T { return &v }

// Retries returns a pointer to n, for Options.MaxRetries (as Ptr(n)).
func Retries(n int) *int { return &n }
