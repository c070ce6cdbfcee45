//go:build go1.23

package moneykit_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

func TestBatchAllRangeOverFunc(t *testing.T) {
	c := realisticClient(t)
	goroutines := runtime.NumGoroutine()
	opts := moneykit.BatchOptions{TimeScale: timeScale}

	links := append(bulk(t, 6000, 20), "mk_sandbox_not_found")
	b, err := c.Identities(bg, links, opts)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for r, err := range b.All() {
		switch {
		case r.LinkID == "mk_sandbox_not_found":
			if !errors.Is(err, moneykit.ErrNotFound) || err != r.Err {
				t.Errorf("not found: %v", err)
			}
		case err != nil:
			t.Errorf("%s: %v", r.LinkID, err)
		case r.Identity.Link.LinkID != r.LinkID:
			t.Errorf("%s: wrong identity", r.LinkID)
		}
		seen[r.LinkID] = true
	}
	if len(seen) != len(links) {
		t.Errorf("%d links seen, want %d", len(seen), len(links))
	}

	// Breaking out of the loop closes the batch.
	b, err = c.Identities(bg, bulk(t, 6100, 100), moneykit.BatchOptions{Concurrency: 2, AppPerMinute: 60, TimeScale: timeScale})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range b.All() {
		if n++; n == 3 {
			break
		}
	}
	if moneykit.LiveBatches() != 0 || !b.Progress().Cancelled {
		t.Errorf("the batch was not closed by break: %d live", moneykit.LiveBatches())
	}

	// An early end by the context comes last, with Index -1.
	ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
	defer cancel()
	b, err = c.Identities(ctx, bulk(t, 6300, 100), moneykit.BatchOptions{Concurrency: 2, AppPerMinute: 30, TimeScale: timeScale})
	if err != nil {
		t.Fatal(err)
	}
	var last moneykit.BatchResult
	var lastErr error
	for r, err := range b.All() {
		last, lastErr = r, err
	}
	if last.Index != -1 || last.LinkID != "" || !errors.Is(lastErr, context.DeadlineExceeded) {
		t.Errorf("last pair %+v, %v", last, lastErr)
	}
	noLeak(t, goroutines)
}
