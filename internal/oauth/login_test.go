package oauth_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/oauth"
	"github.com/lcwh/lcwh/internal/oauth/oauthtest"
)

// loopback reserves 127.0.0.1:0 and returns a Listen func handing that
// listener to Login, plus the redirect URI naming its port.
func loopback(t *testing.T, path string) (func(string, string) (net.Listener, error), string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	listen := func(_, addr string) (net.Listener, error) {
		if addr != ln.Addr().String() {
			t.Errorf("Login listens on %s, want %s", addr, ln.Addr())
		}
		return ln, nil
	}
	return listen, "http://" + ln.Addr().String() + path
}

// browser is a fake browser: it GETs the URL and follows redirects, as a
// user who approves the consent screen would.
type browser struct {
	status int
	body   string
	url    string
}

func (b *browser) open(u string) error {
	b.url = u
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.status, b.body = resp.StatusCode, string(body)
	return nil
}

func setup(t *testing.T, path string) (*oauthtest.Accounts, oauth.LoginOptions, *browser) {
	t.Helper()
	acc := oauthtest.New()
	t.Cleanup(acc.Close)
	listen, redirect := loopback(t, path)
	acc.Apps["cid"] = []string{redirect}
	b := &browser{}
	return acc, oauth.LoginOptions{
		App:         oauth.App{AccountsURL: acc.URL(), ClientID: "cid", RedirectURI: redirect},
		OpenBrowser: b.open,
		Listen:      listen,
		Timeout:     time.Minute,
	}, b
}

func TestLoginEndToEnd(t *testing.T) {
	acc, opts, b := setup(t, "/callback")
	var shown string
	opts.ShowURL = func(u string) { shown = u }
	tok, err := oauth.Login(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if b.status != 200 || !strings.Contains(b.body, "close this tab") {
		t.Errorf("browser got %d %q", b.status, b.body)
	}
	if shown != b.url {
		t.Errorf("ShowURL %q, browser opened %q", shown, b.url)
	}
	u, _ := url.Parse(b.url)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("state")) < 43 || q.Get("response_type") != "code" || u.Path != "/" {
		t.Errorf("authorize URL %s", b.url)
	}
	if !strings.HasPrefix(tok.AccessToken, "dal:access_") || tok.RefreshToken == "" || tok.Expiry.IsZero() {
		t.Errorf("token %+v", tok)
	}
	info := oauth.InfoOf(tok)
	if info.AccountID != acc.AccountID || len(info.Scopes) != 2 {
		t.Errorf("info %+v", info)
	}
}

func TestLoginStateMismatch(t *testing.T) {
	acc, opts, _ := setup(t, "/")
	acc.BadState = "forged"
	_, err := oauth.Login(context.Background(), opts)
	if !errors.Is(err, oauth.ErrStateMismatch) {
		t.Fatalf("err = %v, want state mismatch", err)
	}
	for _, r := range acc.Requests {
		if r == "POST /v2/token" {
			t.Error("code exchanged despite state mismatch")
		}
	}
}

// rewrite changes the code_verifier on its way to the token endpoint.
type rewrite struct{}

func (rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost {
		return http.DefaultTransport.RoundTrip(r)
	}
	body, _ := io.ReadAll(r.Body)
	v, _ := url.ParseQuery(string(body))
	v.Set("code_verifier", strings.Repeat("x", 43))
	enc := v.Encode()
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(strings.NewReader(enc))
	r.ContentLength = int64(len(enc))
	return http.DefaultTransport.RoundTrip(r)
}

func TestLoginVerifierChecked(t *testing.T) {
	_, opts, _ := setup(t, "/")
	opts.HTTPClient = &http.Client{Transport: rewrite{}}
	_, err := oauth.Login(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("err = %v, want invalid_grant", err)
	}
}

func TestLoginErrorRedirect(t *testing.T) {
	acc, opts, _ := setup(t, "/")
	acc.ErrorRedirect = "access_denied"
	_, err := oauth.Login(context.Background(), opts)
	var re *oauth.RedirectError
	if !errors.As(err, &re) || re.Code != "access_denied" {
		t.Fatalf("err = %v", err)
	}
}

// The accounts server refuses the authorization request on its error page
// (never the redirect URI): Login finds out before it opens the browser
// or waits, for each refusal the fake makes as oauth.md describes it.
func TestLoginRefusedBeforeWaiting(t *testing.T) {
	for _, tt := range []struct {
		name, detail string
		apps         func(a *oauthtest.Accounts)
	}{
		{"redirect not whitelisted", oauth.DetailInvalidRedirectURI, func(a *oauthtest.Accounts) { a.Apps["cid"] = []string{"http://localhost:1/"} }},
		{"no redirect set", oauth.DetailRedirectURINotSet, func(a *oauthtest.Accounts) { a.Apps["cid"] = nil }},
		{"unknown client", oauth.DetailClientIDNotFound, func(a *oauthtest.Accounts) { delete(a.Apps, "cid") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			acc, opts, b := setup(t, "/")
			tt.apps(acc)
			shown := false
			opts.ShowURL = func(string) { shown = true }
			_, err := oauth.Login(context.Background(), opts)
			var ae *oauth.AuthorizeError
			if !errors.As(err, &ae) || ae.Detail != tt.detail || ae.Exception != oauth.ExceptionUnauthorizedClient || ae.RedirectURI != opts.App.RedirectURI {
				t.Fatalf("err = %#v, want detail %s", err, tt.detail)
			}
			if b.url != "" || shown {
				t.Errorf("browser opened (%q) or URL shown (%v) for a refused login", b.url, shown)
			}
			if got := acc.Requests; len(got) != 1 || got[0] != "GET /" {
				t.Errorf("requests %v, want the one authorize check", got)
			}
		})
	}
}

