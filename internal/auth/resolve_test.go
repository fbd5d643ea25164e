package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/credstore"
	"github.com/lcwh/lcwh/internal/oauth"
	"github.com/lcwh/lcwh/internal/oauth/oauthtest"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestResolveOrder(t *testing.T) {
	mem := credstore.NewMemory()
	open := func() (credstore.Store, error) { return mem, nil }
	_, err := auth.Resolve(auth.ResolveOptions{LookupEnv: envOf(nil), Store: open})
	if !errors.Is(err, auth.ErrNoCredential) {
		t.Fatalf("empty: %v", err)
	}
	_ = mem.Set("", &credstore.Record{Method: "pat", AccountID: "stored", AccessToken: "t"})
	r, err := auth.Resolve(auth.ResolveOptions{LookupEnv: envOf(nil), Store: open})
	if err != nil || r.Record.AccountID != "stored" || r.Source != credstore.BackendMemory {
		t.Fatalf("stored: %+v %v", r, err)
	}
	// Another profile has nothing.
	if _, err := auth.Resolve(auth.ResolveOptions{LookupEnv: envOf(nil), Store: open, Profile: "x"}); !errors.Is(err, auth.ErrNoCredential) {
		t.Errorf("profile x: %v", err)
	}
	// LCWH_PAT wins and the store is never opened.
	r, err = auth.Resolve(auth.ResolveOptions{LookupEnv: envOf(map[string]string{"LCWH_PAT": "env:tok"}),
		Store: func() (credstore.Store, error) { return nil, errors.New("opened") }})
	if err != nil || r.Record.AccountID != "env" || r.Source != auth.SourceEnv {
		t.Fatalf("env: %+v %v", r, err)
	}
}

func TestResolvedTransports(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization")+"|"+r.Header.Get("X-Region"))
	}))
	defer srv.Close()
	r, _ := auth.Resolve(auth.ResolveOptions{LookupEnv: envOf(map[string]string{"LCWH_PAT": "a:b"})})
	resp, err := (&http.Client{Transport: r.Transport(nil)}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got[0] != "Basic YTpi|" {
		t.Errorf("PAT request %q", got[0])
	}
}

