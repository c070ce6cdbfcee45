package moneykittest_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
	"github.com/moneykit-native/moneykit-native/bindings/go/moneykittest"
)

// ownerNames is application code under test: it takes the small interface.
func ownerNames(ctx context.Context, c moneykit.IdentityGetter, linkID string) ([]string, error) {
	r, err := c.GetIdentity(ctx, linkID)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, a := range r.Accounts {
		for _, o := range a.Owners {
			names = append(names, o.Names...)
		}
	}
	return names, nil
}

// NewServer starts the bundled sandbox on a free loopback port; its Client
// fetches identities from it, magic link ids give their errors, and the
// sandbox is stopped when the test ends.
func TestNewServer(t *testing.T) {
	var addr string
	t.Run("server", func(t *testing.T) {
		srv := moneykittest.NewServer(t)
		u, err := url.Parse(srv.URL)
		if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" {
			t.Fatalf("URL %q: want http://127.0.0.1:<port> (%v)", srv.URL, err)
		}
		addr = u.Host
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		names, err := ownerNames(ctx, srv.Client(), "mk_sandbox_ok")
		if err != nil || len(names) != 4 || names[0] != "José Álvarez" {
			t.Fatalf("owner names %q, %v", names, err)
		}
		if srv.Client() != srv.Client() {
			t.Error("Client() is not one client")
		}
		if _, err := srv.Client().GetIdentity(ctx, "mk_sandbox_missing_x"); !errors.Is(err, moneykit.ErrNotFound) {
			t.Errorf("a missing link: %v, want ErrNotFound", err)
		}
		// NewClient fills BaseURL and the credentials; the rest is the caller's.
		c := srv.NewClient(moneykit.Options{Auth: moneykit.AuthHeaders, MaxRetries: moneykit.Retries(0)})
		if _, err := c.GetIdentityJSON(ctx, "mk_sandbox_ok"); err != nil {
			t.Fatal(err)
		}
		var api moneykit.API = c
		if _, err := api.MatchOwners(ctx, "mk_sandbox_ok", moneykit.Claim{Name: "Jose Alvarez"}); err != nil {
			t.Fatal(err)
		}
		// A static token, as the sandbox accepts.
		tc := srv.NewClient(moneykit.Options{AccessToken: srv.AccessToken})
		if _, err := tc.GetIdentity(ctx, "mk_sandbox_ok"); err != nil {
			t.Fatal(err)
		}
	})
	// The sandbox stopped with the subtest.
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("the sandbox at %s still accepts connections after its test ended", addr)
	}
}

// Extra arguments go to the sandbox: here realistic mode's rate limit.
func TestNewServerArgs(t *testing.T) {
	t.Parallel()
	srv := moneykittest.NewServer(t, "--rate-limit-link", "1")
	c := srv.NewClient(moneykit.Options{MaxRetries: moneykit.Retries(0), MaxRetryAfter: moneykit.Ptr(time.Duration(0))})
	ctx := context.Background()
	if _, err := c.GetIdentity(ctx, "mk_sandbox_ok"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetIdentity(ctx, "mk_sandbox_ok"); !errors.Is(err, moneykit.ErrRateLimited) {
		t.Errorf("second call within the minute: %v, want ErrRateLimited", err)
	}
}

// Without MONEYKIT_SANDBOX_BIN the binary is found in the checkout's
// target/release or target/debug (or on PATH); a wrong MONEYKIT_SANDBOX_BIN
// fails the test with a message naming it.
func TestSandboxBinary(t *testing.T) {
	t.Setenv("MONEYKIT_SANDBOX_BIN", "")
	if _, err := moneykittest.SandboxBinary(); err != nil {
		t.Fatalf("in a checkout after make build: %v", err)
	}
	t.Setenv("MONEYKIT_SANDBOX_BIN", "/nonexistent/moneykit-sandbox")
	_, err := moneykittest.SandboxBinary()
	if err == nil || !strings.Contains(err.Error(), "MONEYKIT_SANDBOX_BIN") {
		t.Errorf("a missing MONEYKIT_SANDBOX_BIN: %v", err)
	}
	if _, statErr := os.Stat("/nonexistent/moneykit-sandbox"); statErr == nil {
		t.Skip("the path exists here")
	}
}

// A stand-in for the interface, as application tests may write.
type fakeGetter struct{ r *moneykit.IdentityResponse }

func (f fakeGetter) GetIdentity(context.Context, string, ...string) (*moneykit.IdentityResponse, error) {
	return f.r, nil
}

func TestIdentityGetterFake(t *testing.T) {
	t.Parallel()
	r := &moneykit.IdentityResponse{Accounts: []moneykit.Account{{Owners: []moneykit.Owner{{Names: []string{"A B"}}}}}}
	names, err := ownerNames(context.Background(), fakeGetter{r}, "any")
	if err != nil || len(names) != 1 || names[0] != "A B" {
		t.Errorf("%q %v", names, err)
	}
}
