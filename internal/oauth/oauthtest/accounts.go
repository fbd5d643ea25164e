// Package oauthtest is a minimal fake of the LiveChat accounts server for
// lcwh's auth tests: authorize (PKCE S256 and exact redirect URI matching),
// /v2/token (authorization_code and refresh_token with rotation), revoke,
// /v2/accounts/me and a Bearer-protected /api/ping. The strict fake of the
// whole API is internal/livechatfake; this one exists until it lands.
package oauthtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Accounts is the fake server's state.
type Accounts struct {
	Server *httptest.Server

	// Apps: client id -> whitelisted redirect URIs; Secrets: client id ->
	// secret for server-side apps (no rotation), absent for public apps.
	Apps    map[string][]string
	Secrets map[string]string
	// PATs: account id -> token.
	PATs map[string]string
	// Scope is returned with every token (comma-separated).
	Scope     string
	AccountID string
	ExpiresIn int
	// ErrorRedirect, when set, makes authorize redirect back with error=<it>.
	ErrorRedirect string
	// BadState, when set, is sent back instead of the request's state.
	BadState string

	mu       sync.Mutex
	n        int
	codes    map[string]grant
	access   map[string]bool
	refresh  map[string]string // refresh token -> client id
	Revoked  []string
	Refreshs int
	// RefusedRefreshes counts refresh grants with a refresh token that is
	// not (or no longer) valid: a rotated one spent twice, for instance.
	RefusedRefreshes int
	// Requests logs "METHOD path" of each request.
	Requests []string
}

// LiveChat's error codes (oauth.md §3.3), US spelling as the server sends them.
const (
	codeUnauthorizedClient = "unauthorized_client" //nolint:misspell // protocol value
	codeUnauthorized       = "unauthorized"        //nolint:misspell // protocol value
)

type grant struct{ clientID, redirectURI, challenge string }

// New starts the fake on 127.0.0.1.
func New() *Accounts {
	a := &Accounts{
		Apps:      map[string][]string{},
		Secrets:   map[string]string{},
		PATs:      map[string]string{},
		Scope:     "webhooks.configuration:rw,webhooks.state:rw",
		AccountID: "b7eff798-f8df-4364-8059-649c35c9ed0c",
		ExpiresIn: 28800,
		codes:     map[string]grant{},
		access:    map[string]bool{},
		refresh:   map[string]string{},
	}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	return a
}

// URL is the accounts base URL.
func (a *Accounts) URL() string { return a.Server.URL }

// Close stops the server.
func (a *Accounts) Close() { a.Server.Close() }

// ExpireAccess invalidates every access token issued so far (the next API
// call answers 401).
func (a *Accounts) ExpireAccess() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.access = map[string]bool{}
}

// RefreshCounts returns how many refresh grants succeeded and how many were
// refused, safely while requests are served.
func (a *Accounts) RefreshCounts() (ok, refused int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.Refreshs, a.RefusedRefreshes
}

// ValidRefresh reports whether rt is a live refresh token.
func (a *Accounts) ValidRefresh(rt string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.refresh[rt]
	return ok
}

func (a *Accounts) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.Requests = append(a.Requests, r.Method+" "+r.URL.Path)
	a.mu.Unlock()
	switch {
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		a.authorize(w, r)
	case r.URL.Path == "/ooops":
		q := r.URL.Query()
		http.Error(w, "LiveChat error: "+q.Get("oauth_exception")+" "+q.Get("exception_details"), http.StatusBadRequest)
	case r.URL.Path == "/v2/token" && r.Method == http.MethodPost:
		a.token(w, r)
	case r.URL.Path == "/v2/token" && r.Method == http.MethodDelete:
		a.revoke(w, r)
	case r.URL.Path == "/v2/accounts/me" && r.Method == http.MethodGet:
		a.me(w, r)
	case r.URL.Path == "/api/ping":
		if !a.bearerOK(r) {
			writeErr(w, http.StatusUnauthorized, "authentication", "Invalid access token")
			return
		}
		_, _ = w.Write([]byte(`{"pong":true}`))
	default:
		http.NotFound(w, r)
	}
}

func writeErr(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": desc})
}

// redirectAllowed applies oauth.md §4: scheme and host:port exact, the
// whitelisted path a prefix of the requested one, no query or fragment.
func redirectAllowed(req string, whitelist []string) bool {
	u, err := url.Parse(req)
	if err != nil || u.RawQuery != "" || u.Fragment != "" || strings.Contains(u.Path, "..") {
		return false
	}
	for _, w := range whitelist {
		wu, err := url.Parse(w)
		if err != nil {
			continue
		}
		if wu.Scheme == u.Scheme && wu.Host == u.Host && strings.HasPrefix(u.Path, wu.Path) {
			return true
		}
	}
	return false
}

