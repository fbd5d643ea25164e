package inspector

import (
	"sort"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/jsonstr"
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
// signature.BodySecrets (secret_key, clientID) redacted; other bytes
// stay as they are. A body that is not a JSON object is returned as is.
func redactBody(body []byte) []byte {
	if !gjson.ValidBytes(body) {
		return body
	}
	res := gjson.GetManyBytes(body, signature.BodySecrets...)
	sort.Slice(res, func(i, j int) bool { return res[i].Index < res[j].Index })
	out := make([]byte, 0, len(body))
	at := 0
	for _, r := range res {
		if r.Type != gjson.String || r.Index <= 0 || r.Index < at {
			continue
		}
		out = append(out, body[at:r.Index]...)
		out = jsonstr.Append(out, signature.Redact(r.Str))
		at = r.Index + len(r.Raw)
	}
	return append(out, body[at:]...)
}
