package moneykit_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

var allStatuses = map[string]moneykit.Status{
	"MK_OK":                   moneykit.StatusOK,
	"MK_ERR_INVALID_ARGUMENT": moneykit.StatusInvalidArgument,
	"MK_ERR_TRANSPORT":        moneykit.StatusTransport,
	"MK_ERR_TIMEOUT":          moneykit.StatusTimeout,
	"MK_ERR_DECODE":           moneykit.StatusDecode,
	"MK_ERR_UNAUTHORIZED":     moneykit.StatusUnauthorized,
	"MK_ERR_FORBIDDEN":        moneykit.StatusForbidden,
	"MK_ERR_NOT_FOUND":        moneykit.StatusNotFound,
	"MK_ERR_LINK_DELETED":     moneykit.StatusLinkDeleted,
	"MK_ERR_LINK_BAD_STATE":   moneykit.StatusLinkBadState,
	"MK_ERR_RATE_LIMITED":     moneykit.StatusRateLimited,
	"MK_ERR_SERVER":           moneykit.StatusServer,
	"MK_ERR_HTTP":             moneykit.StatusHTTP,
	"MK_ERR_INTERNAL":         moneykit.StatusInternal,
	"MK_ERR_CANCELLED":        moneykit.StatusCancelled,
	"MK_ERR_SIGNATURE":        moneykit.StatusSignature,
}

var sentinelOf = map[moneykit.Status]error{
	moneykit.StatusInvalidArgument: moneykit.ErrInvalidArgument,
	moneykit.StatusTransport:       moneykit.ErrTransport,
	moneykit.StatusTimeout:         moneykit.ErrTimeout,
	moneykit.StatusDecode:          moneykit.ErrDecode,
	moneykit.StatusUnauthorized:    moneykit.ErrUnauthorized,
	moneykit.StatusForbidden:       moneykit.ErrForbidden,
	moneykit.StatusNotFound:        moneykit.ErrNotFound,
	moneykit.StatusLinkDeleted:     moneykit.ErrLinkDeleted,
	moneykit.StatusLinkBadState:    moneykit.ErrLinkBadState,
	moneykit.StatusRateLimited:     moneykit.ErrRateLimited,
	moneykit.StatusServer:          moneykit.ErrServer,
	moneykit.StatusHTTP:            moneykit.ErrHTTP,
	moneykit.StatusInternal:        moneykit.ErrInternal,
	moneykit.StatusCancelled:       moneykit.ErrCancelled,
	moneykit.StatusSignature:       moneykit.ErrSignature,
}

