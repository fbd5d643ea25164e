package livechatfake

import (
	"net/http"
)

// defaultMessages are the documented default messages (configuration-api.md §7).
var defaultMessages = map[string]string{
	"authentication": "Authentication error", "authorization": "Authorization error",
	"already_exists": "Already exists", "internal": "Internal server error",
	"license_expired": "License expired", "limit_reached": "Limit reached",
	"misdirected_request": "Wrong region", "not_found": "Not found",
	"too_many_requests": "Too many requests", "unsupported_version": "Cannot call unsupported API versions.",
	"validation": "Wrong format of request",
}

// DefaultMessage is the documented error.message of typ ("" for an
// unknown type).
func DefaultMessage(typ string) string { return defaultMessages[typ] }

// apiError writes the envelope.
func (s *Server) apiError(w http.ResponseWriter, typ, msg string, data map[string]any) {
	if msg == "" {
		msg = defaultMessages[typ]
	}
	e := map[string]any{"type": typ, "message": msg}
	if data != nil {
		e["data"] = data
	}
	s.mu.Lock()
	code := s.Statuses[typ]
	s.mu.Unlock()
	if code == 0 {
		code = 400
	}
	writeJSON(w, code, map[string]any{"error": e})
}
