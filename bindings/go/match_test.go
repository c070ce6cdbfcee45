package moneykit_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// mk_sandbox_ok's Margaret O'Brien (savings account), written differently
// (docs/C-API.md's example).
var okClaim = moneykit.Claim{
	Name:  "Peggy OBrien",
	Email: "M.OBrien@example.com",
	Phone: "(617) 555-1212",
	Address: &moneykit.ClaimAddress{Street: "77 Beacon Street", City: "Boston", Region: "Massachusetts",
		PostalCode: "02116-4501", Country: "USA"},
}

var otherPerson = moneykit.Claim{
	Name:  "Henry Kowalski",
	Email: "hkowalski@example.org",
	Phone: "+1 312 555 0199",
	Address: &moneykit.ClaimAddress{Street: "5 Lake Shore Drive", City: "Chicago", Region: "IL",
		PostalCode: "60611", Country: "US"},
}

const (
	okChecking = "acc_6Tef269B6ZArSVpYrxtjBV"
	okSavings  = "acc_2Xq8PnL4cWd7RkYs9TbEhM"
)

func TestMatchOwnersSandboxOwnerWrittenDifferently(t *testing.T) {
	c := newClient(t, nil)
	body, err := c.GetIdentityJSON(bg, "mk_sandbox_ok")
	if err != nil {
		t.Fatal(err)
	}
	m, err := moneykit.MatchOwners(body, okClaim)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Accounts) != 2 || m.Best == nil {
		t.Fatalf("%+v", m)
	}
	best := *m.Best
	if best.AccountID != okSavings || best.OwnerIndex == nil || *best.OwnerIndex != 0 || best.Score < moneykit.MatchScore {
		t.Errorf("best %+v", best)
	}
	if *best.Name != (moneykit.NameScore{Score: 90, Nickname: true}) {
		t.Errorf("name %+v", *best.Name)
	}
	if best.Email.Score != 100 || best.Phone.Score != 100 || best.Address.Score < 80 || !best.Address.PostalCodeMatch {
		t.Errorf("fields %+v %+v %+v", *best.Email, *best.Phone, *best.Address)
	}
	if !reflect.DeepEqual(m.Accounts[1], best) {
		t.Errorf("accounts[1] %+v != best", m.Accounts[1])
	}
	if m.Accounts[0].AccountID != okChecking || m.Accounts[0].Score >= moneykit.DifferentBelow {
		t.Errorf("accounts[0] %+v", m.Accounts[0])
	}
	// The same numbers through the Client.
	viaClient, err := c.MatchOwners(bg, "mk_sandbox_ok", okClaim)
	if err != nil || !reflect.DeepEqual(viaClient, m) {
		t.Errorf("Client.MatchOwners: %+v, %v", viaClient, err)
	}

	// Names alone, "Last, First" with the accents dropped: the same person.
	for _, tc := range []struct{ name, account string }{
		{"O'Brien, Margaret", okSavings},
		{"OBRIEN MARGARET", okSavings},
		{"Alvarez, Jose", okChecking},
		{"Dr. José Álvarez Jr.", okChecking},
	} {
		m, err := moneykit.MatchOwners(body, moneykit.Claim{Name: tc.name})
		if err != nil {
			t.Fatal(err)
		}
		if m.Best.AccountID != tc.account || m.Best.Name.Score < moneykit.MatchScore || m.Best.Score < moneykit.MatchScore {
			t.Errorf("%q: best %+v name %+v", tc.name, *m.Best, *m.Best.Name)
		}
		if m.Best.Email != nil || m.Best.Phone != nil || m.Best.Address != nil {
			t.Errorf("%q: fields not claimed are not nil", tc.name)
		}
	}
	settle(t)
}

func TestMatchOwnersAnotherPersonScoresBelow50(t *testing.T) {
	c := newClient(t, nil)
	m, err := c.MatchOwners(bg, "mk_sandbox_ok", otherPerson)
	if err != nil {
		t.Fatal(err)
	}
	if m.Best == nil || m.Best.Score >= moneykit.DifferentBelow {
		t.Errorf("best %+v", m.Best)
	}
	for _, a := range m.Accounts {
		if a.Score >= 50 || a.Name.Score >= 50 || a.Email.Score >= 50 || a.Phone.Score >= 50 || a.Address.Score >= 50 {
			t.Errorf("%s: %+v", a.AccountID, a)
		}
	}
	for _, name := range []string{"Henry Kowalski", "John Doe", "Margaret Smith"} {
		m, err := c.MatchOwners(bg, "mk_sandbox_ok", moneykit.Claim{Name: name})
		if err != nil || m.Best.Score >= moneykit.DifferentBelow {
			t.Errorf("%q: %+v %v", name, m.Best, err)
		}
	}
}

