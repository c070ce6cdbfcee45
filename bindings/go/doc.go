// Package moneykit is a client for MoneyKit's Get Identity endpoint
// (GET /links/{id}/identity): the names, emails, phone numbers and addresses
// of the owners of the accounts behind a link. It wraps moneykit-native's C
// library (include/moneykit.h, libmoneykit) through cgo.
//
//	client, err := moneykit.NewClient(moneykit.Options{
//		ClientID: "...", ClientSecret: "...", // empty: MONEYKIT_CLIENT_ID / _SECRET
//		Timeout:  10 * time.Second,
//	})
//	if err != nil { ... }
//	defer client.Close()
//	identity, err := client.GetIdentity(ctx, "mk_...", "acc_1", "acc_2")
//	switch {
//	case errors.Is(err, moneykit.ErrNotFound): ...
//	case err != nil: ...
//	}
//
// # Responses
//
// GetIdentity decodes into IdentityResponse and its parts, generated from the
// repository's schema (schema/moneykit.json, models_gen.go): optional fields
// are pointers (nil when absent or null), lists nil when absent or null and
// empty for [], enums named string types with constants for the known values
// (unknown values are kept), amounts Decimal (the exact number text; no float
// rounding of money), timestamps Timestamp (a time.Time in UTC, plus whether
// the text was a bare date or had no offset, and the raw text). Unknown fields
// are ignored. GetIdentityJSON returns the body as MoneyKit sent it and
// ParseIdentity decodes such a body later. The library's validator is the only
// judge of a body: what it accepts always decodes, and its decode errors name
// the JSON path and the expected type, never a value from the body. Both build
// the response from the library's typed view (the C structs of the body the
// core parsed), not by decoding JSON in Go; timestamps are parsed by the core
// only. Get
// Identity never triggers a fetch of new data: RefreshIdentity requests a
// refresh and returns the fresh identity (WaitIdentityNewer only waits), or
// poll yourself and compare with IdentityResponse.IsNewerThan.
//
// Client.Identities fetches many links within MoneyKit's rate limits and
// returns a Batch streaming the results as they complete (Next/Result/Err,
// or All with Go 1.23+). MatchOwners scores a user's claimed name, email,
// phone and address against an identity's owners, offline.
//
// # Webhooks
//
// WebhookHandler is a net/http handler of MoneyKit's signed webhook
// deliveries: the library verifies each (signature, timestamps, body hash,
// the body as an event, duplicates) and the callback gets a typed Event
// (*LinkProductRefresh, *LinkStateChanged, *TransactionsUpdatesAvailable, or
// *UnknownEvent for an event newer than this package). It answers 400 for a
// forgery, 200 for a duplicate, 409 in flight, 500 when the callback fails
// (the retry is handled again) and 503 when the keys could not be fetched.
// Client.VerifyWebhook and NewWebhookVerifier do the same without the
// handler. RefreshWaiter.RefreshIdentity returns when the refresh's completed
// event arrives, polling only after a bound.
//
// # Errors
//
// Every failure, context errors included, is a *Error carrying the library's
// status and details (HTTP status, MoneyKit's error code and message, request
// id, Retry-After, attempts). It matches the sentinel of its status with
// errors.Is (ErrNotFound, ErrRateLimited, ...); use errors.As to read it.
//
// # Contexts, goroutines and lifetimes
//
// A Client is safe for concurrent use and should be shared: it holds one
// connection pool and one cached access token. Each call runs on the calling
// goroutine and holds its OS thread inside C until the library returns. The
// context bounds that: its deadline is passed down as the call's timeout, and
// its cancellation triggers a cancel handle (mk_cancel) that makes the C call
// return within about 100 ms, so no thread stays in C after the context ends.
// Such a call returns an *Error matching both ctx.Err() and the library's
// status: ErrCancelled with context.Canceled (and context.Cause), ErrTimeout
// with context.DeadlineExceeded. A context that is already done fails that way
// without a request. Options.Deadline (default 60 s) bounds calls whose
// context has no deadline.
//
// Close cancels the calls in flight (they fail with ErrCancelled and
// ErrClosed), waits the few milliseconds they need to leave C and frees the C
// client; Shutdown(ctx) first lets them finish. Both are idempotent and safe to
// call concurrently; calls after them fail with ErrClosed. A finalizer frees a
// Client that was never closed, but call Close: the garbage collector does not
// see C memory.
//
// # Logging and request ids
//
// Options.Logger receives one slog record per HTTP attempt ("moneykit
// attempt": method, path template, http_status, status, attempt, elapsed,
// request_id, retry_wait) with the call's context, at Debug for token
// requests, Info for successful attempts and Warn for failed ones (cancels and
// timeouts included); the record of the attempt that ends a call says the
// status the call returns. Never ids, owner data or secrets.
// IdentityResponse.RequestID and Error.RequestID give the x-request-id of a
// call's response.
//
// The response types, the claim and BatchResult print (fmt's verbs, String,
// GoString) ids, enum values, flags, timestamps and counts, never owner data:
// fmt.Println(identity) is safe to log. The values stay in the fields.
//
// # Testing
//
// Code that takes an IdentityGetter or an API instead of *Client can be
// given a stand-in; package moneykittest starts the bundled sandbox for a
// test (moneykittest.NewServer(t).Client()), as net/http/httptest does a
// server.
//
// # Linking
//
// By default the package links against the repository it lives in:
// include/moneykit.h and target/release/libmoneykit.so (run `make build`
// first), with an rpath so no LD_LIBRARY_PATH is needed. Build with
// -tags moneykit_pkgconfig to use an installed library found through
// pkg-config (moneykit.pc). CGO_CFLAGS and CGO_LDFLAGS are honoured and take
// precedence. See README.md.
package moneykit
