// Package oauth runs LiveChat's OAuth 2.1 authorization-code flow with PKCE
// for a CLI (oauth.md §9): a loopback listener on the redirect URI's port,
// the browser sent to the accounts server, the code exchanged with the
// verifier. A refreshing TokenSource saves rotated refresh tokens, and a
// RoundTripper refreshes once after a 401.
package oauth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// DefaultRedirectURI is used when --redirect-uri is not given. It must be
// whitelisted, exactly (scheme, host and port), for the app in Developer Console.
const DefaultRedirectURI = "http://localhost:5555/"

// RequiredScopes are what the webhook commands need (configuration-api.md §3).
var RequiredScopes = []string{"webhooks.configuration:rw", "webhooks.state:rw"}

// App identifies the LiveChat app and the accounts server.
type App struct {
	AccountsURL  string // e.g. https://accounts.livechat.com
	ClientID     string
	ClientSecret string // server-side (confidential) apps only
	RedirectURI  string
}

// Config is the x/oauth2 configuration for app. The authorize endpoint is
// the bare "/" of the accounts server and the token endpoint /v2/token
// (oauth.md §1); credentials go in the form body (AuthStyleInParams), and a
// public client sends no client_secret at all.
func (a App) Config() *oauth2.Config {
	base := strings.TrimRight(a.AccountsURL, "/")
	return &oauth2.Config{
		ClientID:     a.ClientID,
		ClientSecret: a.ClientSecret,
		RedirectURL:  a.RedirectURI,
		Endpoint: oauth2.Endpoint{
			AuthURL:   base + "/",
			TokenURL:  base + "/v2/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// Info is what the token response says beyond the token itself.
type Info struct {
	AccountID      string
	OrganizationID string
	Scopes         []string
}

// InfoOf reads account_id, organization_id and the comma-separated scope
// list from a token response (oauth.md §3.1).
func InfoOf(t *oauth2.Token) Info {
	str := func(k string) string { s, _ := t.Extra(k).(string); return s }
	return Info{
		AccountID:      str("account_id"),
		OrganizationID: str("organization_id"),
		Scopes:         SplitScopes(str("scope")),
	}
}

// SplitScopes splits LiveChat's comma-separated scope list (spaces tolerated).
func SplitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// MissingScopes returns the required scopes that have is missing. A ":rw"
// scope also grants ":ro", not the reverse.
func MissingScopes(have, required []string) []string {
	set := map[string]bool{}
	for _, s := range have {
		set[s] = true
	}
	var out []string
	for _, r := range required {
		if set[r] {
			continue
		}
		if ro, ok := strings.CutSuffix(r, ":ro"); ok && set[ro+":rw"] {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Revoke revokes token (the refresh token revokes the pair) with
// DELETE /v2/token and the token as Bearer (oauth.md §1, §9.8).
func Revoke(ctx context.Context, client *http.Client, accountsURL, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, strings.TrimRight(accountsURL, "/")+"/v2/token", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("revoke token: accounts server answered %s", resp.Status)
	}
	return nil
}

// withClient puts client into ctx for x/oauth2.
func withClient(ctx context.Context, client *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, orPlain(client))
}

// orPlain returns client, or for nil (tests of this package) a plain one.
// lcwh's commands always pass a client from internal/httpclient, which
// this package cannot import (httpclient's tests use auth, which uses
// oauth), so that --debug logs every accounts request.
func orPlain(client *http.Client) *http.Client {
	if client == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return client
}
