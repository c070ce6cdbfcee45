package moneykit_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
	"github.com/moneykit-native/moneykit-native/bindings/go/moneykittest"
)

// The forged and damaged deliveries of webhooks_test.go: an ES256 signer
// (crypto/ecdsa) and the table, built like the Rust one (tests/webhooks.rs)
// for a given "now". Cases whose verdict does not depend on the clock are
// also written to tests/webhooks/forged.json (TestWebhookForgedTableFile),
// which the C++ tests read.

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// signer is a P-256 key published (or not) under kid.
type signer struct {
	key *ecdsa.PrivateKey
	kid string
}

func newSigner(kid string) *signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return &signer{key: k, kid: kid}
}

// xy is the public point's coordinates, 32 bytes each.
func (s *signer) xy() (x, y []byte) {
	pub, err := s.key.PublicKey.ECDH()
	if err != nil {
		panic(err)
	}
	p := pub.Bytes() // 0x04 || X || Y
	return p[1:33], p[33:65]
}

func (s *signer) jwk() map[string]any {
	x, y := s.xy()
	return map[string]any{"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y),
		"kid": s.kid, "alg": "ES256", "use": "sig"}
}

// thumbprint is the key's RFC 7638 JWK thumbprint (the sandbox's kid).
func (s *signer) thumbprint() string {
	x, y := s.xy()
	h := sha256.Sum256([]byte(fmt.Sprintf(`{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}`, b64(x), b64(y))))
	return b64(h[:])
}

