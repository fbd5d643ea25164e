// Package eventlog holds the saved-event format: the JSON lines that
// `lcwh listen --save` writes (Append, on the listener's hot path) and the
// one reader (Reader) that `inspect`, `replay` and anything later use for
// saved files, `listen --json` streams and plain JSON documents.
//
// Every record carries "v":3 and keeps its body byte for byte: as raw JSON
// when that is exact (valid UTF-8, valid JSON, no CR or LF byte, no leading
// or trailing whitespace); for valid JSON in valid UTF-8 that only has
// whitespace a JSON reader drops, as a readable "body" (the value trimmed,
// on one line) and "body_ws", which says where the whitespace goes back;
// otherwise (invalid UTF-8, not JSON, or a body_ws longer than base64) as
// "body_b64" (standard base64 of the exact bytes) beside a readable "body"
// (the JSON on one line with invalid UTF-8 replaced, or null when the
// bytes are not JSON). Readers take body_b64 when it is there, else
// body_ws. Files of version 2 (body_b64 only) and of the format before
// versions (no "v", line breaks listed in body_lf / body_cr) still read
// with their exact bodies. docs/guides/json-reference.md describes every
// field.
package eventlog

import (
	"time"
)

// Version is the record format Append writes: the "v" member of each line.
const Version = 3

// Verify is a record's verification outcome: its "verified" member.
type Verify int8

// Verification outcomes.
const (
	VerifyNone   Verify = iota // null: nothing was configured to check
	VerifyOK                   // true
	VerifyFailed               // false
)

// Form says what kind of document a Record was read from.
type Form int8

// Forms of input the Reader accepts.
const (
	// FormRecord is a `listen --save` record with a version ("v":2 or 3):
	// Body is exactly the bytes that arrived.
	FormRecord Form = iota + 1
	// FormLegacy is a --save record written before versions (no "v"):
	// Body is exactly the bytes that arrived, line breaks restored.
	FormLegacy
	// FormStream is a `listen --json` (or `inspect --json`) line: a view
	// for people, with secret_key and Authorization redacted, so Body and
	// Header are not the request that arrived.
	FormStream
	// FormBare is a plain JSON document (a webhook body on its own, one
	// per line or pretty-printed over several): Body is the document.
	FormBare
)

// Record is one saved event. Append writes ReceivedAt, Method, Path,
// Verify, Header and Body; the Reader fills every field.
type Record struct {
	// Line is the 1-based input line the record starts on (read only).
	Line int
	// Form is the kind of document it was read from (read only).
	Form       Form
	ReceivedAt time.Time // zero when the input has none
	Method     string
	Path       string
	Verify     Verify
	// Header holds the request headers; a header sent several times is
	// one value joined with ", " (as the record keeps it).
	Header map[string][]string
	// Fields, when Header is nil, are the request headers as a writer
	// read them: in arrival order, a name that came several times once per
	// time. Append writes them as it writes the same Header (names sorted,
	// repeats joined) and may reorder them; the Reader never sets them.
	// They spare a writer that holds the headers as a list (the listener
	// reads fasthttp's) from building a map only to save it.
	Fields []Field
	Body   []byte
	// BodyValid says Body is valid JSON nested no deeper than
	// jsonlimit.MaxDepth. The Reader sets it; Append trusts it when set
	// (the listener validated the body on receipt) and checks otherwise.
	BodyValid bool
}

// Field is one request header line: a canonical name and its value.
type Field struct{ Name, Value string }

// Exact reports whether Body and Header hold what arrived: true for saved
// records, false for --json stream lines (redacted) and bare documents.
func (r *Record) Exact() bool { return r.Form == FormRecord || r.Form == FormLegacy }
