package moneykit_test

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func check(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func mustTime(s string) time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return v
}

// mk_sandbox_ok, field by field, including exact decimal amounts.
func TestGetIdentityOK(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	r, err := c.GetIdentity(bg, "mk_sandbox_ok")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Accounts) != 2 {
		t.Fatalf("%d accounts, want 2", len(r.Accounts))
	}
	a, s := r.Accounts[0], r.Accounts[1]
	check(t, "account_id", a.AccountID, "acc_6Tef269B6ZArSVpYrxtjBV")
	check(t, "account_type", a.AccountType, "depository.checking")
	check(t, "name", a.Name, "Premier Checking")
	check(t, "nickname", a.Nickname, (*string)(nil))
	check(t, "account_mask", deref(a.AccountMask), "3748")
	check(t, "original_id", a.OriginalID, (*string)(nil))
	check(t, "closed", deref(a.Closed), false)
	check(t, "currency", deref(a.Balances.Currency), "USD")
	check(t, "available", deref(a.Balances.Available), moneykit.Decimal("340.12"))
	check(t, "current", deref(a.Balances.Current), moneykit.Decimal("445.89"))
	check(t, "limit", a.Balances.Limit, (*moneykit.Decimal)(nil))
	check(t, "balance_date", a.Balances.BalanceDate.Time, mustTime("2023-02-16T09:14:11Z"))
	check(t, "balance_date raw", a.Balances.BalanceDate.Raw, "2023-02-16T09:14:11Z")
	check(t, "savings nickname", deref(s.Nickname), "Rainy day fund")
	check(t, "savings available", deref(s.Balances.Available), moneykit.Decimal("500"))
	check(t, "savings current", deref(s.Balances.Current), moneykit.Decimal("500"))

	// Amounts stay exact: 340.12 + 445.89 is 786.01 to the cent.
	sum := new(big.Rat)
	for _, n := range []*moneykit.Decimal{a.Balances.Available, a.Balances.Current} {
		v := n.Rat()
		if v == nil {
			t.Fatalf("not a decimal: %s", *n)
		}
		sum.Add(sum, v)
	}
	check(t, "sum", sum.FloatString(2), "786.01")

	var owners []moneykit.Owner
	for _, acc := range r.Accounts {
		owners = append(owners, acc.Owners...)
	}
	if len(owners) != 3 {
		t.Fatalf("%d owners, want 3", len(owners))
	}
	check(t, "owner 0 names", owners[0].Names, []string{"José Álvarez"})
	check(t, "owner 1 names", owners[1].Names, []string{"Zoë Łukasiewicz", "Zoe Lukasiewicz"})
	check(t, "owner 2 names", owners[2].Names, []string{"Margaret O'Brien"})
	addr := owners[1].Addresses[1]
	check(t, "city", deref(addr.City), "Kraków")
	check(t, "region", addr.Region, (*string)(nil))
	check(t, "street", deref(addr.Street), "ul. Floriańska 14")
	check(t, "primary", deref(addr.Primary), false)
	check(t, "phones", owners[0].PhoneNumbers[0].Number, "+14155550123")
	check(t, "phone type", owners[0].PhoneNumbers[0].Type, moneykit.PhoneNumberTypeMobile)
	check(t, "phone primary null", owners[1].PhoneNumbers[0].Primary, (*bool)(nil))
	check(t, "email", owners[1].Emails[1].Address, "zoe@example.net")
	check(t, "email primary null", owners[1].Emails[1].Primary, (*bool)(nil))

	l := r.Link
	check(t, "link_id", l.LinkID, "mk_sandbox_ok")
	check(t, "institution", l.InstitutionID+"/"+l.InstitutionName, "chase/Chase")
	check(t, "avatar", strings.HasPrefix(l.InstitutionAvatar, "https://"), true)
	check(t, "state", l.State, moneykit.LinkStateConnected)
	check(t, "provider", l.Provider, moneykit.ProviderMoneykit)
	check(t, "error_code", l.ErrorCode, (*moneykit.LinkErrorCode)(nil))
	check(t, "webhook", l.Webhook, (*string)(nil))
	check(t, "last_synced_at", l.LastSyncedAt.Time, mustTime("2023-02-16T09:14:11Z"))
	check(t, "link_tags", l.LinkTags, []string{"sandbox", "user_type:admin"})
	check(t, "tags", l.Tags, []string(nil))
	check(t, "available_products", l.AvailableProducts, []string{"accounts", "identity", "transactions"})
	id := l.Products["identity"]
	check(t, "identity.refreshed_at", id.RefreshedAt.Time, mustTime("2023-02-16T09:14:11Z"))
	var settings struct {
		Reason   string `json:"reason"`
		Required bool   `json:"required"`
	}
	if err := json.Unmarshal(id.Settings, &settings); err != nil {
		t.Fatalf("identity.settings %s: %v", id.Settings, err)
	}
	check(t, "identity.settings.reason", settings.Reason, "Verify that you own this account")
	check(t, "identity.settings.required", settings.Required, true)
	tx := l.Products["transactions"]
	check(t, "transactions.has_history", deref(tx.HasHistory), false)
	check(t, "transactions.refreshed_at", tx.RefreshedAt, (*moneykit.Timestamp)(nil))
	check(t, "transactions.settings", tx.Settings, json.RawMessage(nil))
	check(t, "RefreshedAt()", deref(r.RefreshedAt()), mustTime("2023-02-16T09:14:11Z"))
}