// The shapes an error-page redirect or answer may take, since the spec
// names only oauth_exception (see exceptionOf).
func TestAuthorizeErrorShapes(t *testing.T) {
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		detail  string // "" means no error
	}{
		{"code and details", redirectTo("/ooops?oauth_exception=" + oauth.ExceptionUnauthorizedClient + "&exception_details=invalid_redirect_uri"), "invalid_redirect_uri"},
		{"code:detail", redirectTo("/ooops?oauth_exception=" + oauth.ExceptionUnauthorizedClient + ":client_id_not_found"), "client_id_not_found"},
		{"detail alone", redirectTo("https://accounts.example/ooops?oauth_exception=redirect_uri_not_set"), "redirect_uri_not_set"},
		{"other exception", redirectTo("/ooops?oauth_exception=invalid_scope"), "-invalid_scope"},
		{"json 400", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"error":"` + oauth.ExceptionUnauthorizedClient + `","error_description":"invalid_redirect_uri"}`))
		}, "invalid_redirect_uri"},
		{"text 400", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "redirect_uri_not_set", 400)
		}, "redirect_uri_not_set"},
		{"login page", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>log in</html>")) }, ""},
		{"to the login form", redirectTo("/signin?identity_exception=unauthorized"), ""}, //nolint:misspell // protocol value
		{"403 from a proxy", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "<html>denied</html>", http.StatusForbidden)
		}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			listen, redirect := loopback(t, "/")
			opts := oauth.LoginOptions{App: oauth.App{AccountsURL: srv.URL, ClientID: "cid", RedirectURI: redirect},
				Listen: listen, Timeout: time.Millisecond}
			_, err := oauth.Login(context.Background(), opts)
			var ae *oauth.AuthorizeError
			switch {
			case tt.detail == "":
				if !errors.Is(err, oauth.ErrTimeout) {
					t.Errorf("err = %v, want the login to go on (and time out)", err)
				}
			case strings.HasPrefix(tt.detail, "-"):
				if !errors.As(err, &ae) || ae.Exception != tt.detail[1:] || ae.Detail != "" {
					t.Errorf("err = %#v", err)
				}
			default:
				if !errors.As(err, &ae) || ae.Detail != tt.detail {
					t.Errorf("err = %#v, want detail %s", err, tt.detail)
				}
			}
		})
	}
}

func redirectTo(loc string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Cookie") != "" {
			http.Error(w, "cookie sent", 500)
			return
		}
		http.Redirect(w, r, loc, http.StatusFound)
	}
}

func TestLoginPortBusy(t *testing.T) {
	_, opts, _ := setup(t, "/")
	opts.Listen = func(string, string) (net.Listener, error) { return nil, errors.New("address already in use") }
	_, err := oauth.Login(context.Background(), opts)
	var le *oauth.ListenError
	if !errors.As(err, &le) || le.Addr != strings.TrimSuffix(strings.TrimPrefix(opts.App.RedirectURI, "http://"), "/") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoginConfidentialApp(t *testing.T) {
	acc, opts, _ := setup(t, "/")
	acc.Secrets["cid"] = "s3cret"
	if _, err := oauth.Login(context.Background(), opts); err == nil {
		t.Fatal("login without the client secret succeeded")
	}
	listen, redirect := loopback(t, "/")
	acc.Apps["cid"] = []string{redirect}
	opts.Listen, opts.App.RedirectURI = listen, redirect
	opts.App.ClientSecret = "s3cret"
	if _, err := oauth.Login(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
}

func TestListenAddr(t *testing.T) {
	tests := []struct{ uri, addr, path string }{
		{"http://localhost:5555/", "127.0.0.1:5555", "/"},
		{"http://127.0.0.1:8765/callback", "127.0.0.1:8765", "/callback"},
		{"http://localhost", "127.0.0.1:80", "/"},
	}
	for _, tt := range tests {
		addr, path, err := oauth.ListenAddr(tt.uri)
		if err != nil || addr != tt.addr || path != tt.path {
			t.Errorf("ListenAddr(%q) = %q, %q, %v", tt.uri, addr, path, err)
		}
	}
	for _, bad := range []string{"https://localhost:5555/", "http://example.com:5555/", "http://localhost:5555/?a=b", "http://localhost:x/", "http://localhost:99999/"} {
		if _, _, err := oauth.ListenAddr(bad); err == nil {
			t.Errorf("ListenAddr(%q) accepted", bad)
		}
	}
}

func TestScopes(t *testing.T) {
	have := oauth.SplitScopes("webhooks.configuration:rw, chats--all:ro")
	got := oauth.MissingScopes(have, []string{"webhooks.configuration:rw", "webhooks.state:rw", "chats--all:ro"})
	if len(got) != 1 || got[0] != "webhooks.state:rw" {
		t.Errorf("missing = %v", got)
	}
	if got := oauth.MissingScopes([]string{"webhooks.state:rw"}, []string{"webhooks.state:ro"}); len(got) != 0 {
		t.Errorf(":rw should cover :ro, missing %v", got)
	}
}
