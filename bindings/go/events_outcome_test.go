package moneykit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// lastIdentityRecord is the last record of an identity attempt.
func lastIdentityRecord(t *testing.T, recs []record) record {
	t.Helper()
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].attrs["path"].String() == "/links/{id}/identity" {
			return recs[i]
		}
	}
	t.Fatalf("no identity attempt among the records %v", recs)
	return record{}
}

// The record of the attempt that ended a call says the status the call
// returns, at the level documented for that outcome (README, Logging): a
// call ended by its context's deadline is MK_ERR_TIMEOUT (before: the record
// said MK_ERR_CANCELLED, the call returned MK_ERR_TIMEOUT), one its context
// cancelled MK_ERR_CANCELLED, one the client's own Timeout ended
// MK_ERR_TIMEOUT, one Close cancelled MK_ERR_CANCELLED; all at Warn.
func TestLoggerRecordStatusIsTheReturnedStatus(t *testing.T) {
	t.Parallel()
	slow := fmt.Sprintf("mk_fault_slow_%d", (6 * time.Second).Milliseconds())
	cases := []struct {
		name    string
		timeout time.Duration // the client's own Timeout (0: 10 s)
		run     func(c *moneykit.Client, tag string) error
		want    moneykit.Status
	}{
		{"context deadline", 0, func(c *moneykit.Client, tag string) error {
			ctx, cancel := context.WithTimeout(bg, 150*time.Millisecond)
			defer cancel()
			_, err := c.GetIdentity(ctx, slow, tag)
			return err
		}, moneykit.StatusTimeout},
		{"context deadline, JSON", 0, func(c *moneykit.Client, tag string) error {
			ctx, cancel := context.WithTimeout(bg, 150*time.Millisecond)
			defer cancel()
			_, err := c.GetIdentityJSON(ctx, slow, tag)
			return err
		}, moneykit.StatusTimeout},
		{"context cancelled", 0, func(c *moneykit.Client, tag string) error {
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			go func() {
				_ = awaitRequest(tag, 10*time.Second)
				cancel()
			}()
			_, err := c.GetIdentity(ctx, slow, tag)
			return err
		}, moneykit.StatusCancelled},
		{"client Timeout", 150 * time.Millisecond, func(c *moneykit.Client, tag string) error {
			_, err := c.GetIdentity(bg, slow, tag)
			return err
		}, moneykit.StatusTimeout},
		{"Close", 0, func(c *moneykit.Client, tag string) error {
			go func() {
				_ = awaitRequest(tag, 10*time.Second)
				c.Close()
			}()
			_, err := c.GetIdentity(bg, slow, tag)
			return err
		}, moneykit.StatusCancelled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{min: slog.LevelDebug}
			c := newClient(t, func(o *moneykit.Options) {
				o.AccessToken = "sandbox-access-token"
				o.Logger = slog.New(rec)
				if tc.timeout != 0 {
					o.Timeout = tc.timeout
				}
			})
			err := tc.run(c, uniq("acc_outcome_"))
			var e *moneykit.Error
			if !errors.As(err, &e) || e.Status != tc.want {
				t.Fatalf("error %v, want status %v", err, tc.want)
			}
			r := lastIdentityRecord(t, rec.take())
			if got := r.attrs["status"].String(); got != e.Name {
				t.Errorf("record %v: status %s, the call returned %s", r, got, e.Name)
			}
			if r.level != slog.LevelWarn {
				t.Errorf("record %v: level %v, want WARN for %s", r, r.level, e.Name)
			}
		})
	}
}