func readHeader(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "include", "moneykit.h"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The Status constants equal the header's enum mk_status, in both directions.
func TestStatusConstantsMatchHeader(t *testing.T) {
	t.Parallel()
	enum := regexp.MustCompile(`(?ms)^enum mk_status\b.*?\{(.*?)^\};`).FindStringSubmatch(readHeader(t))
	if enum == nil {
		t.Fatal("enum mk_status not found in include/moneykit.h")
	}
	values := regexp.MustCompile(`(?m)^\s*(MK_[A-Z_]+)\s*=\s*(-?\d+)\s*,?\s*$`).FindAllStringSubmatch(enum[1], -1)
	if len(values) != len(allStatuses) {
		t.Errorf("header has %d statuses, the Go package %d", len(values), len(allStatuses))
	}
	for _, v := range values {
		n, _ := strconv.Atoi(v[2])
		got, ok := allStatuses[v[1]]
		if !ok {
			t.Errorf("header status %s = %d has no Go constant", v[1], n)
			continue
		}
		if int(got) != n {
			t.Errorf("%s: Go constant is %d, header says %d", v[1], got, n)
		}
		if got.String() != v[1] {
			t.Errorf("Status(%d).String() = %q, want %q", n, got.String(), v[1])
		}
		if got.Description() == "" || got.Description() == "unknown status" {
			t.Errorf("%s has no description", v[1])
		}
	}
	if s := moneykit.Status(99).String(); s != "Status(99)" {
		t.Errorf("Status(99).String() = %q", s)
	}
}

func TestVersionMatchesHeader(t *testing.T) {
	t.Parallel()
	m := regexp.MustCompile(`#define MK_VERSION "([^"]+)"`).FindStringSubmatch(readHeader(t))
	if m == nil {
		t.Fatal("MK_VERSION not found in the header")
	}
	if v := moneykit.Version(); v != m[1] {
		t.Errorf("Version() = %q, header MK_VERSION = %q", v, m[1])
	}
}

// Every failure status maps to its own sentinel and to no other, and the
// fields of the error JSON land in the *Error.
func TestEveryStatusMapsToItsSentinel(t *testing.T) {
	t.Parallel()
	for status, want := range sentinelOf {
		js := fmt.Sprintf(`{"status":%d,"name":%q,"message":"m","http_status":418,"error_code":"ec",
			"error_message":"em","documentation_url":"du","link_error_code":"lec","request_id":"rid",
			"retry_after_ms":1500,"attempts":3}`, status, status.String())
		var err error = moneykit.ParseError(status, js)
		for other, s := range sentinelOf {
			if got := errors.Is(err, s); got != (other == status) {
				t.Errorf("%v: errors.Is(err, sentinel of %v) = %v", status, other, got)
			}
		}
		if !errors.Is(err, want) {
			t.Errorf("%v does not match its sentinel", status)
		}
		var e *moneykit.Error
		if !errors.As(fmt.Errorf("wrapped: %w", err), &e) {
			t.Fatalf("%v: errors.As failed", status)
		}
		wantErr := moneykit.Error{Status: status, Name: status.String(), Message: "m", HTTPStatus: 418,
			ErrorCode: "ec", ErrorMessage: "em", DocumentationURL: "du", LinkErrorCode: "lec",
			RequestID: "rid", RetryAfter: 1500 * time.Millisecond, Attempts: 3}
		if !sameError(e, &wantErr) {
			t.Errorf("%v: got %+v, want %+v", status, *e, wantErr)
		}
		if !strings.Contains(e.Error(), status.String()) || !strings.Contains(e.Error(), "rid") {
			t.Errorf("Error() = %q lacks the name or request id", e.Error())
		}
	}
	// A status this package does not know yet still yields a usable error.
	e := moneykit.ParseError(99, "")
	if !errors.Is(e, moneykit.ErrInternal) || e.Name != "Status(99)" || e.Message == "" {
		t.Errorf("unknown status: %+v", e)
	}
	// Nulls in the error JSON are zero values.
	e = moneykit.ParseError(moneykit.StatusTransport, `{"status":2,"name":"MK_ERR_TRANSPORT","message":"x",
		"http_status":null,"error_code":null,"error_message":null,"documentation_url":null,
		"link_error_code":null,"request_id":null,"retry_after_ms":null,"attempts":0}`)
	if !sameError(e, &moneykit.Error{Status: moneykit.StatusTransport, Name: "MK_ERR_TRANSPORT", Message: "x"}) {
		t.Errorf("nulls: %+v", e)
	}
}

func sameError(a, b *moneykit.Error) bool {
	return a.Status == b.Status && a.Name == b.Name && a.Message == b.Message &&
		a.HTTPStatus == b.HTTPStatus && a.ErrorCode == b.ErrorCode && a.ErrorMessage == b.ErrorMessage &&
		a.DocumentationURL == b.DocumentationURL && a.LinkErrorCode == b.LinkErrorCode &&
		a.RequestID == b.RequestID && a.RetryAfter == b.RetryAfter && a.Attempts == b.Attempts
}

// wantErr checks that err is an *Error with the given status and sentinel and
// returns it.
func wantErr(t *testing.T, err error, status moneykit.Status) *moneykit.Error {
	t.Helper()
	var e *moneykit.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a *moneykit.Error with %v, got %T %v", status, err, err)
	}
	if e.Status != status {
		t.Fatalf("status %v, want %v (%v)", e.Status, status, err)
	}
	if !errors.Is(err, sentinelOf[status]) {
		t.Errorf("errors.Is(err, sentinel of %v) is false", status)
	}
	if e.Name != status.String() {
		t.Errorf("Name %q, want %q", e.Name, status.String())
	}
	if e.Message == "" {
		t.Error("empty Message")
	}
	return e
}