func (s *signer) publicPEM() []byte {
	der, err := x509.MarshalPKIXPublicKey(&s.key.PublicKey)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func (s *signer) privatePEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// sign is ES256 over input: the raw 64-byte r || s.
func (s *signer) sign(input string) []byte {
	h := sha256.Sum256([]byte(input))
	r, ss, err := ecdsa.Sign(rand.Reader, s.key, h[:])
	if err != nil {
		panic(err)
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	ss.FillBytes(out[32:])
	return out
}

func (s *signer) signDER(input string) []byte {
	h := sha256.Sum256([]byte(input))
	der, err := ecdsa.SignASN1(rand.Reader, s.key, h[:])
	if err != nil {
		panic(err)
	}
	return der
}

// token signs header and claims (JSON texts, as written).
func (s *signer) token(header, claims string) string {
	input := b64([]byte(header)) + "." + b64([]byte(claims))
	return input + "." + b64(s.sign(input))
}

func (s *signer) header() string {
	return fmt.Sprintf(`{"alg":"ES256","kid":%q,"typ":"JWT"}`, s.kid)
}

// genuine is a genuine signature of body issued at iat.
func (s *signer) genuine(body []byte, iat int64) string {
	return s.token(s.header(), fmt.Sprintf(`{"iat":%d,"request_body_sha256":"%s"}`, iat, sha256Hex(body)))
}

// eventBody is a link.product_refresh body with idempotency key key.
func eventBody(key string) []byte {
	return []byte(fmt.Sprintf(`{"webhook_event":"link.product_refresh","webhook_major_version":1,`+
		`"webhook_minor_version":0,"webhook_idempotency_key":%q,"webhook_timestamp":"2024-01-31T12:00:00Z",`+
		`"link_id":"mk_sandbox_ok","link_tags":["t"],"product":"identity","state":"completed",`+
		`"state_changed_at":"2024-01-31T12:00:00Z"}`, key))
}

// forgedCase is a delivery to refuse: its MoneyKit-Signature (nil: no
// header), body and expected reason. timeFree: the verdict does not depend
// on when it is checked (no fresh iat needed).
type forgedCase struct {
	Name      string  `json:"name"`
	Signature *string `json:"signature"`
	Body      string  `json:"body"`
	Repeat    int     `json:"repeat,omitempty"` // the body is Body this many times (0: once)
	Reason    string  `json:"reason"`
	timeFree  bool
}

// forgedMaxBody is the verifier's MaxBodyBytes for the table.
const forgedMaxBody = 65536

// forgedTable builds the table for k (published), at time now. The key set
// also lists kid "p384" as a P-384 key and "rsa" as an RSA key (the Go test
// server does; the sandbox does not: those kids are merely unknown there).
func forgedTable(k *signer, now int64) []forgedCase {
	body := eventBody("idem-forged")
	hash := sha256Hex(body)
	claims := func(iat any, extra string) string {
		return fmt.Sprintf(`{"iat":%v,"request_body_sha256":"%s"%s}`, iat, hash, extra)
	}
	good := claims(now, "")
	es := func(kid string) string { return fmt.Sprintf(`{"alg":"ES256","kid":%q,"typ":"JWT"}`, kid) }
	genuine := k.genuine(body, now)
	parts := strings.Split(genuine, ".")
	h64, c64, s64 := parts[0], parts[1], parts[2]
	sig := k.sign(h64 + "." + c64)
	other := newSigner(k.kid) // another key under the published kid
	stranger := newSigner("unpublished")
	flip := func(i int, mask byte) []byte {
		c := append([]byte(nil), sig...)
		c[i] ^= mask
		return c
	}
	withSig := func(s []byte) string { return h64 + "." + c64 + "." + b64(s) }
	raw := func(h, c string, s []byte) string { return b64([]byte(h)) + "." + b64([]byte(c)) + "." + b64(s) }
	hs256 := func() string {
		input := b64([]byte(fmt.Sprintf(`{"alg":"HS256","kid":%q}`, k.kid))) + "." + c64
		m := hmac.New(sha256.New, k.publicPEM())
		m.Write([]byte(input))
		return input + "." + b64(m.Sum(nil))
	}
	tampered := []byte(strings.Replace(string(body), "completed", "Completed", 1))
	str := func(s string) *string { return &s }
	var t []forgedCase
	f := func(name string, sig *string, b []byte, reason string, timeFree bool) {
		t = append(t, forgedCase{Name: name, Signature: sig, Body: string(b), Reason: reason, timeFree: timeFree})
	}
	hdr := func(h string) *string { return str(k.token(h, good)) }
	// The header's alg.
	f("alg none, no signature", str(b64([]byte(fmt.Sprintf(`{"alg":"none","kid":%q}`, k.kid)))+"."+c64+"."), body, "alg", true)
	f("alg none with the real signature", str(b64([]byte(fmt.Sprintf(`{"alg":"none","kid":%q}`, k.kid)))+"."+c64+"."+s64), body, "alg", true)
	f("alg HS256 keyed with the public key", str(hs256()), body, "alg", true)
	f("alg RS256", hdr(fmt.Sprintf(`{"alg":"RS256","kid":%q}`, k.kid)), body, "alg", true)
	f("alg ES384", hdr(fmt.Sprintf(`{"alg":"ES384","kid":%q}`, k.kid)), body, "alg", true)
	f("alg es256 (case)", hdr(fmt.Sprintf(`{"alg":"es256","kid":%q}`, k.kid)), body, "alg", true)
	f("no alg", hdr(fmt.Sprintf(`{"kid":%q}`, k.kid)), body, "alg", true)
	f("alg not a string", hdr(fmt.Sprintf(`{"alg":["ES256"],"kid":%q}`, k.kid)), body, "malformed", true)
	// The header's kid, crit, shape.
	f("no kid", hdr(`{"alg":"ES256"}`), body, "malformed", true)
	f("empty kid", hdr(es("")), body, "malformed", true)
	f("kid a number", hdr(`{"alg":"ES256","kid":1}`), body, "malformed", true)
	f("kid longer than 256 bytes", hdr(es(strings.Repeat("k", 257))), body, "malformed", true)
	f("kid not published", str(stranger.genuine(body, now)), body, "kid_unknown", true)
	f("kid of a P-384 key", hdr(es("p384")), body, "kid_unknown", true)
	f("kid of an RSA key", hdr(es("rsa")), body, "kid_unknown", true)
	f("crit header", hdr(fmt.Sprintf(`{"alg":"ES256","kid":%q,"crit":["exp"],"exp":1}`, k.kid)), body, "malformed", true)
	f("kid given twice", hdr(fmt.Sprintf(`{"alg":"ES256","kid":"x","kid":%q}`, k.kid)), body, "malformed", true)
	f("alg given twice", hdr(fmt.Sprintf(`{"alg":"none","alg":"ES256","kid":%q}`, k.kid)), body, "malformed", true)
	f("header not JSON", hdr(`{alg: ES256}`), body, "malformed", true)
	f("header an array", hdr(`["ES256","key-1"]`), body, "malformed", true)
	// The token's form.
	f("padding", str(genuine+"=="), body, "malformed", true)
	f("standard base64 alphabet", str(h64+"."+c64+"."+strings.NewReplacer("-", "+", "_", "/").Replace(s64)+"+"), body, "malformed", true)
	f("a space inside", str(h64+"."+c64+" ."+s64), body, "malformed", true)
	f("two parts", str(h64+"."+c64), body, "malformed", true)
	f("four parts", str(genuine+"."+s64), body, "malformed", true)
	f("empty header value", str(""), body, "malformed", true)
	f("no header", nil, body, "malformed", true)
	f("header over 8 KiB", str(h64+"."+strings.Repeat("A", 9000)+"."+s64), body, "malformed", true)
	// The signature.
	f("signature bit flipped in r", str(withSig(flip(10, 1))), body, "signature", true)
	f("signature bit flipped in s", str(withSig(flip(63, 0x80))), body, "signature", true)
	f("signature all zero", str(withSig(make([]byte, 64))), body, "signature", true)
	f("signature 63 bytes", str(withSig(sig[:63])), body, "malformed", true)
	f("signature 65 bytes", str(withSig(append(append([]byte(nil), sig...), 0))), body, "malformed", true)
	f("signature DER-encoded", str(withSig(k.signDER(h64+"."+c64))), body, "malformed", true)
	f("signed by another key under the published kid", str(other.genuine(body, now)), body, "signature", true)
	f("claims swapped after signing", str(h64+"."+b64([]byte(claims(now+1, "")))+"."+s64), body, "signature", true)
	f("kid swapped after signing", str(b64([]byte(es("p384")))+"."+c64+"."+s64), body, "kid_unknown", true)
	// The claims.
	f("iat in 2001", hdr2(k, es(k.kid), claims(1000000000, "")), body, "iat_too_old", true)
	f("iat in 2100", hdr2(k, es(k.kid), claims(4102444800, "")), body, "iat_in_future", true)
	f("iat an hour old", hdr2(k, es(k.kid), claims(now-3600, "")), body, "iat_too_old", true)
	f("iat an hour ahead", hdr2(k, es(k.kid), claims(now+3600, "")), body, "iat_in_future", false)
	f("iat 6 minutes old", hdr2(k, es(k.kid), claims(now-360, "")), body, "iat_too_old", true)
	f("exp passed", hdr2(k, es(k.kid), claims(now, fmt.Sprintf(`,"exp":%d`, now-3600))), body, "expired", false)
	f("iat a fraction", hdr2(k, es(k.kid), claims(fmt.Sprintf("%d.5", now), "")), body, "malformed", true)
	f("iat a string", hdr2(k, es(k.kid), claims(fmt.Sprintf(`"%d"`, now), "")), body, "malformed", true)
	f("iat negative", hdr2(k, es(k.kid), claims(-1, "")), body, "malformed", true)
	f("iat huge", hdr2(k, es(k.kid), claims("1"+strings.Repeat("0", 30), "")), body, "malformed", true)
	f("iat with an exponent", hdr2(k, es(k.kid), claims("17e8", "")), body, "malformed", true)
	f("no iat", hdr2(k, es(k.kid), fmt.Sprintf(`{"request_body_sha256":"%s"}`, hash)), body, "malformed", true)
	f("iat given twice", hdr2(k, es(k.kid), fmt.Sprintf(`{"iat":%d,"iat":%d,"request_body_sha256":"%s"}`, now-3600, now, hash)), body, "malformed", true)
	f("exp a string", hdr2(k, es(k.kid), claims(now, `,"exp":"tomorrow"`)), body, "malformed", true)
	f("no request_body_sha256", hdr2(k, es(k.kid), fmt.Sprintf(`{"iat":%d}`, now)), body, "malformed", true)
	f("request_body_sha256 not hex", hdr2(k, es(k.kid), fmt.Sprintf(`{"iat":%d,"request_body_sha256":"%s"}`, now, strings.Repeat("z", 64))), body, "malformed", true)
	f("request_body_sha256 base64", hdr2(k, es(k.kid), fmt.Sprintf(`{"iat":%d,"request_body_sha256":"%s"}`, now, b64(make([]byte, 32)))), body, "malformed", true)
	f("request_body_sha256 of another body", hdr2(k, es(k.kid), fmt.Sprintf(`{"iat":%d,"request_body_sha256":"%s"}`, now, sha256Hex([]byte("{}")))), body, "body_hash", false)
	f("claims not JSON", str(raw(es(k.kid), "iat=1", sig)), body, "malformed", true)
	f("claims an array", hdr2(k, es(k.kid), fmt.Sprintf("[%d]", now)), body, "malformed", true)
	// The body.
	f("body tampered", str(genuine), tampered, "body_hash", false)
	f("body with a newline added", str(genuine), append(append([]byte(nil), body...), '\n'), "body_hash", false)
	f("body empty", str(genuine), nil, "body_hash", false)
	f("body over max_body_bytes", str(genuine), []byte(" "), "body_too_large", true)
	t[len(t)-1].Repeat = forgedMaxBody + 4464
	return t
}

// body is the case's body.
func (c forgedCase) body() []byte {
	if c.Repeat > 0 {
		return []byte(strings.Repeat(c.Body, c.Repeat))
	}
	return []byte(c.Body)
}

// hdr2 is k's token over a header and claims given as text.
func hdr2(k *signer, header, claims string) *string {
	s := k.token(header, claims)
	return &s
}

// forgedFile is tests/webhooks/forged.json.
type forgedFile struct {
	Comment      string       `json:"$comment"`
	Kid          string       `json:"kid"`
	MaxBodyBytes int          `json:"max_body_bytes"`
	Cases        []forgedCase `json:"cases"`
}

func marshalForged(f forgedFile) []byte {
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// keyServer serves a key set at /.well-known/jwks.json and counts fetches.
func keyServer(t *testing.T, keys ...map[string]any) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	body, _ := json.Marshal(map[string]any{"keys": keys})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/jwks.json" || r.Header.Get("X-Client-Id") != "sandbox-client" {
			http.Error(w, `{"error_code":"api_error.auth.unauthorized"}`, 401)
			return
		}
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s, &n
}

// TestWebhookForgedTable: every forged or damaged delivery of the table is
// refused with its reason (a key set of one P-256 key, a P-384 and an RSA
// entry on a local server), with one key fetch in all.
func TestWebhookForgedTable(t *testing.T) {
	k := newSigner("key-1")
	p384 := k.jwk()
	p384["kid"], p384["crv"], p384["alg"] = "p384", "P-384", "ES384"
	rsa := map[string]any{"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB", "alg": "RS256"}
	srv, fetches := keyServer(t, k.jwk(), p384, rsa)
	c, err := moneykit.NewClient(moneykit.Options{BaseURL: srv.URL, ClientID: "sandbox-client", ClientSecret: "unused"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := c.NewWebhookVerifier(moneykit.WebhookOptions{MaxBodyBytes: forgedMaxBody})
	if err != nil {
		t.Fatal(err)
	}
	table := forgedTable(k, time.Now().Unix())
	if len(table) < 30 {
		t.Fatalf("only %d cases", len(table))
	}
	reasons := map[string]bool{}
	for _, f := range table {
		sig := ""
		if f.Signature != nil {
			sig = *f.Signature
		}
		// Through an HTTP request, as a handler gets it.
		r := httptest.NewRequest("POST", "/hooks", bytes.NewReader(f.body()))
		if f.Signature != nil {
			r.Header.Set(moneykit.SignatureHeader, sig)
		}
		_, err := v.VerifyRequest(r)
		var e *moneykit.Error
		if !errors.As(err, &e) || !errors.Is(err, moneykit.ErrSignature) || e.Reason != f.Reason {
			t.Errorf("%s: got %v (reason %q), want reason %q", f.Name, err, reasonOf(err), f.Reason)
			continue
		}
		// No message quotes the header, the kid or the body.
		if text := err.Error(); strings.Contains(text, "idem-forged") || strings.Contains(text, "key-1") || strings.Contains(text, "unpublished") {
			t.Errorf("%s: the message quotes the input: %s", f.Name, text)
		}
		reasons[f.Reason] = true
	}
	if len(reasons) != 9 {
		t.Fatalf("reasons covered: %v, want all 9", reasons)
	}
	if fetches.Load() != 1 {
		t.Fatalf("%d key fetches, want 1", fetches.Load())
	}
	body := eventBody("idem-after")
	if d, err := v.Verify(bg, k.genuine(body, time.Now().Unix()), body); err != nil || d.Status != moneykit.DeliveryNew {
		t.Fatalf("a genuine delivery after the table: %v", err)
	}
}

func reasonOf(err error) string {
	var e *moneykit.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

var blessForged = flag.Bool("bless-forged", false, "rewrite tests/webhooks/forged.json and its key")

// TestWebhookForgedTableFile: tests/webhooks/forged.json (the cases whose
// verdict does not depend on the clock, signed by tests/webhooks/forged_key.pem,
// for the other languages' tests) is refused case by case by a verifier of a
// sandbox signing with that key (--webhook-key). -bless-forged rewrites both.
func TestWebhookForgedTableFile(t *testing.T) {
	dir := filepath.Join(repoRoot, "tests", "webhooks")
	keyPath := filepath.Join(dir, "forged_key.pem")
	tablePath := filepath.Join(dir, "forged.json")
	if *blessForged {
		k := newSigner("")
		k.kid = k.thumbprint()
		f := forgedFile{
			Comment: "Forged and damaged webhook deliveries whose verdict does not depend on the clock, " +
				"written by bindings/go (go test -run TestWebhookForgedTableFile -args -bless-forged). " +
				"Signed with forged_key.pem (a test-only key): start the sandbox with --webhook-key forged_key.pem, " +
				"verify each case (signature null: no MoneyKit-Signature header; the body is body repeated `repeat` times) " +
				"with max_body_bytes set to max_body_bytes: each is MK_ERR_SIGNATURE with the reason given. kid is the key's kid.",
			Kid:          k.kid,
			MaxBodyBytes: forgedMaxBody,
		}
		for _, c := range forgedTable(k, time.Now().Unix()) {
			if c.timeFree {
				f.Cases = append(f.Cases, c)
			}
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(keyPath, k.privatePEM(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(tablePath, marshalForged(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(tablePath)
	if err != nil {
		t.Fatal(err)
	}
	var f forgedFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 30 {
		t.Fatalf("%s has %d cases, want at least 30", tablePath, len(f.Cases))
	}
	srv := moneykittest.NewServer(t, "--webhook-key", keyPath)
	c := srv.NewClient(moneykit.Options{})
	v, err := c.NewWebhookVerifier(moneykit.WebhookOptions{MaxBodyBytes: f.MaxBodyBytes})
	if err != nil {
		t.Fatal(err)
	}
	// The sandbox publishes the file's key under the file's kid.
	resp, err := adminHTTP.Get(srv.URL + "/_sandbox/stats") // the sandbox is up
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/.well-known/jwks.json", nil)
	req.Header.Set("X-Client-Id", "sandbox-client")
	resp, err = adminHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	err = json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if err != nil || len(set.Keys) == 0 || set.Keys[0].Kid != f.Kid {
		t.Fatalf("the sandbox's key set %+v (%v), want kid %s first", set, err, f.Kid)
	}
	reasons := map[string]bool{}
	for _, fc := range f.Cases {
		sig := ""
		if fc.Signature != nil {
			sig = *fc.Signature
		}
		_, err := v.Verify(bg, sig, fc.body())
		if !errors.Is(err, moneykit.ErrSignature) || reasonOf(err) != fc.Reason {
			t.Errorf("%s: got %v (reason %q), want %q", fc.Name, err, reasonOf(err), fc.Reason)
		}
		reasons[fc.Reason] = true
	}
	if len(reasons) < 7 {
		t.Fatalf("the file covers %v, want 7 reasons", reasons)
	}
}
