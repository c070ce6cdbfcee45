package moneykit_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// schemaOptionKeys returns every option key of the schema's option tables
// (options, batch_options, refresh_options).
func schemaOptionKeys(t *testing.T) []string {
	t.Helper()
	var schema map[string]json.RawMessage
	b, err := os.ReadFile(filepath.Join(repoRoot, "schema", "moneykit.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, table := range []string{"options", "batch_options", "refresh_options"} {
		var opts []struct {
			Key string `json:"key"`
		}
		if err := json.Unmarshal(schema[table], &opts); err != nil || len(opts) == 0 {
			t.Fatalf("schema %s: %v", table, err)
		}
		for _, o := range opts {
			keys = append(keys, o.Key)
		}
	}
	return keys
}

// checkGoNames checks that an option error names the Go field (want) and
// none of the C names: no schema key, no "options JSON", no "options_json",
// and no value of the secrets.
func checkGoNames(t *testing.T, what string, err error, want string, keys []string, secrets ...string) {
	t.Helper()
	var e *moneykit.Error
	if !errors.As(err, &e) || !errors.Is(err, moneykit.ErrInvalidArgument) {
		t.Errorf("%s: %v, want an *Error matching ErrInvalidArgument", what, err)
		return
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("%s: %q does not name %s", what, msg, want)
	}
	// Keys of one word ("proxy", "auth") are words of sentences too: those
	// only must not start the message.
	for _, k := range append(keys, "options JSON", "options_json", "client_id", "client_secret") {
		re := `\b` + regexp.QuoteMeta(k) + `\b`
		if !strings.ContainsAny(k, "_ ") {
			re = `^moneykit: (option )?` + regexp.QuoteMeta(k) + `\b`
		}
		if regexp.MustCompile(re).MatchString(msg) {
			t.Errorf("%s: %q names %q, not the Go field", what, msg, k)
		}
	}
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Errorf("%s: %q holds the secret %q", what, msg, s)
		}
	}
}

