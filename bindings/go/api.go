package moneykit

import (
	"context"
	"time"
)

// IdentityGetter is the one method most code needs from a Client: take it
// instead of *Client and a test can pass a stand-in (or a sandbox client from
// package moneykittest).
type IdentityGetter interface {
	GetIdentity(ctx context.Context, linkID string, accountIDs ...string) (*IdentityResponse, error)
}

// API is every method of *Client, for code that uses more than GetIdentity
// and tests that substitute the client. moneykittest.NewServer gives a real
// Client against the bundled sandbox, without a network.
type API interface {
	IdentityGetter
	GetIdentityJSON(ctx context.Context, linkID string, accountIDs ...string) ([]byte, error)
	Identities(ctx context.Context, links []string, opts BatchOptions) (*Batch, error)
	RefreshIdentity(ctx context.Context, linkID string, wait time.Duration, opts ...RefreshOptions) (*IdentityResponse, error)
	WaitIdentityNewer(ctx context.Context, linkID string, after time.Time, wait time.Duration, opts ...RefreshOptions) (*IdentityResponse, error)
	RequestIdentityRefresh(ctx context.Context, linkID string) error
	MatchOwners(ctx context.Context, linkID string, claim Claim) (*OwnerMatch, error)
	Close() error
	Shutdown(ctx context.Context) error
}

// *Client implements both.
var (
	_ API            = (*Client)(nil)
	_ IdentityGetter = (*Client)(nil)
)
