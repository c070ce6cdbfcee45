package moneykit_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// Issue 28: Options.CoordinationURL, the app's budget shared through Redis,
// against the sandbox and a redis-server of the test's own (a free loopback
// port, no persistence, stopped when the test ends).

const redisPassword = "s3cret-redis-pw"

// freePort is a loopback port nothing listens on (bound, then let go).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// deadRedisURL is a Redis URL with a password on a port where nothing listens.
func deadRedisURL(t *testing.T) string {
	return fmt.Sprintf("redis://:%s@127.0.0.1:%d/0", redisPassword, freePort(t))
}

type testRedis struct {
	port int
	URL  string
}

// startRedis runs redis-server on a free port until the test ends.
func startRedis(t *testing.T) *testRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server not found (make deps installs it)")
	}
	r := &testRedis{port: freePort(t)}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); r.cli(t, "PING") != "PONG"; {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.URL = fmt.Sprintf("redis://127.0.0.1:%d/0", r.port)
	return r
}

func (r *testRedis) cli(t *testing.T, args ...string) string {
	t.Helper()
	out, _ := exec.Command("redis-cli", append([]string{"-p", strconv.Itoa(r.port)}, args...)...).Output()
	return strings.TrimSpace(string(out))
}

// coordLink is a bulk link of these tests (the plain sandbox serves any).
func coordLink(i int) string { return fmt.Sprintf("mk_sandbox_bulk_%d", 9_000_000+i) }

// shortHash is the key layout's hash (src/core/coordination/keys.rs).
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

func TestCoordinationPasswordNeverShows(t *testing.T) {
	opts := moneykit.Options{
		BaseURL:         sandboxURL,
		ClientID:        "sandbox-client",
		ClientSecret:    "sandbox-secret",
		CoordinationURL: deadRedisURL(t),
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for _, v := range []any{opts, &opts} {
			if s := fmt.Sprintf(format, v); strings.Contains(s, redisPassword) ||
				!strings.Contains(s, "CoordinationURL") {
				t.Errorf("%s: %s", format, s)
			}
		}
	}
	if s := opts.String(); !strings.Contains(s, "CoordinationURL: <redacted>") {
		t.Errorf("String: %s", s)
	}
	c, err := moneykit.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if s := fmt.Sprintf("%v %+v %#v", c, c, c); strings.Contains(s, redisPassword) {
		t.Errorf("client: %s", s)
	}

	// Options the library refuses: the error names the option, never the URL.
	refused := []func(*moneykit.Options){
		func(o *moneykit.Options) { // no client id to name the app's keys
			o.ClientID, o.ClientSecret, o.AccessToken = "", "", "sandbox-access-token"
		},
		func(o *moneykit.Options) { o.CoordinationReservePerMinute = moneykit.Ptr(600) },
		func(o *moneykit.Options) {
			o.CoordinationURL = "http://:" + redisPassword + "@127.0.0.1/0"
		},
	}
	t.Setenv("MONEYKIT_CLIENT_ID", "")
	for i, edit := range refused {
		o := opts
		edit(&o)
		_, err := moneykit.NewClient(o)
		if !errors.Is(err, moneykit.ErrInvalidArgument) {
			t.Fatalf("%d: %v", i, err)
		}
		if s := fmt.Sprintf("%v %+v %#v", err, err, err); strings.Contains(s, redisPassword) ||
			!strings.Contains(s, "Options.Coordination") {
			t.Errorf("%d: %s", i, s)
		}
	}
}

func TestCoordinationUnreachableRedisFailsNoCall(t *testing.T) {
	rec := &recorder{min: slog.LevelDebug}
	c := newClient(t, func(o *moneykit.Options) {
		o.CoordinationURL = deadRedisURL(t)
		o.Logger = slog.New(rec)
	})
	// Distinct links: while Redis is lost this process allows itself one call
	// per link a minute (its share of MoneyKit's 3).
	for _, link := range []string{"mk_sandbox_ok", coordLink(1), coordLink(2)} {
		id, err := c.GetIdentity(context.Background(), link)
		if err != nil {
			t.Fatalf("%s: %v", link, err)
		}
		if id.Link.LinkID != link {
			t.Fatalf("%s: got %s", link, id.Link.LinkID)
		}
	}
	var warns, oks []record
	for _, r := range rec.take() {
		switch {
		case r.level >= slog.LevelWarn:
			warns = append(warns, r)
		case r.attrs["method"].String() == "GET":
			oks = append(oks, r)
		}
		if strings.Contains(r.String(), redisPassword) {
			t.Errorf("record shows the password: %v", r)
		}
	}
	if len(warns) != 1 || len(oks) != 3 {
		t.Fatalf("want 1 warning and 3 successful GETs: %v / %v", warns, oks)
	}
	lost := warns[0]
	status := lost.attrs["status"].String()
	if lost.level != slog.LevelWarn || lost.msg != "moneykit coordination" ||
		lost.attrs["method"].String() != "REDIS" || lost.attrs["path"].String() != "coordination" ||
		(status != "MK_ERR_TRANSPORT" && status != "MK_ERR_TIMEOUT") ||
		lost.attrs["retry_wait"].Duration() != time.Second {
		t.Errorf("the loss: %v", lost)
	}
	for _, k := range []string{"http_status", "request_id"} {
		if _, ok := lost.attrs[k]; ok {
			t.Errorf("the loss has %s: %v", k, lost)
		}
	}
}

func TestCoordinationRedisHoldsTheWindows(t *testing.T) {
	redis := startRedis(t)
	rec := &recorder{min: slog.LevelWarn}
	c := newClient(t, func(o *moneykit.Options) {
		o.CoordinationURL = redis.URL
		o.Logger = slog.New(rec)
	})
	singles := []string{"mk_sandbox_ok", coordLink(11)}
	for _, link := range singles {
		if _, err := c.GetIdentity(context.Background(), link); err != nil {
			t.Fatalf("%s: %v", link, err)
		}
	}
	var batched []string
	for i := 0; i < 10; i++ {
		batched = append(batched, coordLink(100+i))
	}
	b, err := c.Identities(context.Background(), batched, moneykit.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for b.Next() {
		if r := b.Result(); r.Err != nil {
			t.Errorf("%s: %v", r.LinkID, r.Err)
		}
		n++
	}
	if err := b.Err(); err != nil || n != len(batched) {
		t.Fatalf("%d results, %v", n, err)
	}
	if recs := rec.take(); len(recs) != 0 {
		t.Errorf("warnings: %v", recs)
	}

	app := "mk:{" + shortHash("sandbox-client") + "}:"
	keys := map[string]bool{}
	for _, k := range strings.Fields(redis.cli(t, "KEYS", "mk:*")) {
		if !strings.HasPrefix(k, app) {
			t.Errorf("a key of another namespace: %s", k)
		}
		keys[k] = true
	}
	if !keys[app+"app"] {
		t.Fatalf("no app window %sapp: %v", app, keys)
	}
	for _, link := range append(singles, batched...) {
		if !keys[app+"link:"+shortHash(link)] {
			t.Errorf("no window for %s: %v", link, keys)
		}
	}
	// One permit per call started (leased ones the batch did not use are
	// given back); the window expires within about a minute.
	if got := redis.cli(t, "ZCARD", app+"app"); got != strconv.Itoa(len(singles)+len(batched)) {
		t.Errorf("ZCARD %s = %s", app+"app", got)
	}
	if ttl, _ := strconv.Atoi(redis.cli(t, "PTTL", app+"app")); ttl <= 0 || ttl > 120_000 {
		t.Errorf("PTTL %d", ttl)
	}
}
