package livechattest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/livechat"
)

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

	// DeliveryClient sends Trigger deliveries (default: a sender transport).
	DeliveryClient *http.Client

	faults   []*Fault
	requests []Request
	gen      *catalog.Generator
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
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
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
			s.writeFault(w, f)
			return
		}
	}
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

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// caller is who made a Configuration API request.
type caller struct {
	account  *Account
	scopes   []string
	bearer   bool
	clientID string // the token's client id (Bearer only)
}

func (c caller) has(scope string) bool {
	for _, s := range c.scopes {
		if s == scope {
			return true
		}
		// rw includes ro (configuration-api.md §3).
		if strings.HasSuffix(scope, ":ro") && s == strings.TrimSuffix(scope, ":ro")+":rw" {
			return true
		}
	}
	return false
}

// authenticate reads Basic (PAT) or Bearer (access token). It must be
// called with s.mu held.
func (s *Server) authenticate(r *http.Request) (caller, bool) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch scheme {
	case "Basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return caller{}, false
		}
		id, tok, ok := strings.Cut(string(raw), ":")
		p := s.state.PATs[tok]
		if !ok || p == nil || p.AccountID != id {
			return caller{}, false
		}
		return caller{account: s.state.Accounts[id], scopes: p.Scopes}, true
	case "Bearer":
		t := s.state.Tokens[cred]
		if t == nil || !s.Now().Before(t.Expiry) {
			return caller{}, false
		}
		return caller{account: s.state.Accounts[t.AccountID], scopes: t.Scopes, bearer: true, clientID: t.ClientID}, true
	}
	return caller{}, false
}

var supportedVersions = map[string]string{"3.5": "legacy", "3.6": "stable", "3.7": "dev preview"}

func (s *Server) serveConfiguration(w http.ResponseWriter, r *http.Request, body []byte) {
	rest := strings.TrimPrefix(r.URL.Path, "/v")
	version, method, _ := strings.Cut(rest, "/configuration/action/")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.apiError(w, "validation", "Configuration API methods take POST", nil)
		return
	}
	stage, ok := supportedVersions[version]
	if !ok {
		s.apiError(w, "unsupported_version", "", nil)
		return
	}
	if stage == "legacy" {
		w.Header().Set("Legacy", "2027-02-07")
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.apiError(w, "validation", "Content-Type must be application/json", nil)
		return
	}
	s.mu.Lock()
	region := s.Region
	s.mu.Unlock()
	if got := r.Header.Get("X-Region"); got != region && (got != "" || region != "dal") {
		s.apiError(w, "misdirected_request", "", map[string]any{"region": region})
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
		s.listNames(w, params, version)
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

func (s *Server) needScope(w http.ResponseWriter, c caller, scope string) bool {
	if !c.has(scope) {
		s.apiError(w, "authorization", "Missing scope "+scope, nil)
		return false
	}
	return true
}

func (s *Server) listNames(w http.ResponseWriter, params map[string]json.RawMessage, version string) {
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
	name, known := livechat.LookupName(names, req.Action)
	switch {
	case !known:
		s.apiError(w, "validation", "`action` is not a valid webhook action", nil)
		return
	case req.SecretKey == "":
		s.apiError(w, "validation", "`secret_key` cannot be empty", nil)
		return
	case req.Type != livechat.TypeLicense && req.Type != livechat.TypeBot:
		s.apiError(w, "validation", "`type` must be license or bot", nil)
		return
	}
	if err := livechat.ValidateURL(req.URL); err != nil {
		s.apiError(w, "validation", "`url` "+err.Error(), nil)
		return
	}
	if err := livechat.ValidateFilters(name, req.Filters); err != nil {
		s.apiError(w, "validation", "`filters` "+err.Error(), nil)
		return
	}
	if err := livechat.ValidateAdditionalData(name, req.AdditionalData); err != nil {
		s.apiError(w, "validation", "`additional_data` "+err.Error(), nil)
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
