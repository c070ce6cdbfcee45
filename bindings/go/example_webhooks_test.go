package moneykit_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// Serve MoneyKit's webhooks with net/http: the handler verifies each delivery
// and calls back with the typed event (400 when it is not genuine, 200 for a
// duplicate without calling back, 409 in flight, 500 when the callback
// fails, so that MoneyKit's retry is handled again). A RefreshWaiter fed by
// the same callback makes refreshes return on the completed event.
func ExampleWebhookHandler() {
	client, err := moneykit.NewClient(moneykit.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	waiter := moneykit.NewRefreshWaiter(client)

	http.Handle("/webhooks/moneykit", moneykit.WebhookHandler(client, func(ctx context.Context, ev moneykit.Event) error {
		waiter.Deliver(ev)
		switch e := ev.(type) {
		case *moneykit.LinkProductRefresh:
			log.Printf("link %s: %s refresh %s at %s", e.LinkID, e.Product, e.State, e.StateChangedAt)
		case *moneykit.LinkStateChanged:
			log.Printf("link %s is now %s", e.LinkID, e.State)
		case *moneykit.UnknownEvent: // newer than this package: never refused
			log.Printf("event %s (%d bytes)", e.WebhookEvent, len(e.Raw))
		}
		return nil // an error answers 500: MoneyKit retries and the retry is handled
	}))
	go func() { log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil)) }()

	// Elsewhere: refresh a link and get the new identity when MoneyKit says it is done,
	// polling only when no event came within a minute.
	identity, err := waiter.RefreshIdentity(context.Background(), "mk_sandbox_ok", 10*time.Minute, time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(identity.RefreshedAt())
}

// A delivery that is not genuine is refused with the check that failed: the
// handler answers 400 and the error's Reason names it. Nothing is fetched
// for a token that is not even well formed.
func ExampleWebhookVerifier_VerifyRequest() {
	client, err := moneykit.NewClient(moneykit.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	verifier, err := client.NewWebhookVerifier(moneykit.WebhookOptions{Tolerance: moneykit.Ptr(5 * time.Minute)})
	if err != nil {
		log.Fatal(err)
	}
	defer verifier.Close()

	r := httptest.NewRequest("POST", "/webhooks/moneykit", strings.NewReader(`{"webhook_event":"link.state_changed"}`))
	r.Header.Set(moneykit.SignatureHeader, "not.a.token")
	_, err = verifier.VerifyRequest(r)
	var e *moneykit.Error
	if errors.As(err, &e) && errors.Is(err, moneykit.ErrSignature) {
		fmt.Println(moneykit.WebhookResponseStatus(err), e.Reason)
	}
	// Output: 400 malformed
}
