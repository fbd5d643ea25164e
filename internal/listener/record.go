package listener

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/lcwh/lcwh/internal/jsonstr"
	"github.com/lcwh/lcwh/internal/signature"
)

// AppendRecord appends ev as one --save JSON line: received_at, method,
// path, verified (true/false/null), headers and the body. The body is kept
// byte for byte unless it holds line breaks (pretty-printed JSON): they
// become spaces so the record stays on one line, and body_lf / body_cr list
// their offsets so RecordBody restores the exact bytes.
func AppendRecord(dst []byte, ev *Event) []byte {
	dst = append(dst, `{"received_at":"`...)
	dst = ev.ReceivedAt.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","method":`...)
	dst = jsonstr.Append(dst, ev.Method)
	dst = append(dst, `,"path":`...)
	dst = jsonstr.Append(dst, ev.Path)
	dst = append(dst, `,"verified":`...)
	switch ev.Verification {
	case Verified:
		dst = append(dst, "true"...)
	case Failed:
		dst = append(dst, "false"...)
	default:
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"headers":`...)
	dst = AppendHeaders(dst, ev.Header, false)
	dst = append(dst, `,"body":`...)
	start := len(dst)
	dst = append(dst, ev.Body...)
	var lfBuf, crBuf [64]int
	lf := lineBreaks(dst[start:], '\n', lfBuf[:0])
	cr := lineBreaks(dst[start:], '\r', crBuf[:0])
	if len(lf) > 0 {
		dst = appendOffsets(dst, `,"body_lf":[`, lf)
	}
	if len(cr) > 0 {
		dst = appendOffsets(dst, `,"body_cr":[`, cr)
	}
	return append(dst, "}\n"...)
}

// lineBreaks replaces every c in b by a space and returns their offsets.
func lineBreaks(b []byte, c byte, offs []int) []int {
	base := 0
	for {
		i := bytes.IndexByte(b[base:], c)
		if i < 0 {
			return offs
		}
		b[base+i] = ' '
		offs = append(offs, base+i)
		base += i + 1
	}
}

func appendOffsets(dst []byte, key string, offs []int) []byte {
	dst = append(dst, key...)
	for i, o := range offs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(o), 10)
	}
	return append(dst, ']')
}

// RecordBody returns the exact body of a saved record: raw is the record's
// body value and lf, cr the offsets from body_lf and body_cr.
func RecordBody(raw []byte, lf, cr []int) []byte {
	if len(lf) == 0 && len(cr) == 0 {
		return raw
	}
	out := append([]byte(nil), raw...)
	for _, i := range lf {
		if i >= 0 && i < len(out) {
			out[i] = '\n'
		}
	}
	for _, i := range cr {
		if i >= 0 && i < len(out) {
			out[i] = '\r'
		}
	}
	return out
}

// AppendHeaders appends h as a JSON object of name → value (several
// values joined with ", "), names sorted. redact hides Authorization.
func AppendHeaders(dst []byte, h http.Header, redact bool) []byte {
	var names [16]string
	keys := names[:0]
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonstr.Append(dst, k)
		dst = append(dst, ':')
		vs := h[k]
		if redact && (k == "Authorization" || k == "Cookie") {
			v := ""
			if len(vs) > 0 {
				v = vs[0]
			}
			dst = jsonstr.Append(dst, RedactAuth(v))
			continue
		}
		if len(vs) == 1 {
			dst = jsonstr.Append(dst, vs[0])
			continue
		}
		joined := ""
		for j, v := range vs {
			if j > 0 {
				joined += ", "
			}
			joined += v
		}
		dst = jsonstr.Append(dst, joined)
	}
	return append(dst, '}')
}

// RedactAuth hides an Authorization value, keeping the scheme.
func RedactAuth(v string) string {
	if len(v) > 7 && (v[:7] == "Bearer " || v[:7] == "bearer ") {
		return v[:7] + signature.Redact(v[7:])
	}
	return signature.Redact(v)
}