// GetIdentityJSON returns the server's body byte for byte.
func TestGetIdentityJSONIsTheBody(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	for _, link := range []string{"mk_sandbox_ok", "mk_sandbox_unicode", "mk_sandbox_extra_fields"} {
		got, err := c.GetIdentityJSON(bg, link)
		if err != nil {
			t.Fatalf("%s: %v", link, err)
		}
		if want := rawIdentity(t, link); !bytes.Equal(got, want) {
			t.Errorf("%s: body differs from the server's (%d vs %d bytes)", link, len(got), len(want))
		}
	}
}

// Account ids filter the accounts and are sent as repeated, encoded,
// ordered account_ids pairs.
func TestAccountIDFiltering(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	ids := func(r *moneykit.IdentityResponse) []string {
		var out []string
		for _, a := range r.Accounts {
			out = append(out, a.AccountID)
		}
		return out
	}
	r, err := c.GetIdentity(bg, "mk_sandbox_ok", "acc_2Xq8PnL4cWd7RkYs9TbEhM")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "one id", ids(r), []string{"acc_2Xq8PnL4cWd7RkYs9TbEhM"})
	check(t, "its owner", r.Accounts[0].Owners[0].Names, []string{"Margaret O'Brien"})

	r, err = c.GetIdentity(bg, "mk_sandbox_ok", "acc_6Tef269B6ZArSVpYrxtjBV", "acc_2Xq8PnL4cWd7RkYs9TbEhM")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "two ids", ids(r), []string{"acc_6Tef269B6ZArSVpYrxtjBV", "acc_2Xq8PnL4cWd7RkYs9TbEhM"})

	r, err = c.GetIdentity(bg, "mk_sandbox_ok", "acc_unknown")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "unknown id", len(r.Accounts), 0)

	// The query string, as the sandbox received it.
	tag := uniq("acc_")
	if _, err := c.GetIdentity(bg, "mk_sandbox_ok", tag+"_b", tag+" a&x=1", "é/?#"); err != nil {
		t.Fatal(err)
	}
	reqs := requestsFor(t, tag)
	if len(reqs) != 1 {
		t.Fatalf("%d requests recorded with %s", len(reqs), tag)
	}
	want := "/links/mk_sandbox_ok/identity?account_ids=" + tag + "_b&account_ids=" + tag + "%20a%26x%3D1&account_ids=%C3%A9%2F%3F%23"
	check(t, "target", reqs[0].Target, want)
}

// Unicode owners and names come through intact, escapes included.
func TestUnicodeOwners(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	raw, err := c.GetIdentityJSON(bg, "mk_sandbox_unicode")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.GetIdentity(bg, "mk_sandbox_unicode")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range r.Accounts {
		for _, o := range a.Owners {
			names = append(names, o.Names...)
		}
	}
	for _, want := range []string{"山田 太郎", "محمد عبد الله", "אברהם כהן", "Zoe\u0308 A\u030angstro\u0308m" /* NFD, kept decomposed */, "tab\there\u2028line-sep", "🧑🏽‍💻 Dev \"Quote\" O\\Slash", "Ｆｕｌｌｗｉｄｔｈ　Ｎａｍｅ"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("owner name %q missing from %q", want, names)
		}
	}
	// Compare every name with a generic decode of the raw body.
	var generic struct {
		Accounts []struct {
			Name     string `json:"name"`
			Nickname *string
			Owners   []struct {
				Names []string `json:"names"`
			} `json:"owners"`
		} `json:"accounts"`
		Link struct {
			InstitutionName string `json:"institution_name"`
		} `json:"link"`
	}
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	var genericNames []string
	for i, a := range generic.Accounts {
		check(t, "account name", r.Accounts[i].Name, a.Name)
		for _, o := range a.Owners {
			genericNames = append(genericNames, o.Names...)
		}
	}
	check(t, "names", names, genericNames)
	check(t, "institution", r.Link.InstitutionName, "Chase 銀行 🏦")
	check(t, "nickname", deref(r.Accounts[0].Nickname), "家族の口座 👨‍👩‍👧")
	check(t, "yen", deref(r.Accounts[0].Balances.Available), moneykit.Decimal("1234567"))
	check(t, "cent", deref(r.Accounts[1].Balances.Available), moneykit.Decimal("0.01"))
	check(t, "null date", r.Accounts[1].Balances.BalanceDate, (*moneykit.Timestamp)(nil))
	check(t, "null closed", r.Accounts[1].Closed, (*bool)(nil))
}

