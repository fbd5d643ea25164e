package signature

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestSecretMatches(t *testing.T) {
	secrets := []string{"alpha-secret", "beta-secret"}
	if got := SecretMatches("beta-secret", secrets); got != 1 {
		t.Errorf("match = %d, want 1", got)
	}
	if got := SecretMatches("beta-secre", secrets); got != -1 {
		t.Errorf("prefix matched: %d", got)
	}
	if got := SecretMatches("", nil); got != -1 {
		t.Errorf("empty matched: %d", got)
	}
}

func TestRedact(t *testing.T) {
	if got := Redact("k3Jd8sLq0vXz4NwP7rTy2uBm"); strings.Contains(got, "sLq0") || !strings.HasPrefix(got, "k3J") {
		t.Errorf("Redact leaks: %q", got)
	}
	if got := Redact("short"); got != "****" {
		t.Errorf("short = %q", got)
	}
}

func TestMondayRoundTrip(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tok, err := SignMonday([]byte("s3cret"), "http://127.0.0.1:8080/webhooks", 42, 7, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{tok, "Bearer " + tok, "bearer  " + tok} {
		c, err := VerifyMonday(h, []byte("s3cret"), now.Add(time.Minute))
		if err != nil {
			t.Fatalf("verify %q: %v", h[:10], err)
		}
		if c.AccountID != 42 || c.UserID != 7 || c.Audience[0] != "http://127.0.0.1:8080/webhooks" {
			t.Errorf("claims %+v", c)
		}
	}
}

func TestMondayRejects(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	good, _ := SignMonday([]byte("s3cret"), "aud", 1, 2, now)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"exp": now.Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{"exp": now.Add(time.Hour).Unix()}).SignedString([]byte("s3cret"))
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"accountId": 1}).SignedString([]byte("s3cret"))
	tests := []struct {
		name, header, secret string
		at                   time.Time
		want                 string
	}{
		{"wrong secret", good, "other", now, "signature"},
		{"expired", good, "s3cret", now.Add(MondayTokenTTL + time.Second), "expired"},
		{"missing", "", "s3cret", now, "missing"},
		{"alg none", none, "s3cret", now, "HS256"},
		{"alg HS512", hs512, "s3cret", now, "HS256"},
		{"no exp", noExp, "s3cret", now, "invalid"},
		{"garbage", "Bearer abc.def", "s3cret", now, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyMonday(tt.header, []byte(tt.secret), tt.at)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func FuzzVerifyMonday(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	good, _ := SignMonday([]byte("k"), "aud", 1, 2, now)
	f.Add(good)
	f.Add("Bearer " + good)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, h string) {
		c, err := VerifyMonday(h, []byte("k"), now)
		if err == nil && c == nil {
			t.Fatal("nil claims without error")
		}
	})
}
