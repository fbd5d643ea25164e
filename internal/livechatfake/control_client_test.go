package livechatfake

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
)

// Each way a control request fails comes out of ControlClient as its own
// error type, which the commands word for their flags.
func TestControlClient(t *testing.T) {
	sandbox := httptest.NewServer(New().WithControl())
	defer sandbox.Close()
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	notJSON := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) }))
	defer notJSON.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	c := ControlClient{Base: sandbox.URL, HTTP: sandbox.Client()}
	var h Health
	if err := c.Call(t.Context(), http.MethodGet, "health", nil, &h); err != nil || !h.OK || h.ClientID != ClientID {
		t.Fatalf("health = %+v, %v", h, err)
	}
	var res TriggerResult
	if err := c.Call(t.Context(), http.MethodPost, "trigger", TriggerRequest{Kind: "incoming_chat"}, &res); err != nil || res.Registered != 0 {
		t.Fatalf("trigger = %+v, %v", res, err)
	}

	var serr *ControlStatusError
	err = c.Call(t.Context(), http.MethodPost, "trigger", TriggerRequest{Kind: "nope"}, &res)
	if !errors.As(err, &serr) || serr.Status != 400 || serr.Envelope == nil || serr.Envelope.Type != "unknown_kind" {
		t.Errorf("unknown kind: %v", err)
	}
	err = ControlClient{Base: other.URL, HTTP: other.Client()}.Call(t.Context(), http.MethodGet, "health", nil, &h)
	if !errors.As(err, &serr) || serr.Status != 404 || serr.Envelope != nil {
		t.Errorf("not a sandbox: %v", err)
	}
	var nerr *NotSandboxError
	if err := (ControlClient{Base: notJSON.URL, HTTP: notJSON.Client()}).Call(t.Context(), http.MethodGet, "health", nil, &h); !errors.As(err, &nerr) {
		t.Errorf("200 that is not JSON: %v", err)
	}
	if err := (ControlClient{Base: closed, HTTP: http.DefaultClient}).Call(t.Context(), http.MethodGet, "health", nil, &h); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("nothing listening: %v", err)
	}
	var uerr *ControlURLError
	if err := (ControlClient{Base: "http://[::1", HTTP: http.DefaultClient}).Call(t.Context(), http.MethodGet, "health", nil, &h); !errors.As(err, &uerr) {
		t.Errorf("bad base: %v", err)
	}
}
