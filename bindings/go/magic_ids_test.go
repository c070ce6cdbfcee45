package moneykit_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// Every magic link id of the schema (schema/moneykit.json, "magic_ids") gives
// the status the schema says, through GetIdentity against the sandbox
// TestMain started. The call is the one gen/src/schema.rs MagicId::check()
// describes: the entry's `check`, else the id itself when its status is one
// MK_ name and its kind is neither prefix nor default; "{tag}" becomes a fresh
// tag; the options are check_options plus the check's own.

type magicCheck struct {
	ID      string         `json:"id"`
	Options map[string]any `json:"options"`
	Status  string         `json:"status"`
}

type magicEntry struct {
	ID     string      `json:"id"`
	Kind   string      `json:"kind"`
	Status string      `json:"status"`
	Check  *magicCheck `json:"check"`
}

// check is the call to make for e, or nil when its status depends on the
// input (such as mk_corpus_<name>, which the corpus tests cover).
func (e magicEntry) check() *magicCheck {
	if e.Check != nil {
		return e.Check
	}
	single := strings.HasPrefix(e.Status, "MK_") && strings.Trim(e.Status, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == ""
	if !single || e.Kind == "prefix" || e.Kind == "default" {
		return nil
	}
	return &magicCheck{ID: e.ID, Status: e.Status}
}

// applyOption sets the Options field of one options-JSON key.
func applyOption(t *testing.T, o *moneykit.Options, key string, v any) {
	t.Helper()
	n, ok := v.(float64)
	if !ok {
		t.Fatalf("option %s: %v is not a number; add its case to applyOption", key, v)
	}
	ms := time.Duration(n) * time.Millisecond
	switch key {
	case "timeout_ms":
		o.Timeout = ms
	case "deadline_ms":
		o.Deadline = ms
	case "connect_timeout_ms":
		o.ConnectTimeout = ms
	case "retry_base_ms":
		o.RetryBase = &ms
	case "max_retry_after_ms":
		o.MaxRetryAfter = &ms
	case "max_retries":
		o.MaxRetries = moneykit.Ptr(int(n))
	case "max_response_bytes":
		o.MaxResponseBytes = int(n)
	default:
		t.Fatalf("option %s: add its case to applyOption", key)
	}
}

func TestMagicIds(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "schema", "moneykit.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		MagicIDs struct {
			IDs          []magicEntry   `json:"ids"`
			CheckOptions map[string]any `json:"check_options"`
		} `json:"magic_ids"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range schema.MagicIDs.IDs {
		c := e.check()
		if c == nil {
			t.Logf("%s: status %q depends on the input; not checked here", e.ID, e.Status)
			continue
		}
		checked++
		t.Run(e.ID, func(t *testing.T) {
			t.Parallel()
			opts := moneykit.Options{BaseURL: sandboxURL, ClientID: "sandbox-client", ClientSecret: "sandbox-secret"}
			for k, v := range schema.MagicIDs.CheckOptions {
				applyOption(t, &opts, k, v)
			}
			for k, v := range c.Options {
				applyOption(t, &opts, k, v)
			}
			client, err := moneykit.NewClient(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			id := strings.ReplaceAll(c.ID, "{tag}", uniq("magic"))
			r, err := client.GetIdentity(bg, id)
			if c.Status == "MK_OK" {
				if err != nil {
					t.Fatalf("%s: %v, want MK_OK", id, err)
				}
				if len(r.Accounts) == 0 {
					t.Errorf("%s: no accounts", id)
				}
				return
			}
			var e *moneykit.Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: %v (%T), want an *Error with %s", id, err, err, c.Status)
			}
			if e.Status.String() != c.Status {
				t.Errorf("%s: status %s (%v), want %s", id, e.Status, err, c.Status)
			}
		})
	}
	if checked < 30 {
		t.Errorf("only %d magic ids have a check; the schema lists %d ids", checked, len(schema.MagicIDs.IDs))
	}
}
