package eventlog

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// b64 decodes body_b64 and headers_b64: standard alphabet, padded, and
// strict (no stray bits), so one text means one byte sequence.
var b64 = base64.StdEncoding.Strict()

// fields are the top-level members parse looks at.
type fields struct {
	v, receivedAt, method, path, verified, headers, headersB64 gjson.Result
	body, bodyB64, bodyWS, bodyLF, bodyCR, family              gjson.Result
}

func (f *fields) set(key string, val gjson.Result) {
	switch key {
	case "v":
		f.v = val
	case "received_at":
		f.receivedAt = val
	case "method":
		f.method = val
	case "path":
		f.path = val
	case "verified":
		f.verified = val
	case "headers":
		f.headers = val
	case "headers_b64":
		f.headersB64 = val
	case "body":
		f.body = val
	case "body_b64":
		f.bodyB64 = val
	case "body_ws":
		f.bodyWS = val
	case "body_lf":
		f.bodyLF = val
	case "body_cr":
		f.bodyCR = val
	case "family":
		f.family = val
	}
}

// parse turns one document (trimmed, non-empty) into a Record. The error
// is the reason for a LineError. Nothing in the Record aliases doc.
func parse(doc []byte) (*Record, error) {
	// A record's body sits one level inside the record, so the line may be
	// one level deeper than a body may.
	depth := jsonlimit.Depth(doc, jsonlimit.MaxDepth+1)
	if depth > jsonlimit.MaxDepth+1 {
		return nil, depthError(doc)
	}
	if !gjson.ValidBytes(doc) {
		return nil, ErrNotJSON
	}
	// Every record has a received_at member; a document whose text lacks
	// the name is a bare body, with no need to walk its members.
	if doc[0] != '{' || !bytes.Contains(doc, receivedAt) {
		return bare(doc, depth)
	}
	// gjson reads a string; doc outlives this call and every value kept is
	// copied, so no string below escapes aliasing doc.
	top := gjson.Parse(unsafe.String(unsafe.SliceData(doc), len(doc))) //nolint:gosec // G103: read-only view, see above; BenchmarkReader
	var f fields
	top.ForEach(func(k, v gjson.Result) bool {
		f.set(k.Str, v)
		return true
	})
	if !f.receivedAt.Exists() {
		return bare(doc, depth)
	}
	rec := &Record{Form: FormLegacy}
	switch {
	case f.v.Exists():
		if f.v.Raw != "2" && f.v.Raw != "3" {
			return nil, &VersionError{V: clip(f.v.Raw, 20)}
		}
		rec.Form = FormRecord
	case f.family.Exists():
		rec.Form = FormStream
	}
	if !f.body.Exists() {
		return nil, ErrNoBody
	}
	if t, err := time.Parse(time.RFC3339Nano, f.receivedAt.Str); err == nil {
		rec.ReceivedAt = t
	}
	rec.Method = clone(f.method)
	rec.Path = clone(f.path)
	switch f.verified.Type {
	case gjson.True:
		rec.Verify = VerifyOK
	case gjson.False:
		rec.Verify = VerifyFailed
	}
	if err := rec.readHeaders(f.headers, f.headersB64); err != nil {
		return nil, err
	}
	return rec, rec.readBody(doc, &f)
}

var receivedAt = []byte("received_at")

// depthError reports where doc passes jsonlimit.MaxDepth.
func depthError(doc []byte) error {
	if err := jsonlimit.CheckDepth(doc, jsonlimit.MaxDepth); err != nil {
		return err
	}
	return &jsonlimit.DepthError{Max: jsonlimit.MaxDepth}
}

// bare is a plain JSON document of the given depth: its bytes are the body.
func bare(doc []byte, depth int) (*Record, error) {
	if depth > jsonlimit.MaxDepth {
		return nil, depthError(doc)
	}
	return &Record{Form: FormBare, Body: append([]byte(nil), doc...), BodyValid: true}, nil
}

func (rec *Record) readHeaders(h, hb64 gjson.Result) error {
	if !h.IsObject() {
		return nil
	}
	rec.Header = map[string][]string{}
	h.ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.String {
			rec.Header[clone(k)] = []string{clone(v)}
		}
		return true
	})
	if !hb64.Exists() {
		return nil
	}
	if !hb64.IsObject() {
		return ErrHeadersBase64
	}
	var err error
	hb64.ForEach(func(k, v gjson.Result) bool {
		b, derr := b64.DecodeString(v.Str)
		if v.Type != gjson.String || derr != nil {
			err = ErrHeadersBase64
			return false
		}
		rec.Header[clone(k)] = []string{string(b)}
		return true
	})
	return err
}

