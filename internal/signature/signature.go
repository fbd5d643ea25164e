// Package signature checks and produces the proofs that a webhook came from
// who it says: LiveChat's shared secret_key (webhooks.md §2) and the JWT
// monday.com puts in the Authorization header (monday-lifecycle.md §5, §7).
//
// LiveChat App Webhooks carry no verification at all (app-webhooks.md); the
// best a receiver can do is compare clientID, which SecretMatches also serves.
package signature

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/lcwh/lcwh/internal/termtext"
)

// SecretMatches reports which of secrets equals got, comparing in constant
// time per candidate so the comparison leaks nothing about the secret.
// It returns the index of the match, or -1.
func SecretMatches(got string, secrets []string) int {
	match := -1
	for i, s := range secrets {
		if subtle.ConstantTimeCompare([]byte(got), []byte(s)) == 1 && match < 0 {
			match = i
		}
	}
	return match
}

// Redact shows enough of a secret to tell two apart, never enough to use it.
func Redact(s string) string {
	switch {
	case s == "":
		return `""`
	case len(s) <= 8:
		return "****"
	default:
		// A prefix cut at a character boundary, cleaned: it is shown on terminals.
		return termtext.Line(termtext.Truncate(s, 3, "")) + "****" + fmt.Sprintf("(%d chars)", len(s))
	}
}

// MondayClaims are the claims monday.com documents for lifecycle JWTs
// (monday-lifecycle.md §7, outside the seed and unverified there).
type MondayClaims struct {
	AccountID       int64  `json:"accountId"`
	UserID          int64  `json:"userId"`
	ShortLivedToken string `json:"shortLivedToken,omitempty"`
	jwt.RegisteredClaims
}

// MondayTokenTTL is how long a token lcwh signs stays valid. monday does not
// document a lifetime; five minutes follows the spec's suggestion.
const MondayTokenTTL = 5 * time.Minute

// SignMonday makes the HS256 JWT lcwh sends with monday.com samples. The
// algorithm and claims are an approximation: monday documents the claims but
// not the algorithm (monday-lifecycle.md §5, §7).
func SignMonday(secret []byte, audience string, accountID, userID int64, now time.Time) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("empty monday secret")
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, mondayClaims(audience, accountID, userID, now)).SignedString(secret)
}

// mondayClaims are the claims lcwh puts in monday tokens.
func mondayClaims(audience string, accountID, userID int64, now time.Time) MondayClaims {
	return MondayClaims{ //nolint:gosec // G101: ShortLivedToken is a placeholder in sample tokens, it grants nothing
		AccountID:       accountID,
		UserID:          userID,
		ShortLivedToken: "lcwh-sample-short-lived-token",
		RegisteredClaims: jwt.RegisteredClaims{
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(MondayTokenTTL)),
		},
	}
}

// MondayError says why a monday JWT was refused.
type MondayError struct{ Reason string }

func (e *MondayError) Error() string { return "monday JWT " + e.Reason }

// VerifyMonday checks the Authorization header value of a monday.com
// lifecycle request: bare token or "Bearer <token>" (the seed does not say
// which), HS256 only (anything else, "none" included, is refused), and exp
// honoured at now. aud is not checked: behind a tunnel the receiver cannot
// know the public URL monday used.
func VerifyMonday(header string, secret []byte, now time.Time) (*MondayClaims, error) {
	tok := strings.TrimSpace(header)
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" {
		return nil, &MondayError{Reason: "missing: no Authorization header"}
	}
	if alg, ok := headerAlg(tok); ok && alg != "HS256" {
		return nil, &MondayError{Reason: fmt.Sprintf("uses algorithm %q; only HS256 is accepted", alg)}
	}
	claims := &MondayClaims{}
	p := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithExpirationRequired())
	_, err := p.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return secret, nil })
	switch {
	case err == nil:
		return claims, nil
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, &MondayError{Reason: "expired"}
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return nil, &MondayError{Reason: "signature does not match the secret"}
	case errors.Is(err, jwt.ErrTokenUnverifiable), errors.Is(err, jwt.ErrTokenMalformed):
		return nil, &MondayError{Reason: "malformed or not HS256: " + err.Error()}
	default:
		return nil, &MondayError{Reason: "invalid: " + err.Error()}
	}
}

// headerAlg reads the alg of a token without trusting it, to name a
// refused algorithm in the error instead of calling it a bad signature.
func headerAlg(tok string) (string, bool) {
	t, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if err != nil || t == nil {
		return "", false
	}
	alg, ok := t.Header["alg"].(string)
	return alg, ok
}