// TestOAuthRefreshSavedToStore: a stored OAuth login whose access token the
// server no longer accepts is refreshed once, the API call retried, and the
// rotated refresh token written back to the store.
func TestOAuthRefreshSavedToStore(t *testing.T) {
	acc := oauthtest.New()
	defer acc.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := "http://" + ln.Addr().String() + "/"
	acc.Apps["cid"] = []string{redirect}
	tok, err := oauth.Login(context.Background(), oauth.LoginOptions{
		App:    oauth.App{AccountsURL: acc.URL(), ClientID: "cid", RedirectURI: redirect},
		Listen: func(string, string) (net.Listener, error) { return ln, nil },
		OpenBrowser: func(u string) error {
			resp, err := http.Get(u)
			if err == nil {
				resp.Body.Close()
			}
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mem := credstore.NewMemory()
	rec := &credstore.Record{Method: "oauth", ClientID: "cid"}
	auth.UpdateRecord(rec, tok)
	_ = mem.Set("p", rec)
	r, err := auth.Resolve(auth.ResolveOptions{LookupEnv: envOf(nil), Store: func() (credstore.Store, error) { return mem, nil },
		Profile: "p", AccountsURL: acc.URL(), Now: func() time.Time { return tok.Expiry.Add(-time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	acc.ExpireAccess()
	resp, err := (&http.Client{Transport: r.Transport(nil)}).Get(acc.URL() + "/api/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || acc.Refreshs != 1 {
		t.Fatalf("status %d refreshes %d", resp.StatusCode, acc.Refreshs)
	}
	saved, _ := mem.Get("p")
	if saved.RefreshToken == tok.RefreshToken || !acc.ValidRefresh(saved.RefreshToken) || !strings.HasPrefix(saved.AccessToken, "dal:") {
		t.Errorf("store not updated with the rotated token: %+v", saved)
	}
}

func TestErrorsCarryExitCode4(t *testing.T) {
	_, err := auth.Resolve(auth.ResolveOptions{LookupEnv: envOf(nil), Store: func() (credstore.Store, error) { return credstore.NewMemory(), nil }})
	if got := cmdutil.ExitCodeOf(fmt.Errorf("list: %w", err)); got != 4 || cmdutil.HintOf(err) != auth.NoCredentialHint {
		t.Errorf("no credential: exit %d hint %q", got, cmdutil.HintOf(err))
	}
	exp := &url.Error{Op: "Post", URL: "http://x", Err: &oauth.ExpiredError{Reason: "invalid_grant"}}
	if got := cmdutil.ExitCodeOf(exp); got != 4 || !errors.Is(exp, oauth.ErrLoginExpired) || !strings.Contains(cmdutil.HintOf(exp), "auth login") {
		t.Errorf("expired: exit %d", got)
	}
}

// TestConcurrentRotation: two runs hold the same stored login and both find
// its access token expired; the first refresh rotates the refresh token, the
// second rereads the store under its lock and uses the first's token
// instead of spending the old refresh token (invalid_grant).
func TestConcurrentRotation(t *testing.T) {
	acc := oauthtest.New()
	defer acc.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := "http://" + ln.Addr().String() + "/"
	acc.Apps["cid"] = []string{redirect}
	tok, err := oauth.Login(context.Background(), oauth.LoginOptions{
		App:    oauth.App{AccountsURL: acc.URL(), ClientID: "cid", RedirectURI: redirect},
		Listen: func(string, string) (net.Listener, error) { return ln, nil },
		OpenBrowser: func(u string) error {
			resp, err := http.Get(u)
			if err == nil {
				resp.Body.Close()
			}
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mem := credstore.NewMemory()
	rec := &credstore.Record{Method: "oauth", ClientID: "cid"}
	auth.UpdateRecord(rec, tok)
	_ = mem.Set("", rec)
	later := func() time.Time { return tok.Expiry.Add(time.Hour) }
	acc.ExpiresIn *= 2 // tokens from the refresh are fresh at that clock
	resolve := func() *auth.Resolved {
		r, err := auth.Resolve(auth.ResolveOptions{LookupEnv: envOf(nil), Store: func() (credstore.Store, error) { return mem, nil },
			AccountsURL: acc.URL(), Now: later})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := resolve(), resolve()
	ta, err := a.AccessToken()
	if err != nil {
		t.Fatal(err)
	}
	// b's copy of the refresh token is now spent; its token refresh must
	// pick up a's rotation from the store and refresh from there.
	tb, err := b.AccessToken()
	if err != nil {
		t.Fatalf("second process: %v", err)
	}
	if ok, refused := acc.RefreshCounts(); ta == "" || ta != tb || ok != 1 || refused != 0 {
		t.Errorf("tokens %q %q, %d refreshes, %d refused; want one refresh both use", ta, tb, ok, refused)
	}
}

func TestResolvedHeader(t *testing.T) {
	r, _ := auth.Resolve(auth.ResolveOptions{LookupEnv: envOf(map[string]string{"LCWH_PAT": "a:b"})})
	var hs auth.HeaderSource = r
	if h, err := hs.AuthorizationHeader(); err != nil || h != "Basic YTpi" {
		t.Errorf("header %q %v", h, err)
	}
}

// Child processes of TestRefreshRaceAcrossProcesses run this test binary
// with these variables set.
const (
	envRaceDir      = "LCWH_TEST_RACE_DIR"
	envRaceAccounts = "LCWH_TEST_RACE_ACCOUNTS"
	raceRounds      = 15
)

// TestRefreshRaceChild is the body of the child processes of
// TestRefreshRaceAcrossProcesses: each round is a new run (a fresh
// Resolve from the store) whose clock is 10 h later, so the stored access
// token is always expired and every round refreshes.
func TestRefreshRaceChild(t *testing.T) {
	dir := os.Getenv(envRaceDir)
	if dir == "" {
		t.Skip("runs as a child of TestRefreshRaceAcrossProcesses")
	}
	start := time.Now()
	for i := range raceRounds {
		now := start.Add(time.Duration(i+1) * 10 * time.Hour)
		r, err := auth.Resolve(auth.ResolveOptions{
			LookupEnv: envOf(nil),
			Store: func() (credstore.Store, error) {
				return credstore.Open(credstore.ModeFile, dir, nil)
			},
			AccountsURL: os.Getenv(envRaceAccounts),
			Now:         func() time.Time { return now },
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.AccessToken(); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
}

// TestRefreshRaceAcrossProcesses: two real processes refresh one stored
// login over and over against a fake accounts server whose refresh tokens
// are single use. The refresh runs under the store's lock, rereading the
// stored token first, so no refresh token is ever spent twice and the
// login survives.
func TestRefreshRaceAcrossProcesses(t *testing.T) {
	if os.Getenv(envRaceDir) != "" {
		t.Skip("child")
	}
	acc := oauthtest.New()
	defer acc.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := "http://" + ln.Addr().String() + "/"
	acc.Apps["cid"] = []string{redirect}
	tok, err := oauth.Login(context.Background(), oauth.LoginOptions{
		App:    oauth.App{AccountsURL: acc.URL(), ClientID: "cid", RedirectURI: redirect},
		Listen: func(string, string) (net.Listener, error) { return ln, nil },
		OpenBrowser: func(u string) error {
			resp, err := http.Get(u)
			if err == nil {
				resp.Body.Close()
			}
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	store, err := credstore.Open(credstore.ModeFile, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &credstore.Record{Method: "oauth", ClientID: "cid"}
	auth.UpdateRecord(rec, tok)
	if err := store.Set("", rec); err != nil {
		t.Fatal(err)
	}

	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRefreshRaceChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), envRaceDir+"="+dir, envRaceAccounts+"="+acc.URL())
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("child %d: %v\n%s", i, err, outs[i])
		}
	}
	ok, refused := acc.RefreshCounts()
	if ok != 2*raceRounds || refused != 0 {
		t.Errorf("%d refreshes, %d refused; want %d and 0 (a refused one is a refresh token spent twice)", ok, refused, 2*raceRounds)
	}
	final, err := store.Get("")
	if err != nil || !acc.ValidRefresh(final.RefreshToken) {
		t.Errorf("stored login after the race: %+v, %v; want a live refresh token", final, err)
	}
}
