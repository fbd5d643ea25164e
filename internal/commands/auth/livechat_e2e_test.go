package auth_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/app"
	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/commands/factory"
	"github.com/lcwh/lcwh/internal/credstore"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/livechatfake/livechatfaketest"
)

// lcEnv runs the real Factory wiring (factory.NewWith) against the strict
// fake of the API and accounts server, with the file credential store.
type lcEnv struct {
	t        *testing.T
	fake     *livechatfaketest.Server
	vars     map[string]string
	redirect string
}

func newLCEnv(t *testing.T) *lcEnv {
	t.Helper()
	fake := livechatfaketest.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := "http://" + ln.Addr().String() + "/"
	ln.Close()
	fake.State(func(s *livechatfake.State) {
		s.Apps[livechatfake.ClientID].RedirectURIs = append(s.Apps[livechatfake.ClientID].RedirectURIs, redirect)
	})
	dir := t.TempDir()
	return &lcEnv{t: t, fake: fake, redirect: redirect, vars: map[string]string{
		"LCWH_API_URL": srv.URL, "LCWH_ACCOUNTS_URL": srv.URL, "LCWH_CREDENTIAL_STORE": "file",
		"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "cfg"),
	}}
}

func (e *lcEnv) run(stdin string, args ...string) result {
	e.t.Helper()
	ios, ts := iostreams.Test()
	ts.In.WriteString(stdin)
	// viper reads LCWH_<KEY> from the process environment.
	for _, k := range []string{"LCWH_API_URL", "LCWH_ACCOUNTS_URL", "LCWH_CREDENTIAL_STORE", "LCWH_PAT", "LCWH_CLIENT_ID", "HOME", "XDG_CONFIG_HOME"} {
		e.t.Setenv(k, e.vars[k])
	}
	lookup := func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }
	f := factory.NewWith(build.Info{Version: "test"}, ios, lookup)
	f.OpenBrowser = func(u string) error { // a browser that approves at once
		resp, err := http.Get(u)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	code := app.Run(context.Background(), f, args)
	r := result{code, ts.Out.String(), ts.ErrOut.String()}
	rec, _ := e.stored()
	secrets := []string{livechatfake.PATToken, livechatfake.ServerClientSecret}
	if rec != nil {
		secrets = append(secrets, rec.AccessToken, rec.RefreshToken)
	}
	// `lcwh auth token` prints the token on stdout, by design; nothing else does.
	shown := r.stdout + r.stderr
	if args[len(args)-1] == "token" {
		shown = r.stderr
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(shown, s) {
			e.t.Errorf("lcwh %v printed a secret:\n%s\n%s", args, r.stdout, r.stderr)
		}
	}
	return r
}

func (e *lcEnv) stored() (*credstore.Record, error) {
	return credstore.NewFile(filepath.Join(e.vars["XDG_CONFIG_HOME"], "lcwh", "credentials.json")).Get("")
}

