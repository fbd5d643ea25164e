package livechatfake

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestControlEndpoints(t *testing.T) {
	h := New().WithControl()
	tests := []struct {
		method, path, remote, body string
		code                       int
		want                       string
	}{
		{"GET", "/_lcwh/health", "127.0.0.1:5000", "", 200, `"ok":true`},
		{"GET", "/_lcwh/health", "[::1]:5000", "", 200, `"client_id":"` + ClientID},
		{"GET", "/_lcwh/health", "10.1.2.3:5000", "", 403, "loopback clients only"},
		{"POST", "/_lcwh/trigger", "127.0.0.1:5000", `{"kind":"nope"}`, 400, `"type":"unknown_kind"`},
		{"POST", "/_lcwh/trigger", "127.0.0.1:5000", `{"kind":"application_installed"}`, 400, `"type":"not_livechat"`},
		{"POST", "/_lcwh/trigger", "127.0.0.1:5000", `{"kind":"incoming_chat","extra":1}`, 400, "unknown field"},
		{"POST", "/_lcwh/trigger", "127.0.0.1:5000", `{"kind":"incoming_chat","retries":99}`, 400, "retries 0–10"},
		{"POST", "/_lcwh/trigger", "127.0.0.1:5000", `{"kind":"incoming_chat"}`, 200, `"registered":0`},
		{"GET", "/_lcwh/nope", "127.0.0.1:5000", "", 404, "no control endpoint"},
		{"POST", "/v3.6/configuration/action/list_webhooks", "127.0.0.1:5000", `{}`, 401, "authentication"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		req.RemoteAddr = tt.remote
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s %s from %s: %d %s, want %d %q", tt.method, tt.path, tt.remote, rec.Code, rec.Body, tt.code, tt.want)
		}
	}
}
