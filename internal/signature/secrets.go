package signature

import (
	"slices"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/jsonstr"
)

// BodySecrets are the top-level body fields that hold a secret: LiveChat's
// secret_key and App Webhooks' clientID. Every view shows them redacted.
var BodySecrets = []string{"secret_key", "clientID"}

// SecretSpan is one BodySecrets member's string value in a body:
// body[At:End] is the value as sent (quotes and escapes included), Str
// the string it decodes to.
type SecretSpan struct {
	At, End int
	Str     string
}

// SecretSpans says where a body's BodySecrets members hold string values,
// found by whoever already scanned the body (the listener), so a view can
// redact them without parsing the body again. It is Known only when each
// of those keys occurs at most once at the top level; otherwise a view
// finds them itself (FindSecrets).
type SecretSpans struct {
	Known bool
	N     int
	Spans [2]SecretSpan // in body order
}

// Add records one more span, keeping them in body order.
func (s *SecretSpans) Add(sp SecretSpan) {
	if s.N == len(s.Spans) {
		return
	}
	s.Spans[s.N] = sp
	s.N++
	if s.N == 2 && s.Spans[1].At < s.Spans[0].At {
		s.Spans[0], s.Spans[1] = s.Spans[1], s.Spans[0]
	}
}

// SpansFrom is SecretSpans from what jsonlimit.Scan found of the members
// secret_key and clientID (BodySecrets, in that order): not Known when
// either key occurs twice, so a view then finds every occurrence itself.
// The spans' Str may view the scanned body.
func SpansFrom(secretKey, clientID jsonlimit.Member) SecretSpans {
	var s SecretSpans
	for _, m := range [...]jsonlimit.Member{secretKey, clientID} {
		if m.Count > 1 {
			return SecretSpans{}
		}
		if m.Kind == jsonlimit.String {
			s.Add(SecretSpan{At: m.At, End: m.End, Str: view(m.Str)})
		}
	}
	s.Known = true
	return s
}

// FindSecrets appends to dst every top-level BodySecrets member of body
// that holds a string, in body order: a key sent twice is found twice.
// One jsonlimit.Scan finds them when each key occurs at most once (the
// usual body); otherwise, or when body nests deeper than Scan accepts, a
// walk of the top-level members with gjson does. The spans' Str may view
// body, which must not change while they are used.
func FindSecrets(dst []SecretSpan, body []byte) []SecretSpan {
	top := [...]jsonlimit.Member{{Key: BodySecrets[0]}, {Key: BodySecrets[1]}}
	if _, err := jsonlimit.Scan(body, jsonlimit.MaxDepth, top[:]); err == nil {
		if s := SpansFrom(top[0], top[1]); s.Known {
			return append(dst, s.Spans[:s.N]...)
		}
	}
	gjson.ParseBytes(body).ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.String && v.Index > 0 && slices.Contains(BodySecrets, k.Str) {
			dst = append(dst, SecretSpan{At: v.Index, End: v.Index + len(v.Raw), Str: v.Str})
		}
		return true
	})
	return dst
}

// AppendRedacted appends body with each span's value replaced by its
// redacted form (a JSON string); spans are in body order.
func AppendRedacted(dst, body []byte, spans []SecretSpan) []byte {
	last := 0
	for _, sp := range spans {
		dst = append(dst, body[last:sp.At]...)
		dst = jsonstr.Append(dst, Redact(sp.Str))
		last = sp.End
	}
	return append(dst, body[last:]...)
}

// view is b as a string without a copy (b is not changed afterwards).
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b)) //nolint:gosec // G103: read-only view of the body, see FindSecrets
}
