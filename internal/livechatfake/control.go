package livechatfake

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lcwh/lcwh/internal/sender"
)

// ControlPrefix starts the sandbox's private endpoints. LiveChat has no
// such paths; they exist only so `lcwh sandbox trigger` can reach a running
// sandbox.
const ControlPrefix = "/_lcwh/"

// Bounds on what a trigger request may ask of the sender.
const (
	maxTriggerTimeout = 60 * time.Second
	maxTriggerRetries = 10
)

// Info is how to reach a sandbox served at a base URL, with the fixed
// identities of DefaultState: what `lcwh sandbox` prints.
type Info struct {
	APIURL       string   `json:"api_url"`
	AccountsURL  string   `json:"accounts_url"`
	SandboxURL   string   `json:"sandbox_url"`
	PAT          string   `json:"pat"`
	AccountID    string   `json:"account_id"`
	ClientID     string   `json:"client_id"`
	RedirectURIs []string `json:"redirect_uris"`
	StateFile    string   `json:"state_file,omitempty"`
}

// NewInfo returns the Info of a sandbox at base ("http://127.0.0.1:8484").
func NewInfo(base string) Info {
	return Info{APIURL: base, AccountsURL: base, SandboxURL: base, PAT: AccountID + ":" + PATToken,
		AccountID: AccountID, ClientID: ClientID, RedirectURIs: []string{RedirectURI, "http://127.0.0.1:8765"}}
}

// Exports are the shell lines that point lcwh at the sandbox.
func (i Info) Exports() string {
	return "export LCWH_API_URL=" + i.APIURL + "\n" +
		"export LCWH_ACCOUNTS_URL=" + i.AccountsURL + "\n" +
		"export LCWH_PAT=" + i.PAT + "\n" +
		"export LCWH_CLIENT_ID=" + i.ClientID + "\n" +
		"export LCWH_SANDBOX_URL=" + i.SandboxURL + "\n"
}

// Health is GET /_lcwh/health: the sandbox is up, how to reach it, and how
// many webhooks it holds.
type Health struct {
	OK       bool `json:"ok"`
	Webhooks int  `json:"webhooks"`
	Info
}

// WithControl returns a handler that serves the fake plus the control
// endpoints: GET /_lcwh/health and POST /_lcwh/trigger (a TriggerRequest in,
// a TriggerResult out). Control requests from a non-loopback address are
// refused with 403, whatever address the server listens on.
func (s *Server) WithControl() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, ControlPrefix) {
			s.ServeHTTP(w, r)
			return
		}
		if !loopback(r.RemoteAddr) {
			controlError(w, http.StatusForbidden, "forbidden", "the sandbox control endpoints answer loopback clients only")
			return
		}
		switch {
		case r.URL.Path == ControlPrefix+"health" && r.Method == http.MethodGet:
			s.health(w, r)
		case r.URL.Path == ControlPrefix+"trigger" && r.Method == http.MethodPost:
			s.serveTrigger(w, r)
		default:
			controlError(w, http.StatusNotFound, "not_found", "no control endpoint "+r.Method+" "+r.URL.Path)
		}
	})
}

func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func controlError(w http.ResponseWriter, code int, typ, msg string) {
	writeJSON(w, code, map[string]any{"error": TriggerError{Type: typ, Message: msg}})
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := 0
	for _, hooks := range s.state.Webhooks {
		n += len(hooks)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, Health{OK: true, Webhooks: n, Info: NewInfo("http://" + r.Host)})
}

func (s *Server) serveTrigger(w http.ResponseWriter, r *http.Request) {
	var req TriggerRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		controlError(w, http.StatusBadRequest, "validation", "trigger request: "+err.Error())
		return
	}
	if req.Timeout < 0 || time.Duration(req.Timeout) > maxTriggerTimeout || req.Retries < 0 || req.Retries > maxTriggerRetries || req.RetryInterval < 0 {
		controlError(w, http.StatusBadRequest, "validation", "timeout must be at most 60s, retries 0–10, retry_interval not negative")
		return
	}
	opts := sender.Options{Timeout: time.Duration(req.Timeout), Retries: req.Retries, NoRetry: req.NoRetry,
		RetryInterval: time.Duration(req.RetryInterval), UserAgent: "lcwh-sandbox", Now: s.Now}
	res, err := s.Trigger(r.Context(), opts, req)
	var te *TriggerError
	if errors.As(err, &te) {
		controlError(w, http.StatusBadRequest, te.Type, te.Message)
		return
	}
	if err != nil {
		controlError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res)
}