func (rec *Record) readBody(doc []byte, f *fields) error {
	switch {
	case f.bodyB64.Exists():
		b, err := b64.DecodeString(f.bodyB64.Str)
		if f.bodyB64.Type != gjson.String || err != nil {
			return ErrBodyBase64
		}
		rec.Body = b
		rec.BodyValid = jsonlimit.Valid(b, jsonlimit.MaxDepth)
		return nil
	case f.bodyWS.Exists():
		b, err := wsBody(f.body.Raw, f.bodyWS)
		if err != nil {
			return err
		}
		rec.Body = b
		rec.BodyValid = true // wsBody checked
		return nil
	case rec.Form == FormLegacy:
		b, err := legacyBody(doc, f.body, f.bodyLF, f.bodyCR)
		if err != nil {
			return err
		}
		rec.Body = b
		rec.BodyValid = jsonlimit.Valid(b, jsonlimit.MaxDepth)
		return nil
	}
	rec.Body = []byte(f.body.Raw)
	rec.BodyValid = true // a value of the valid line, no deeper than it
	return nil
}

// wsBody restores the exact body of a record with "body_ws" (see
// appendWS): lead, then raw (the body value's bytes, which the writer put
// after `"body":` trimmed, so gjson's Raw is all of them) with the bytes at
// the lf offsets set back to LF and at the cr offsets to CR, then trail.
// Anything but what the writer makes is an ErrBodyWS naming the problem:
// a member that is not an object, string or array of offsets as it
// should be, a member it does not know, lead or trail with a byte that is
// not JSON whitespace, offsets that do not increase, are out of range or
// do not point at a space, and a result that is not valid JSON (a space
// inside a string made a line break).
func wsBody(raw string, ws gjson.Result) ([]byte, error) {
	m, err := wsMembers(ws)
	if err != nil {
		return nil, err
	}
	if err := checkWS("lead", m.lead); err != nil {
		return nil, err
	}
	if err := checkWS("trail", m.trail); err != nil {
		return nil, err
	}
	lead, trail := m.lead.Str, m.trail.Str
	out := make([]byte, 0, len(lead)+len(raw)+len(trail))
	out = append(out, lead...)
	out = append(out, raw...)
	out = append(out, trail...)
	mid := out[len(lead) : len(lead)+len(raw)]
	if err := restoreWS(mid, m.lf, "lf", '\n'); err != nil {
		return nil, err
	}
	if err := restoreWS(mid, m.cr, "cr", '\r'); err != nil {
		return nil, err
	}
	if !jsonlimit.Valid(out, jsonlimit.MaxDepth) {
		return nil, wsError("it makes a body that is not valid JSON (a line break inside a string?)")
	}
	return out, nil
}

// wsMember are the members of a body_ws object.
type wsMember struct{ lead, trail, lf, cr gjson.Result }

// wsMembers reads body_ws: an object of the four members, each once.
func wsMembers(ws gjson.Result) (wsMember, error) {
	var m wsMember
	if !ws.IsObject() {
		return m, wsError("it is not an object")
	}
	var err error
	ws.ForEach(func(k, v gjson.Result) bool {
		var dst *gjson.Result
		switch k.Str {
		case "lead":
			dst = &m.lead
		case "trail":
			dst = &m.trail
		case "lf":
			dst = &m.lf
		case "cr":
			dst = &m.cr
		default:
			err = wsError("it has a member lcwh does not know: " + clip(k.Raw, 40))
			return false
		}
		if dst.Exists() {
			err = wsError("it has " + k.Str + " twice")
			return false
		}
		*dst = v
		return true
	})
	return m, err
}

// checkWS fails unless v, body_ws's member name, is absent or a string of
// JSON whitespace.
func checkWS(name string, v gjson.Result) error {
	if !v.Exists() {
		return nil
	}
	if v.Type != gjson.String {
		return wsError(name + " is not a string")
	}
	for i := 0; i < len(v.Str); i++ {
		if !isWS(v.Str[i]) {
			return wsError(name + " holds " + strconv.QuoteToASCII(v.Str[i:i+1]) + " at byte " + strconv.Itoa(i) +
				", not JSON whitespace (space, tab, LF, CR)")
		}
	}
	return nil
}

