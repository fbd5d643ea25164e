// Package livechatfaketest wraps the sandbox's fake of LiveChat
// (internal/livechatfake) for tests: it records every request and makes
// chosen requests fail, which `lcwh sandbox` never needs.
package livechatfaketest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/lcwh/lcwh/internal/livechatfake"
)

// Server is the fake with a request log and fault injection in front. The
// embedded fake's fields and methods (State, Webhooks, Statuses…) are
// reachable as before; serve the Server itself, not the embedded one, or
// nothing is recorded.
type Server struct {
	*livechatfake.Server

	mu       sync.Mutex
	faults   []*Fault
	requests []Request
}

// Request is one request the fake received, recorded for assertions.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// Fault makes the next matching request(s) fail instead of being served.
type Fault struct {
	// Path matches a request whose path ends with it ("" matches all),
	// e.g. "list_webhooks" or "/v2/token".
	Path string
	// Times is how many requests it hits (0 = 1).
	Times int
	// Status and Body are the answer; Body "" with an error-type status
	// sends the envelope for Type.
	Status int
	Type   string
	Body   string
	// ContentType of Body (default application/json).
	ContentType string
	// RetryAfter sets the Retry-After header.
	RetryAfter string
	// Block, when non-nil, holds the request until it is closed or the
	// client goes away (a slow server), then serves normally.
	Block <-chan struct{}
}

// New returns a recording fake with livechatfake.New's state.
func New() *Server { return &Server{Server: livechatfake.New()} }

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ServeHTTP records the request, answers it with a matching fault if one
// is queued, and otherwise lets the fake serve it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, livechatfake.MaxBody))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	f := s.takeFault(r.URL.Path)
	s.mu.Unlock()
	if f != nil {
		if f.Block != nil {
			select {
			case <-f.Block:
			case <-r.Context().Done():
				return
			}
		}
		if f.Status != 0 {
			writeFault(w, f)
			return
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.Server.ServeHTTP(w, r)
}

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

func writeFault(w http.ResponseWriter, f *Fault) {
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
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": typ, "message": livechatfake.DefaultMessage(typ)}})
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
