package eventlog

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/jsonstr"
)

// Append appends rec as one record line, newline included:
//
//	{"v":2,"received_at":…,"method":…,"path":…,"verified":…,"headers":{…},"body":…}
//
// with "headers_b64" after headers when a header value is not valid UTF-8,
// and "body_b64" after body when the body is not exact (see AppendBody).
// The line is always valid UTF-8 and valid JSON. Method, path and header
// names that are not valid UTF-8 are written with U+FFFD in place of the
// bad bytes; header values are kept exactly through headers_b64.
// It allocates nothing beyond growing dst (a header sent several times, or
// more than 16 header names, cost one allocation).
func Append(dst []byte, rec *Record) []byte {
	dst = append(dst, `{"v":2,"received_at":"`...)
	dst = rec.ReceivedAt.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","method":`...)
	dst = AppendString(dst, rec.Method)
	dst = append(dst, `,"path":`...)
	dst = AppendString(dst, rec.Path)
	dst = append(dst, `,"verified":`...)
	dst = AppendVerify(dst, rec.Verify)
	dst = append(dst, `,"headers":`...)
	dst = appendHeaders(dst, rec.Header)
	dst = append(dst, `,"body":`...)
	dst = AppendBody(dst, rec.Body, rec.BodyValid)
	return append(dst, "}\n"...)
}

// AppendVerify appends v as the value of a "verified" member: true,
// false, or null when nothing was configured to check.
func AppendVerify(dst []byte, v Verify) []byte {
	switch v {
	case VerifyOK:
		return append(dst, "true"...)
	case VerifyFailed:
		return append(dst, "false"...)
	}
	return append(dst, "null"...)
}

// AppendBody appends body as the value of a "body" member (the caller has
// written `"body":`). When body is exact (see Exact) that is body itself;
// otherwise it is a readable form — the JSON trimmed, on one line (CR and
// LF become spaces), invalid UTF-8 replaced by U+FFFD, a leading UTF-8 BOM
// dropped; null when the bytes are not JSON — followed by a "body_b64"
// member holding the exact bytes in standard base64. valid says body is
// known to be valid JSON within jsonlimit.MaxDepth; when false it is
// checked here.
func AppendBody(dst, body []byte, valid bool) []byte {
	if !valid {
		valid = jsonlimit.Valid(body, jsonlimit.MaxDepth)
	}
	if valid && plain(body) {
		return append(dst, body...)
	}
	dst = appendReadable(dst, body, valid)
	dst = append(dst, `,"body_b64":"`...)
	dst = appendBase64(dst, body)
	return append(dst, '"')
}

// Exact reports whether body can be kept as raw JSON in a record with
// nothing lost: valid JSON within jsonlimit.MaxDepth, valid UTF-8, no CR
// or LF byte, and no whitespace before or after the value.
func Exact(body []byte) bool {
	return plain(body) && jsonlimit.Valid(body, jsonlimit.MaxDepth)
}

// plain is Exact without the JSON check: the cheap conditions, in the
// order that rejects common bodies fastest.
func plain(b []byte) bool {
	return len(b) > 0 && !isWS(b[0]) && !isWS(b[len(b)-1]) &&
		bytes.IndexByte(b, '\n') < 0 && bytes.IndexByte(b, '\r') < 0 && utf8.Valid(b)
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// trimWS trims JSON whitespace (space, tab, CR, LF) from both ends.
func trimWS(b []byte) []byte {
	for len(b) > 0 && isWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

var bom = []byte("\xef\xbb\xbf")

// appendReadable appends the readable "body" value of a non-exact body.
func appendReadable(dst, body []byte, valid bool) []byte {
	t := trimWS(body)
	if !valid {
		// A UTF-8 BOM before JSON (Windows editors write one) is the one
		// non-JSON body that still reads as JSON once it is dropped.
		rest, ok := bytes.CutPrefix(t, bom)
		if !ok {
			return append(dst, "null"...)
		}
		if t = trimWS(rest); !jsonlimit.Valid(t, jsonlimit.MaxDepth) {
			return append(dst, "null"...)
		}
	}
	start := len(dst)
	dst = append(dst, t...)
	// In valid JSON a raw CR or LF is whitespace between tokens (strings
	// cannot hold one), so a space keeps the value and the line.
	oneLine(dst[start:], '\n')
	oneLine(dst[start:], '\r')
	if !utf8.Valid(t) {
		// Outside strings valid JSON is ASCII: the bad bytes are inside
		// strings, where U+FFFD keeps the JSON valid.
		fixed := bytes.ToValidUTF8(dst[start:], []byte("\uFFFD"))
		dst = append(dst[:start], fixed...)
	}
	return dst
}

func oneLine(b []byte, c byte) {
	for {
		i := bytes.IndexByte(b, c)
		if i < 0 {
			return
		}
		b[i] = ' '
		b = b[i+1:]
	}
}

// AppendString appends s as a JSON string (through jsonstr, so no control
// character is left raw) with invalid UTF-8 written as U+FFFD, so the
// output is always valid UTF-8.
func AppendString(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return jsonstr.Append(dst, s)
}

// headerValue is h[k] as the record keeps it: several values joined.
func headerValue(vs []string) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	}
	return strings.Join(vs, ", ")
}

// appendHeaders appends h as an object of name → value, names sorted, then
// a headers_b64 member for the values that are not valid UTF-8.
func appendHeaders(dst []byte, h map[string][]string) []byte {
	var arr [16]string
	names := arr[:0]
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	dst = append(dst, '{')
	bad := false
	for i, k := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, k)
		dst = append(dst, ':')
		v := headerValue(h[k])
		bad = bad || !utf8.ValidString(v)
		dst = AppendString(dst, v)
	}
	dst = append(dst, '}')
	if !bad {
		return dst
	}
	dst = append(dst, `,"headers_b64":{`...)
	first := true
	for _, k := range names {
		v := headerValue(h[k])
		if utf8.ValidString(v) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = AppendString(dst, k)
		dst = append(dst, `:"`...)
		dst = base64.StdEncoding.AppendEncode(dst, []byte(v))
		dst = append(dst, '"')
	}
	return append(dst, '}')
}