// Absent optional fields are nil; empty lists are empty, not nil.
func TestMinimalAndExtraFields(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	r, err := c.GetIdentity(bg, "mk_sandbox_minimal")
	if err != nil {
		t.Fatal(err)
	}
	a := r.Accounts[0]
	check(t, "balances", a.Balances, moneykit.Balances{})
	check(t, "nickname", a.Nickname, (*string)(nil))
	check(t, "closed", a.Closed, (*bool)(nil))
	check(t, "owners", a.Owners, []moneykit.Owner{})
	o := r.Accounts[1].Owners[0]
	check(t, "empty owner", o, moneykit.Owner{Names: []string{}, Addresses: []moneykit.Address{}, PhoneNumbers: []moneykit.PhoneNumber{}, Emails: []moneykit.Email{}})
	check(t, "link tags", r.Link.LinkTags, []string(nil))
	check(t, "available products", r.Link.AvailableProducts, []string{})
	check(t, "identity product", r.Link.Products["identity"], moneykit.LinkProduct{})
	check(t, "RefreshedAt", r.RefreshedAt(), (*time.Time)(nil))
	check(t, "IsNewerThan(nil) without refreshed_at", r.IsNewerThan(nil), false)

	r, err = c.GetIdentity(bg, "mk_sandbox_extra_fields")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "unknown account type", r.Accounts[1].AccountType, "other.crypto_wallet")
	check(t, "satoshis", deref(r.Accounts[1].Balances.Available), moneykit.Decimal("0.00012345"))
	check(t, "unknown phone type", r.Accounts[0].Owners[0].PhoneNumbers[1].Type, moneykit.PhoneNumberType("pager"))
	check(t, "unknown state", r.Link.State, moneykit.LinkState("migrating"))
	check(t, "tags", r.Link.Tags, []string{"sandbox", "user_type:admin"})
	check(t, "future product", deref(r.Link.Products["future_product"].ErrorCode), moneykit.ProductErrorCode("future_error"))
	check(t, "future product listed", r.Link.AvailableProducts[3], "future_product")
}

func TestLargeResponse(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	r, err := c.GetIdentity(bg, "mk_sandbox_large")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "accounts", len(r.Accounts), 1000)
	check(t, "owners of the last", len(r.Accounts[999].Owners), 2)
}

// RefreshedAt grows by one second per request to mk_sandbox_refreshing;
// IsNewerThan follows it.
func TestRefreshedAtAndIsNewerThan(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	first, err := c.GetIdentity(bg, "mk_sandbox_refreshing")
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.GetIdentity(bg, "mk_sandbox_refreshing")
	if err != nil {
		t.Fatal(err)
	}
	t1, t2 := first.RefreshedAt(), second.RefreshedAt()
	if t1 == nil || t2 == nil {
		t.Fatalf("RefreshedAt: %v, %v", t1, t2)
	}
	if d := t2.Sub(*t1); d < time.Second {
		t.Errorf("refreshed_at grew by %v, want at least 1 s", d)
	}
	if !t1.After(mustTime("2023-02-16T09:14:10Z")) {
		t.Errorf("first refreshed_at %v", t1)
	}
	check(t, "second newer than first", second.IsNewerThan(first), true)
	check(t, "first newer than second", first.IsNewerThan(second), false)
	check(t, "newer than itself", first.IsNewerThan(first), false)
	check(t, "newer than nil", first.IsNewerThan(nil), true)
	var none *moneykit.IdentityResponse
	check(t, "nil receiver", none.IsNewerThan(first), false)
	check(t, "nil RefreshedAt", none.RefreshedAt(), (*time.Time)(nil))
}