// Every magic link of the sandbox contract gives the documented status and
// error fields through the Go API.
func TestSandboxStatuses(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	slow := newClient(t, func(o *moneykit.Options) { o.Timeout = 300 * time.Millisecond })
	small := newClient(t, func(o *moneykit.Options) { o.MaxResponseBytes = 4096 })
	retrying := newClient(t, func(o *moneykit.Options) { o.MaxRetries = moneykit.Retries(1) })

	type want struct {
		status        moneykit.Status
		http          int
		errorCode     string
		linkErrorCode string
		retryAfter    time.Duration
		attempts      int
	}
	cases := []struct {
		client *moneykit.Client
		link   string
		want   want
	}{
		{c, "mk_sandbox_forbidden", want{moneykit.StatusForbidden, 403, "link_error.forbidden_action", "", 0, 1}},
		{c, "mk_sandbox_deleted", want{moneykit.StatusLinkDeleted, 410, "link_error.deleted", "", 0, 1}},
		{c, "mk_sandbox_bad_state", want{moneykit.StatusLinkBadState, 422, "link_error.bad_state", "auth_expired", 0, 1}},
		{c, "mk_sandbox_validation", want{moneykit.StatusHTTP, 422, "api_error.request.validation_failed", "", 0, 1}},
		{c, "mk_sandbox_bad_request", want{moneykit.StatusHTTP, 400, "", "", 0, 1}},
		{c, "mk_sandbox_other_app", want{moneykit.StatusUnauthorized, 401, "link_error.unauthorized_access", "", 0, 1}},
		{c, "mk_sandbox_rate_limited_long", want{moneykit.StatusRateLimited, 429, "api_error.rate_limit_exceeded", "", time.Hour, 1}},
		{retrying, "mk_sandbox_rate_limited", want{moneykit.StatusRateLimited, 429, "api_error.rate_limit_exceeded", "", time.Second, 2}},
		{c, "mk_sandbox_rate_limited_date", want{moneykit.StatusRateLimited, 429, "api_error.rate_limit_exceeded", "", -1, 1}},
		{c, "mk_sandbox_no_such_link", want{moneykit.StatusNotFound, 404, "link_error.not_found", "", 0, 1}},
		{c, "mk_fault_500", want{moneykit.StatusServer, 500, "", "", 0, 1}},
		{retrying, "mk_fault_500", want{moneykit.StatusServer, 500, "", "", 0, 2}},
		{c, "mk_fault_503", want{moneykit.StatusServer, 503, "", "", time.Second, 1}},
		{c, "mk_fault_html_502", want{moneykit.StatusServer, 502, "", "", 0, 1}},
		{c, "mk_fault_malformed", want{moneykit.StatusDecode, 200, "", "", 0, 1}},
		{c, "mk_fault_empty", want{moneykit.StatusDecode, 200, "", "", 0, 1}},
		{c, "mk_fault_wrong_shape", want{moneykit.StatusDecode, 200, "", "", 0, 1}},
		{c, "mk_fault_deep", want{moneykit.StatusDecode, 200, "", "", 0, 1}},
		{small, "mk_fault_oversized_100000", want{moneykit.StatusDecode, 200, "", "", 0, 1}},
		{small, "mk_fault_oversized_chunked_100000", want{moneykit.StatusDecode, 200, "", "", 0, 1}},
		{slow, "mk_fault_silent", want{moneykit.StatusTimeout, 0, "", "", 0, 1}},
		{slow, "mk_fault_trickle", want{moneykit.StatusTimeout, -1, "", "", 0, 1}},
		{slow, "mk_fault_slow_2000", want{moneykit.StatusTimeout, 0, "", "", 0, 1}},
		{c, "mk_fault_reset", want{moneykit.StatusTransport, -1, "", "", 0, 1}},
		{c, "mk_fault_redirect_other_host", want{moneykit.StatusTransport, -1, "", "", 0, 1}},
		{c, "mk_fault_redirect_loop", want{moneykit.StatusTransport, -1, "", "", 0, 1}},
		{c, "", want{moneykit.StatusInvalidArgument, 0, "", "", 0, 0}},
		{c, strings.Repeat("x", 1025), want{moneykit.StatusInvalidArgument, 0, "", "", 0, 0}},
		{c, "mk_sandbox_ok\x00/../../auth/token", want{moneykit.StatusInvalidArgument, 0, "", "", 0, 0}},
		{c, "\xff\xfe", want{moneykit.StatusInvalidArgument, 0, "", "", 0, 0}},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%.40q", tc.link)
		tc := tc
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.client.GetIdentity(bg, tc.link)
			e := wantErr(t, err, tc.want.status)
			w := tc.want
			if w.http >= 0 && e.HTTPStatus != w.http {
				t.Errorf("HTTPStatus %d, want %d", e.HTTPStatus, w.http)
			}
			if e.ErrorCode != w.errorCode && w.errorCode != "" {
				t.Errorf("ErrorCode %q, want %q", e.ErrorCode, w.errorCode)
			}
			if e.LinkErrorCode != w.linkErrorCode {
				t.Errorf("LinkErrorCode %q, want %q", e.LinkErrorCode, w.linkErrorCode)
			}
			switch {
			case w.retryAfter > 0 && e.RetryAfter != w.retryAfter:
				t.Errorf("RetryAfter %v, want %v", e.RetryAfter, w.retryAfter)
			case w.retryAfter < 0 && (e.RetryAfter <= 0 || e.RetryAfter > 3*time.Second):
				t.Errorf("RetryAfter %v, want about 2 s", e.RetryAfter)
			}
			if e.Attempts != w.attempts {
				t.Errorf("Attempts %d, want %d", e.Attempts, w.attempts)
			}
			if e.HTTPStatus >= 400 {
				if e.RequestID == "" {
					t.Error("no RequestID (the sandbox always sends x-request-id)")
				}
				if w.errorCode != "" && (e.ErrorMessage == "" || e.DocumentationURL == "") {
					t.Errorf("ErrorMessage %q / DocumentationURL %q missing", e.ErrorMessage, e.DocumentationURL)
				}
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		t.Parallel()
		_, err := c.GetIdentity(bg, "mk_fault_truncated")
		if !errors.Is(err, moneykit.ErrTransport) && !errors.Is(err, moneykit.ErrDecode) {
			t.Errorf("want ErrTransport or ErrDecode, got %v", err)
		}
	})
	t.Run("nul in account id", func(t *testing.T) {
		t.Parallel()
		_, err := c.GetIdentity(bg, "mk_sandbox_ok", "acc\x00x")
		wantErr(t, err, moneykit.StatusInvalidArgument)
	})
	t.Run("too many account ids", func(t *testing.T) {
		t.Parallel()
		ids := make([]string, 1001)
		for i := range ids {
			ids[i] = fmt.Sprint("acc_", i)
		}
		_, err := c.GetIdentity(bg, "mk_sandbox_ok", ids...)
		if e := wantErr(t, err, moneykit.StatusInvalidArgument); e.Attempts != 0 {
			t.Errorf("Attempts %d, want 0", e.Attempts)
		}
		// The limit itself is accepted.
		if _, err := c.GetIdentity(bg, "mk_sandbox_ok", ids[:1000]...); err != nil {
			t.Errorf("1000 account ids: %v", err)
		}
	})
}

