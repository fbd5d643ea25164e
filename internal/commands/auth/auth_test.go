package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/app"
	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	authcmd "github.com/lcwh/lcwh/internal/commands/auth"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/credstore"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/oauth"
	"github.com/lcwh/lcwh/internal/oauth/oauthtest"
)

const (
	accountID = "b7eff798-f8df-4364-8059-649c35c9ed0c"
	pat       = "dal:pat-SECRET-value"
)

// env is one test user's machine: a fake accounts server, a config dir, a
// keychain that does not work (so logins land in the 0600 file) and a fake
// browser that follows the authorize URL.
type env struct {
	t        *testing.T
	acc      *oauthtest.Accounts
	vars     map[string]string
	dir      string
	redirect string
	opened   []string
	now      time.Time
	// browser replaces the fake browser (a plain GET that follows redirects).
	browser func(string) error
}

type brokenKeyring struct{}

func (brokenKeyring) Get(string, string) (string, error) { return "", errors.New("no secret service") }
func (brokenKeyring) Set(string, string, string) error   { return errors.New("no secret service") }
func (brokenKeyring) Delete(string, string) error        { return errors.New("no secret service") }

func newEnv(t *testing.T) *env {
	t.Helper()
	acc := oauthtest.New()
	t.Cleanup(acc.Close)
	acc.PATs[accountID] = pat
	dir := t.TempDir()
	// A free loopback port for the redirect URI (login binds it itself).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := "http://" + ln.Addr().String() + "/callback"
	ln.Close()
	acc.Apps["cid"] = []string{redirect}
	cfg := filepath.Join(dir, "lcwh", "config.yaml")
	os.MkdirAll(filepath.Dir(cfg), 0o700)
	os.WriteFile(cfg, []byte("accounts_url: "+acc.URL()+"\n"), 0o600)
	return &env{t: t, acc: acc, dir: dir, redirect: redirect, now: time.Now(),
		vars: map[string]string{"XDG_CONFIG_HOME": dir}}
}

type result struct {
	code           int
	stdout, stderr string
}

func (e *env) run(stdin string, args ...string) result {
	e.t.Helper()
	ios, ts := iostreams.Test()
	ts.In.WriteString(stdin)
	lookup := func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }
	f := &cmdutil.Factory{
		IOStreams:     ios,
		Build:         build.Info{Version: "test"},
		ConfigOptions: &config.Options{LookupEnv: lookup},
		LookupEnv:     lookup,
		Now:           func() time.Time { return e.now },
		Debug:         new(bool),
	}
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) { return config.Load(*f.ConfigOptions) })
	f.Credentials = func() (credstore.Store, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		mode, err := cfg.Checked("credential_store")
		if err != nil {
			return nil, err
		}
		return credstore.Open(mode, config.Dir(lookup), brokenKeyring{})
	}
	f.CredentialSource = func() (*auth.Resolved, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		return auth.Resolve(auth.ResolveOptions{LookupEnv: lookup, Store: f.Credentials, Profile: cfg.Profile(),
			AccountsURL: e.acc.URL(), Now: f.Now})
	}
	f.OpenBrowser = func(u string) error {
		e.opened = append(e.opened, u)
		if e.browser != nil {
			return e.browser(u)
		}
		resp, err := http.Get(u)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	code := app.Run(context.Background(), f, args)
	return result{code, ts.Out.String(), ts.ErrOut.String()}
}

// noSecrets fails if any token or secret appears in r.
func (e *env) noSecrets(r result, extra ...string) {
	e.t.Helper()
	secrets := append([]string{pat, "access_", "refresh_", "s3cret"}, extra...)
	for _, s := range secrets {
		if strings.Contains(r.stdout+r.stderr, s) {
			e.t.Errorf("output contains secret %q:\nstdout: %s\nstderr: %s", s, r.stdout, r.stderr)
		}
	}
}

