package livechattest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

func (s *Server) takeFault(path string) *Fault {
	for i, f := range s.faults {
		if f.Path == "" || strings.HasSuffix(path, f.Path) {
			f.Times--
			if f.Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f
		}
	}
	return nil
}

func (s *Server) writeFault(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(f.Status)
	if f.Body != "" {
		_, _ = io.WriteString(w, f.Body)
		return
	}
	typ := f.Type
	if typ == "" {
		typ = typeForStatus(f.Status)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": typ, "message": defaultMessages[typ]}})
}

func typeForStatus(code int) string {
	switch code {
	case 401:
		return "authentication"
	case 403:
		return "authorization"
	case 404:
		return "not_found"
	case 421:
		return "misdirected_request"
	case 422, 400:
		return "validation"
	case 429:
		return "too_many_requests"
	}
	return "internal"
}

// defaultMessages are the documented default messages (configuration-api.md §7).
var defaultMessages = map[string]string{
	"authentication": "Authentication error", "authorization": "Authorization error",
	"already_exists": "Already exists", "internal": "Internal server error",
	"license_expired": "License expired", "limit_reached": "Limit reached",
	"misdirected_request": "Wrong region", "not_found": "Not found",
	"too_many_requests": "Too many requests", "unsupported_version": "Cannot call unsupported API versions.",
	"validation": "Wrong format of request",
}

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
