package livechatfake

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// errUnauthorizedClient is the OAuth error code (RFC 6749 spelling).
// errUnauthorized is the identity_exception code (oauth.md §3.3).
const (
	errUnauthorizedClient = "unauthorized_client" //nolint:misspell // protocol value, not prose
	errUnauthorized       = "unauthorized"        //nolint:misspell // protocol value, not prose
)

// serveAccounts is the accounts server (oauth.md §1).
func (s *Server) serveAccounts(w http.ResponseWriter, r *http.Request, body []byte) {
	switch {
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		s.authorize(w, r)
	case r.URL.Path == "/ooops":
		// LiveChat's error page is HTML for people; the fake's names the codes.
		q := r.URL.Query()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		//nolint:gosec // G705: text/plain, never HTML
		_, _ = w.Write([]byte("oauth_exception=" + q.Get("oauth_exception") + " exception_details=" + q.Get("exception_details") + "\n"))
	case r.URL.Path == "/v2/token" && r.Method == http.MethodPost:
		s.token(w, r, body)
	case r.URL.Path == "/v2/token" && r.Method == http.MethodDelete:
		s.revoke(w, r)
	case r.URL.Path == "/v2/info" && r.Method == http.MethodGet:
		s.info(w, r)
	case r.URL.Path == "/v2/accounts/me" && r.Method == http.MethodGet:
		s.me(w, r)
	default:
		oauthError(w, http.StatusNotFound, "not_found", "no such endpoint")
	}
}

func oauthError(w http.ResponseWriter, code int, typ, desc string) {
	writeJSON(w, code, map[string]any{"error": typ, "error_description": desc, "sub_error": nil, "request_id": newID(32)})
}

// ooops sends the browser to the error page: authorization errors never
// reach the redirect URI (oauth.md §1). The error code goes in
// oauth_exception and the exception detail, when there is one, in
// exception_details (oauth.md §3.3 lists both; the parameter name of the
// detail is the one LiveChat's troubleshooting page gives).
func ooops(w http.ResponseWriter, r *http.Request, exception, detail string) {
	q := url.Values{"oauth_exception": {exception}}
	if detail != "" {
		q.Set("exception_details", detail)
	}
	http.Redirect(w, r, "/ooops?"+q.Encode(), http.StatusFound)
}

// RedirectURIMatches applies oauth.md §4: scheme and host:port exact, the
// whitelisted path a prefix of the requested one, no query or fragment, no "..".
func RedirectURIMatches(whitelisted, requested string) bool {
	wu, err1 := url.Parse(whitelisted)
	ru, err2 := url.Parse(requested)
	if err1 != nil || err2 != nil || ru.RawQuery != "" || ru.Fragment != "" || strings.Contains(ru.Path, "..") {
		return false
	}
	if wu.Scheme != ru.Scheme || wu.Host != ru.Host {
		return false
	}
	return strings.HasPrefix(ru.Path, strings.TrimSuffix(wu.Path, "/")) || wu.Path == "" || wu.Path == "/"
}

// authorize approves at once as the first account and redirects with code and state.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	app := s.state.Apps[q.Get("client_id")]
	s.mu.Unlock()
	if app == nil {
		ooops(w, r, errUnauthorizedClient, "client_id_not_found")
		return
	}
	if len(app.RedirectURIs) == 0 {
		ooops(w, r, errUnauthorizedClient, "redirect_uri_not_set")
		return
	}
	redirect := q.Get("redirect_uri")
	ok := false
	for _, u := range app.RedirectURIs {
		if RedirectURIMatches(u, redirect) {
			ok = true
		}
	}
	if !ok {
		ooops(w, r, errUnauthorizedClient, "invalid_redirect_uri")
		return
	}
	if q.Get("response_type") != "code" {
		ooops(w, r, "unsupported_response_type", "")
		return
	}
	method, challenge, ok := pkce(q)
	if !ok {
		ooops(w, r, "invalid_request", "")
		return
	}
	code := "dal:" + newID(24)
	s.mu.Lock()
	s.state.Codes[code] = &Code{Code: code, ClientID: app.ClientID, RedirectURI: redirect, Challenge: challenge,
		Method: method, AccountID: AccountID, Expiry: s.Now().Add(5 * time.Minute)}
	s.mu.Unlock()
	v := url.Values{"code": {code}}
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	http.Redirect(w, r, redirectWith(redirect, v), http.StatusFound) //nolint:gosec // G710: redirect is one the app whitelists, checked above
}

