package moneykit_test

import (
	"bytes"
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

// The conformance corpus (tests/corpus/, schema/README.md): the same bodies
// and expected canonical dumps every language's suite checks.

var corpusDir = filepath.Join(repoRoot, "tests", "corpus")

// corpusFiles returns the corpus bodies: accepted ones (NAME.json with
// NAME.expected.json) and refused ones (refuse_NAME.json with
// refuse_NAME.error), by NAME.
func corpusFiles(t *testing.T) (accepted, refused []string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		switch {
		case strings.HasSuffix(name, ".expected"):
		case strings.HasPrefix(name, "refuse_"):
			refused = append(refused, name)
		default:
			accepted = append(accepted, name)
		}
	}
	if len(accepted) == 0 || len(refused) == 0 {
		t.Fatalf("%s: %d accepted and %d refused bodies; the corpus must have both", corpusDir, len(accepted), len(refused))
	}
	return accepted, refused
}

func readCorpus(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameDump compares a canonical dump with an expected JSON document as JSON
// values, and reports both on a difference.
func sameDump(t *testing.T, got any, expectedJSON []byte) {
	t.Helper()
	var want any
	if err := json.Unmarshal(expectedJSON, &want); err != nil {
		t.Fatalf("expected dump: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("canonical dump differs\n got: %s\nwant: %s", g, w)
	}
}

// checkAccepted checks a decoded corpus body against NAME.expected.json.
func checkAccepted(t *testing.T, name string, r *moneykit.IdentityResponse, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s refused: %v", name, err)
		return
	}
	sameDump(t, moneykit.CanonicalDump(r), readCorpus(t, name+".expected.json"))
}

// checkRefused checks that a refused corpus body gave ErrDecode naming the
// path and problem of NAME.error, and quoting no value of the body.
func checkRefused(t *testing.T, name string, err error) {
	t.Helper()
	want := strings.TrimSpace(string(readCorpus(t, name+".error")))
	e := wantErr(t, err, moneykit.StatusDecode)
	if !strings.Contains(e.Message, want) {
		t.Errorf("%s: message %q does not contain %q", name, e.Message, want)
	}
	noBodyValues(t, e, readCorpus(t, name+".json"), want)
}

// Every corpus body through ParseIdentity: accepted ones give their expected
// dump, refused ones their error.
func TestCorpus(t *testing.T) {
	t.Parallel()
	accepted, refused := corpusFiles(t)
	for _, name := range append(accepted, refused...) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := moneykit.ParseIdentity(readCorpus(t, name+".json"))
			if strings.HasPrefix(name, "refuse_") {
				checkRefused(t, name, err)
			} else {
				checkAccepted(t, name, r, err)
			}
		})
	}
}

// The sandbox serves every corpus body as mk_corpus_NAME: GetIdentity (which
// relies on the library's check and does not judge again) gives the same
// dumps and refusals as ParseIdentity.
func TestCorpusThroughGetIdentity(t *testing.T) {
	t.Parallel()
	accepted, refused := corpusFiles(t)
	c := newClient(t, nil)
	for _, name := range accepted {
		r, err := c.GetIdentity(bg, "mk_corpus_"+name)
		checkAccepted(t, name, r, err)
	}
	for _, name := range refused {
		_, err := c.GetIdentity(bg, "mk_corpus_"+name)
		checkRefused(t, name, err)
	}
}

// noBodyValues checks that err quotes no string value of body (owner data
// would end up in logs); values the expected path itself contains (such as
// a product name) are allowed.
func noBodyValues(t *testing.T, err error, body []byte, path string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, tokErr := dec.Token()
		if tokErr != nil {
			return // the end, or where an invalid body stops parsing
		}
		if v, ok := tok.(string); ok && len(v) >= 4 && !strings.Contains(path, v) && strings.Contains(err.Error(), v) {
			t.Errorf("the error quotes the body value %q: %v", v, err)
		}
	}
}

// A small valid body for the tests below; %s spots are filled by each test.
const smallBody = `{"accounts":[{"account_id":"acc_1","account_type":"depository.checking","name":"Checking",
 "balances":{"currency":"USD","current":12.5,"balance_date":%s},
 "owners":[{"names":["Jo"],"addresses":[],"phone_numbers":[],"emails":[%s]}]}],
 "link":{"link_id":"mk_1","institution_id":"chase","institution_name":"Chase",
 "institution_avatar":"https://example.com/a.png","state":"connected","provider":"moneykit",
 "products":{"identity":{"refreshed_at":"2023-02-16T09:14:11Z","settings":null},"investments":%s},
 "available_products":["identity"]}}`

func small(balanceDate, email, investments string) []byte {
	return []byte(fmt.Sprintf(smallBody, balanceDate, email, investments))
}

// The table: bodies the real MoneyKit may send decode, and read as
// the schema says (a null product is left out, a bare date is midnight UTC
// with DateOnly set).
func TestRealServerBodiesDecode(t *testing.T) {
	t.Parallel()
	r, err := moneykit.ParseIdentity(small(`"2023-02-16"`, `{"address":"jo@example.com","primary":null}`, "null"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Link.Products["investments"]; ok || len(r.Link.Products) != 1 {
		t.Errorf("products %v: the null investments entry should be left out", r.Link.Products)
	}
	d := r.Accounts[0].Balances.BalanceDate
	if d == nil || !d.DateOnly || !d.NoOffset || d.Raw != "2023-02-16" || !d.Time.Equal(mustTime("2023-02-16T00:00:00Z")) {
		t.Errorf("balance_date %+v", d)
	}
	if s := r.Link.Products["identity"].Settings; s != nil {
		t.Errorf("settings: null should read as nil, got %q", s)
	}
}

// A value in a wrongly typed field never reaches the error message (owner
// data would end up in logs): the message names the path and the type only.
func TestDecodeErrorsNeverQuoteTheBody(t *testing.T) {
	t.Parallel()
	const secret = "john.doe@example.com"
	bodies := map[string][]byte{
		"email as a string":   small(`null`, `"`+secret+`"`, "null"),
		"date as an email":    small(`"`+secret+`"`, `{"address":"x@example.com"}`, "null"),
		"product as a string": small(`null`, `{"address":"x@example.com"}`, `"`+secret+`"`),
		"not JSON":            []byte(`{"accounts": [` + secret),
	}
	for what, body := range bodies {
		_, err := moneykit.ParseIdentity(body)
		if err == nil {
			t.Errorf("%s: accepted", what)
			continue
		}
		if !errors.Is(err, moneykit.ErrDecode) {
			t.Errorf("%s: %v does not match ErrDecode", what, err)
		}
		if strings.Contains(err.Error(), "john.doe") || strings.Contains(err.Error(), "example.com") {
			t.Errorf("%s: the error quotes the body: %v", what, err)
		}
	}
	_, err := moneykit.ParseIdentity(small(`null`, `"`+secret+`"`, "null"))
	if want := "accounts[0].owners[0].emails[0]: expected object"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %q", err, want)
	}
}
