package render

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"

	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/signature"
	"github.com/lcwh/lcwh/internal/summary"
	"github.com/lcwh/lcwh/internal/termtext"
)

// Verify is an event's verification state as shown: the outcome a saved
// record carries, so a record and a live event are shown alike.
type Verify = eventlog.Verify

// Verification states.
const (
	VerifyNone   = eventlog.VerifyNone // no secret configured: shown as unverified
	VerifyOK     = eventlog.VerifyOK
	VerifyFailed = eventlog.VerifyFailed
)

// EventView is what the renderer needs of one received (or saved) event.
// It mirrors listener.Event without importing net/http.
type EventView struct {
	Time       time.Time // zero when unknown (inspect of bare bodies)
	Family     string
	Kind       string
	Known      bool
	WebhookID  string
	Verify     Verify
	VerifyNote string
	Duplicate  bool
	// Status is the answer given; 0 or 200 means accepted.
	Status int
	Reason string
	Method string
	Path   string
	// Headers are the request headers; Authorization is redacted on output.
	Headers map[string][]string
	Body    []byte
	// BodyValid says Body is known to be valid JSON (the listener checked
	// it), so the NDJSON writer need not validate it again.
	BodyValid bool
	// Secrets, when Known, is where Body's secret members are (found by
	// the listener's one pass over it), so the NDJSON writer need not
	// parse Body again to redact them.
	Secrets signature.SecretSpans
}

// Forward is a forward result as shown.
type Forward struct {
	Kind    string
	URL     string
	Status  int
	Latency time.Duration
	Body    []byte
	Err     string
}

// EventPrinter renders events as lines for people. Build one per writer;
// it is not safe for concurrent use.
type EventPrinter struct {
	Verbose bool // -v: the whole body as indented, coloured JSON
	Headers bool // --print headers

	st                                  Styles
	json                                jsonCodes
	muted, bold, ok, warn, fail, action [2]string
	fam                                 map[string][2]string
}

// NewEventPrinter builds a printer for the palette st.
func NewEventPrinter(st Styles) *EventPrinter {
	p := &EventPrinter{st: st, json: newJSONCodes(st)}
	p.muted = pair(st.Muted)
	p.bold = pair(st.Bold)
	p.ok = pair(st.Success)
	p.warn = pair(st.Warn)
	p.fail = pair(st.StatusFail)
	p.action = pair(st.Action)
	p.fam = map[string][2]string{
		"livechat": pair(st.FamilyLiveChat),
		"app":      pair(st.FamilyApp),
		"monday":   pair(st.FamilyMonday),
		"unknown":  pair(st.FamilyUnknown),
	}
	return p
}

func pair(st lipgloss.Style) [2]string {
	pre, post := Codes(st)
	return [2]string{pre, post}
}

func wrap(dst []byte, c [2]string, s string) []byte {
	dst = append(dst, c[0]...)
	dst = append(dst, s...)
	return append(dst, c[1]...)
}

func pad(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, ' ')
	}
	return dst
}

