package moneykit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// The field types: Timestamp carries what the core's parser read of the
// schema's whole grammar, Decimal keeps the text, maps drop null entries.

// bodyWithDate is the small test body with balance_date set to the JSON value js.
func bodyWithDate(js string) []byte {
	return small(js, `{"address":"jo@example.com"}`, "null")
}

// The core parses timestamps (the one parser); the binding copies what it
// made out of the typed view: the instant, how it was written, the text.
func TestTimestampGrammar(t *testing.T) {
	t.Parallel()
	type want struct {
		canonical          string
		dateOnly, noOffset bool
	}
	for in, w := range map[string]want{
		"2023-02-16":                        {"2023-02-16T00:00:00.000000Z", true, true},
		"2024-02-29":                        {"2024-02-29T00:00:00.000000Z", true, true},
		"2023-02-16T09:14":                  {"2023-02-16T09:14:00.000000Z", false, true},
		"2023-02-16T09:14Z":                 {"2023-02-16T09:14:00.000000Z", false, false},
		"2023-02-16T09:14:11":               {"2023-02-16T09:14:11.000000Z", false, true},
		"2023-02-16t09:14:11z":              {"2023-02-16T09:14:11.000000Z", false, false},
		"2023-02-16 09:14:11.5":             {"2023-02-16T09:14:11.500000Z", false, true},
		"2023-02-16T09:14:11.123456789123Z": {"2023-02-16T09:14:11.123456Z", false, false},
		"2023-02-16T09:14:11.9999999Z":      {"2023-02-16T09:14:11.999999Z", false, false},
		"2023-02-16T09:14:11+02:00":         {"2023-02-16T07:14:11.000000Z", false, false},
		"2023-02-16T09:14:11-0500":          {"2023-02-16T14:14:11.000000Z", false, false},
		"2023-02-16T09:14:11+05":            {"2023-02-16T04:14:11.000000Z", false, false},
		"2023-12-31T23:30:00-23:59":         {"2024-01-01T23:29:00.000000Z", false, false},
		"0001-01-01T00:00:00Z":              {"0001-01-01T00:00:00.000000Z", false, false},
		"9999-12-31T23:59:59.999999Z":       {"9999-12-31T23:59:59.999999Z", false, false},
	} {
		r, err := moneykit.ParseIdentity(bodyWithDate(`"` + in + `"`))
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		ts := r.Accounts[0].Balances.BalanceDate
		if ts == nil {
			t.Errorf("%q: balance_date is nil", in)
			continue
		}
		if got := (want{ts.Canonical(), ts.DateOnly, ts.NoOffset}); got != w || ts.Raw != in || ts.String() != in {
			t.Errorf("%q: got %+v raw %q, want %+v", in, got, ts.Raw, w)
		}
		if ts.Time.Location() != time.UTC {
			t.Errorf("%q: Time not in UTC: %v", in, ts.Time.Location())
		}
	}
	for _, bad := range []string{"", "yesterday", "2023-02-30", "2023-13-01", "2023-00-10", "0000-01-01",
		"2023-2-16", "2023-02-16Z", "2023-02-16T", "2023-02-16T9:14", "2023-02-16T24:00", "2023-02-16T09:60",
		"2023-02-16T09:14:60", "2023-02-16T09:14.5", "2023-02-16T09:14:11.", "2023-02-16T09:14:11+2",
		"2023-02-16T09:14:11+24:00", "2023-02-16T09:14:11+01:60", "2023-02-16T09:14:11 ", "2023-02-16T09:14:11+01:0"} {
		r, err := moneykit.ParseIdentity(bodyWithDate(`"` + bad + `"`))
		if err == nil {
			t.Errorf("%q accepted as %+v", bad, r.Accounts[0].Balances.BalanceDate)
			continue
		}
		const want = "accounts[0].balances.balance_date: expected ISO-8601 date-time"
		if !errors.Is(err, moneykit.ErrDecode) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want ErrDecode with %q", bad, err, want)
		}
		if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("%q: the error quotes the value: %v", bad, err)
		}
	}
}

