package moneykit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// The benchmarks compare the binding with a plain net/http + encoding/json
// client, decoding into the same structs, against the same sandbox and link,
// both with the static token (no token round trips) and keep-alive.

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
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := c.GetIdentity(ctx, benchLink)
		if err != nil || len(r.Accounts) != 2 {
			b.Fatal(err)
		}
	}
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

func (n *netHTTPClient) get(ctx context.Context) (*moneykit.IdentityResponse, error) {
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
	r := new(moneykit.IdentityResponse)
	if err := json.Unmarshal(body, r); err != nil {
		return nil, err
	}
	return r, nil
}

func BenchmarkNetHTTP(b *testing.B) {
	n := newNetHTTPClient()
	defer n.hc.CloseIdleConnections()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := n.get(ctx)
		if err != nil || len(r.Accounts) != 2 {
			b.Fatal(err)
		}
	}
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

// BenchmarkDecode is the decoding share of both clients for the
// mk_sandbox_ok body: encoding/json into IdentityResponse (what GetIdentity
// does after the library's check), and ParseIdentity (the library's check
// through one cgo call, then the same decoding).
func BenchmarkDecode(b *testing.B) {
	body := rawIdentity(b, benchLink)
	for _, bc := range []struct {
		name   string
		decode func([]byte) error
	}{
		{"json.Unmarshal", func(body []byte) error { return json.Unmarshal(body, new(moneykit.IdentityResponse)) }},
		{"ParseIdentity", func(body []byte) error { _, err := moneykit.ParseIdentity(body); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := bc.decode(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
