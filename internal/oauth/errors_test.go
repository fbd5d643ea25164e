package oauth_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/oauth"
	"github.com/lcwh/lcwh/internal/oauth/oauthtest"
)

// coded is what app.Main asks of an error: its exit code and hint.
type coded interface {
	ExitCode() int
	Hint() string
}

// Each way a login fails carries its exit code and a hint naming the
// client id and redirect URI of this login, whoever prints it.
func TestLoginErrorsCarryCodeAndHint(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, acc *oauthtest.Accounts, opts *oauth.LoginOptions)
		code  int
		want  []string // substrings of the hint; {uri} is the redirect URI
	}{
		{"state mismatch", func(_ *testing.T, acc *oauthtest.Accounts, _ *oauth.LoginOptions) { acc.BadState = "forged" }, 4,
			[]string{`Run "lcwh auth login" again and use only the URL it prints.`}},
		{"error redirect", func(_ *testing.T, acc *oauthtest.Accounts, _ *oauth.LoginOptions) {
			acc.ErrorRedirect = "access_denied"
		}, 4,
			[]string{"--redirect-uri ({uri}) must equal, exactly, a redirect URI whitelisted for app cid"}},
		{"code refused", func(_ *testing.T, _ *oauthtest.Accounts, opts *oauth.LoginOptions) {
			opts.HTTPClient = &http.Client{Transport: rewrite{}}
		}, 4, []string{"Check --client-id and, for server-side apps, the client secret", "--redirect-uri ({uri}) must equal"}},
		{"port busy", func(_ *testing.T, _ *oauthtest.Accounts, opts *oauth.LoginOptions) {
			opts.Listen = func(string, string) (net.Listener, error) { return nil, errors.New("address already in use") }
		}, 1, []string{"The port comes from --redirect-uri ({uri}) and cannot change: stop what uses 127.0.0.1:"}},
		{"timeout", func(_ *testing.T, _ *oauthtest.Accounts, opts *oauth.LoginOptions) {
			opts.OpenBrowser = nil
			opts.Timeout = time.Nanosecond
		}, 4, []string{"whitelist {uri} for app cid", "allow longer with --timeout (now 1ns)"}},
		{"accounts server down", func(t *testing.T, _ *oauthtest.Accounts, opts *oauth.LoginOptions) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			opts.App.AccountsURL = "http://" + ln.Addr().String()
			ln.Close()
		}, 1, []string{"Nothing was stored. Check your connection, or accounts_url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc, opts, _ := setup(t, "/")
			tt.setup(t, acc, &opts)
			_, err := oauth.Login(context.Background(), opts)
			var c coded
			if !errors.As(err, &c) {
				t.Fatalf("err = %v (%T), without exit code and hint", err, err)
			}
			if c.ExitCode() != tt.code {
				t.Errorf("exit code %d, want %d", c.ExitCode(), tt.code)
			}
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "{uri}", opts.App.RedirectURI)
				if !strings.Contains(c.Hint(), w) {
					t.Errorf("hint %q lacks %q", c.Hint(), w)
				}
			}
		})
	}
}

// A request the user interrupted gets no hint about the connection.
func TestNetworkErrorCanceledHasNoHint(t *testing.T) {
	e := &oauth.NetworkError{Op: "reach the accounts server", Err: context.Canceled}
	if e.Hint() != "" || !errors.Is(e, context.Canceled) {
		t.Errorf("hint %q, Is(Canceled) %v", e.Hint(), errors.Is(e, context.Canceled))
	}
}