// offset reads o as an offset: a JSON number that is a whole number
// written plainly (no fraction, exponent or sign), below 1<<40.
func offset(o gjson.Result) (int, bool) {
	r := o.Raw
	if o.Type != gjson.Number || len(r) == 0 || len(r) > 12 || (r[0] == '0' && len(r) > 1) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(r); i++ {
		if r[i] < '0' || r[i] > '9' {
			return 0, false
		}
		n = n*10 + int(r[i]-'0')
	}
	return n, true
}

// restoreWS puts c back at each offset of offs (the lf or cr member of
// body_ws, named name) in b, the readable body; the offsets must increase.
func restoreWS(b []byte, offs gjson.Result, name string, c byte) error {
	switch n, problem := putBack(b, offs, c, true); {
	case problem == "":
		return nil
	case n < 0:
		return wsError(name + problem)
	default:
		return wsError(name + "[" + strconv.Itoa(n) + "]" + problem)
	}
}

// putBack puts c back at each offset of offs, an array of offsets of
// spaces in b where a writer replaced c; ordered also requires each offset
// above the one before. It returns what is wrong, if anything, and the
// index of the offset at fault (-1 when offs is not an array).
func putBack(b []byte, offs gjson.Result, c byte, ordered bool) (n int, problem string) {
	if !offs.Exists() {
		return 0, ""
	}
	if !offs.IsArray() {
		return -1, " is not an array"
	}
	prev := -1
	offs.ForEach(func(_, o gjson.Result) bool {
		i, ok := offset(o)
		switch {
		case !ok:
			problem = " = " + clip(o.Raw, 20) + " is not an offset (a whole number, 0 or more)"
		case i < 0 || i >= len(b):
			problem = " = " + o.Raw + " is outside the body's " + strconv.Itoa(len(b)) + " bytes"
		case ordered && i <= prev:
			problem = " = " + o.Raw + " is not above the offset before it (" + strconv.Itoa(prev) + ")"
		case b[i] != ' ':
			problem = " = " + o.Raw + " points at " + strconv.QuoteToASCII(string(b[i:i+1])) + ", not a space"
		default:
			b[i] = c
			prev = i
			n++
			return true
		}
		return false
	})
	return n, problem
}

func wsError(problem string) error { return fmt.Errorf("%w: %s", ErrBodyWS, problem) }

// legacyBody restores the exact body of a record written before versions.
// That writer put `"body":`, then the body's bytes with each CR and LF
// replaced by a space, then `,"body_lf":[…]` and `,"body_cr":[…]` (offsets
// into those bytes) when there were any, then `}`. So the body is all of
// the bytes between that colon and the next member or the closing brace,
// its leading and trailing whitespace included; gjson's value alone would
// drop that whitespace.
func legacyBody(doc []byte, body, lf, cr gjson.Result) ([]byte, error) {
	start, end := body.Index, body.Index+len(body.Raw)
	if start <= 0 || end > len(doc) || doc[start:end][0] != body.Raw[0] {
		return []byte(body.Raw), nil // position unknown: the value is all there is
	}
	for start > 0 && isWS(doc[start-1]) {
		start--
	}
	for end < len(doc) && isWS(doc[end]) {
		end++
	}
	out := append([]byte(nil), doc[start:end]...)
	if err := restoreBreaks(out, lf, '\n'); err != nil {
		return nil, err
	}
	if err := restoreBreaks(out, cr, '\r'); err != nil {
		return nil, err
	}
	return out, nil
}

// restoreBreaks puts c back at each offset of offs (body_lf or body_cr) in
// out, where the legacy writer left a space. Anything but an array of
// in-range offsets of spaces is ErrOffsets.
func restoreBreaks(out []byte, offs gjson.Result, c byte) error {
	if _, problem := putBack(out, offs, c, false); problem != "" {
		return ErrOffsets
	}
	return nil
}

// clone copies a string value out of the document.
func clone(r gjson.Result) string {
	if r.Type != gjson.String {
		return ""
	}
	return strings.Clone(r.Str)
}

// clip shortens s to about n bytes for an error message.
func clip(s string, n int) string {
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return strings.Clone(s)
}
