package moneykit_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// sandboxURL is the base URL of the sandbox TestMain started.
var sandboxURL string

// repoRoot is the repository root (this package lives in bindings/go).
var repoRoot = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}()

func findSandbox() (string, error) {
	if bin := os.Getenv("MONEYKIT_SANDBOX_BIN"); bin != "" {
		return bin, nil
	}
	for _, p := range []string{"target/release/moneykit-sandbox", "target/debug/moneykit-sandbox"} {
		p = filepath.Join(repoRoot, p)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("moneykit-sandbox not found: set MONEYKIT_SANDBOX_BIN or run `make build` (looked in %s/target/{release,debug})", repoRoot)
}

// startSandbox starts the sandbox on a free loopback port and returns its
// base URL and a function that stops it.
func startSandbox(bin string, args ...string) (string, func(), error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	cmd.Stdout = w
	cmd.Stderr = os.Stderr
	killWithParent(cmd)
	if err := cmd.Start(); err != nil {
		w.Close()
		r.Close()
		return "", nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	w.Close()
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		r.Close()
	}
	first := make(chan string, 1)
	go func() {
		br := bufio.NewReader(r)
		line, _ := br.ReadString('\n')
		first <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, br) // keep draining so it never blocks
	}()
	select {
	case line := <-first:
		url, ok := strings.CutPrefix(line, "listening on ")
		if !ok {
			stop()
			return "", nil, fmt.Errorf("unexpected first line from the sandbox: %q", line)
		}
		return url, stop, nil
	case <-time.After(20 * time.Second):
		stop()
		return "", nil, fmt.Errorf("the sandbox did not print its address within 20 s")
	}
}

func TestMain(m *testing.M) {
	// Pdeathsig is tied to the thread that forks: keep this goroutine on the
	// main thread, which lives as long as the process.
	runtime.LockOSThread()
	bin, err := findSandbox()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	url, stop, err := startSandbox(bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sandboxURL = url
	// For the examples and the environment fallback of empty Options.
	os.Setenv("MONEYKIT_BASE_URL", url)
	os.Setenv("MONEYKIT_CLIENT_ID", "sandbox-client")
	os.Setenv("MONEYKIT_CLIENT_SECRET", "sandbox-secret")
	code := m.Run()
	stop()
	if realistic.stop != nil {
		realistic.stop()
	}
	os.Exit(code)
}

// newClient returns a client of the sandbox (token auth, no retries, 10 s
// timeout) adjusted by edit, closed when the test ends.
func newClient(t testing.TB, edit func(*moneykit.Options)) *moneykit.Client {
	t.Helper()
	opts := moneykit.Options{
		BaseURL:      sandboxURL,
		ClientID:     "sandbox-client",
		ClientSecret: "sandbox-secret",
		Timeout:      10 * time.Second,
		MaxRetries:   moneykit.Retries(0),
		RetryBase:    moneykit.Ptr(10 * time.Millisecond),
	}
	if edit != nil {
		edit(&opts)
	}
	c, err := moneykit.NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var uniqCounter atomic.Int64

// uniq returns a string unique in this sandbox's life, for "once" fault
// links and for finding a test's own requests in the request log.
func uniq(prefix string) string {
	return fmt.Sprintf("%s%d_%d", prefix, os.Getpid(), uniqCounter.Add(1))
}

// recordedRequest is an entry of GET /_sandbox/requests.
type recordedRequest struct {
	Method          string  `json:"method"`
	Target          string  `json:"target"`
	Host            string  `json:"host"`
	Authorization   bool    `json:"authorization"`
	XClientID       *string `json:"x_client_id"`
	XClientSecret   bool    `json:"x_client_secret"`
	MoneyKitVersion *string `json:"moneykit_version"`
	UserAgent       *string `json:"user_agent"`
	Accept          *string `json:"accept"`
}

// requestsFor returns the recorded requests whose target contains needle.
func requestsFor(t testing.TB, needle string) []recordedRequest {
	t.Helper()
	resp, err := http.Get(sandboxURL + "/_sandbox/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var all []recordedRequest
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		t.Fatal(err)
	}
	var out []recordedRequest
	for _, r := range all {
		if strings.Contains(r.Target, needle) {
			out = append(out, r)
		}
	}
	return out
}

// adminHTTP has no keep-alive: polling the request log leaves no connection
// (and no goroutine) behind for the tests that count goroutines.
var adminHTTP = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

// awaitRequest waits, up to d, until the sandbox's request log has a request
// whose target contains needle (the sandbox logs each request on arrival,
// before answering it). It does not call t.Fatal, so any goroutine may use it.
func awaitRequest(needle string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		resp, err := adminHTTP.Get(sandboxURL + "/_sandbox/requests")
		if err != nil {
			return err
		}
		var all []recordedRequest
		err = json.NewDecoder(resp.Body).Decode(&all)
		resp.Body.Close()
		if err != nil {
			return err
		}
		for _, r := range all {
			if strings.Contains(r.Target, needle) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no request for %q reached the sandbox within %v", needle, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rawIdentity fetches a link's body with net/http and the static token.
func rawIdentity(t testing.TB, linkID string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", sandboxURL+"/links/"+linkID+"/identity", nil)
	req.Header.Set("Authorization", "Bearer sandbox-access-token")
	req.Header.Set("moneykit-version", "2023-02-18")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", linkID, resp.StatusCode, err)
	}
	return b
}

// eventually polls cond for up to d.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settle waits until no C call runs and no library string or view is held.
func settle(t testing.TB) {
	t.Helper()
	eventually(t, 15*time.Second, "C calls to finish", func() bool { return moneykit.CCallsRunning() == 0 })
	eventually(t, 5*time.Second, "C strings to be freed", func() bool { return moneykit.LiveCStrings() == 0 })
	eventually(t, 5*time.Second, "typed views to be freed", func() bool { return moneykit.LiveViews() == 0 })
}

var bg = context.Background()