func (e *env) stored(profile string) *credstore.Record {
	e.t.Helper()
	r, err := credstore.NewFile(filepath.Join(e.dir, "lcwh", "credentials.json")).Get(profile)
	if errors.Is(err, credstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func TestPATLogin(t *testing.T) {
	e := newEnv(t)
	r := e.run(accountID+":"+pat+"\n", "auth", "login", "--with-pat")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	e.noSecrets(r)
	if r.stdout != "" || !strings.Contains(r.stderr, "✓ Logged in as account "+accountID+" with a Personal Access Token") ||
		!strings.Contains(r.stderr, "credentials.json (mode 0600)") {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	rec := e.stored("")
	if rec == nil || rec.Method != "pat" || rec.AccessToken != pat || rec.AccountID != accountID {
		t.Fatalf("stored %+v", rec)
	}
	fi, _ := os.Stat(filepath.Join(e.dir, "lcwh", "credentials.json"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}

	st := e.run("", "auth", "status", "--json")
	e.noSecrets(st)
	var got map[string]any
	if err := json.Unmarshal([]byte(st.stdout), &got); err != nil {
		t.Fatal(err, st.stdout)
	}
	want := map[string]any{"profile": "default", "method": "pat", "store": "file", "account_id": accountID,
		"client_id": "", "expires_at": nil, "scopes": []any{}, "missing_scopes": []any{}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status --json (-want +got):\n%s", diff)
	}

	tok := e.run("", "auth", "token")
	if tok.code != 0 || tok.stdout != accountID+":"+pat+"\n" {
		t.Errorf("token: %d %q", tok.code, tok.stdout)
	}

	out := e.run("", "auth", "logout")
	e.noSecrets(out)
	if out.code != 0 || !strings.Contains(out.stderr, "revoke it in Developer Console") || e.stored("") != nil {
		t.Errorf("logout: %d %q", out.code, out.stderr)
	}
}

func TestPATLoginBase64(t *testing.T) {
	e := newEnv(t)
	// The console's ready-made Base64 string of ACCOUNT_ID:PAT.
	b64 := base64Std(accountID + ":" + pat)
	if r := e.run(b64, "auth", "login", "--with-pat"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestPATLoginRejected(t *testing.T) {
	e := newEnv(t)
	r := e.run(accountID+":wrong-token", "auth", "login", "--with-pat")
	if r.code != 4 || !strings.Contains(r.stderr, "rejected") || !strings.Contains(r.stderr, "Developer Console") {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
	e.noSecrets(r, "wrong-token")
	if e.stored("") != nil {
		t.Error("rejected token stored")
	}
	if r := e.run("not-a-pat", "auth", "login", "--with-pat"); r.code != 2 {
		t.Errorf("malformed: exit %d %q", r.code, r.stderr)
	}
	if r := e.run("", "auth", "login", "--with-pat"); r.code != 2 || !strings.Contains(r.stderr, "stdin") {
		t.Errorf("empty stdin: exit %d %q", r.code, r.stderr)
	}
}

func TestNoCredential(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{{"auth", "status"}, {"auth", "token"}, {"auth", "logout"}} {
		r := e.run("", args...)
		if r.code != 4 || !strings.Contains(r.stderr, `Run "lcwh auth login", or set LCWH_PAT.`) {
			t.Errorf("%v: exit %d stderr %q", args, r.code, r.stderr)
		}
	}
}

func TestEnvPATWins(t *testing.T) {
	e := newEnv(t)
	e.vars["LCWH_PAT"] = accountID + ":" + pat
	r := e.run("", "auth", "status")
	e.noSecrets(r)
	if r.code != 0 || !strings.Contains(r.stdout, "env LCWH_PAT") {
		t.Errorf("exit %d stdout %q", r.code, r.stdout)
	}
}

func TestOAuthLogin(t *testing.T) {
	e := newEnv(t)
	e.vars["LCWH_PROFILE"] = ""
	r := e.run("", "auth", "login", "--client-id", "cid", "--redirect-uri", e.redirect)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	e.noSecrets(r)
	if len(e.opened) != 1 || !strings.Contains(r.stderr, "✓ Logged in as account "+accountID+" with OAuth (client cid)") {
		t.Errorf("opened %v stderr %q", e.opened, r.stderr)
	}
	rec := e.stored("")
	if rec == nil || rec.Method != "oauth" || rec.ClientID != "cid" || rec.RefreshToken == "" || rec.Region != "dal" ||
		len(rec.Scopes) != 2 || rec.Expiry.IsZero() {
		t.Fatalf("stored %+v", rec)
	}

	st := e.run("", "auth", "status")
	e.noSecrets(st)
	for _, want := range []string{"OAuth (oauth)", "Client ID:  cid", "Store:      file", "Expires:", "webhooks.configuration:rw, webhooks.state:rw"} {
		if !strings.Contains(st.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, st.stdout)
		}
	}

	// Expired: auth token refreshes, prints the new token and saves the rotation.
	e.now = rec.Expiry.Add(time.Minute)
	tok := e.run("", "auth", "token")
	after := e.stored("")
	if tok.code != 0 || tok.stdout != after.AccessToken+"\n" || after.AccessToken == rec.AccessToken || after.RefreshToken == rec.RefreshToken {
		t.Errorf("token after expiry: %d %q, stored %+v", tok.code, tok.stdout, after)
	}
	if e.acc.ValidRefresh(rec.RefreshToken) {
		t.Error("old refresh token still valid after rotation")
	}

	out := e.run("", "auth", "logout")
	e.noSecrets(out)
	if out.code != 0 || !strings.Contains(out.stderr, "revoked") || e.stored("") != nil {
		t.Errorf("logout %d %q", out.code, out.stderr)
	}
	if len(e.acc.Revoked) != 1 || e.acc.Revoked[0] != after.RefreshToken {
		t.Errorf("revoked %v", e.acc.Revoked)
	}
}

func TestOAuthLoginMissingScopesAndSecret(t *testing.T) {
	e := newEnv(t)
	e.acc.Secrets["cid"] = "s3cret"
	e.acc.Scope = "webhooks.configuration:rw"
	r := e.run("s3cret\n", "auth", "login", "--client-id", "cid", "--redirect-uri", e.redirect, "--with-client-secret", "--profile", "")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	e.noSecrets(r)
	if !strings.Contains(r.stderr, "lacks scopes the webhook commands need: webhooks.state:rw") {
		t.Errorf("stderr %q", r.stderr)
	}
	st := e.run("", "auth", "status")
	if !strings.Contains(st.stderr, "Missing scopes the webhook commands need: webhooks.state:rw") {
		t.Errorf("status stderr %q", st.stderr)
	}
	// Server-side apps: refresh with the stored secret, no rotation.
	rec := e.stored("")
	e.now = rec.Expiry.Add(time.Minute)
	if tok := e.run("", "auth", "token"); tok.code != 0 {
		t.Fatalf("token: %d %s", tok.code, tok.stderr)
	}
	if e.stored("").RefreshToken != rec.RefreshToken {
		t.Error("server-side refresh token changed")
	}
}

func TestOAuthLoginRedirectRefused(t *testing.T) {
	e := newEnv(t)
	e.acc.ErrorRedirect = "invalid_redirect_uri"
	r := e.run("", "auth", "login", "--client-id", "cid", "--redirect-uri", e.redirect)
	if r.code != 4 || !strings.Contains(r.stderr, "must equal, exactly, a redirect URI whitelisted for app cid in Developer Console") {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestOAuthLoginTimeoutNoBrowser(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "auth", "login", "--client-id", "cid", "--redirect-uri", e.redirect, "--no-browser", "--timeout", "1ms")
	for _, want := range []string{
		"Open this URL in a browser",
		"Waiting up to 1ms for the redirect to " + e.redirect + " (--timeout; Ctrl-C stops).",
		"If the browser shows a LiveChat error such as invalid_redirect_uri instead, whitelist " + e.redirect + " for app cid in Developer Console",
		"error: no redirect from the browser reached " + e.redirect + " within 1ms",
		"or allow longer with --timeout",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.code != 4 || len(e.opened) != 0 {
		t.Errorf("exit %d opened %v", r.code, e.opened)
	}
}

// A login the accounts server refuses outright (its error page, never the
// redirect URI) fails at once, exit 4, naming what to whitelist or fix,
// without opening the browser or waiting.
func TestOAuthLoginRefusedAtOnce(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(e *env)
		want  []string
	}{
		{"redirect not whitelisted", func(e *env) { e.acc.Apps["cid"] = []string{"http://localhost:1/"} }, []string{
			"error: LiveChat refused the redirect URI {uri}: app cid does not whitelist it ({exc}: invalid_redirect_uri)",
			"Whitelist {uri} for app cid in Developer Console (Apps > your app > Authorization > Redirect URI whitelist) ({origin} covers every path),",
			"or pass --redirect-uri with a URI the app already whitelists",
		}},
		{"no redirect set", func(e *env) { e.acc.Apps["cid"] = nil }, []string{
			"error: LiveChat refused the login: app cid has no redirect URI whitelisted ({exc}: redirect_uri_not_set)",
			"Whitelist {uri} for app cid in Developer Console",
		}},
		{"unknown client", func(e *env) { delete(e.acc.Apps, "cid") }, []string{
			"error: LiveChat does not know the client id cid ({exc}: client_id_not_found)",
			"Check --client-id (or the client_id setting)",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tt.setup(e)
			r := e.run("", "auth", "login", "--client-id", "cid", "--redirect-uri", e.redirect)
			origin := strings.TrimSuffix(e.redirect, "/callback")
			for _, w := range tt.want {
				w = strings.NewReplacer("{uri}", e.redirect, "{origin}", origin, "{exc}", oauth.ExceptionUnauthorizedClient).Replace(w)
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if r.code != 4 || len(e.opened) != 0 || strings.Contains(r.stderr, "Waiting") || e.stored("") != nil {
				t.Errorf("exit %d, opened %v, stderr %q", r.code, e.opened, r.stderr)
			}
		})
	}
}

// --debug logs the accounts server traffic of a login (the authorize
// check and the code exchange) with secrets redacted.
func TestOAuthLoginDebug(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "--debug", "auth", "login", "--client-id", "cid", "--redirect-uri", e.redirect)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"> GET " + e.acc.URL() + "/?", "< 302 Found", "> POST " + e.acc.URL() + "/v2/token"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("debug log lacks %q:\n%s", want, r.stderr)
		}
	}
	rec := e.stored("")
	for _, secret := range []string{rec.AccessToken, rec.RefreshToken} {
		if strings.Contains(r.stderr, secret) {
			t.Errorf("debug log shows %q", secret)
		}
	}
	if !strings.Contains(r.stderr, "code_verifier=%2A%2A%2A%2A") {
		t.Errorf("the verifier is not shown redacted:\n%s", r.stderr)
	}
}

func TestStoredRejectedAfterRevoke(t *testing.T) {
	e := newEnv(t)
	if r := e.run("", "auth", "login", "--client-id", "cid", "--redirect-uri", e.redirect); r.code != 0 {
		t.Fatal(r.stderr)
	}
	rec := e.stored("")
	e.acc.ExpireAccess()
	// Revoke the refresh token behind lcwh's back, then let the access token expire.
	req, _ := http.NewRequest(http.MethodDelete, e.acc.URL()+"/v2/token", nil)
	req.Header.Set("Authorization", "Bearer "+rec.RefreshToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e.now = rec.Expiry.Add(time.Hour)
	r := e.run("", "auth", "token")
	if r.code != 4 || !strings.Contains(r.stderr, "expired or was revoked") || !strings.Contains(r.stderr, `lcwh auth login" again`) {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestCredentialStoreSetting(t *testing.T) {
	e := newEnv(t)
	e.vars["LCWH_CREDENTIAL_STORE"] = "vault"
	t.Setenv("LCWH_CREDENTIAL_STORE", "vault") // viper reads the real environment
	r := e.run(accountID+":"+pat, "auth", "login", "--with-pat")
	if r.code == 0 || !strings.Contains(r.stderr, "LCWH_CREDENTIAL_STORE") {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestLoginFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
		check   func(*authcmd.LoginOptions) bool
	}{
		{args: []string{"--with-pat"}, check: func(o *authcmd.LoginOptions) bool { return o.WithPAT }},
		{args: []string{"--client-id", "x"}, check: func(o *authcmd.LoginOptions) bool {
			return o.ClientID == "x" && o.RedirectURI == "http://localhost:5555/" && o.Timeout == 5*time.Minute
		}},
		{args: []string{"--client-id", "x", "--no-browser", "--with-client-secret"}, check: func(o *authcmd.LoginOptions) bool {
			return o.NoBrowser && o.WithClientSecret
		}},
		{args: []string{"--with-pat", "--client-id", "x"}, wantErr: "cannot be combined"},
		{args: []string{"--client-id", "x", "--timeout", "0s"}, wantErr: "--timeout"},
		{args: []string{"--client-secret", "x"}, wantErr: "unknown flag"},
	}
	for _, tt := range tests {
		ios, _ := iostreams.Test()
		f := &cmdutil.Factory{IOStreams: ios, Config: func() (*config.Config, error) {
			return config.Load(config.Options{Path: filepath.Join(t.TempDir(), "none.yaml"), LookupEnv: func(string) (string, bool) { return "", false }})
		}}
		var got *authcmd.LoginOptions
		cmd := authcmd.NewCmdLogin(f, func(o *authcmd.LoginOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: err = %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !tt.check(got) {
			t.Errorf("%v: err %v, opts %+v", tt.args, err, got)
		}
	}
}

func TestOAuthLoginPortBusy(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", strings.TrimSuffix(strings.TrimPrefix(e.redirect, "http://"), "/callback"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := e.run("", "auth", "login", "--client-id", "cid", "--redirect-uri", e.redirect)
	if r.code != 1 || !strings.Contains(r.stderr, "cannot change: stop what uses") || len(e.opened) != 0 {
		t.Errorf("exit %d opened %v stderr %q", r.code, e.opened, r.stderr)
	}
}
