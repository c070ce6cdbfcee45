package moneykit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// The benchmarks compare the binding with a plain net/http + encoding/json
// client, decoding into structs of the same shape (plainIdentity: timestamps
// and decimals as text, since only the library parses timestamps), against
// the same sandbox and link, both with the static token (no token round
// trips) and keep-alive. The cpu-ns/op metric is the process's user + system
// CPU time per call (getrusage), all threads, C ones included.

const benchLink = "mk_sandbox_ok"

func benchClient(b *testing.B) *moneykit.Client {
	c, err := moneykit.NewClient(moneykit.Options{BaseURL: sandboxURL, AccessToken: "sandbox-access-token"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

func BenchmarkGetIdentity(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	measure(b, func() error {
		r, err := c.GetIdentity(ctx, benchLink)
		if err == nil && len(r.Accounts) != 2 {
			err = fmt.Errorf("%d accounts", len(r.Accounts))
		}
		return err
	})
}

// BenchmarkGetIdentityCancellable uses a cancellable context: a context.AfterFunc
// and channel more per call.
func BenchmarkGetIdentityCancellable(b *testing.B) {
	c := benchClient(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := c.GetIdentity(ctx, benchLink)
		if err != nil || len(r.Accounts) != 2 {
			b.Fatal(err)
		}
	}
}

type netHTTPClient struct {
	hc  *http.Client
	url string
}

func newNetHTTPClient() *netHTTPClient {
	return &netHTTPClient{
		hc:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		url: sandboxURL + "/links/" + benchLink + "/identity",
	}
}

// plainIdentity is what a plain encoding/json client would decode Get
// Identity into: IdentityResponse's shape with text timestamps and decimals.
type plainIdentity struct {
	Accounts []struct {
		AccountID   string  `json:"account_id"`
		AccountType string  `json:"account_type"`
		Name        string  `json:"name"`
		Nickname    *string `json:"nickname"`
		AccountMask *string `json:"account_mask"`
		Balances    struct {
			Currency    *string      `json:"currency"`
			Available   *json.Number `json:"available"`
			Current     *json.Number `json:"current"`
			Limit       *json.Number `json:"limit"`
			BalanceDate *string      `json:"balance_date"`
		} `json:"balances"`
		OriginalID *string `json:"original_id"`
		Closed     *bool   `json:"closed"`
		Owners     []struct {
			Names     []string `json:"names"`
			Addresses []struct {
				City       *string `json:"city"`
				Country    *string `json:"country"`
				PostalCode *string `json:"postal_code"`
				Region     *string `json:"region"`
				Street     *string `json:"street"`
				Primary    *bool   `json:"primary"`
			} `json:"addresses"`
			PhoneNumbers []struct {
				Number  string `json:"number"`
				Primary *bool  `json:"primary"`
				Type    string `json:"type"`
			} `json:"phone_numbers"`
			Emails []struct {
				Address string `json:"address"`
				Primary *bool  `json:"primary"`
			} `json:"emails"`
		} `json:"owners"`
	} `json:"accounts"`
	Link struct {
		LinkID            string   `json:"link_id"`
		InstitutionID     string   `json:"institution_id"`
		InstitutionName   string   `json:"institution_name"`
		InstitutionAvatar string   `json:"institution_avatar"`
		State             string   `json:"state"`
		ErrorCode         *string  `json:"error_code"`
		LastSyncedAt      *string  `json:"last_synced_at"`
		Provider          string   `json:"provider"`
		LinkTags          []string `json:"link_tags"`
		Tags              []string `json:"tags"`
		Webhook           *string  `json:"webhook"`
		Products          map[string]*struct {
			RefreshedAt     *string         `json:"refreshed_at"`
			LastAttemptedAt *string         `json:"last_attempted_at"`
			ErrorCode       *string         `json:"error_code"`
			ErrorMessage    *string         `json:"error_message"`
			Unavailable     *string         `json:"unavailable"`
			Settings        json.RawMessage `json:"settings"`
			HasHistory      *bool           `json:"has_history"`
		} `json:"products"`
		AvailableProducts []string `json:"available_products"`
	} `json:"link"`
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs f b.N times and reports allocations and CPU time per call.
func measure(b *testing.B, f func() error) {
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

func (n *netHTTPClient) get(ctx context.Context) (*plainIdentity, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", n.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer sandbox-access-token")
	req.Header.Set("moneykit-version", "2023-02-18")
	req.Header.Set("Accept", "application/json")
	resp, err := n.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // read to EOF: the connection is reused
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	r := new(plainIdentity)
	if err := json.Unmarshal(body, r); err != nil {
		return nil, err
	}
	return r, nil
}

func BenchmarkNetHTTP(b *testing.B) {
	n := newNetHTTPClient()
	defer n.hc.CloseIdleConnections()
	ctx := context.Background()
	measure(b, func() error {
		r, err := n.get(ctx)
		if err == nil && len(r.Accounts) != 2 {
			err = fmt.Errorf("%d accounts", len(r.Accounts))
		}
		return err
	})
}

func BenchmarkGetIdentityParallel(b *testing.B) {
	c := benchClient(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetIdentity(context.Background(), benchLink); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkNetHTTPParallel(b *testing.B) {
	n := newNetHTTPClient()
	defer n.hc.CloseIdleConnections()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := n.get(context.Background()); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCallOverhead is the binding's fixed cost without I/O: a call the
// library refuses before any request (empty link id), error JSON included.
func BenchmarkCallOverhead(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetIdentity(ctx, ""); err == nil {
			b.Fatal("empty link id accepted")
		}
	}
}

// BenchmarkDecode is the decoding share of both clients, for the
// mk_sandbox_ok body (about 3 KB) and mk_sandbox_large (3.5 MB): encoding/json
// into plainIdentity, and ParseIdentity (the library's check and typed view
// through one cgo call, then the copy into IdentityResponse).
func BenchmarkDecode(b *testing.B) {
	for _, link := range []string{benchLink, "mk_sandbox_large"} {
		body := rawIdentity(b, link)
		b.Run("json.Unmarshal/"+link, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			measure(b, func() error { return json.Unmarshal(body, new(plainIdentity)) })
		})
		b.Run("ParseIdentity/"+link, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			measure(b, func() error { _, err := moneykit.ParseIdentity(body); return err })
		})
	}
}

// BenchmarkGetIdentityLarge fetches mk_sandbox_large (1,000 accounts, 3.5 MB)
// with both clients.
func BenchmarkGetIdentityLarge(b *testing.B) {
	const link = "mk_sandbox_large"
	c := benchClient(b)
	ctx := context.Background()
	b.Run("GetIdentity", func(b *testing.B) {
		measure(b, func() error { _, err := c.GetIdentity(ctx, link); return err })
	})
	n := newNetHTTPClient()
	n.url = sandboxURL + "/links/" + link + "/identity"
	defer n.hc.CloseIdleConnections()
	b.Run("NetHTTP", func(b *testing.B) {
		measure(b, func() error { _, err := n.get(ctx); return err })
	})
}
