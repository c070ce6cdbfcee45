package moneykit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// The sandbox's shared table of forged or damaged deliveries (GET
// /_sandbox/webhooks/forgeries, made with its current key and clock): each
// refused by WebhookVerifier with ErrSignature and exactly the entry's reason,
// none accepted. The Rust core, Python and C++ check the same table.

type sandboxForgery struct {
	Name      string  `json:"name"`
	Signature *string `json:"signature"`
	Body      string  `json:"body"`
	Reason    string  `json:"reason"`
}

func TestWebhookSandboxForgeries(t *testing.T) {
	resp, err := http.Get(sandboxURL + "/_sandbox/webhooks/forgeries")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var table struct {
		Forgeries []sandboxForgery `json:"forgeries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&table); err != nil || resp.StatusCode != 200 {
		t.Fatalf("forgeries: %d %v", resp.StatusCode, err)
	}
	if len(table.Forgeries) < 30 {
		t.Fatalf("%d forgeries, want at least 30", len(table.Forgeries))
	}
	v, err := newClient(t, nil).NewWebhookVerifier(moneykit.WebhookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	reasons := map[string]bool{}
	for _, f := range table.Forgeries {
		var d *moneykit.WebhookDelivery
		if f.Signature == nil {
			// No MoneyKit-Signature header at all, through VerifyRequest.
			r := httptest.NewRequest("POST", "/hook", bytes.NewReader([]byte(f.Body)))
			d, err = v.VerifyRequest(r)
		} else {
			d, err = v.Verify(context.Background(), *f.Signature, []byte(f.Body))
		}
		var e *moneykit.Error
		switch {
		case err == nil:
			t.Errorf("%s: ACCEPTED (%v), want %s", f.Name, d.Status, f.Reason)
		case !errors.Is(err, moneykit.ErrSignature) || !errors.As(err, &e) || e.Reason != f.Reason:
			t.Errorf("%s: got %v, want reason %s", f.Name, err, f.Reason)
		case moneykit.WebhookResponseStatus(err) != 400:
			t.Errorf("%s: answered %d, want 400", f.Name, moneykit.WebhookResponseStatus(err))
		default:
			reasons[f.Reason] = true
		}
	}
	if len(reasons) != 9 {
		t.Errorf("reasons refused as expected: %v, want all 9", reasons)
	}
}
