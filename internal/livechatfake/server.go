package livechatfake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lcwh/lcwh/internal/catalog"
)

// MaxBody is how much of a request body the fake reads.
const MaxBody = 1 << 20

// Server is the fake. Its exported fields may be changed before serving or
// between requests under the caller's own synchronisation (tests set them
// before the request they affect).
type Server struct {
	mu    sync.Mutex
	state *State

	// Now is the clock for token expiry; default time.Now.
	Now func() time.Time
	// Region is the data centre the accounts live in. A request whose
	// X-Region differs (or is missing when Region is not "dal", the default
	// data centre) gets misdirected_request with data.region = Region.
	Region string
	// Statuses maps error.type to the HTTP status the fake answers with.
	// The real statuses are undocumented (configuration-api.md §7); tests
	// change them to check lcwh branches on error.type, not the status.
	Statuses map[string]int
	// ListSecrets makes list_webhooks include secret_key and
	// additional_data (undocumented either way, §6.2).
	ListSecrets bool
	// TokenTTL is the access-token lifetime (default 8 h, oauth.md §3.1).
	TokenTTL time.Duration

	// DeliveryClient sends Trigger deliveries (default: a sender transport
	// through httpclient).
	DeliveryClient *http.Client
	// DeliveryLog, when set before the first trigger, receives the redacted
	// --debug log of the default DeliveryClient (lcwh sandbox --debug).
	DeliveryLog io.Writer

	gen *catalog.Generator
}

// New returns a fake with DefaultState in region dal.
func New() *Server {
	return &Server{
		state:  DefaultState(),
		Now:    time.Now,
		Region: "dal",
		Statuses: map[string]int{
			"authentication": 401, "authorization": 403, "not_found": 404,
			"misdirected_request": 421, "validation": 400, "limit_reached": 422,
			"too_many_requests": 429, "internal": 500, "unsupported_version": 400,
			"already_exists": 409, "license_expired": 402,
		},
		TokenTTL: 8 * time.Hour,
	}
}

// Webhooks returns the webhooks of clientID.
func (s *Server) Webhooks(clientID string) []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Webhook
	for _, w := range s.state.Webhooks[clientID] {
		out = append(out, *w)
	}
	return out
}

// State runs fn with the state locked, to seed or inspect it.
func (s *Server) State(fn func(*State)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.state)
}

// ServeHTTP serves both the Configuration API (POST /v{V}/configuration/action/…)
// and the accounts server (GET /, /v2/token, /v2/info, /v2/accounts/me).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxBody))
	r.Body = io.NopCloser(bytes.NewReader(body))
	switch {
	case strings.HasPrefix(r.URL.Path, "/v") && strings.Contains(r.URL.Path, "/configuration/action/"):
		s.serveConfiguration(w, r, body)
	case r.URL.Path == "/" || r.URL.Path == "/ooops" || strings.HasPrefix(r.URL.Path, "/v2/"):
		s.serveAccounts(w, r, body)
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func newID(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// redirectWith appends query values to a redirect URI.
func redirectWith(uri string, q url.Values) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + q.Encode()
}
