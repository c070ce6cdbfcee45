package moneykit_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// ownerData returns every owner value of r (names, emails, phone numbers,
// address parts) and the amounts and account names, which no fmt verb may
// print.
func ownerData(r *moneykit.IdentityResponse) []string {
	var out []string
	add := func(p *string) {
		if p != nil && *p != "" {
			out = append(out, *p)
		}
	}
	for _, a := range r.Accounts {
		out = append(out, a.Name)
		add(a.Nickname)
		add(a.AccountMask)
		for _, d := range []*moneykit.Decimal{a.Balances.Available, a.Balances.Current} {
			if d != nil {
				out = append(out, d.String())
			}
		}
		for _, o := range a.Owners {
			out = append(out, o.Names...)
			for _, e := range o.Emails {
				out = append(out, e.Address)
			}
			for _, p := range o.PhoneNumbers {
				out = append(out, p.Number)
			}
			for _, ad := range o.Addresses {
				add(ad.Street)
				add(ad.City)
				add(ad.PostalCode)
			}
		}
	}
	return out
}

// verbs are the fmt forms a program may log a value with.
var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"}

// leaks returns the owner values that any fmt verb prints of v (plainly or
// hex-encoded, as %x writes strings).
func leaks(v any, secrets []string) []string {
	var found []string
	for _, verb := range verbs {
		out := fmt.Sprintf(verb, v) + fmt.Sprintln(v) + fmt.Sprint(v)
		for _, s := range secrets {
			if strings.Contains(out, s) || strings.Contains(strings.ToLower(out), hex.EncodeToString([]byte(s))) {
				if len(out) > 200 {
					out = out[:200] + "..."
				}
				found = append(found, fmt.Sprintf("%s shows %q: %s", verb, s, out))
				break
			}
		}
	}
	return found
}

