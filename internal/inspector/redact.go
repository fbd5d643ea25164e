package inspector

import (
	"math"

	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/signature"
)

func isSecretHeader(k string) bool {
	return k == "Authorization" || k == "Cookie" || k == "Proxy-Authorization"
}

// redactAuthorization hides an Authorization value, keeping its scheme.
func redactAuthorization(v string) string {
	if len(v) > 7 && (v[:7] == "Bearer " || v[:7] == "bearer ") {
		return v[:7] + signature.Redact(v[7:])
	}
	return signature.Redact(v)
}

// redactBody returns body with the string values of the top-level
// signature.BodySecrets (secret_key, clientID) redacted, every occurrence
// of each; other bytes stay as they are. A body that is not JSON is
// returned as is. The check is jsonlimit's iterative one at any depth: a
// file opened with inspect --web may hold a body nested far deeper than
// the listener accepts, which gjson's recursive validator would overflow
// the stack on (and it must still be redacted).
func redactBody(body []byte) []byte {
	if !jsonlimit.Valid(body, math.MaxInt) {
		return body
	}
	var buf [2]signature.SecretSpan
	return signature.AppendRedacted(make([]byte, 0, len(body)), body, signature.FindSecrets(buf[:0], body))
}