func TestTimestampAndProductFields(t *testing.T) {
	t.Parallel()
	body := bytes.Replace(bodyWithDate(`"2023\u002d02-16"`),
		[]byte(`"identity":{"refreshed_at":"2023-02-16T09:14:11Z","settings":null}`),
		[]byte(`"identity":{"refreshed_at":"2023-02-16 09:14:11","last_attempted_at":null,"error_code":"x","settings":{"reason":"r"}}`), 1)
	r, err := moneykit.ParseIdentity(body)
	if err != nil {
		t.Fatal(err)
	}
	p := r.Link.Products["identity"]
	check(t, "refreshed_at", p.RefreshedAt.Time, mustTime("2023-02-16T09:14:11Z"))
	check(t, "no offset", p.RefreshedAt.NoOffset, true)
	check(t, "last_attempted_at", p.LastAttemptedAt, (*moneykit.Timestamp)(nil))
	check(t, "unknown error code kept", deref(p.ErrorCode), moneykit.ProductErrorCode("x"))
	check(t, "settings", string(p.Settings), `{"reason":"r"}`)
	// Escaped text is unescaped first; the raw text round-trips.
	if ts := r.Accounts[0].Balances.BalanceDate; ts == nil || !ts.DateOnly || ts.Raw != "2023-02-16" {
		t.Errorf("escaped: %+v", ts)
	}
	out, _ := json.Marshal(p.RefreshedAt)
	check(t, "marshal", string(out), `"2023-02-16 09:14:11"`)
	if _, err := moneykit.ParseIdentity(bodyWithDate(`12`)); !errors.Is(err, moneykit.ErrDecode) {
		t.Errorf("a number as a timestamp: %v", err)
	}
}

func TestDecimal(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"0": "0", "-0": "0", "-0.0": "0", "0.000e5": "0", "12": "12", "100": "100", "1.50": "1.5",
		"1e3": "1000", "1E+3": "1000", "1E-3": "0.001", "-12.340e+2": "-1234", "5e-7": "0.0000005",
		"340.12": "340.12", "0.00012345": "0.00012345", "-0.5": "-0.5", "123.456e1": "1234.56",
		"1234567890123456789012345678901234567890":  "1234567890123456789012345678901234567890",
		"12345678901234567890.12345678901234567890": "12345678901234567890.1234567890123456789",
	} {
		if got := moneykit.Decimal(in).Canonical(); got != want {
			t.Errorf("%s: Canonical() = %s, want %s", in, got, want)
		}
	}
	body := bytes.Replace(small(`null`, `{"address":"jo@example.com"}`, "null"), []byte(`"current":12.5`),
		[]byte(`"available":1e3,"current":-0.10,"limit":null`), 1)
	r, err := moneykit.ParseIdentity(body)
	if err != nil {
		t.Fatal(err)
	}
	b := r.Accounts[0].Balances
	check(t, "text kept", *b.Available, moneykit.Decimal("1e3"))
	check(t, "limit", b.Limit, (*moneykit.Decimal)(nil))
	check(t, "float", b.Current.Float64(), -0.1)
	check(t, "rat", b.Available.Rat().Cmp(big.NewRat(1000, 1)), 0)
	out, _ := json.Marshal(b)
	if !strings.Contains(string(out), `"available":1e3`) {
		t.Errorf("marshal: %s", out)
	}
	bad := bytes.Replace(body, []byte(`"available":1e3`), []byte(`"available":"12"`), 1)
	if _, err := moneykit.ParseIdentity(bad); !errors.Is(err, moneykit.ErrDecode) {
		t.Errorf("a string as a decimal: %v", err)
	}
}

// Null map entries are left out (absent and null are the same).
func TestNullProductEntriesDropped(t *testing.T) {
	t.Parallel()
	r, err := moneykit.ParseIdentity(small(`null`, `{"address":"jo@example.com"}`, "null"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Link.Products["investments"]; ok || len(r.Link.Products) != 1 {
		t.Errorf("products %v: want only identity", r.Link.Products)
	}
}
