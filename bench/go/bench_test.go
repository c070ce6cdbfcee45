// P3: the Go binding's GetIdentity / GetIdentityJSON vs net/http + encoding/json
// decoding into the binding's own structs, against the sandbox at
// $MONEYKIT_BASE_URL. bench/run.sh builds this once (`go test -c`) and runs the
// three benchmarks in rotating order, several rounds, so they interleave.
// Besides ns/op each reports cpu-ns/op: user+sys CPU of this process per call
// (the sandbox is another process).
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

const (
	token = "sandbox-access-token"
	link  = "mk_sandbox_ok"
)

var baseURL = os.Getenv("MONEYKIT_BASE_URL")

func TestMain(m *testing.M) {
	if baseURL == "" {
		fmt.Fprintln(os.Stderr, "MONEYKIT_BASE_URL is not set (run under scripts/with-sandbox.sh); skipping")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs fn b.N times after a warm-up and reports CPU per call.
func measure(b *testing.B, fn func() error) {
	for i := 0; i < 20; i++ {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuNow()
	for i := 0; i < b.N; i++ {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuNow()-c0)/float64(b.N), "cpu-ns/op")
}

func newClient(b *testing.B) *moneykit.Client {
	c, err := moneykit.NewClient(moneykit.Options{
		BaseURL:     baseURL,
		AccessToken: token,
		MaxRetries:  moneykit.Retries(0),
	})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkGetIdentity(b *testing.B) {
	c := newClient(b)
	defer c.Close()
	ctx := context.Background()
	measure(b, func() error {
		id, err := c.GetIdentity(ctx, link)
		if err == nil && len(id.Accounts) < 2 {
			err = fmt.Errorf("expected 2 accounts, got %d", len(id.Accounts))
		}
		return err
	})
}

func BenchmarkGetIdentityJSON(b *testing.B) {
	c := newClient(b)
	defer c.Close()
	ctx := context.Background()
	measure(b, func() error {
		_, err := c.GetIdentityJSON(ctx, link)
		return err
	})
}

// BenchmarkNetHTTP is what a Go user would write by hand: one http.Client
// (keep-alive pool), the same headers, encoding/json into the same structs.
func BenchmarkNetHTTP(b *testing.B) {
	hc := &http.Client{Timeout: 30 * time.Second}
	url := baseURL + "/links/" + link + "/identity"
	ctx := context.Background()
	measure(b, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("moneykit-version", "2023-02-18")
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		var id moneykit.IdentityResponse
		if err := json.Unmarshal(body, &id); err != nil {
			return err
		}
		if len(id.Accounts) < 2 {
			return fmt.Errorf("expected 2 accounts, got %d", len(id.Accounts))
		}
		return nil
	})
}