// Options become the C options JSON: zero values omitted, durations in ms.
func TestOptionsJSON(t *testing.T) {
	t.Parallel()
	js, err := moneykit.OptionsJSON(moneykit.Options{ClientID: "id", ClientSecret: "secret"})
	if err != nil || js != "{}" {
		t.Errorf("zero options: %s %v", js, err)
	}
	js, err = moneykit.OptionsJSON(moneykit.Options{
		BaseURL: "https://x", AccessToken: "tok", Auth: moneykit.AuthHeaders, MoneyKitVersion: "2023-02-18",
		Timeout: 1500 * time.Millisecond, Deadline: 4 * time.Second, ConnectTimeout: 200 * time.Microsecond, MaxRetries: moneykit.Retries(0),
		RetryBase: moneykit.Ptr(10 * time.Millisecond), MaxRetryAfter: moneykit.Ptr(2 * time.Second), MaxResponseBytes: 1 << 20,
		UserAgent: "app/1", Proxy: "http://proxy:3128", CAFile: "/ca.pem", LogLevel: "warn", TimeScale: 60,
		AppPerMinute: 300, LinkPerMinute: 2, CoordinationURL: "redis://:pw@10.0.0.5/0",
		CoordinationTimeout: 250 * time.Millisecond, CoordinationLeaseMax: 8,
		CoordinationReservePerMinute: moneykit.Ptr(0), CoordinationFallbackShare: 0.5,
	})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"base_url": "https://x", "access_token": "tok", "auth": "headers", "moneykit_version": "2023-02-18",
		"timeout_ms": 1500.0, "deadline_ms": 4000.0, "connect_timeout_ms": 1.0, "max_retries": 0.0, "retry_base_ms": 10.0,
		"max_retry_after_ms": 2000.0, "max_response_bytes": 1048576.0, "user_agent": "app/1",
		"proxy": "http://proxy:3128", "ca_file": "/ca.pem", "log_level": "warn", "time_scale": 60.0,
		"app_per_minute": 300.0, "link_per_minute": 2.0, "coordination_url": "redis://:pw@10.0.0.5/0",
		"coordination_timeout_ms": 250.0, "coordination_lease_max": 8.0,
		"coordination_reserve_per_minute": 0.0, "coordination_fallback_share": 0.5,
	}
	check(t, "options JSON", got, want)
	// Every option of the schema has its field (a new key needs one here).
	var schema struct {
		Options []struct {
			Key string `json:"key"`
		} `json:"options"`
	}
	b, err := os.ReadFile(filepath.Join(repoRoot, "schema", "moneykit.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &schema); err != nil || len(schema.Options) == 0 {
		t.Fatalf("schema options: %d, %v", len(schema.Options), err)
	}
	for _, o := range schema.Options {
		if _, ok := want[o.Key]; !ok {
			t.Errorf("schema option %q has no Options field", o.Key)
		}
	}
	js, _ = moneykit.OptionsJSON(moneykit.Options{Timeout: -time.Microsecond})
	check(t, "negative", js, `{"timeout_ms":-1}`)
}

// Auth modes and options reach the wire as documented.
func TestAuthModesAndHeaders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(*moneykit.Options)
		check func(t *testing.T, r recordedRequest)
	}{
		{"token", nil, func(t *testing.T, r recordedRequest) {
			check(t, "authorization", r.Authorization, true)
			check(t, "x-client-id", r.XClientID, (*string)(nil))
		}},
		{"headers", func(o *moneykit.Options) { o.Auth = moneykit.AuthHeaders }, func(t *testing.T, r recordedRequest) {
			check(t, "authorization", r.Authorization, false)
			check(t, "x-client-id", deref(r.XClientID), "sandbox-client")
			check(t, "x-client-secret", r.XClientSecret, true)
		}},
		{"static token", func(o *moneykit.Options) { o.AccessToken = "sandbox-access-token"; o.ClientID, o.ClientSecret = "", "" },
			func(t *testing.T, r recordedRequest) { check(t, "authorization", r.Authorization, true) }},
		{"user agent", func(o *moneykit.Options) { o.UserAgent = "myapp/1.0" }, func(t *testing.T, r recordedRequest) {
			ua := deref(r.UserAgent).(string)
			if !strings.HasPrefix(ua, "moneykit-native/") || !strings.HasSuffix(ua, "myapp/1.0") {
				t.Errorf("user agent %q", ua)
			}
			check(t, "moneykit-version", deref(r.MoneyKitVersion), "2023-02-18")
			check(t, "accept", deref(r.Accept), "application/json")
		}},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, tc.edit)
			link := uniq("mk_sandbox_auth_")
			_, err := c.GetIdentity(bg, link)
			wantErr(t, err, moneykit.StatusNotFound)
			reqs := requestsFor(t, link)
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			tc.check(t, reqs[0])
		})
	}
}

// Empty Options fall back to MONEYKIT_BASE_URL / _CLIENT_ID / _CLIENT_SECRET
// (TestMain points them at the sandbox).
func TestEnvironmentFallback(t *testing.T) {
	t.Parallel()
	c, err := moneykit.NewClient(moneykit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.GetIdentity(bg, "mk_sandbox_ok"); err != nil {
		t.Fatal(err)
	}
}

// A link id is one path segment: nothing reaches another endpoint.
func TestHostileLinkIDs(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	for _, link := range []string{"../../auth/token", "mk_sandbox_ok/../x", "a?b#c", "%2e%2e", "  ", "mk_sandbox_ok/"} {
		_, err := c.GetIdentity(bg, link)
		wantErr(t, err, moneykit.StatusNotFound)
	}
}