func TestMatchOwnersNullFieldsAndOwnerlessAccounts(t *testing.T) {
	c := newClient(t, nil)
	m, err := c.MatchOwners(bg, "mk_sandbox_ok", moneykit.Claim{Name: "ZOE LUKASIEWICZ"})
	if err != nil {
		t.Fatal(err)
	}
	a0 := m.Accounts[0]
	if a0.OwnerIndex == nil || *a0.OwnerIndex != 1 || a0.Score != 100 || a0.Email != nil || a0.Phone != nil || a0.Address != nil {
		t.Errorf("accounts[0] %+v", a0)
	}
	minimal, err := c.MatchOwners(bg, "mk_sandbox_minimal", moneykit.Claim{Name: "John Doe"})
	if err != nil {
		t.Fatal(err)
	}
	empty := 0
	for _, a := range minimal.Accounts {
		if a.OwnerIndex == nil {
			empty++
			if a.Score != 0 || a.Name != nil {
				t.Errorf("owner-less account %+v", a)
			}
		}
	}
	if empty == 0 {
		t.Error("mk_sandbox_minimal has no owner-less account")
	}
}

// The labelled pairs every language runs (tests/matching/pairs.json).
func TestMatchOwnersSharedPairs(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "tests", "matching", "pairs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Pairs []struct {
			Field  string          `json:"field"`
			Claim  json.RawMessage `json:"claim"`
			Owner  json.RawMessage `json:"owner"`
			Expect string          `json:"expect"`
		} `json:"pairs"`
	}
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Pairs) < 200 {
		t.Fatalf("%d pairs", len(table.Pairs))
	}
	wrong := 0
	for _, p := range table.Pairs {
		owner := map[string]any{"names": []any{}, "addresses": []any{}, "phone_numbers": []any{}, "emails": []any{}}
		var claim moneykit.Claim
		var ownerValue any
		if err := json.Unmarshal(p.Owner, &ownerValue); err != nil {
			t.Fatal(err)
		}
		var s string
		switch p.Field {
		case "name":
			owner["names"] = []any{ownerValue}
			err = json.Unmarshal(p.Claim, &s)
			claim.Name = s
		case "email":
			owner["emails"] = []any{map[string]any{"address": ownerValue}}
			err = json.Unmarshal(p.Claim, &s)
			claim.Email = s
		case "phone":
			owner["phone_numbers"] = []any{map[string]any{"number": ownerValue, "type": "mobile"}}
			err = json.Unmarshal(p.Claim, &s)
			claim.Phone = s
		case "address":
			owner["addresses"] = []any{ownerValue}
			claim.Address = new(moneykit.ClaimAddress)
			err = json.Unmarshal(p.Claim, claim.Address)
		default:
			t.Fatalf("field %q", p.Field)
		}
		if err != nil {
			t.Fatal(err)
		}
		identity, _ := json.Marshal(map[string]any{
			"accounts": []any{map[string]any{"account_id": "acc_0", "account_type": "depository.checking",
				"name": "Checking", "balances": map[string]any{}, "owners": []any{owner}}},
			"link": map[string]any{"link_id": "mk_x", "institution_id": "i", "institution_name": "Bank",
				"institution_avatar": "", "state": "connected", "provider": "p",
				"products": map[string]any{}, "available_products": []any{}},
		})
		m, err := moneykit.MatchOwners(identity, claim)
		if err != nil {
			t.Fatalf("%s %s: %v", p.Field, p.Claim, err)
		}
		a := m.Accounts[0]
		score := -1
		switch p.Field {
		case "name":
			if a.Name != nil {
				score = a.Name.Score
			}
		case "email":
			if a.Email != nil {
				score = a.Email.Score
			}
		case "phone":
			if a.Phone != nil {
				score = a.Phone.Score
			}
		case "address":
			if a.Address != nil {
				score = a.Address.Score
			}
		}
		ok := map[string]bool{
			"match":     score >= moneykit.MatchScore,
			"different": score >= 0 && score < moneykit.DifferentBelow,
			"partial":   score >= moneykit.DifferentBelow && score < moneykit.MatchScore,
		}[p.Expect]
		if !ok {
			wrong++
			t.Errorf("%s %s / %s -> %d, want %s", p.Field, p.Claim, p.Owner, score, p.Expect)
		}
	}
	t.Logf("%d pairs, %d wrong", len(table.Pairs), wrong)
	if n := moneykit.LiveCStrings(); n != 0 {
		t.Errorf("%d C strings held", n)
	}
}