func (e *lcEnv) count(method, path string) int {
	n := 0
	for _, r := range e.fake.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// TestOAuthLoginThenWebhookCommands: log in with OAuth, use the stored login
// for API calls, survive an expired access token (refresh, rotation saved),
// and log out (revoked; API calls then exit 4).
func TestOAuthLoginThenWebhookCommands(t *testing.T) {
	e := newLCEnv(t)
	if r := e.run("", "auth", "login", "--client-id", livechatfake.ClientID, "--redirect-uri", e.redirect); r.code != 0 {
		t.Fatalf("login %d: %s", r.code, r.stderr)
	}
	rec, err := e.stored()
	if err != nil || rec.Method != "oauth" || rec.AccountID != livechatfake.AccountID || rec.Region != "dal" {
		t.Fatalf("stored %+v %v", rec, err)
	}
	if r := e.run("", "list"); r.code != 0 {
		t.Fatalf("list %d: %s", r.code, r.stderr)
	}
	if r := e.run("", "auth", "status"); r.code != 0 || strings.Contains(r.stderr, "Missing scopes") {
		t.Errorf("status %d: %s %s", r.code, r.stdout, r.stderr)
	}

	// The server expires the access token: the next call gets 401, lcwh
	// refreshes once, saves the rotated refresh token and retries.
	e.fake.State(func(s *livechatfake.State) {
		for _, tok := range s.Tokens {
			tok.Expiry = time.Now().Add(-time.Minute)
		}
	})
	refreshes := e.count("POST", "/v2/token")
	if r := e.run("", "state"); r.code != 0 {
		t.Fatalf("state after expiry %d: %s", r.code, r.stderr)
	}
	if got := e.count("POST", "/v2/token") - refreshes; got != 1 {
		t.Errorf("%d refreshes, want 1", got)
	}
	after, _ := e.stored()
	if after.RefreshToken == rec.RefreshToken || after.AccessToken == rec.AccessToken {
		t.Errorf("rotation not saved: %+v", after)
	}
	if r := e.run("", "auth", "token"); r.stdout != after.AccessToken+"\n" {
		t.Errorf("auth token %q", r.stdout)
	}

	if r := e.run("", "auth", "logout"); r.code != 0 || !strings.Contains(r.stderr, "revoked") {
		t.Errorf("logout %d: %s", r.code, r.stderr)
	}
	if r := e.run("", "list"); r.code != 4 || !strings.Contains(r.stderr, `Run "lcwh auth login", or set LCWH_PAT.`) {
		t.Errorf("list after logout %d: %s", r.code, r.stderr)
	}
}

func TestPATLoginThenWebhookCommands(t *testing.T) {
	e := newLCEnv(t)
	if r := e.run(livechatfake.AccountID+":wrong", "auth", "login", "--with-pat"); r.code != 4 {
		t.Errorf("bad PAT: %d %s", r.code, r.stderr)
	}
	if r := e.run(livechatfake.AccountID+":"+livechatfake.PATToken, "auth", "login", "--with-pat"); r.code != 0 {
		t.Fatalf("login %d: %s", r.code, r.stderr)
	}
	fi, err := os.Stat(filepath.Join(e.vars["XDG_CONFIG_HOME"], "lcwh", "credentials.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file %v %v", fi, err)
	}
	if r := e.run("", "list", "--client-id", livechatfake.ClientID); r.code != 0 {
		t.Fatalf("list with stored PAT %d: %s", r.code, r.stderr)
	}
}

func TestServerSideOAuthLogin(t *testing.T) {
	e := newLCEnv(t)
	e.fake.State(func(s *livechatfake.State) {
		s.Apps[livechatfake.ServerClientID].RedirectURIs = append(s.Apps[livechatfake.ServerClientID].RedirectURIs, e.redirect)
	})
	r := e.run(livechatfake.ServerClientSecret+"\n", "auth", "login", "--client-id", livechatfake.ServerClientID,
		"--redirect-uri", e.redirect, "--with-client-secret")
	if r.code != 0 {
		t.Fatalf("login %d: %s", r.code, r.stderr)
	}
	if r := e.run("", "list"); r.code != 0 {
		t.Fatalf("list %d: %s", r.code, r.stderr)
	}
}

// TestRefreshShowsInDebugLog: with the real Factory, the token refresh
// goes through internal/httpclient, so --debug logs it, redacted.
func TestRefreshShowsInDebugLog(t *testing.T) {
	e := newLCEnv(t)
	if r := e.run("", "auth", "login", "--client-id", livechatfake.ClientID, "--redirect-uri", e.redirect); r.code != 0 {
		t.Fatalf("login %d: %s", r.code, r.stderr)
	}
	before, _ := e.stored()
	e.fake.State(func(s *livechatfake.State) {
		for _, tok := range s.Tokens {
			tok.Expiry = time.Now().Add(-time.Minute)
		}
	})
	r := e.run("", "--debug", "state")
	if r.code != 0 {
		t.Fatalf("state %d: %s", r.code, r.stderr)
	}
	after, _ := e.stored()
	for _, want := range []string{"< 401 ", "> POST " + e.vars["LCWH_ACCOUNTS_URL"] + "/v2/token", "grant_type=refresh_token", "refresh_token=%2A%2A%2A%2A"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("debug log lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, s := range []string{before.RefreshToken, after.RefreshToken, after.AccessToken} {
		if strings.Contains(r.stderr, s) {
			t.Errorf("debug log shows a token")
		}
	}
}
