package livechatfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/lcwh/lcwh/internal/livechat"
)

var supportedVersions = map[string]string{"3.5": "legacy", "3.6": "stable", "3.7": "dev preview"}

func (s *Server) serveConfiguration(w http.ResponseWriter, r *http.Request, body []byte) {
	rest := strings.TrimPrefix(r.URL.Path, "/v")
	version, method, _ := strings.Cut(rest, "/configuration/action/")
	if !s.acceptRequest(w, r, version) {
		return
	}
	var params map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil || params == nil {
		s.apiError(w, "validation", "request body must be a JSON object", nil)
		return
	}
	names, _ := livechat.Names(version)
	if method == "list_webhook_names" {
		s.listNames(w, params)
		return
	}
	s.mu.Lock()
	c, ok := s.authenticate(r)
	s.mu.Unlock()
	if !ok {
		s.apiError(w, "authentication", "", nil)
		return
	}
	switch method {
	case "register_webhook":
		s.register(w, c, params, names)
	case "list_webhooks":
		s.list(w, c, params)
	case "unregister_webhook":
		s.unregister(w, c, params)
	case "enable_license_webhooks", "disable_license_webhooks", "get_license_webhooks_state":
		s.licenseState(w, c, method, params)
	default:
		// The real API answers unknown methods with an error; its exact type
		// is undocumented.
		s.apiError(w, "not_found", "Unknown method "+method, nil)
	}
}

// acceptRequest answers a request the API refuses before reading its
// body (method, version, Content-Type, region) and reports whether it may
// go on; a legacy version gets its Legacy header.
func (s *Server) acceptRequest(w http.ResponseWriter, r *http.Request, version string) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.apiError(w, "validation", "Configuration API methods take POST", nil)
		return false
	}
	stage, ok := supportedVersions[version]
	if !ok {
		s.apiError(w, "unsupported_version", "", nil)
		return false
	}
	if stage == "legacy" {
		w.Header().Set("Legacy", "2027-02-07")
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.apiError(w, "validation", "Content-Type must be application/json", nil)
		return false
	}
	s.mu.Lock()
	region := s.Region
	s.mu.Unlock()
	if got := r.Header.Get("X-Region"); got != region && (got != "" || region != "dal") {
		s.apiError(w, "misdirected_request", "", map[string]any{"region": region})
		return false
	}
	return true
}

// fields checks that params has only allowed keys and every required one.
func (s *Server) fields(w http.ResponseWriter, params map[string]json.RawMessage, required []string, optional ...string) bool {
	allowed := map[string]bool{}
	for _, k := range append(required, optional...) {
		allowed[k] = true
	}
	for k := range params {
		if !allowed[k] {
			// Strict on purpose: whether the real API ignores unknown
			// parameters is undocumented; lcwh should never send any.
			s.apiError(w, "validation", fmt.Sprintf("`%s` is not a valid parameter", k), nil)
			return false
		}
	}
	for _, k := range required {
		if _, ok := params[k]; !ok {
			s.apiError(w, "validation", fmt.Sprintf("`%s` is required", k), nil)
			return false
		}
	}
	return true
}

func str(params map[string]json.RawMessage, k string) (string, bool) {
	raw, ok := params[k]
	if !ok {
		return "", true
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false
	}
	return v, true
}

// owner checks owner_client_id: a string naming an app of the caller's organization.
func (s *Server) owner(w http.ResponseWriter, c caller, params map[string]json.RawMessage) (string, bool) {
	id, ok := str(params, "owner_client_id")
	if !ok || id == "" {
		s.apiError(w, "validation", "`owner_client_id` must be a non-empty string", nil)
		return "", false
	}
	s.mu.Lock()
	app := s.state.Apps[id]
	s.mu.Unlock()
	if app == nil || c.account == nil || app.OrganizationID != c.account.OrganizationID {
		// Undocumented which type the API uses here; authorization fits
		// "must belong to your organization" best.
		s.apiError(w, "authorization", "owner_client_id does not belong to your organization", nil)
		return "", false
	}
	return id, true
}