// Errors about options name the Go fields (Options.Timeout, BatchOptions.
// TimeScale, ...), with Go values (durations as time.Duration prints them),
// whether Go checks them from the generated table (bounds, enums) or the
// library does (URLs, files, control characters). Before: "options JSON:
// option timeout_ms: expected u64, got a number", "option max_retries must be
// between 0 and 10", "batch options_json: batch option concurrency: ...",
// "base_url must use https".
func TestOptionErrorsNameGoFields(t *testing.T) {
	t.Parallel()
	keys := schemaOptionKeys(t)
	newErr := func(o moneykit.Options) error {
		if o.BaseURL == "" {
			o.BaseURL = sandboxURL
		}
		if o.AccessToken == "" && o.ClientID == "" {
			o.AccessToken = "sandbox-access-token"
		}
		c, err := moneykit.NewClient(o)
		if err == nil {
			c.Close()
		}
		return err
	}
	for _, tc := range []struct {
		name    string
		opts    moneykit.Options
		want    string
		secrets []string
	}{
		{"negative Timeout", moneykit.Options{Timeout: -time.Second}, "Options.Timeout must be from 1ms to 24h0m0s, got -1s", nil},
		{"Timeout too long", moneykit.Options{Timeout: 48 * time.Hour}, "Options.Timeout must be from 1ms to 24h0m0s, got 48h0m0s", nil},
		{"negative Deadline", moneykit.Options{Deadline: -time.Nanosecond}, "Options.Deadline", nil},
		{"negative ConnectTimeout", moneykit.Options{ConnectTimeout: -time.Millisecond}, "Options.ConnectTimeout", nil},
		{"MaxRetries", moneykit.Options{MaxRetries: moneykit.Retries(11)}, "Options.MaxRetries must be from 0 to 10, got 11", nil},
		{"negative MaxRetries", moneykit.Options{MaxRetries: moneykit.Retries(-1)}, "Options.MaxRetries", nil},
		{"negative RetryBase", moneykit.Options{RetryBase: moneykit.Ptr(-time.Second)}, "Options.RetryBase must be from 0s to 24h0m0s", nil},
		{"MaxRetryAfter", moneykit.Options{MaxRetryAfter: moneykit.Ptr(25 * time.Hour)}, "Options.MaxRetryAfter", nil},
		{"negative MaxResponseBytes", moneykit.Options{MaxResponseBytes: -5}, "Options.MaxResponseBytes must be from 1 to 1073741824, got -5", nil},
		{"Auth", moneykit.Options{Auth: "nope"}, `Options.Auth must be AuthToken ("token") or AuthHeaders ("headers"), got "nope"`, nil},
		{"LogLevel", moneykit.Options{LogLevel: "loud"}, "Options.LogLevel must be", nil},
		{"BaseURL scheme", moneykit.Options{BaseURL: "ftp://x"}, "Options.BaseURL must use https", nil},
		{"BaseURL http", moneykit.Options{BaseURL: "http://example.com"}, "Options.BaseURL must use https", nil},
		{"Proxy", moneykit.Options{Proxy: "gopher://x"}, "Options.Proxy", nil},
		{"CAFile", moneykit.Options{CAFile: "/nonexistent/ca.pem"}, "Options.CAFile cannot be read", nil},
		{"UserAgent", moneykit.Options{UserAgent: "a\nb"}, "Options.UserAgent contains control characters", nil},
		{"MoneyKitVersion", moneykit.Options{MoneyKitVersion: "x\ty"}, "Options.MoneyKitVersion", nil},
		{"AccessToken", moneykit.Options{AccessToken: "tok\nen-secret"}, "Options.AccessToken", []string{"tok\nen-secret", "en-secret"}},
		{"ClientID", moneykit.Options{ClientID: "id\x01", ClientSecret: "s3cret-value"}, "Options.ClientID", []string{"s3cret-value"}},
		{"ClientSecret", moneykit.Options{ClientID: "sandbox-client", ClientSecret: "s3cret\x02value"}, "Options.ClientSecret", []string{"s3cret"}},
	} {
		checkGoNames(t, tc.name, newErr(tc.opts), tc.want, keys, tc.secrets...)
	}

	c := newClient(t, nil)
	links := []string{"mk_sandbox_ok"}
	for _, tc := range []struct {
		name string
		opts moneykit.BatchOptions
		want string
	}{
		{"negative Concurrency", moneykit.BatchOptions{Concurrency: -1}, "BatchOptions.Concurrency must be from 1 to 256, got -1"},
		{"Concurrency", moneykit.BatchOptions{Concurrency: 1000}, "BatchOptions.Concurrency must be from 1 to 256, got 1000"},
		{"AppPerMinute", moneykit.BatchOptions{AppPerMinute: -3}, "BatchOptions.AppPerMinute"},
		{"LinkPerMinute", moneykit.BatchOptions{LinkPerMinute: 5000}, "BatchOptions.LinkPerMinute"},
		{"TimeScale", moneykit.BatchOptions{TimeScale: 0.5}, "BatchOptions.TimeScale must be from 1 to 10000, got 0.5"},
		{"TimeScale NaN", moneykit.BatchOptions{TimeScale: math.NaN()}, "BatchOptions.TimeScale must be from 1 to 10000, got NaN"},
	} {
		b, err := c.Identities(bg, links, tc.opts)
		if b != nil {
			b.Close()
		}
		checkGoNames(t, tc.name, err, tc.want, keys)
	}
	for _, tc := range []struct {
		name string
		opts moneykit.RefreshOptions
		want string
	}{
		{"negative LinkPerMinute", moneykit.RefreshOptions{LinkPerMinute: -1}, "RefreshOptions.LinkPerMinute must be from 1 to 1000, got -1"},
		{"TimeScale", moneykit.RefreshOptions{TimeScale: 1e9}, "RefreshOptions.TimeScale must be from 1 to 10000, got 1e+09"},
	} {
		_, err := c.RefreshIdentity(bg, "mk_sandbox_ok", time.Second, tc.opts)
		checkGoNames(t, "refresh "+tc.name, err, tc.want, keys)
		_, err = c.WaitIdentityNewer(bg, "mk_sandbox_ok", time.Time{}, time.Second, tc.opts)
		checkGoNames(t, "wait "+tc.name, err, tc.want, keys)
	}
}

// With Options fields left empty the values come from the environment: the
// messages then name the variable (MONEYKIT_BASE_URL) or both ways to give
// the value (Options.ClientID or MONEYKIT_CLIENT_ID). Not parallel: it sets
// the environment.
func TestOptionErrorsNameTheEnvironment(t *testing.T) {
	keys := schemaOptionKeys(t)
	t.Setenv("MONEYKIT_BASE_URL", "ftp://example.com")
	_, err := moneykit.NewClient(moneykit.Options{AccessToken: "x"})
	checkGoNames(t, "base URL from the environment", err, "MONEYKIT_BASE_URL must use https", keys)

	t.Setenv("MONEYKIT_BASE_URL", sandboxURL)
	t.Setenv("MONEYKIT_CLIENT_ID", "")
	_, err = moneykit.NewClient(moneykit.Options{ClientSecret: "s"})
	checkGoNames(t, "no client id", err, "no client id: set Options.ClientID or MONEYKIT_CLIENT_ID, or Options.AccessToken", keys)

	t.Setenv("MONEYKIT_CLIENT_ID", "sandbox-client")
	t.Setenv("MONEYKIT_CLIENT_SECRET", "")
	_, err = moneykit.NewClient(moneykit.Options{})
	checkGoNames(t, "no client secret", err, "no client secret: set Options.ClientSecret or MONEYKIT_CLIENT_SECRET, or Options.AccessToken", keys)

	t.Setenv("MONEYKIT_CLIENT_SECRET", "env\x01secret")
	_, err = moneykit.NewClient(moneykit.Options{})
	checkGoNames(t, "client secret from the environment", err, "MONEYKIT_CLIENT_SECRET contains control characters", keys, "env\x01secret")
}
