package moneykit_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	moneykit "github.com/moneykit-native/moneykit-native/bindings/go"
)

// Issue 27: the typed validation errors, Retryable and the raw error response.
func TestErrorDetailsValidation(t *testing.T) {
	c := newClient(t, nil)
	_, err := c.GetIdentity(context.Background(), "mk_sandbox_validation")
	var e *moneykit.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %v", err)
	}
	want := []moneykit.ValidationError{{
		Location: []any{"query", "account_ids", int64(0)},
		Message:  "account_ids must be MoneyKit account ids (acc_...)",
		Type:     "value_error",
	}}
	if !reflect.DeepEqual(e.ValidationErrors, want) {
		t.Errorf("ValidationErrors = %#v, want %#v", e.ValidationErrors, want)
	}
	if e.Retryable {
		t.Error("a 422 is not retryable")
	}
	if e.Response == nil || e.Response.Status != 422 {
		t.Fatalf("Response = %v", e.Response)
	}
	if !strings.Contains(e.Response.Body, "validation_errors") {
		t.Errorf("body: %q", e.Response.Body)
	}
	if e.Response.Headers["x-request-id"] != e.RequestID {
		t.Errorf("x-request-id %q, RequestID %q", e.Response.Headers["x-request-id"], e.RequestID)
	}
	if s := e.Response.String(); strings.Contains(s, "account_ids") || !strings.Contains(s, "422") {
		t.Errorf("String() shows the body or hides the status: %s", s)
	}
}

func TestErrorDetails503(t *testing.T) {
	c := newClient(t, nil)
	_, err := c.GetIdentity(context.Background(), "mk_fault_503")
	var e *moneykit.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %v", err)
	}
	if !e.Retryable {
		t.Error("a 503 is retryable")
	}
	if e.ValidationErrors != nil {
		t.Errorf("ValidationErrors = %v", e.ValidationErrors)
	}
	if e.Response == nil || e.Response.Status != 503 || e.Response.Headers["retry-after"] != "1" {
		t.Fatalf("Response = %+v", e.Response)
	}
}
