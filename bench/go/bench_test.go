// P3: the Go binding's GetIdentity / GetIdentityJSON vs net/http + encoding/json
// decoding into structs of the same fields, against the sandbox at
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

// The structs a Go user would write for encoding/json: the schema's fields with
// the binding's names, amounts as json.Number (exact text, like moneykit.Decimal)
// and timestamps as their text (encoding/json's time.Time takes only RFC 3339,
// not the bare dates MoneyKit sends, so this side skips the parsing the binding
// does). The binding itself reads through the typed C view, not encoding/json.
type idResponse struct {
	Accounts []idAccount `json:"accounts"`
	Link     idLink      `json:"link"`
}

type idAccount struct {
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
	OriginalID *string   `json:"original_id"`
	Closed     *bool     `json:"closed"`
	Owners     []idOwner `json:"owners"`
}

type idOwner struct {
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
}

type idLink struct {
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
}

// BenchmarkNetHTTP is what a Go user would write by hand: one http.Client
// (keep-alive pool), the same headers, encoding/json into the structs above.
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
		var id idResponse
		if err := json.Unmarshal(body, &id); err != nil {
			return err
		}
		if len(id.Accounts) < 2 {
			return fmt.Errorf("expected 2 accounts, got %d", len(id.Accounts))
		}
		return nil
	})
}