// pkce reads an authorization request's code challenge and its method
// ("" without PKCE); ok is false for an unknown method or a challenge of
// the wrong length (RFC 7636 §4.2).
func pkce(q url.Values) (method, challenge string, ok bool) {
	method, challenge = q.Get("code_challenge_method"), q.Get("code_challenge")
	switch method {
	case "":
		if challenge != "" {
			method = "plain" // the documented default
		}
	case "S256", "s256":
		// The docs spell it both ways (oauth.md §2); the fake accepts both.
		method = "S256"
	case "plain":
	default:
		return "", "", false
	}
	if challenge != "" && (len(challenge) < 43 || len(challenge) > 128) {
		return "", "", false
	}
	return method, challenge, true
}

// tokenParams reads a form or JSON body (both appear in official material).
func tokenParams(r *http.Request, body []byte) url.Values {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		v := url.Values{}
		for k, x := range m {
			if s, ok := x.(string); ok {
				v.Set(k, s)
			}
		}
		return v
	}
	v, _ := url.ParseQuery(string(body))
	// client_id/client_secret may also come as HTTP Basic (x/oauth2 AuthStyleInHeader).
	if id, sec, ok := r.BasicAuth(); ok {
		if v.Get("client_id") == "" {
			v.Set("client_id", id)
		}
		if v.Get("client_secret") == "" {
			v.Set("client_secret", sec)
		}
	}
	return v
}

