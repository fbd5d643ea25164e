package signature

import (
	"strings"
	"testing"
	"time"
)

func TestForgeMondayNoneIsRefused(t *testing.T) {
	now := time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)
	tok, err := ForgeMondayNone("https://example.com/hook", 7, 8, now)
	if err != nil {
		t.Fatal(err)
	}
	if parts := strings.Split(tok, "."); len(parts) != 3 || parts[2] != "" {
		t.Fatalf("token %q: want header.claims. with an empty signature", tok)
	}
	_, err = VerifyMonday(tok, []byte("any-secret"), now)
	if err == nil || !strings.Contains(err.Error(), `"none"`) {
		t.Fatalf("VerifyMonday(alg none) = %v, want a refusal naming the algorithm", err)
	}
}