// AppendEvent appends ev's line (and with Verbose/Headers its body and
// headers) ending in a newline. It reports a body that is not valid JSON
// as an error line instead of the body.
//
//nolint:funlen // the parts of an event line in the order they are drawn; on listen's display path (BenchmarkServeHTTP's consumer).
func (p *EventPrinter) AppendEvent(dst []byte, ev *EventView) []byte {
	if ev.Time.IsZero() {
		dst = wrap(dst, p.muted, "--:--:--")
	} else {
		dst = append(dst, p.muted[0]...)
		dst = ev.Time.AppendFormat(dst, "15:04:05")
		dst = append(dst, p.muted[1]...)
	}
	dst = append(dst, ' ')
	if ev.Status != 0 && ev.Status != 200 {
		dst = append(dst, p.fail[0]...)
		dst = strconv.AppendInt(dst, int64(ev.Status), 10)
		dst = append(dst, p.fail[1]...)
		dst = append(dst, ' ')
		dst = appendClean(dst, ev.Method+" "+ev.Path, 80)
		dst = append(dst, ' ')
		dst = appendClean(dst, ev.Reason, 200)
		if ev.Family != "" && ev.Family != "unknown" {
			dst = append(dst, ' ')
			dst = appendCleanCodes(dst, p.muted, "("+ev.Family, 20)
			dst = append(dst, ' ')
			dst = appendCleanCodes(dst, p.muted, ev.Kind, 60)
			dst = wrap(dst, p.muted, ")")
		}
		return append(dst, '\n')
	}
	fc, ok := p.fam[ev.Family]
	if !ok {
		fc = p.fam["unknown"]
	}
	dst = append(dst, fc[0]...)
	start := len(dst)
	dst = appendClean(dst, ev.Family, 20)
	n := utf8.RuneCount(dst[start:])
	dst = append(dst, fc[1]...)
	dst = pad(dst, max(1, 9-n))
	dst = append(dst, p.action[0]...)
	start = len(dst)
	dst = appendKind(dst, ev.Kind)
	n = utf8.RuneCount(dst[start:])
	dst = append(dst, p.action[1]...)
	dst = pad(dst, kindColumn+1-n)
	switch ev.Verify {
	case VerifyOK:
		dst = wrap(dst, p.ok, "✓")
	case VerifyFailed:
		dst = wrap(dst, p.fail, "✗")
	default:
		dst = wrap(dst, p.muted, "·")
	}
	if ev.Duplicate {
		dst = append(dst, ' ')
		dst = wrap(dst, p.warn, "duplicate")
	}
	dst = p.appendHeadline(dst, ev)
	dst = append(dst, '\n')
	if ev.Verify == VerifyFailed && ev.VerifyNote != "" {
		dst = append(dst, "  "...)
		dst = append(dst, p.fail[0]...)
		dst = append(dst, "✗ not verified: "...)
		dst = appendClean(dst, ev.VerifyNote, 300)
		dst = append(dst, p.fail[1]...)
		dst = append(dst, '\n')
	}
	if p.Headers {
		dst = p.appendHeaders(dst, ev.Headers)
	}
	if p.Verbose {
		start := len(dst)
		var err error
		dst, err = appendPretty(dst, ev.Body, &p.json, SecretKeys...)
		if err != nil {
			dst = dst[:start]
			dst = append(dst, "  "...)
			dst = appendCleanCodes(dst, p.fail, "body is not valid JSON: "+err.Error(), 300)
		}
		dst = append(dst, '\n')
	}
	return dst
}

func (p *EventPrinter) appendHeaders(dst []byte, h map[string][]string) []byte {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sortStrings(names)
	for _, k := range names {
		for _, v := range h[k] {
			dst = append(dst, "  "...)
			dst = append(dst, p.muted[0]...)
			dst = appendClean(dst, k, 100)
			dst = append(dst, ':')
			dst = append(dst, p.muted[1]...)
			dst = append(dst, ' ')
			if isSecretHeader(k) {
				v = RedactAuthorization(v)
			}
			dst = appendClean(dst, v, 300)
			dst = append(dst, '\n')
		}
	}
	return dst
}

func isSecretHeader(k string) bool {
	return k == "Authorization" || k == "Cookie" || k == "Proxy-Authorization"
}

