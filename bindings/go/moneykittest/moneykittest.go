// Package moneykittest starts the bundled MoneyKit sandbox for tests, in the
// manner of net/http/httptest: application code that takes a
// moneykit.IdentityGetter, a moneykit.API or a *moneykit.Client is tested
// against a real server on loopback, without a network or credentials.
//
//	func TestOwners(t *testing.T) {
//		srv := moneykittest.NewServer(t) // stopped when the test ends
//		names, err := ownerNames(ctx, srv.Client(), "mk_sandbox_ok")
//		...
//	}
//
// The sandbox answers like MoneyKit's API; its magic link ids give each
// outcome: mk_sandbox_ok (two accounts, three owners), mk_sandbox_unicode,
// mk_sandbox_link_deleted, mk_sandbox_rate_limited, mk_fault_slow_<ms>, ...
// (docs/sandbox-contract.md in the repository lists them all).
//
// The sandbox is the moneykit-sandbox program: MONEYKIT_SANDBOX_BIN when set,
// else target/release then target/debug of the checkout this package is in
// (make build), else moneykit-sandbox on PATH (make install puts it in
// <prefix>/bin).
package moneykittest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// The credentials the sandbox accepts by default.
const (
	ClientID     = "sandbox-client"
	ClientSecret = "sandbox-secret"
	AccessToken  = "sandbox-access-token"
)

// startTimeout bounds how long the sandbox may take to print its address.
const startTimeout = 20 * time.Second

// Server is a running sandbox.
type Server struct {
	// URL is its base URL, http://127.0.0.1:<port>.
	URL string
	// ClientID, ClientSecret and AccessToken are credentials it accepts.
	ClientID, ClientSecret, AccessToken string

	t      testing.TB
	cmd    *exec.Cmd
	out    io.Closer
	once   sync.Once
	client *moneykit.Client
}

// SandboxBinary returns the path of the moneykit-sandbox program NewServer
// runs (see the package documentation), or why there is none.
func SandboxBinary() (string, error) {
	if bin := os.Getenv("MONEYKIT_SANDBOX_BIN"); bin != "" {
		if st, err := os.Stat(bin); err != nil || st.IsDir() {
			return "", fmt.Errorf("moneykittest: MONEYKIT_SANDBOX_BIN=%s is not a program", bin)
		}
		return bin, nil
	}
	var looked []string
	if _, file, _, ok := runtime.Caller(0); ok {
		// bindings/go/moneykittest/moneykittest.go in a checkout.
		repo := filepath.Join(filepath.Dir(file), "..", "..", "..")
		for _, p := range []string{"target/release/moneykit-sandbox", "target/debug/moneykit-sandbox"} {
			p = filepath.Clean(filepath.Join(repo, p))
			looked = append(looked, p)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
	}
	if p, err := exec.LookPath("moneykit-sandbox"); err == nil {
		return p, nil
	}
	looked = append(looked, "moneykit-sandbox on PATH")
	return "", fmt.Errorf("moneykittest: no moneykit-sandbox: set MONEYKIT_SANDBOX_BIN, run `make build` in the checkout or `make install` (looked at %s)", strings.Join(looked, ", "))
}

// NewServer starts a sandbox on a free loopback port, with args added to its
// command line (e.g. "--realistic", "--time-scale", "60"; moneykit-sandbox
// --help lists them), and stops it when the test ends (t.Cleanup). It fails
// the test when the sandbox cannot start.
func NewServer(t testing.TB, args ...string) *Server {
	t.Helper()
	bin, err := SandboxBinary()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	cmd.Stdout = w
	cmd.Stderr = os.Stderr
	killWithParent(cmd)
	if err := cmd.Start(); err != nil {
		w.Close()
		r.Close()
		t.Fatalf("moneykittest: starting %s: %v", bin, err)
	}
	w.Close()
	s := &Server{ClientID: ClientID, ClientSecret: ClientSecret, AccessToken: AccessToken, t: t, cmd: cmd, out: r}
	t.Cleanup(s.Close) // registered first: runs after the clients' Close

	first := make(chan string, 1)
	go func() {
		br := bufio.NewReader(r)
		line, _ := br.ReadString('\n')
		first <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, br) // keep draining so it never blocks
	}()
	select {
	case line := <-first:
		u, ok := strings.CutPrefix(line, "listening on ")
		if !ok {
			s.Close()
			t.Fatalf("moneykittest: unexpected first line from %s: %q", bin, line)
		}
		s.URL = u
	case <-time.After(startTimeout):
		s.Close()
		t.Fatalf("moneykittest: %s did not print its address within %v", bin, startTimeout)
	}
	return s
}

// Client returns the server's client, made on first use with the library's
// default options (token authentication with ClientID and ClientSecret) and
// closed when the test ends. Share it, as a program shares its Client.
func (s *Server) Client() *moneykit.Client {
	s.t.Helper()
	if s.client == nil {
		s.client = s.NewClient(moneykit.Options{})
	}
	return s.client
}

// NewClient returns a new client of the server, closed when the test ends:
// opts with BaseURL set to s.URL and, unless AccessToken is set, ClientID and
// ClientSecret filled in when empty. It fails the test when NewClient does.
func (s *Server) NewClient(opts moneykit.Options) *moneykit.Client {
	s.t.Helper()
	opts.BaseURL = s.URL
	if opts.AccessToken == "" {
		if opts.ClientID == "" {
			opts.ClientID = s.ClientID
		}
		if opts.ClientSecret == "" {
			opts.ClientSecret = s.ClientSecret
		}
	}
	c, err := moneykit.NewClient(opts)
	if err != nil {
		s.t.Fatalf("moneykittest: NewClient: %v", err)
	}
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Close stops the sandbox; NewServer's cleanup calls it. Idempotent.
func (s *Server) Close() {
	s.once.Do(func() {
		_ = s.cmd.Process.Kill()
		err := s.cmd.Wait()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			s.t.Logf("moneykittest: waiting for the sandbox: %v", err)
		}
		_ = s.out.Close()
	})
}
