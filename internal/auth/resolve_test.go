package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

// TestConcurrentRotation: two processes hold the same stored login; the first
// refresh rotates the refresh token, the second adopts what the first saved
// instead of failing with invalid_grant.
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
	if ta == "" || tb == "" || ta == tb {
		t.Errorf("tokens %q %q", ta, tb)
	}
}

func TestResolvedHeader(t *testing.T) {
	r, _ := auth.Resolve(auth.ResolveOptions{LookupEnv: envOf(map[string]string{"LCWH_PAT": "a:b"})})
	var hs auth.HeaderSource = r
	if h, err := hs.AuthorizationHeader(); err != nil || h != "Basic YTpi" {
		t.Errorf("header %q %v", h, err)
	}
}