// RedactAuthorization hides an Authorization value, keeping its scheme.
func RedactAuthorization(v string) string {
	if len(v) > 7 && (v[:7] == "Bearer " || v[:7] == "bearer ") {
		return v[:7] + signature.Redact(v[7:])
	}
	return signature.Redact(v)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// appendHeadline appends the event's summary (internal/summary, the one
// the web inspector shows too): label=value pairs, then a message's text
// in quotes, each value cleaned and cut for the terminal.
func (p *EventPrinter) appendHeadline(dst []byte, ev *EventView) []byte {
	s := summary.Of(ev.Family, ev.Kind, ev.Body)
	for _, f := range s.Fields() {
		dst = append(dst, ' ')
		dst = append(dst, p.muted[0]...)
		dst = append(dst, f.Label...)
		dst = append(dst, '=')
		dst = append(dst, p.muted[1]...)
		dst = appendClean(dst, f.Value, 40)
	}
	if s.Text != "" {
		dst = append(dst, ' ', '"')
		dst = appendClean(dst, s.Text, 60)
		dst = append(dst, '"')
	}
	return dst
}

// kindColumn is the width of the kind column: the longest LiveChat kind
// (customer_session_fields_updated) fits; longer kinds (monday.com's
// app_subscription_… ones) are cut in the middle, so the marks after the
// column stay aligned and both ends of the name stay readable.
const kindColumn = 31

// appendKind appends kind cleaned, cut in the middle to kindColumn runes
// with an ellipsis when it is longer.
func appendKind(dst []byte, kind string) []byte {
	start := len(dst)
	dst = appendClean(dst, kind, 200)
	if utf8.RuneCount(dst[start:]) <= kindColumn {
		return dst
	}
	r := []rune(string(dst[start:]))
	head := (kindColumn - 1) / 2
	tail := kindColumn - 1 - head
	dst = append(dst[:start], string(r[:head])...)
	dst = append(dst, "…"...)
	return append(dst, string(r[len(r)-tail:])...)
}

func appendCleanCodes(dst []byte, c [2]string, s string, limit int) []byte {
	dst = append(dst, c[0]...)
	dst = appendClean(dst, s, limit)
	return append(dst, c[1]...)
}

// appendClean appends s as one line for a terminal, cut to limit runes
// with an ellipsis: termtext.AppendLine, the one sanitiser (escape
// sequences, C0, DEL and C1 dropped, invalid UTF-8 as U+FFFD, runs of
// white space as one space).
func appendClean(dst []byte, s string, limit int) []byte {
	return termtext.AppendLine(dst, s, limit)
}

// Sanitise returns s cleaned for a terminal as one line (termtext.Line),
// uncut.
func Sanitise(s string) string { return termtext.Line(s) }

// AppendForward appends the line shown for a forward result.
func (p *EventPrinter) AppendForward(dst []byte, f *Forward) []byte {
	dst = append(dst, "  → "...)
	if f.Kind != "" {
		dst = appendClean(dst, f.Kind, 60)
		dst = append(dst, ' ')
	}
	if f.Err != "" {
		dst = append(dst, p.fail[0]...)
		dst = appendClean(dst, f.Err, 300)
		dst = append(dst, p.fail[1]...)
		return append(dst, '\n')
	}
	c := p.ok
	if f.Status < 200 || f.Status > 299 {
		c = p.fail
	}
	dst = append(dst, c[0]...)
	dst = strconv.AppendInt(dst, int64(f.Status), 10)
	dst = append(dst, c[1]...)
	dst = append(dst, ' ')
	dst = append(dst, p.muted[0]...)
	dst = appendClean(dst, termtext.RedactURL(f.URL), 200)
	dst = append(dst, ' ')
	dst = strconv.AppendFloat(dst, float64(f.Latency.Microseconds())/1000, 'f', 1, 64)
	dst = append(dst, "ms"...)
	dst = append(dst, p.muted[1]...)
	dst = append(dst, '\n')
	if len(f.Body) > 0 && (f.Status < 200 || f.Status > 299) {
		dst = append(dst, "    "...)
		dst = appendClean(dst, string(f.Body), 500)
		dst = append(dst, '\n')
	}
	return dst
}

// EventJSONFields are the fields of each line AppendEventJSON writes, for
// the --json help of listen and inspect (docs/guides/json-reference.md).
const EventJSONFields = "received_at, family, kind, webhook_id, verified, path, headers, body, body_ws or body_b64 (only when body is not the exact bytes)"

// AppendEventJSON appends ev as one NDJSON line: received_at, family,
// kind, webhook_id, verified (true/false/null), path, headers
// (Authorization redacted), body (secret_key and clientID redacted) and, when those
// body bytes are not exact JSON, body_ws (only their whitespace differs:
// where it goes back) or body_b64 (invalid UTF-8: the bytes); body is then
// their readable form (eventlog.AppendBody).
// The line is always valid UTF-8 and JSON (docs/guides/json-reference.md).
func AppendEventJSON(dst []byte, ev *EventView) []byte {
	dst = append(dst, `{"received_at":`...)
	if ev.Time.IsZero() {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '"')
		dst = ev.Time.UTC().AppendFormat(dst, time.RFC3339Nano)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"family":`...)
	dst = eventlog.AppendString(dst, ev.Family)
	dst = append(dst, `,"kind":`...)
	dst = eventlog.AppendString(dst, ev.Kind)
	dst = append(dst, `,"webhook_id":`...)
	dst = appendStringOrNull(dst, ev.WebhookID)
	dst = append(dst, `,"verified":`...)
	dst = eventlog.AppendVerify(dst, ev.Verify)
	dst = append(dst, `,"path":`...)
	dst = appendStringOrNull(dst, ev.Path)
	dst = append(dst, `,"headers":{`...)
	if len(ev.Headers) > 0 {
		var arr [16]string
		names := arr[:0]
		for k := range ev.Headers {
			names = append(names, k)
		}
		sortStrings(names)
		for i, k := range names {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = eventlog.AppendString(dst, k)
			dst = append(dst, ':')
			v := ""
			if vs := ev.Headers[k]; len(vs) > 0 {
				v = vs[0]
				for _, x := range vs[1:] {
					v += ", " + x
				}
			}
			if isSecretHeader(k) {
				v = RedactAuthorization(v)
			}
			dst = eventlog.AppendString(dst, v)
		}
	}
	dst = append(dst, `},"body":`...)
	dst = appendRedactedBody(dst, ev.Body, ev.BodyValid, &ev.Secrets)
	return append(dst, "}\n"...)
}

// appendStringOrNull appends s as a JSON string, or null when it is empty
// (a value the event does not have).
func appendStringOrNull(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return eventlog.AppendString(dst, s)
}

// SecretKeys are the top-level body fields every view shows redacted:
// LiveChat's secret_key and App Webhooks' clientID (the proof of origin of
// each family; the bytes saved and forwarded keep them).
var SecretKeys = signature.BodySecrets

// appendWithoutSecrets appends body with the string values of its
// top-level SecretKeys members replaced by their redacted forms: where the
// known spans say, else wherever signature.FindSecrets finds them (a key
// sent twice is redacted twice).
func appendWithoutSecrets(dst, body []byte, known *signature.SecretSpans) []byte {
	spans := known.Spans[:known.N]
	if !known.Known {
		var buf [2]signature.SecretSpan
		spans = signature.FindSecrets(buf[:0], body)
	}
	return signature.AppendRedacted(dst, body, spans)
}

// appendRedactedBody appends body, the top-level SecretKeys' values
// replaced by their redacted forms, as the value of "body": raw when those
// bytes are exact, else readable with "body_ws" or "body_b64" after it
// (eventlog.AppendBody), describing the redacted bytes. A body that is not
// JSON is null (its bytes could hold a secret_key no JSON reader finds to
// redact).
func appendRedactedBody(dst, body []byte, valid bool, secrets *signature.SecretSpans) []byte {
	if len(body) == 0 || (!valid && !jsonlimit.Valid(body, jsonlimit.MaxDepth)) {
		return append(dst, "null"...)
	}
	start := len(dst)
	dst = appendWithoutSecrets(dst, body, secrets)
	// The redacted bytes sit at dst[start:mid]; write their "body" form
	// after them and move it down (no allocation).
	mid := len(dst)
	dst = eventlog.AppendBody(dst, dst[start:mid], true)
	n := copy(dst[start:], dst[mid:])
	return dst[:start+n]
}