// The response types, the owners and the claim print ids, enum values,
// flags, timestamps and counts, never owner data, with every fmt verb
// (README, "Types"); the data stays in the fields. Before: fmt.Println(resp)
// printed every owner's names, emails, phones and addresses.
func TestFormattingShowsNoOwnerData(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	r, err := c.GetIdentity(bg, "mk_sandbox_ok")
	if err != nil {
		t.Fatal(err)
	}
	pii := ownerData(r)
	if len(pii) < 20 || r.Accounts[0].Owners[0].Names[0] != "José Álvarez" {
		t.Fatalf("the fixture changed: %d owner values, first owner %v", len(pii), r.Accounts[0].Owners[0].Names)
	}
	owner := r.Accounts[0].Owners[1]
	claim := moneykit.Claim{
		Name: "Zoë Łukasiewicz", Email: "zoe@example.net", Phone: "+1 415 555 0142",
		Address: &moneykit.ClaimAddress{Street: "ul. Floriańska 14", City: "Kraków", PostalCode: "31-008", Country: "PL"},
	}
	values := map[string]any{
		"*IdentityResponse": r, "IdentityResponse": *r, "[]Account": r.Accounts, "Account": r.Accounts[0],
		"*Account": &r.Accounts[0], "Owner": owner, "[]Owner": r.Accounts[0].Owners, "Address": owner.Addresses[1],
		"Email": owner.Emails[0], "PhoneNumber": owner.PhoneNumbers[0], "Balances": r.Accounts[0].Balances,
		"Link": r.Link, "Claim": claim, "*Claim": &claim, "ClaimAddress": *claim.Address,
		"error with Stale": &moneykit.Error{Status: moneykit.StatusTimeout, Name: "MK_ERR_TIMEOUT", Message: "m", Stale: r},
		"BatchResult":      moneykit.BatchResult{Index: 1, LinkID: "mk_sandbox_ok", Identity: r, JSON: rawIdentity(t, "mk_sandbox_ok")},
	}
	secrets := append(pii, "zoe@example.net", "+1 415 555 0142")
	for name, v := range values {
		for _, l := range leaks(v, secrets) {
			t.Errorf("%s: %s", name, l)
		}
	}

	// What they do show: ids and counts.
	got := fmt.Sprint(r)
	for _, want := range []string{"LinkID: mk_sandbox_ok", "State: connected", "Accounts: len 2", "RequestID: " + r.RequestID()} {
		if !strings.Contains(got, want) {
			t.Errorf("fmt.Sprint(identity) = %s: no %q", got, want)
		}
	}
	got = fmt.Sprint(r.Accounts)
	for _, want := range []string{"AccountID: acc_6Tef269B6ZArSVpYrxtjBV", "AccountID: acc_2Xq8PnL4cWd7RkYs9TbEhM", "Owners: len 2", "Owners: len 1"} {
		if !strings.Contains(got, want) {
			t.Errorf("fmt.Sprint(identity.Accounts) = %s: no %q", got, want)
		}
	}
	if got, want := fmt.Sprint(owner), "Owner{Names: len 2, Addresses: len 2, PhoneNumbers: len 1, Emails: len 2}"; got != want {
		t.Errorf("owner: %s, want %s", got, want)
	}
	if got, want := fmt.Sprintf("%#v", owner.PhoneNumbers[0]), "moneykit.PhoneNumber{Type: work}"; got != want {
		t.Errorf("%%#v of a phone number: %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(claim), "Claim{Name: given, Email: given, Phone: given, Address: ClaimAddress{Street: given, City: given, PostalCode: given, Country: given}}"; got != want {
		t.Errorf("claim: %s, want %s", got, want)
	}
	// The data is still in the fields.
	if owner.Names[0] != "Zoë Łukasiewicz" || owner.Emails[1].Address != "zoe@example.net" || *owner.Addresses[1].Street != "ul. Floriańska 14" {
		t.Errorf("owner fields: %q %q %q", owner.Names, owner.Emails[1].Address, *owner.Addresses[1].Street)
	}
	var e *moneykit.Error
	if errors.As(values["error with Stale"].(error), &e) && e.Stale != r {
		t.Error("Stale lost")
	}
}

// Options print the fields set, with the secrets (ClientSecret, AccessToken)
// as <redacted>, whatever the verb: `log.Printf("%+v", opts)` is safe. Before:
// every fmt verb printed both secrets.
func TestOptionsFormattingHidesSecrets(t *testing.T) {
	t.Parallel()
	opts := moneykit.Options{
		ClientID: "client-1", ClientSecret: "s3cret-value", AccessToken: "tok-secret-value",
		BaseURL: "https://api.example.com", Timeout: 10 * time.Second, MaxRetries: moneykit.Retries(0),
		LogLevel: moneykit.LogLevelWarn,
	}
	for _, l := range leaks(opts, []string{"s3cret-value", "tok-secret-value"}) {
		t.Errorf("Options: %s", l)
	}
	for _, l := range leaks(&opts, []string{"s3cret-value", "tok-secret-value"}) {
		t.Errorf("*Options: %s", l)
	}
	got := fmt.Sprintf("%+v", opts)
	want := "Options{ClientID: client-1, ClientSecret: <redacted>, BaseURL: https://api.example.com, " +
		"AccessToken: <redacted>, Timeout: 10s, MaxRetries: 0, LogLevel: warn}"
	if got != want {
		t.Errorf("%%+v of Options:\n got %s\nwant %s", got, want)
	}
	if opts.ClientSecret != "s3cret-value" {
		t.Error("the field changed")
	}
	// A proxy's user and password are secrets too.
	proxied := moneykit.Options{Proxy: "http://user:pr0xy-pass@proxy.example:3128/"}
	if got, want := fmt.Sprint(proxied), "Options{Proxy: http://<redacted>@proxy.example:3128/}"; got != want {
		t.Errorf("proxy: %s, want %s", got, want)
	}
}
