package inspector

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// detailJSON is one event whole (docs: "Event detail").
type detailJSON struct {
	rowJSON
	RequestLine  string            `json:"request_line"`
	Headers      map[string]string `json:"headers"`
	Body         string            `json:"body"`
	BodyIsJSON   bool              `json:"body_is_json"`
	BodyB64      string            `json:"body_b64,omitempty"`
	Redacted     bool              `json:"redacted"`
	Exact        bool              `json:"exact"`
	Verification verificationJSON  `json:"verification"`
	Description  string            `json:"description"`
	DocsURL      string            `json:"docs_url"`
	ForwardTo    string            `json:"forward_to"`
}

type verificationJSON struct {
	State       string `json:"state"` // verified, failed, none
	Mark        string `json:"mark"`  // ✓ ✗ ·
	Explanation string `json:"explanation"`
}

func verifyName(v eventlog.Verify) string {
	switch v {
	case eventlog.VerifyOK:
		return "true"
	case eventlog.VerifyFailed:
		return "false"
	}
	return "none"
}

func (s *Server) handleDetail(w http.ResponseWriter, r *http.Request) {
	v, ok := s.lookup(w, r)
	if !ok {
		return
	}
	reveal := r.URL.Query().Get("reveal") == "1"
	d := detailJSON{rowJSON: row(v), RequestLine: v.method + " " + v.path, Headers: headerJSON(v.header, reveal),
		Exact: v.exact, Verification: s.explain(v.entry), ForwardTo: redactURL(s.route(v.kind))}
	body := v.body
	if !reveal {
		red := redactBody(body)
		d.Redacted = len(red) != len(body) || string(red) != string(body)
		body = red
	}
	d.Body = text(body)
	d.BodyIsJSON = jsonlimit.Valid(v.body, jsonlimit.MaxDepth)
	if d.Body != string(body) && reveal {
		d.BodyB64 = base64.StdEncoding.EncodeToString(v.body)
	}
	if k, ok := catalog.Lookup(v.kind); ok && string(k.Family) == v.family {
		d.Description, d.DocsURL = k.Description, k.DocsURL()
	}
	if v.fwd != nil {
		d.Forward.Headers = headerJSON(v.fwd.header, false)
		b := text(v.fwd.body)
		d.Forward.Body = &b
	}
	writeJSON(w, http.StatusOK, d)
}

// explain says why an event shows ✓, ✗ or ·: the listener's own note for
// a failure (what listen prints), else what was or was not configured.
func (s *Server) explain(e *entry) verificationJSON {
	switch e.verify {
	case eventlog.VerifyOK:
		return verificationJSON{"verified", "✓", verifiedBecause(e.family)}
	case eventlog.VerifyFailed:
		note := e.note
		if note == "" {
			note = "the saved record says it did not verify; the reason is not saved with it"
		}
		return verificationJSON{"failed", "✗", "not verified: " + note}
	}
	return verificationJSON{"none", "·", s.uncheckedBecause(e)}
}

func verifiedBecause(family string) string {
	switch family {
	case string(catalog.LiveChat):
		return "its secret_key matched a --secret (compared in constant time)"
	case string(catalog.App):
		return "its clientID matched a --client-id"
	case string(catalog.Monday):
		return "its Authorization JWT verified with --monday-secret (HS256, exp honoured)"
	}
	return "verified"
}

func (s *Server) uncheckedBecause(e *entry) string {
	if !e.accepted() {
		return fmt.Sprintf("not checked: the request was answered %d before verification (%s)", e.status, e.reason)
	}
	if e.source != "" {
		return "nothing was checked when it was received (no secret was configured for its family)"
	}
	switch e.family {
	case string(catalog.LiveChat):
		return "nothing checked: no --secret was given; pass --secret to check secret_key"
	case string(catalog.App):
		return "nothing checked: no --client-id was given; pass --client-id to check clientID"
	case string(catalog.Monday):
		return "nothing checked: no --monday-secret was given; pass it to verify the Authorization JWT"
	}
	return "nothing to check: the body is not a LiveChat, App Webhooks or monday.com webhook"
}

// redactURL hides a password in a URL's userinfo.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return raw
	}
	return u.Redacted()
}
