package inspector

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/summary"
)

// rowJSON is an event in the list and the live feed (docs: "Event row").
type rowJSON struct {
	ID         uint64       `json:"id"`
	ReceivedAt *time.Time   `json:"received_at"`
	Family     string       `json:"family"`
	Kind       string       `json:"kind"`
	Known      bool         `json:"known"`
	WebhookID  string       `json:"webhook_id"`
	Verified   *bool        `json:"verified"`
	Duplicate  bool         `json:"duplicate"`
	Status     int          `json:"status"`
	Reason     string       `json:"reason"`
	Method     string       `json:"method"`
	Path       string       `json:"path"`
	Summary    string       `json:"summary"`
	Fields     []fieldJSON  `json:"fields"`
	Text       string       `json:"text"`
	Size       int          `json:"size"`
	Source     string       `json:"source,omitempty"`
	Forward    *forwardJSON `json:"forward"`
	// Update marks a feed row that replaces one sent before (its forward
	// result came).
	Update bool `json:"update,omitempty"`
}

type fieldJSON struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

type forwardJSON struct {
	URL       string            `json:"url"`
	Status    int               `json:"status"`
	LatencyMS float64           `json:"latency_ms"`
	Error     string            `json:"error"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      *string           `json:"body,omitempty"`
}

func verifiedJSON(v eventlog.Verify) *bool {
	var b bool
	switch v {
	case eventlog.VerifyOK:
		b = true
	case eventlog.VerifyFailed:
	default:
		return nil
	}
	return &b
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func row(v view) rowJSON {
	sum := summary.Of(v.family, v.kind, v.body)
	r := rowJSON{
		ID: v.id, Family: v.family, Kind: v.kind, Known: v.known, WebhookID: v.webhookID,
		Verified: verifiedJSON(v.verify), Duplicate: v.dup, Status: v.status, Reason: v.reason,
		Method: v.method, Path: v.path, Summary: sum.String(), Fields: []fieldJSON{},
		Text: sum.Text, Size: len(v.body), Source: v.source,
	}
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	if !v.at.IsZero() {
		t := v.at.UTC()
		r.ReceivedAt = &t
	}
	for _, f := range sum.Fields() {
		r.Fields = append(r.Fields, fieldJSON{f.Label, f.Value})
	}
	if v.fwd != nil {
		r.Forward = &forwardJSON{URL: v.fwd.url, Status: v.fwd.status, LatencyMS: ms(v.fwd.latency), Error: v.fwd.err}
	}
	return r
}

// headerJSON is a header map as one value per name (joined with ", "),
// names sorted by encoding/json; Authorization, Cookie and
// Proxy-Authorization redacted unless reveal.
func headerJSON(h map[string][]string, reveal bool) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		v := strings.Join(vs, ", ")
		if !reveal && isSecretHeader(k) {
			v = redactAuthorization(v)
		}
		out[k] = v
	}
	return out
}

// sortedNames is h's names in order.
func sortedNames(h map[string][]string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// text is b as valid UTF-8 (invalid bytes as U+FFFD), for JSON.
func text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// writeError answers {"error": msg} with status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