// Statuses that come from the client's configuration or the token endpoint.
func TestClientStatuses(t *testing.T) {
	t.Parallel()
	newErr := func(o moneykit.Options) error {
		c, err := moneykit.NewClient(o)
		if err == nil {
			c.Close()
		}
		return err
	}
	getErr := func(o moneykit.Options) error {
		o.BaseURL = sandboxURL
		o.MaxRetries = moneykit.Retries(0)
		c, err := moneykit.NewClient(o)
		if err != nil {
			t.Fatalf("NewClient: %v", err)
		}
		defer c.Close()
		_, err = c.GetIdentity(bg, "mk_sandbox_ok")
		return err
	}
	t.Run("http base URL to a non-loopback host", func(t *testing.T) {
		wantErr(t, newErr(moneykit.Options{BaseURL: "http://example.com", AccessToken: "x"}), moneykit.StatusInvalidArgument)
	})
	t.Run("bad auth mode", func(t *testing.T) {
		wantErr(t, newErr(moneykit.Options{BaseURL: sandboxURL, Auth: "bogus"}), moneykit.StatusInvalidArgument)
	})
	t.Run("negative timeout", func(t *testing.T) {
		wantErr(t, newErr(moneykit.Options{BaseURL: sandboxURL, AccessToken: "x", Timeout: -time.Microsecond}), moneykit.StatusInvalidArgument)
	})
	t.Run("too many retries", func(t *testing.T) {
		wantErr(t, newErr(moneykit.Options{BaseURL: sandboxURL, AccessToken: "x", MaxRetries: moneykit.Retries(11)}), moneykit.StatusInvalidArgument)
	})
	t.Run("nul in client id", func(t *testing.T) {
		wantErr(t, newErr(moneykit.Options{BaseURL: sandboxURL, ClientID: "a\x00b", ClientSecret: "s"}), moneykit.StatusInvalidArgument)
	})
	t.Run("wrong credentials", func(t *testing.T) {
		e := wantErr(t, getErr(moneykit.Options{ClientID: "sandbox-client", ClientSecret: "wrong"}), moneykit.StatusUnauthorized)
		if strings.Contains(e.Error(), "wrong") {
			t.Errorf("the secret leaked into the error: %v", e)
		}
	})
	t.Run("wrong credentials in headers mode", func(t *testing.T) {
		wantErr(t, getErr(moneykit.Options{ClientID: "sandbox-client", ClientSecret: "wrong", Auth: moneykit.AuthHeaders}), moneykit.StatusUnauthorized)
	})
	t.Run("wrong static token", func(t *testing.T) {
		wantErr(t, getErr(moneykit.Options{AccessToken: "not-the-token"}), moneykit.StatusUnauthorized)
	})
	t.Run("token endpoint 500", func(t *testing.T) {
		wantErr(t, getErr(moneykit.Options{ClientID: "sandbox-token-500", ClientSecret: "x"}), moneykit.StatusServer)
	})
	t.Run("token endpoint garbage", func(t *testing.T) {
		wantErr(t, getErr(moneykit.Options{ClientID: "sandbox-token-garbage", ClientSecret: "x"}), moneykit.StatusDecode)
	})
	t.Run("unknown moneykit version", func(t *testing.T) {
		e := wantErr(t, getErr(moneykit.Options{AccessToken: "sandbox-access-token", MoneyKitVersion: "2020-01-01"}), moneykit.StatusHTTP)
		if e.HTTPStatus != 422 {
			t.Errorf("HTTPStatus %d, want 422", e.HTTPStatus)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		c, err := moneykit.NewClient(moneykit.Options{BaseURL: "http://127.0.0.1:1", AccessToken: "x", MaxRetries: moneykit.Retries(0)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.GetIdentity(bg, "mk_sandbox_ok")
		wantErr(t, err, moneykit.StatusTransport)
	})
	t.Run("missing ca file", func(t *testing.T) {
		wantErr(t, newErr(moneykit.Options{BaseURL: sandboxURL, AccessToken: "x", CAFile: "/nonexistent/ca.pem"}), moneykit.StatusInvalidArgument)
	})
}

// Retries recover from one-off faults and are counted in Attempts.
func TestRetries(t *testing.T) {
	t.Parallel()
	c := newClient(t, func(o *moneykit.Options) { o.MaxRetries = moneykit.Retries(2) })
	for _, link := range []string{uniq("mk_fault_500_once_"), uniq("mk_fault_429_once_"), uniq("mk_fault_expired_once_"), "mk_fault_redirect_same_host"} {
		r, err := c.GetIdentity(bg, link)
		if err != nil {
			t.Errorf("%s: %v", link, err)
			continue
		}
		if len(r.Accounts) != 2 {
			t.Errorf("%s: %d accounts", link, len(r.Accounts))
		}
	}
}