func verifierMatches(method, challenge, verifier string) bool {
	if len(verifier) < 43 || len(verifier) > 128 || strings.Trim(verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") != "" {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

func (s *Server) token(w http.ResponseWriter, r *http.Request, body []byte) {
	p := tokenParams(r, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.state.Apps[p.Get("client_id")]
	if p.Get("client_id") == "" || p.Get("grant_type") == "" {
		oauthError(w, 422, "invalid_request", "missing grant_type or client_id")
		return
	}
	if app == nil {
		oauthError(w, 401, errUnauthorizedClient, "client_id_not_found")
		return
	}
	if app.Secret != "" && subtle.ConstantTimeCompare([]byte(app.Secret), []byte(p.Get("client_secret"))) != 1 {
		oauthError(w, 401, errUnauthorizedClient, "invalid client_secret")
		return
	}
	switch p.Get("grant_type") {
	case "authorization_code":
		s.grantCode(w, app, p)
	case "refresh_token":
		s.grantRefresh(w, app, p)
	default:
		oauthError(w, 401, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
	}
}

// grantCode exchanges a single-use authorization code, checking its
// client, redirect URI and PKCE verifier; s.mu is held.
func (s *Server) grantCode(w http.ResponseWriter, app *App, p url.Values) {
	c := s.state.Codes[p.Get("code")]
	if c == nil || !s.Now().Before(c.Expiry) || c.ClientID != app.ClientID {
		oauthError(w, 401, "invalid_grant", "code expired, used or issued to another client")
		return
	}
	delete(s.state.Codes, c.Code) // single use
	if c.RedirectURI != p.Get("redirect_uri") {
		oauthError(w, 401, "invalid_grant", "redirect_uri does not match the authorization request")
		return
	}
	if c.Challenge != "" && !verifierMatches(c.Method, c.Challenge, p.Get("code_verifier")) {
		oauthError(w, 401, "invalid_grant", "code_verifier does not match code_challenge")
		return
	}
	if c.Challenge == "" && app.Secret == "" {
		oauthError(w, 401, "invalid_request", "public clients must use PKCE")
		return
	}
	s.issue(w, app, c.AccountID, "")
}

// grantRefresh issues a new pair for a refresh token: public apps rotate
// it, confidential ones keep it (oauth.md §3.2); s.mu is held.
func (s *Server) grantRefresh(w http.ResponseWriter, app *App, p url.Values) {
	access, ok := s.state.Refresh[p.Get("refresh_token")]
	t := s.state.Tokens[access]
	if !ok || t == nil {
		oauthError(w, 401, "invalid_grant", "refresh token not found")
		return
	}
	if t.ClientID != app.ClientID {
		oauthError(w, 401, "invalid_client", "refresh token issued to another client")
		return
	}
	delete(s.state.Tokens, access)
	keep := ""
	if app.Secret != "" {
		keep = t.Refresh // confidential apps do not rotate (oauth.md §3.2)
	} else {
		delete(s.state.Refresh, t.Refresh) // public apps rotate: single use
	}
	s.issue(w, app, t.AccountID, keep)
}

// issue mints a token pair; s.mu is held.
func (s *Server) issue(w http.ResponseWriter, app *App, accountID, refresh string) {
	if refresh == "" {
		refresh = "rt_" + newID(32) // refresh tokens carry no region prefix
	}
	acc := s.state.Accounts[accountID]
	t := &Token{Access: acc.Region + ":at_" + newID(32), Refresh: refresh, ClientID: app.ClientID,
		AccountID: accountID, Scopes: app.Scopes, Expiry: s.Now().Add(s.TokenTTL)}
	s.state.Tokens[t.Access] = t
	s.state.Refresh[refresh] = t.Access
	writeJSON(w, 200, map[string]any{
		"access_token": t.Access, "account_id": accountID, "expires_in": int(s.TokenTTL / time.Second),
		"organization_id": acc.OrganizationID, "refresh_token": refresh,
		"scope": strings.Join(t.Scopes, ","), "token_type": "Bearer",
	})
}

func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimPrefix(h, "Bearer ")
	}
	return r.URL.Query().Get("code")
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	tok := bearer(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.state.Tokens[tok]; t != nil {
		delete(s.state.Tokens, tok)
		delete(s.state.Refresh, t.Refresh) // revoking an access token revokes its pair
	} else if access, ok := s.state.Refresh[tok]; ok {
		delete(s.state.Refresh, tok)
		delete(s.state.Tokens, access)
	} else {
		oauthError(w, 404, "not_found", "token not found")
		return
	}
	writeJSON(w, 200, map[string]any{})
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.state.Tokens[bearer(r)]
	if t == nil || !s.Now().Before(t.Expiry) {
		oauthError(w, 401, errUnauthorized, "invalid or expired access token")
		return
	}
	acc := s.state.Accounts[t.AccountID]
	writeJSON(w, 200, map[string]any{
		"access_token": t.Access, "account_id": t.AccountID, "client_id": t.ClientID,
		"expires_in": int(t.Expiry.Sub(s.Now()) / time.Second), "organization_id": acc.OrganizationID,
		"scope": strings.Join(t.Scopes, ","), "token_type": "Bearer",
	})
}

// me answers GET /v2/accounts/me for a PAT (Basic) or a Bearer token with
// accounts--my:ro. The response fields beyond account_id are undocumented
// in the spec; the fake returns account_id, email, name, organization_id.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.authenticate(r)
	if !ok || c.account == nil {
		oauthError(w, 401, errUnauthorized, "invalid credentials")
		return
	}
	if !c.has("accounts--my:ro") {
		oauthError(w, 403, "access_denied", "missing scope accounts--my:ro")
		return
	}
	a := c.account
	writeJSON(w, 200, map[string]any{"account_id": a.ID, "email": a.Email, "name": a.Name, "organization_id": a.OrganizationID})
}