func (a *Accounts) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// Authorization errors send the browser to the error page, never to
	// the redirect URI (oauth.md §1, §3.3): the code in oauth_exception,
	// the detail in exception_details.
	oops := func(exception, detail string) {
		v := url.Values{"oauth_exception": {exception}}
		if detail != "" {
			v.Set("exception_details", detail)
		}
		http.Redirect(w, r, "/ooops?"+v.Encode(), http.StatusFound)
	}
	wl, ok := a.Apps[q.Get("client_id")]
	if !ok {
		oops(codeUnauthorizedClient, "client_id_not_found")
		return
	}
	redirect := q.Get("redirect_uri")
	if len(wl) == 0 {
		oops(codeUnauthorizedClient, "redirect_uri_not_set")
		return
	}
	if !redirectAllowed(redirect, wl) {
		oops(codeUnauthorizedClient, "invalid_redirect_uri")
		return
	}
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43 {
		oops("invalid_request", "")
		return
	}
	state := q.Get("state")
	if a.BadState != "" {
		state = a.BadState
	}
	v := url.Values{"state": {state}}
	if a.ErrorRedirect != "" {
		v.Set("error", a.ErrorRedirect)
	} else {
		a.mu.Lock()
		a.n++
		code := fmt.Sprintf("dal:code_%d", a.n)
		a.codes[code] = grant{clientID: q.Get("client_id"), redirectURI: redirect, challenge: q.Get("code_challenge")}
		a.mu.Unlock()
		v.Set("code", code)
	}
	//nolint:gosec // G710: the test's own redirect URI, as the real server redirects to the whitelisted one
	http.Redirect(w, r, redirect+"?"+v.Encode(), http.StatusFound)
}

func params(r *http.Request) url.Values {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var m map[string]string
		_ = json.NewDecoder(r.Body).Decode(&m)
		v := url.Values{}
		for k, s := range m {
			v.Set(k, s)
		}
		return v
	}
	_ = r.ParseForm()
	return r.PostForm
}

func (a *Accounts) token(w http.ResponseWriter, r *http.Request) {
	p := params(r)
	a.mu.Lock()
	defer a.mu.Unlock()
	clientID := p.Get("client_id")
	if _, ok := a.Apps[clientID]; !ok {
		writeErr(w, http.StatusUnauthorized, codeUnauthorizedClient, "client_id not found")
		return
	}
	secret, confidential := a.Secrets[clientID]
	if confidential && p.Get("client_secret") != secret {
		writeErr(w, http.StatusUnauthorized, codeUnauthorizedClient, "invalid client_secret")
		return
	}
	switch p.Get("grant_type") {
	case "authorization_code":
		g, ok := a.codes[p.Get("code")]
		delete(a.codes, p.Get("code")) // single use
		if !ok || g.clientID != clientID || g.redirectURI != p.Get("redirect_uri") {
			writeErr(w, http.StatusBadRequest, "invalid_grant", "code invalid, used, or redirect_uri mismatch")
			return
		}
		sum := sha256.Sum256([]byte(p.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			writeErr(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match code_challenge")
			return
		}
		a.issue(w, clientID, "")
	case "refresh_token":
		rt := p.Get("refresh_token")
		if c, ok := a.refresh[rt]; !ok || c != clientID {
			a.RefusedRefreshes++
			writeErr(w, http.StatusBadRequest, "invalid_grant", "refresh token not found")
			return
		}
		a.Refreshs++
		if confidential {
			a.issue(w, clientID, rt) // no rotation
			return
		}
		delete(a.refresh, rt) // rotation: single use
		a.issue(w, clientID, "")
	default:
		writeErr(w, http.StatusBadRequest, "unsupported_grant_type", p.Get("grant_type"))
	}
}

// issue writes a token response; keepRefresh reuses a refresh token. Locked.
func (a *Accounts) issue(w http.ResponseWriter, clientID, keepRefresh string) {
	a.n++
	at := fmt.Sprintf("dal:access_%d", a.n)
	rt := keepRefresh
	if rt == "" {
		rt = fmt.Sprintf("refresh_%d", a.n)
	}
	a.access[at] = true
	a.refresh[rt] = clientID
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": at, "refresh_token": rt, "token_type": "Bearer",
		"expires_in": a.ExpiresIn, "scope": a.Scope, "account_id": a.AccountID,
		"organization_id": "390e44e6-f1e6-4368-a6dd-74d14508c2e1",
	})
}

func (a *Accounts) bearerOK(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	a.mu.Lock()
	defer a.mu.Unlock()
	return ok && a.access[tok]
}

func (a *Accounts) revoke(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	a.mu.Lock()
	defer a.mu.Unlock()
	_, isRefresh := a.refresh[tok]
	if !ok || (!isRefresh && !a.access[tok]) {
		writeErr(w, http.StatusUnauthorized, "invalid_request", "token not found")
		return
	}
	delete(a.refresh, tok)
	delete(a.access, tok)
	a.Revoked = append(a.Revoked, tok)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("{}"))
}

func (a *Accounts) me(w http.ResponseWriter, r *http.Request) {
	if id, tok, ok := r.BasicAuth(); ok {
		if want, known := a.PATs[id]; known && want == tok {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"account_id": id, "email": "dev@example.com"})
			return
		}
		writeErr(w, http.StatusUnauthorized, codeUnauthorized, "invalid credentials")
		return
	}
	if a.bearerOK(r) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"account_id": a.AccountID, "email": "dev@example.com"})
		return
	}
	writeErr(w, http.StatusUnauthorized, codeUnauthorized, "invalid credentials")
}
