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
// the JSON path and the expected type, never a value from the body. Get
// Identity never triggers a fetch of new data: poll and compare with
// IdentityResponse.IsNewerThan.
//
// # Errors
//
// Every failure other than a context error is a *Error carrying the library's
// status and details (HTTP status, MoneyKit's error code and message, request
// id, Retry-After, attempts). It matches the sentinel of its status with
// errors.Is (ErrNotFound, ErrRateLimited, ...); use errors.As to read it.
//
// # Contexts, goroutines and lifetimes
//
// A Client is safe for concurrent use and should be shared: it holds one
// connection pool and one cached access token. Each call blocks an OS thread
// inside C until the library returns (after its own timeouts and retries,
// see Options). With a context that can be cancelled, the call runs on a
// separate goroutine: if the context ends first, the method returns
// ctx.Err() at once, the C call goes on in the background, and its result is
// freed when it returns. A context that is already done returns ctx.Err()
// without any request.
//
// Close frees the C client after waiting for every call in flight (including
// abandoned ones); it is idempotent and safe to call concurrently. Calls
// after Close fail with ErrClosed. A finalizer frees a Client that was never
// closed, but call Close: the garbage collector does not see C memory.
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
