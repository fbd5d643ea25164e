package livechatfake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// RFC 7636 test vector (oauth.md §3.1).
const (
	verifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func authorize(t *testing.T, base, clientID, redirect, method string) *url.URL {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect},
		"state": {"st8"}, "code_challenge": {challenge}, "code_challenge_method": {method}}
	resp, err := noRedirect().Get(base + "/?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize status %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return loc
}

func postToken(t *testing.T, base string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(base+"/v2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestOAuthFlow(t *testing.T) {
	fake := New()
	srv := httptest.NewServer(fake)
	defer srv.Close()

	loc := authorize(t, srv.URL, ClientID, RedirectURI, "S256")
	code := loc.Query().Get("code")
	if !strings.HasPrefix(loc.String(), RedirectURI+"?") || loc.Query().Get("state") != "st8" || !strings.HasPrefix(code, "dal:") {
		t.Fatalf("redirect = %s", loc)
	}
	// Wrong verifier fails and burns the code.
	st, m := postToken(t, srv.URL, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {ClientID},
		"redirect_uri": {RedirectURI}, "code_verifier": {strings.Repeat("a", 43)}})
	if st != 401 || m["error"] != "invalid_grant" {
		t.Fatalf("bad verifier: %d %v", st, m)
	}
	code = authorize(t, srv.URL, ClientID, RedirectURI, "s256").Query().Get("code")
	st, m = postToken(t, srv.URL, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {ClientID},
		"redirect_uri": {RedirectURI}, "code_verifier": {verifier}})
	if st != 200 || m["token_type"] != "Bearer" || m["scope"] != "accounts--my:ro,webhooks.configuration:rw,webhooks.state:rw" {
		t.Fatalf("exchange: %d %v", st, m)
	}
	access, refresh := m["access_token"].(string), m["refresh_token"].(string)
	if !strings.HasPrefix(access, "dal:") || strings.Contains(refresh, ":") {
		t.Errorf("tokens %q %q", access, refresh)
	}
	// Code is single use.
	if st, _ := postToken(t, srv.URL, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {ClientID},
		"redirect_uri": {RedirectURI}, "code_verifier": {verifier}}); st != 401 {
		t.Errorf("reused code: %d", st)
	}
	// Info.
	req, _ := http.NewRequest("GET", srv.URL+"/v2/info", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("info: %v %v", resp, err)
	}
	resp.Body.Close()
	// Refresh rotates for a public app: the old refresh token stops working.
	st, m = postToken(t, srv.URL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {ClientID}})
	if st != 200 || m["refresh_token"] == refresh {
		t.Fatalf("refresh: %d %v", st, m)
	}
	if st, _ := postToken(t, srv.URL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {ClientID}}); st != 401 {
		t.Errorf("old refresh token: %d", st)
	}
	// Revoke.
	newAccess := m["access_token"].(string)
	req, _ = http.NewRequest("DELETE", srv.URL+"/v2/token", nil)
	req.Header.Set("Authorization", "Bearer "+newAccess)
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("revoke: %d", resp.StatusCode)
	}
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("second revoke: %d", resp.StatusCode)
	}
}

func TestConfidentialAppDoesNotRotate(t *testing.T) {
	fake := New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	code := authorize(t, srv.URL, ServerClientID, RedirectURI, "S256").Query().Get("code")
	base := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {ServerClientID},
		"redirect_uri": {RedirectURI}, "code_verifier": {verifier}}
	if st, m := postToken(t, srv.URL, base); st != 401 || m["error"] != errUnauthorizedClient {
		t.Fatalf("no secret: %d %v", st, m)
	}
	code = authorize(t, srv.URL, ServerClientID, RedirectURI, "S256").Query().Get("code")
	base.Set("code", code)
	base.Set("client_secret", ServerClientSecret)
	st, m := postToken(t, srv.URL, base)
	if st != 200 {
		t.Fatalf("exchange %d %v", st, m)
	}
	rt := m["refresh_token"].(string)
	for i := 0; i < 2; i++ {
		st, m = postToken(t, srv.URL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {ServerClientID}, "client_secret": {ServerClientSecret}})
		if st != 200 || m["refresh_token"] != rt {
			t.Fatalf("refresh %d: %d %v", i, st, m)
		}
	}
}

func TestAuthorizeErrorsGoToOoops(t *testing.T) {
	srv := httptest.NewServer(New())
	defer srv.Close()
	for _, redirect := range []string{"http://localhost:4000/", "http://127.0.0.1:5555/", "https://localhost:5555/", "http://localhost:5555/?q=1"} {
		loc := authorize(t, srv.URL, ClientID, redirect, "S256")
		q := loc.Query()
		if loc.Path != "/ooops" || len(q) != 2 || q.Get("oauth_exception") != errUnauthorizedClient || q.Get("exception_details") != "invalid_redirect_uri" {
			t.Errorf("%s → %s, want /ooops?oauth_exception=%s&exception_details=invalid_redirect_uri", redirect, loc, errUnauthorizedClient)
		}
	}
	if loc := authorize(t, srv.URL, "nosuchclient", RedirectURI, "S256"); loc.Path != "/ooops" || loc.Query().Get("exception_details") != "client_id_not_found" || loc.Query().Get("oauth_exception") != errUnauthorizedClient {
		t.Errorf("unknown client → %s", loc)
	}
	fake := New()
	fake.State(func(s *State) { s.Apps[ClientID].RedirectURIs = nil })
	srv2 := httptest.NewServer(fake)
	defer srv2.Close()
	if loc := authorize(t, srv2.URL, ClientID, RedirectURI, "S256"); loc.Path != "/ooops" || loc.Query().Get("exception_details") != "redirect_uri_not_set" {
		t.Errorf("no redirect URIs → %s", loc)
	}
	if loc := authorize(t, srv.URL, ClientID, "http://localhost:5555/callback", "S256"); loc.Path != "/callback" {
		t.Errorf("path prefix refused: %s", loc)
	}
}

func TestExpiryAndMe(t *testing.T) {
	fake := New()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fake.Now = func() time.Time { return now }
	srv := httptest.NewServer(fake)
	defer srv.Close()
	code := authorize(t, srv.URL, ClientID, RedirectURI, "S256").Query().Get("code")
	_, m := postToken(t, srv.URL, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {ClientID},
		"redirect_uri": {RedirectURI}, "code_verifier": {verifier}})
	access := m["access_token"].(string)
	get := func(path, authz string) int {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", authz)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := get("/v2/accounts/me", "Bearer "+access); st != 200 {
		t.Errorf("me bearer %d", st)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(AccountID+":"+PATToken))
	if st := get("/v2/accounts/me", basic); st != 200 {
		t.Errorf("me PAT %d", st)
	}
	if st := get("/v2/accounts/me", "Basic "+base64.StdEncoding.EncodeToString([]byte(AccountID+":nope"))); st != 401 {
		t.Errorf("me bad PAT %d", st)
	}
	now = now.Add(9 * time.Hour)
	if st := get("/v2/info", "Bearer "+access); st != 401 {
		t.Errorf("expired info %d", st)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	a := New()
	a.State(func(s *State) { s.Disabled["x/y"] = true })
	b, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	c := New()
	if err := c.Restore(b); err != nil {
		t.Fatal(err)
	}
	got, _ := c.Snapshot()
	if string(got) != string(b) {
		t.Error("snapshot differs after restore")
	}
}
