package moneykit

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Option errors speak Go: the generated check methods (options_gen.go) refuse
// what the schema's bounds and values refuse, naming the field; the library's
// own messages about the other values (URLs, files, control characters) get
// the field's name instead of the schema key (goOptionMessage).

// optionRangeError is the error of a field outside [min, max].
func optionRangeError(field string, got, min, max any) *Error {
	return newError(StatusInvalidArgument, fmt.Sprintf("%s must be from %v to %v, got %v", field, min, max, got))
}

// durationRangeError is the error of a duration field outside [minMS, maxMS]
// milliseconds.
func durationRangeError(field string, got time.Duration, minMS, maxMS int64) *Error {
	return optionRangeError(field, got, time.Duration(minMS)*time.Millisecond, time.Duration(maxMS)*time.Millisecond)
}

// optionValueError is the error of an enum field set to an unknown value.
func optionValueError(field, got, want string) *Error {
	return newError(StatusInvalidArgument, fmt.Sprintf("%s must be %s, got %q", field, want, got))
}

// durationIn reports whether d, as the options JSON sends it (millis), is
// within [minMS, maxMS].
func durationIn(d time.Duration, minMS, maxMS int64) bool {
	ms := millis(d)
	return ms >= minMS && ms <= maxMS
}

// The prefixes the library puts before an option key in its messages.
var optionMessagePrefixes = []string{
	"options JSON: ", "batch options_json: ", "refresh options_json: ",
	"webhook options_json: ",
	"option ", "batch option ", "refresh option ", "webhook option ",
}

// goOptionMessage rewrites a library message about an option value so that it
// names the Go field: "base_url must use https" -> "Options.BaseURL must use
// https". name gives the Go name of a library key ("" for none). A message
// that does not start with a key (after the library's prefixes) is returned
// as it is.
func goOptionMessage(msg string, name func(key string) string) string {
	rest := msg
	for changed := true; changed; {
		changed = false
		for _, p := range optionMessagePrefixes {
			if r, ok := strings.CutPrefix(rest, p); ok {
				rest, changed = r, true
			}
		}
	}
	end := strings.IndexFunc(rest, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	if end < 0 {
		end = len(rest)
	}
	goName := name(rest[:end])
	if goName == "" {
		return msg
	}
	return goName + rest[end:]
}

// fieldName is a name function for goOptionMessage over a generated table.
func fieldName(fields map[string]string) func(string) string {
	return func(key string) string { return fields[key] }
}

// clientName names the values of NewClient's options: the field, or the
// environment variable the library read because the field was empty.
func clientName(opts *Options) func(string) string {
	env := map[string]struct {
		set bool
		env string
	}{
		"base_url":      {opts.BaseURL != "", "MONEYKIT_BASE_URL"},
		"client_id":     {opts.ClientID != "", "MONEYKIT_CLIENT_ID"},
		"client_secret": {opts.ClientSecret != "", "MONEYKIT_CLIENT_SECRET"},
	}
	return func(key string) string {
		if e, ok := env[key]; ok && !e.set {
			return e.env
		}
		return optionsFields[key]
	}
}

// checkCredentials refuses, with the Go names, options that give the library
// no client id or secret (it would say "pass client_id, ..."): without
// AccessToken, each comes from its field, else from its environment variable
// (unset and empty alike, as the library reads it).
func checkCredentials(opts *Options) error {
	if opts.AccessToken != "" {
		return nil
	}
	if opts.ClientID == "" && os.Getenv("MONEYKIT_CLIENT_ID") == "" {
		return newError(StatusInvalidArgument, "no client id: set Options.ClientID or MONEYKIT_CLIENT_ID, or Options.AccessToken")
	}
	if opts.ClientSecret == "" && os.Getenv("MONEYKIT_CLIENT_SECRET") == "" {
		return newError(StatusInvalidArgument, "no client secret: set Options.ClientSecret or MONEYKIT_CLIENT_SECRET, or Options.AccessToken")
	}
	return nil
}
