package eventlog

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/jsonstr"
)

// Append appends rec as one record line, newline included:
//
//	{"v":3,"received_at":…,"method":…,"path":…,"verified":…,"headers":{…},"body":…}
//
// with "headers_b64" after headers when a header value is not valid UTF-8,
// and "body_ws" or "body_b64" after body when the body is not exact (see
// AppendBody). The line is always valid UTF-8 and valid JSON. Method, path
// and header names that are not valid UTF-8 are written with U+FFFD in
// place of the bad bytes; header values are kept exactly through
// headers_b64. It allocates nothing beyond growing dst (a header sent
// several times, or more than 16 header names, cost one allocation).
func Append(dst []byte, rec *Record) []byte {
	dst = append(dst, `{"v":3,"received_at":"`...)
	dst = rec.ReceivedAt.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","method":`...)
	dst = AppendString(dst, rec.Method)
	dst = append(dst, `,"path":`...)
	dst = AppendString(dst, rec.Path)
	dst = append(dst, `,"verified":`...)
	dst = AppendVerify(dst, rec.Verify)
	dst = append(dst, `,"headers":`...)
	if rec.Header == nil && rec.Fields != nil {
		dst = appendFields(dst, rec.Fields)
	} else {
		dst = appendHeaders(dst, rec.Header)
	}
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
// written `"body":`), in one of three forms:
//
//   - exact (see Exact): body itself;
//   - valid JSON and valid UTF-8 but with whitespace a JSON reader drops
//     (around the value, CR or LF between tokens): the readable form — the
//     value trimmed, each CR and LF a space — then a "body_ws" member that
//     describes the whitespace to put back (see appendWS), when that member
//     is no longer than the "body_b64" member would be;
//   - otherwise the readable form (also with invalid UTF-8 replaced by
//     U+FFFD and a leading UTF-8 BOM dropped; null when the bytes are not
//     JSON) then a "body_b64" member holding the exact bytes in standard
//     base64.
//
// valid says body is known to be valid JSON within jsonlimit.MaxDepth;
// when false it is checked here.
func AppendBody(dst, body []byte, valid bool) []byte {
	if !valid {
		valid = jsonlimit.Valid(body, jsonlimit.MaxDepth)
	}
	if valid && plain(body) {
		return append(dst, body...)
	}
	if valid {
		// Valid JSON never starts with a BOM, and outside its strings it
		// is ASCII: only the strings can hold invalid UTF-8.
		if i, j := trimBounds(body); utf8.Valid(body[i:j]) {
			return appendWS(dst, body, i, j)
		}
	}
	return appendB64(dst, body, valid)
}

// appendB64 appends the readable form of body and its body_b64 member.
func appendB64(dst, body []byte, valid bool) []byte {
	return appendB64Member(appendReadable(dst, body, valid), body)
}

// b64MemberLen is the length of the `,"body_b64":"…"` member of n bytes.
func b64MemberLen(n int) int { return len(`,"body_b64":""`) + base64.StdEncoding.EncodedLen(n) }

// appendWS appends body (valid JSON and valid UTF-8, with JSON whitespace
// body[:i] before the value and body[j:] after it) as its readable form
// body[i:j] with each CR and LF a space, then
//
//	,"body_ws":{"lead":"…","lf":[…],"cr":[…],"trail":"…"}
//
// with only the members that are not empty: lead and trail the whitespace
// around the value as JSON strings, lf and cr the 0-based offsets, in
// increasing order, of the bytes of the readable form that were LF and CR.
// The offsets are found while the line breaks are replaced, and written
// straight after the body (dst may grow meanwhile, so by index). When the
// member grows longer than b64MemberLen(len(body)) — a body of many line
// breaks, whose offsets take several digits each — it is dropped for
// body_b64 instead, so a record never costs more than the readable form
// and base64: a 10 MiB body of newlines makes a record of about 23 MiB,
// not 90 MB.
func appendWS(dst, body []byte, i, j int) []byte {
	budget := b64MemberLen(len(body))
	start := len(dst)
	dst = append(dst, body[i:j]...)
	end := len(dst)
	dst = append(dst, `,"body_ws":{`...)
	sep := i > 0
	if sep {
		dst = append(dst, `"lead":`...)
		dst = appendWSString(dst, body[:i])
	}
	// What is still to come after the offsets: `],"trail":"…"}`.
	reserve := len(`]}`)
	if j < len(body) {
		reserve += len(`,"trail":`) + wsStringLen(body[j:])
	}
	var ok bool
	if dst, sep, ok = appendBreaks(dst, start, end, '\n', sep, budget-reserve); ok {
		dst, sep, ok = appendBreaks(dst, start, end, '\r', sep, budget-reserve)
	}
	if !ok {
		oneLine(dst[start:end], '\n')
		oneLine(dst[start:end], '\r')
		return appendB64Member(dst[:end], body)
	}
	if j < len(body) {
		if sep {
			dst = append(dst, ',')
		}
		dst = append(dst, `"trail":`...)
		dst = appendWSString(dst, body[j:])
	}
	dst = append(dst, '}')
	if len(dst)-end > budget { // only lead and trail: nothing to undo
		return appendB64Member(dst[:end], body)
	}
	return dst
}

// appendBreaks replaces each c (LF or CR) in dst[start:end] by a space and
// appends its offset from start to the "lf" or "cr" member (after a comma
// when sep). It stops, not ok, once the body_ws member that started at end
// is longer than limit.
func appendBreaks(dst []byte, start, end int, c byte, sep bool, limit int) (_ []byte, _, ok bool) {
	open := false
	for k := start; ; k++ {
		x := bytes.IndexByte(dst[k:end], c)
		if x < 0 {
			break
		}
		k += x
		dst[k] = ' '
		if open {
			dst = appendOffset(dst, ',', k-start)
		} else {
			if sep {
				dst = append(dst, ',')
			}
			if c == '\n' {
				dst = append(dst, `"lf":`...)
			} else {
				dst = append(dst, `"cr":`...)
			}
			dst = appendOffset(dst, '[', k-start)
			open, sep = true, true
		}
		if len(dst)-end > limit {
			return dst, sep, false
		}
	}
	if open {
		dst = append(dst, ']')
	}
	return dst, sep, true
}

// appendB64Member appends the body_b64 member of body.
func appendB64Member(dst, body []byte) []byte {
	dst = append(dst, `,"body_b64":"`...)
	dst = appendBase64(dst, body)
	return append(dst, '"')
}

// appendOffset appends the byte c then n (≥ 0) in decimal, like
// strconv.AppendInt after c (FuzzAppendOffsetAgreesWithStrconv) but in
// place after growing dst once and two digits a step: the offsets were
// half of appendWS's time on bench/recv.sh's payload (BenchmarkAppendBody,
// bench/json-results.md).
func appendOffset(dst []byte, c byte, n int) []byte {
	d := 1
	switch {
	case n < 10:
	case n < 100:
		d = 2
	case n < 1000:
		d = 3
	case n < 10000:
		d = 4
	default:
		for x := n; x >= 10; x /= 10 {
			d++
		}
	}
	dst = slices.Grow(dst, 1+d)
	at := len(dst)
	dst = dst[:at+1+d]
	dst[at] = c
	i := at + d
	for ; n >= 100; n /= 100 {
		q := n % 100 * 2
		dst[i], dst[i-1] = digitPairs[q+1], digitPairs[q]
		i -= 2
	}
	if n >= 10 {
		dst[i], dst[i-1] = digitPairs[n*2+1], digitPairs[n*2]
	} else {
		dst[i] = digitPairs[n*2+1]
	}
	return dst
}

const digitPairs = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" + "30313233343536373839" +
	"40414243444546474849" + "50515253545556575859" + "60616263646566676869" + "70717273747576777879" +
	"80818283848586878889" + "90919293949596979899"

// appendWSString appends ws, JSON whitespace, as a JSON string: the
// escapes are jsonstr's (\n, \r, \t; a space as it is).
func appendWSString(dst, ws []byte) []byte {
	return jsonstr.Append(dst, unsafe.String(unsafe.SliceData(ws), len(ws))) //nolint:gosec // G103: a read-only view for the call
}

// wsStringLen is the length of appendWSString's string of ws.
func wsStringLen(ws []byte) int {
	return 2 + 2*len(ws) - bytes.Count(ws, []byte{' '})
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
	i, j := trimBounds(b)
	return b[i:j]
}

// trimBounds returns where b is without the JSON whitespace at its ends:
// b[i:j].
func trimBounds(b []byte) (i, j int) {
	j = len(b)
	for i < j && isWS(b[i]) {
		i++
	}
	for j > i && isWS(b[j-1]) {
		j--
	}
	return i, j
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
	var arr [16]Field
	pairs := arr[:0]
	for k, vs := range h {
		pairs = append(pairs, Field{k, headerValue(vs)})
	}
	slices.SortFunc(pairs, byName)
	return appendPairs(dst, pairs)
}

// appendFields appends fields as appendHeaders appends the header they
// make: sorted by name, stably, so the values of a repeated name keep
// their order and join as a Header's do.
func appendFields(dst []byte, fields []Field) []byte {
	slices.SortStableFunc(fields, byName)
	pairs := fields[:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].Name == fields[i].Name {
			j++
		}
		f := fields[i]
		if j > i+1 {
			vs := make([]string, 0, j-i)
			for _, g := range fields[i:j] {
				vs = append(vs, g.Value)
			}
			f.Value = headerValue(vs)
		}
		pairs = append(pairs, f)
		i = j
	}
	return appendPairs(dst, pairs)
}

func byName(a, b Field) int { return strings.Compare(a.Name, b.Name) }

// appendPairs appends pairs (sorted, one per name) as the headers object,
// then a headers_b64 member for the values that are not valid UTF-8.
func appendPairs(dst []byte, pairs []Field) []byte {
	dst = append(dst, '{')
	bad := false
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, p.Name)
		dst = append(dst, ':')
		bad = bad || !utf8.ValidString(p.Value)
		dst = AppendString(dst, p.Value)
	}
	dst = append(dst, '}')
	if !bad {
		return dst
	}
	dst = append(dst, `,"headers_b64":{`...)
	first := true
	for _, p := range pairs {
		if utf8.ValidString(p.Value) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = AppendString(dst, p.Name)
		dst = append(dst, `:"`...)
		dst = base64.StdEncoding.AppendEncode(dst, []byte(p.Value))
		dst = append(dst, '"')
	}
	return append(dst, '}')
}
