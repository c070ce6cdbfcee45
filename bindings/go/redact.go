package moneykit

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Helpers of format_gen.go, which gives the response types and the claim a
// String, GoString and Format that never print owner data.

// redactor builds "Name{Field: value, ...}".
type redactor struct {
	b      strings.Builder
	fields int
}

func newRedactor(name string) *redactor {
	r := &redactor{}
	r.b.WriteString(name)
	r.b.WriteByte('{')
	return r
}

// field adds "name: value".
func (r *redactor) field(name, value string) {
	if r.fields > 0 {
		r.b.WriteString(", ")
	}
	r.fields++
	r.b.WriteString(name)
	r.b.WriteString(": ")
	r.b.WriteString(value)
}

// count adds "name: len n".
func (r *redactor) count(name string, n int) { r.field(name, "len "+strconv.Itoa(n)) }

func (r *redactor) close() string {
	r.b.WriteByte('}')
	return r.b.String()
}

// redacted is a type whose String and GoString hold no owner data.
type redacted interface {
	String() string
	GoString() string
}

// formatRedacted is the Format method of the redacted types: GoString for
// %#v, String quoted for %q, String for every other verb (%x and %d
// included: fmt would otherwise print the fields with them).
func formatRedacted(f fmt.State, verb rune, x redacted) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, x.GoString())
	case verb == 'q':
		_, _ = io.WriteString(f, strconv.Quote(x.String()))
	default:
		_, _ = io.WriteString(f, x.String())
	}
}

// String shows the index, the link id, the identity (as its String does), the
// body's length and the error, never owner data: BatchResult{...}.
func (x BatchResult) String() string {
	r := newRedactor("BatchResult")
	r.field("Index", strconv.Itoa(x.Index))
	r.field("LinkID", x.LinkID)
	if x.Identity != nil {
		r.field("Identity", x.Identity.String())
	}
	if x.JSON != nil {
		r.count("JSON", len(x.JSON))
	}
	if x.Err != nil {
		r.field("Err", x.Err.Error())
	}
	return r.close()
}

// GoString is String for %#v: moneykit.BatchResult{...}.
func (x BatchResult) GoString() string { return "moneykit." + x.String() }

// Format writes String for every verb (GoString for %#v): JSON is the body.
func (x BatchResult) Format(f fmt.State, verb rune) { formatRedacted(f, verb, x) }

// redactUserinfo replaces the user information of a URL (scheme://user:pass@host)
// with <redacted>; any other text is returned as it is.
func redactUserinfo(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return s
	}
	return scheme + "://<redacted>@" + rest[at+1:]
}