func TestMatchOwnersBadInput(t *testing.T) {
	c := newClient(t, nil)
	body, err := c.GetIdentityJSON(bg, "mk_sandbox_ok")
	if err != nil {
		t.Fatal(err)
	}
	noValue := func(what string, err error, values ...string) {
		t.Helper()
		for _, v := range values {
			if strings.Contains(err.Error(), v) {
				t.Errorf("%s: the error quotes %q: %v", what, v, err)
			}
		}
	}
	for name, tc := range map[string]struct {
		body  []byte
		claim moneykit.Claim
		want  error
	}{
		"empty claim":   {body, moneykit.Claim{}, moneykit.ErrInvalidArgument},
		"blank claim":   {body, moneykit.Claim{Name: "  ", Address: &moneykit.ClaimAddress{}}, moneykit.ErrInvalidArgument},
		"bad phone":     {body, moneykit.Claim{Phone: "12 secret"}, moneykit.ErrInvalidArgument},
		"1 MB name":     {body, moneykit.Claim{Name: strings.Repeat("x", 1<<20)}, moneykit.ErrInvalidArgument},
		"no letters":    {body, moneykit.Claim{Name: "--- ..."}, moneykit.ErrInvalidArgument},
		"not JSON":      {[]byte("not json"), moneykit.Claim{Name: "A B"}, moneykit.ErrDecode},
		"empty body":    {nil, moneykit.Claim{Name: "A B"}, moneykit.ErrDecode},
		"invalid body":  {[]byte(`{"accounts": [{"owners": "Margaret"}]}`), moneykit.Claim{Name: "Margaret"}, moneykit.ErrDecode},
		"NUL in body":   {[]byte("{\x00}"), moneykit.Claim{Name: "A B"}, moneykit.ErrInvalidArgument},
		"NUL in claim":  {body, moneykit.Claim{Name: "secret\x00name"}, moneykit.ErrInvalidArgument},
		"1 MB email":    {body, moneykit.Claim{Email: strings.Repeat("a", 1<<20) + "@example.com"}, moneykit.ErrInvalidArgument},
		"1 MB address":  {body, moneykit.Claim{Address: &moneykit.ClaimAddress{Street: strings.Repeat("7", 1<<20)}}, moneykit.ErrInvalidArgument},
		"huge and JSON": {[]byte(strings.Repeat("[", 1<<20)), moneykit.Claim{Name: "A B"}, moneykit.ErrDecode},
	} {
		m, err := moneykit.MatchOwners(tc.body, tc.claim)
		var e *moneykit.Error
		if m != nil || !errors.Is(err, tc.want) || !errors.As(err, &e) {
			t.Errorf("%s: %v, %v; want %v", name, m, err, tc.want)
			continue
		}
		noValue(name, err, "secret", "Margaret", "O'Brien", "xxxxxxxx")
	}
	// A claim with nothing given fails before the client sends anything.
	needle := uniq("mk_match_")
	if _, err := c.MatchOwners(bg, needle, moneykit.Claim{Address: &moneykit.ClaimAddress{}}); !errors.Is(err, moneykit.ErrInvalidArgument) {
		t.Errorf("empty claim: %v", err)
	}
	if got := requestsFor(t, needle); len(got) != 0 {
		t.Errorf("%d requests for an empty claim", len(got))
	}
	if _, err := c.MatchOwners(bg, "mk_sandbox_not_found", okClaim); !errors.Is(err, moneykit.ErrNotFound) {
		t.Errorf("not found: %v", err)
	}
	settle(t)
}

func ExampleMatchOwners() {
	client, err := moneykit.NewClient(moneykit.Options{}) // MONEYKIT_* from the environment
	if err != nil {
		panic(err)
	}
	defer client.Close()
	body, err := client.GetIdentityJSON(bg, "mk_sandbox_ok")
	if err != nil {
		panic(err)
	}
	m, err := moneykit.MatchOwners(body, moneykit.Claim{Name: "O'Brien, Margaret", Phone: "617-555-1212"})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Best.AccountID, m.Best.Score >= moneykit.MatchScore, m.Best.Name.Score >= moneykit.MatchScore, m.Best.Phone.Score)
	// Output: acc_2Xq8PnL4cWd7RkYs9TbEhM true true 100
}
