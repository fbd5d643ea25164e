package livechatfake

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/lcwh/lcwh/internal/livechat"
)

func (s *Server) listNames(w http.ResponseWriter, params map[string]json.RawMessage) {
	if !s.fields(w, params, nil, "version") {
		return
	}
	v, ok := str(params, "version")
	if !ok {
		s.apiError(w, "validation", "`version` must be a string", nil)
		return
	}
	if v == "" {
		v = livechat.DefaultVersion
	}
	names, ok := livechat.Names(v)
	if !ok {
		s.apiError(w, "validation", "Unsupported version "+v, nil)
		return
	}
	writeJSON(w, 200, names)
}

func (s *Server) register(w http.ResponseWriter, c caller, params map[string]json.RawMessage, names []livechat.WebhookName) {
	if !s.needScope(w, c, "webhooks.configuration:rw") ||
		!s.fields(w, params, []string{"action", "secret_key", "url", "owner_client_id", "type"}, "description", "additional_data", "filters") {
		return
	}
	owner, ok := s.owner(w, c, params)
	if !ok {
		return
	}
	var req livechat.RegisterRequest
	dec := json.NewDecoder(bytes.NewReader(mustJSON(params)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.apiError(w, "validation", "Wrong format of request: "+err.Error(), nil)
		return
	}
	if raw, ok := params["filters"]; ok {
		if _, err := livechat.ParseFilters(string(raw)); err != nil {
			s.apiError(w, "validation", "`filters` "+err.Error(), nil)
			return
		}
	}
	if msg := registerProblem(req, names); msg != "" {
		s.apiError(w, "validation", msg, nil)
		return
	}
	s.mu.Lock()
	n := 0
	for _, h := range s.state.Webhooks[owner] {
		if h.Action == req.Action {
			n++
		}
	}
	if n >= livechat.MaxWebhooksPerAction {
		s.mu.Unlock()
		// The 4th registration's error type is undocumented (§6.1); the
		// fake uses limit_reached, the most likely one.
		s.apiError(w, "limit_reached", "", nil)
		return
	}
	s.state.Seq++
	id := newID(25)
	s.state.Webhooks[owner] = append(s.state.Webhooks[owner], &Webhook{RegisterRequest: req, ID: id})
	s.mu.Unlock()
	writeJSON(w, 200, map[string]string{"id": id})
}

// registerProblem is the validation message of a register_webhook request
// the API would refuse, "" when it is well formed (§6.1, §6.8).
func registerProblem(req livechat.RegisterRequest, names []livechat.WebhookName) string {
	name, known := livechat.LookupName(names, req.Action)
	switch {
	case !known:
		return "`action` is not a valid webhook action"
	case req.SecretKey == "":
		return "`secret_key` cannot be empty"
	case req.Type != livechat.TypeLicense && req.Type != livechat.TypeBot:
		return "`type` must be license or bot"
	}
	if err := livechat.ValidateURL(req.URL); err != nil {
		return "`url` " + err.Error()
	}
	if err := livechat.ValidateFilters(name, req.Filters); err != nil {
		return "`filters` " + err.Error()
	}
	if err := livechat.ValidateAdditionalData(name, req.AdditionalData); err != nil {
		return "`additional_data` " + err.Error()
	}
	return ""
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func (s *Server) list(w http.ResponseWriter, c caller, params map[string]json.RawMessage) {
	if !s.needScope(w, c, "webhooks.configuration:rw") || !s.fields(w, params, []string{"owner_client_id"}) {
		return
	}
	owner, ok := s.owner(w, c, params)
	if !ok {
		return
	}
	s.mu.Lock()
	out := []map[string]any{}
	for _, h := range s.state.Webhooks[owner] {
		m := map[string]any{"id": h.ID, "url": h.URL, "description": h.Description, "action": h.Action,
			"owner_client_id": owner, "type": h.Type}
		if h.Filters != nil {
			m["filters"] = h.Filters
		}
		if s.ListSecrets {
			m["secret_key"] = h.SecretKey
			if h.AdditionalData != nil {
				m["additional_data"] = h.AdditionalData
			}
		}
		out = append(out, m)
	}
	s.mu.Unlock()
	writeJSON(w, 200, out)
}

func (s *Server) unregister(w http.ResponseWriter, c caller, params map[string]json.RawMessage) {
	if !s.needScope(w, c, "webhooks.configuration:rw") || !s.fields(w, params, []string{"id", "owner_client_id"}) {
		return
	}
	owner, ok := s.owner(w, c, params)
	if !ok {
		return
	}
	id, _ := str(params, "id")
	s.mu.Lock()
	list := s.state.Webhooks[owner]
	for i, h := range list {
		if h.ID == id {
			s.state.Webhooks[owner] = append(list[:i:i], list[i+1:]...)
			s.mu.Unlock()
			writeJSON(w, 200, map[string]any{})
			return
		}
	}
	s.mu.Unlock()
	s.apiError(w, "not_found", "Webhook not found", nil)
}

func (s *Server) licenseState(w http.ResponseWriter, c caller, method string, params map[string]json.RawMessage) {
	scope := "webhooks.state:rw"
	if method == "get_license_webhooks_state" {
		scope = "webhooks.state:ro"
	}
	if !s.needScope(w, c, scope) {
		return
	}
	var required []string
	if !c.bearer {
		// With a PAT owner_client_id is required (configuration-api.md §3).
		required = []string{"owner_client_id"}
	}
	if !s.fields(w, params, required, "owner_client_id") {
		return
	}
	owner := c.clientID
	if _, sent := params["owner_client_id"]; sent {
		var ok bool
		if owner, ok = s.owner(w, c, params); !ok {
			return
		}
	}
	key := c.account.OrganizationID + "/" + owner
	s.mu.Lock()
	defer s.mu.Unlock()
	switch method {
	case "enable_license_webhooks":
		delete(s.state.Disabled, key)
		writeJSON(w, 200, map[string]any{})
	case "disable_license_webhooks":
		s.state.Disabled[key] = true
		writeJSON(w, 200, map[string]any{})
	default:
		writeJSON(w, 200, map[string]bool{"license_webhooks_enabled": !s.state.Disabled[key]})
	}
}
