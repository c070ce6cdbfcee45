package moneykit_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// Fetch the owners of a link. Empty ClientID, ClientSecret and BaseURL come
// from MONEYKIT_CLIENT_ID, MONEYKIT_CLIENT_SECRET and MONEYKIT_BASE_URL (the
// tests point them at the bundled sandbox).
func Example() {
	client, err := moneykit.NewClient(moneykit.Options{Timeout: 10 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	identity, err := client.GetIdentity(ctx, "mk_sandbox_ok")
	if err != nil {
		log.Fatal(err)
	}
	for _, account := range identity.Accounts {
		fmt.Printf("%s (%s), current balance %s %s\n", account.Name, account.AccountType,
			*account.Balances.Current, *account.Balances.Currency)
		for _, owner := range account.Owners {
			fmt.Println("  owner:", strings.Join(owner.Names, " / "))
		}
	}
	fmt.Println("refreshed at", identity.RefreshedAt().Format(time.RFC3339))
	// Output:
	// Premier Checking (depository.checking), current balance 445.89 USD
	//   owner: José Álvarez
	//   owner: Zoë Łukasiewicz / Zoe Lukasiewicz
	// Premier Savings (depository.savings), current balance 500 USD
	//   owner: Margaret O'Brien
	// refreshed at 2023-02-16T09:14:11Z
}

// Errors match a sentinel with errors.Is; errors.As gives the details.
func ExampleError() {
	client, err := moneykit.NewClient(moneykit.Options{MaxRetries: moneykit.Retries(0)})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	for _, link := range []string{"mk_sandbox_deleted", "mk_sandbox_bad_state", "mk_sandbox_rate_limited_long"} {
		_, err := client.GetIdentity(context.Background(), link)
		var mkErr *moneykit.Error
		switch {
		case errors.Is(err, moneykit.ErrLinkDeleted):
			fmt.Println("deleted: ask the user to link the account again")
		case errors.As(err, &mkErr) && mkErr.Status == moneykit.StatusLinkBadState:
			fmt.Println("bad state:", mkErr.HTTPStatus, mkErr.LinkErrorCode)
		case errors.As(err, &mkErr) && errors.Is(err, moneykit.ErrRateLimited):
			fmt.Println("rate limited: retry after", mkErr.RetryAfter)
		}
	}
	// Output:
	// deleted: ask the user to link the account again
	// bad state: 422 auth_expired
	// rate limited: retry after 1h0m0s
}

// Wait until MoneyKit has fetched newer owner data: WaitIdentityNewer polls
// Get Identity (the first poll at once, then within MoneyKit's per-link limit
// of 3 a minute) until RefreshedAt is later than the one given, so no sleep
// loop is needed. (To ask for a refresh first, see RequestIdentityRefresh and
// RefreshIdentity.)
func ExampleIdentityResponse_IsNewerThan() {
	client, err := moneykit.NewClient(moneykit.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	prev, err := client.GetIdentity(ctx, "mk_sandbox_refreshing")
	if err != nil {
		log.Fatal(err)
	}
	// A wait of 0: until ctx's deadline.
	cur, err := client.WaitIdentityNewer(ctx, "mk_sandbox_refreshing", *prev.RefreshedAt(), 0)
	if err != nil {
		log.Fatal(err)
	}
	if cur.IsNewerThan(prev) {
		fmt.Println("new data after", cur.RefreshedAt().Sub(*prev.RefreshedAt()))
	}
	// Output: new data after 1s
}
