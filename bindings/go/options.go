package moneykit

import (
	"encoding/json"
	"log/slog"
	"time"
)

// Client options: the Go view of the options JSON of mk_client_new
// (docs/C-API.md, "Options JSON"; keys, defaults and bounds come from
// schema/moneykit.json).

// AuthMode selects how a Client authenticates when Options.AccessToken is
// empty.
type AuthMode string

const (
	// AuthToken (the default): OAuth2 client credentials via POST
	// /auth/token, then "Authorization: Bearer"; the token is cached and
	// shared by every goroutine using the Client.
	AuthToken AuthMode = "token"
	// AuthHeaders sends X-Client-Id and X-Client-Secret on every request.
	AuthHeaders AuthMode = "headers"
)

// Options configure a Client. Every zero value means the library default
// (listed in README.md); negative durations are refused.
type Options struct {
	// ClientID and ClientSecret: empty means the MONEYKIT_CLIENT_ID /
	// MONEYKIT_CLIENT_SECRET environment variables. Not needed with
	// AccessToken.
	ClientID     string
	ClientSecret string
	// BaseURL: default env MONEYKIT_BASE_URL, else https://api.moneykit.com.
	// Plain http is accepted for loopback hosts only.
	BaseURL string
	// AccessToken is a bearer token you already hold: no token requests.
	AccessToken string
	// Auth is AuthToken (default) or AuthHeaders.
	Auth AuthMode
	// MoneyKitVersion is sent as the moneykit-version header (default
	// "2023-02-18").
	MoneyKitVersion string
	// Timeout bounds one attempt end to end: token request, redirects and
	// body (default 30 s). Deadline bounds a whole call: every attempt,
	// backoff and Retry-After wait (default 60 s); a wait that does not fit
	// fails at once with ErrRateLimited or ErrServer and Error.RetryAfter set.
	// A context deadline shortens a call further. ConnectTimeout is the
	// connect timeout (default 10 s). All are rounded up to whole
	// milliseconds.
	Timeout        time.Duration
	Deadline       time.Duration
	ConnectTimeout time.Duration
	// MaxRetries is the number of extra attempts for transport errors,
	// timeouts, 429, 500, 502, 503 and 504: nil means the default (2);
	// Retries(0) disables retries.
	MaxRetries *int
	// RetryBase is the backoff base (default 500 ms): base × 2^n with full
	// jitter, capped at 8 s; a Retry-After header wins.
	RetryBase time.Duration
	// MaxRetryAfter: a longer Retry-After is not waited for, the call fails
	// at once with ErrRateLimited (default 60 s).
	MaxRetryAfter time.Duration
	// MaxResponseBytes: larger bodies fail with ErrDecode (default 16 MiB).
	MaxResponseBytes int64
	// UserAgent is appended to the library's "moneykit-native/<version>".
	UserAgent string
	// Proxy is a proxy URL (default env ALL_PROXY / HTTPS_PROXY / HTTP_PROXY).
	Proxy string
	// CAFile is a PEM file of extra root certificates to trust.
	CAFile string
	// LogLevel is "off", "warn", "info" or "debug": one line per attempt on
	// stderr, never owner data or secrets (default env MONEYKIT_LOG, else off).
	LogLevel string
	// Logger, if not nil, receives one record per HTTP attempt (see
	// events.go): Debug for token requests, Info for successful attempts,
	// Warn for failed ones, with the call's context. Records never hold
	// owner data or secrets. Independent of LogLevel. The handler runs
	// during the call: it must not Close or Shutdown the Client.
	Logger *slog.Logger
}

// Retries returns a pointer to n, for Options.MaxRetries.
func Retries(n int) *int { return &n }

// optionsJSON is the options JSON of mk_client_new (C-API.md).
type optionsJSON struct {
	BaseURL          string `json:"base_url,omitempty"`
	AccessToken      string `json:"access_token,omitempty"`
	Auth             string `json:"auth,omitempty"`
	MoneyKitVersion  string `json:"moneykit_version,omitempty"`
	TimeoutMS        int64  `json:"timeout_ms,omitempty"`
	DeadlineMS       int64  `json:"deadline_ms,omitempty"`
	ConnectTimeoutMS int64  `json:"connect_timeout_ms,omitempty"`
	MaxRetries       *int   `json:"max_retries,omitempty"`
	RetryBaseMS      int64  `json:"retry_base_ms,omitempty"`
	MaxRetryAfterMS  int64  `json:"max_retry_after_ms,omitempty"`
	MaxResponseBytes int64  `json:"max_response_bytes,omitempty"`
	UserAgent        string `json:"user_agent,omitempty"`
	Proxy            string `json:"proxy,omitempty"`
	CAFile           string `json:"ca_file,omitempty"`
	LogLevel         string `json:"log_level,omitempty"`
}

// millis converts a duration to milliseconds, rounding away from zero so that
// a positive duration never becomes 0 ("default") and a negative one never
// becomes 0 either (the library refuses it).
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

func (o *Options) json() ([]byte, error) {
	return json.Marshal(optionsJSON{
		BaseURL:          o.BaseURL,
		AccessToken:      o.AccessToken,
		Auth:             string(o.Auth),
		MoneyKitVersion:  o.MoneyKitVersion,
		TimeoutMS:        millis(o.Timeout),
		DeadlineMS:       millis(o.Deadline),
		ConnectTimeoutMS: millis(o.ConnectTimeout),
		MaxRetries:       o.MaxRetries,
		RetryBaseMS:      millis(o.RetryBase),
		MaxRetryAfterMS:  millis(o.MaxRetryAfter),
		MaxResponseBytes: o.MaxResponseBytes,
		UserAgent:        o.UserAgent,
		Proxy:            o.Proxy,
		CAFile:           o.CAFile,
		LogLevel:         o.LogLevel,
	})
}
