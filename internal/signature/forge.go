package signature

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ForgeMondayNone returns a monday-style token with the claims SignMonday
// uses but alg "none" and no signature: what an attacker sends to a
// verifier that trusts the token's own header. `lcwh check` delivers it to
// prove a handler refuses it; VerifyMonday does.
func ForgeMondayNone(audience string, accountID, userID int64, now time.Time) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodNone, mondayClaims(audience, accountID, userID, now)).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
}
