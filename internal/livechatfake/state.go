// Package livechatfake is the server of `lcwh sandbox`: a strict in-repo
// fake of the LiveChat Configuration API webhook methods and of the
// accounts (OAuth) server, following ../shared/livechat/configuration-api.md
// and oauth.md, plus the sandbox's control endpoints (WithControl). It is an
// http.Handler: `lcwh sandbox` serves it on a port with State saved to a
// file (State marshals to JSON), and tests serve it with httptest, through
// livechatfaketest when they record requests or inject faults.
package livechatfake

import (
	"encoding/json"
	"time"

	"github.com/lcwh/lcwh/internal/livechat"
)

// State is everything the fake remembers. It marshals to JSON so a
// long-running fake can persist it between runs.
type State struct {
	Accounts map[string]*Account        `json:"accounts"` // by account id
	PATs     map[string]*PAT            `json:"pats"`     // by token
	Apps     map[string]*App            `json:"apps"`     // by client id
	Tokens   map[string]*Token          `json:"tokens"`   // by access token
	Refresh  map[string]string          `json:"refresh"`  // refresh token -> access token
	Codes    map[string]*Code           `json:"codes"`    // by code
	Webhooks map[string][]*Webhook      `json:"webhooks"` // by owner client id
	Disabled map[string]bool            `json:"disabled"` // organization_id + "/" + client id
	Seq      int                        `json:"seq"`      // for ids
	Extra    map[string]json.RawMessage `json:"extra,omitempty"`
}

// Account is a LiveChat account (a user).
type Account struct {
	ID             string `json:"account_id"`
	Email          string `json:"email"`
	Name           string `json:"name"`
	OrganizationID string `json:"organization_id"`
	Region         string `json:"region"`
}

// PAT is a Personal Access Token with the scopes chosen at creation.
type PAT struct {
	AccountID string   `json:"account_id"`
	Token     string   `json:"token"`
	Scopes    []string `json:"scopes"`
}

// App is an application with an App Authorization block.
type App struct {
	ClientID       string   `json:"client_id"`
	Secret         string   `json:"client_secret,omitempty"` // "" = public (JavaScript) app
	RedirectURIs   []string `json:"redirect_uris"`
	Scopes         []string `json:"scopes"`
	OrganizationID string   `json:"organization_id"`
}

// Token is an issued access token with its refresh token.
type Token struct {
	Access    string    `json:"access_token"`
	Refresh   string    `json:"refresh_token"`
	ClientID  string    `json:"client_id"`
	AccountID string    `json:"account_id"`
	Scopes    []string  `json:"scopes"`
	Expiry    time.Time `json:"expiry"`
}

// Code is an authorization code waiting for exchange.
type Code struct {
	Code        string    `json:"code"`
	ClientID    string    `json:"client_id"`
	RedirectURI string    `json:"redirect_uri"`
	Challenge   string    `json:"code_challenge"`
	Method      string    `json:"code_challenge_method"`
	AccountID   string    `json:"account_id"`
	Expiry      time.Time `json:"expiry"`
}

// Webhook is a registered webhook as the fake stores it.
type Webhook struct {
	livechat.RegisterRequest
	ID string `json:"id"`
}

// Fixed identities of the default state, for tests and `lcwh sandbox`,
// which prints them: they open nothing but the fake (gosec G101 below).
const (
	AccountID      = "b7eff798-f8df-4364-8059-649c35c9ed0c"
	OrganizationID = "390e44e6-f1e6-4368-86db-74a14508c2e1"
	PATToken       = "dal:pat_test_token_0123456789" //nolint:gosec // G101: the sandbox's published PAT
	// ReadOnlyPAT has no webhook scopes: every call but names gets authorization.
	ReadOnlyPAT = "dal:pat_no_scopes_000000000"
	// ClientID is a public (PKCE) app of the organization.
	ClientID = "9cbf3a968289727cb3cdfe83ab1d9836"
	// ServerClientID is a confidential app with ServerClientSecret.
	ServerClientID     = "0805e283233042b37f460ed8fbf22160"
	ServerClientSecret = "server-app-secret-do-not-print" //nolint:gosec // G101: the fake's test secret
	// ForeignClientID belongs to another organization.
	ForeignClientID = "ffffeeeeddddccccbbbbaaaa99998888"
	// RedirectURI is whitelisted for both apps.
	RedirectURI = "http://localhost:5555/"
)

// WebhookScopes are the scopes lcwh's commands need.
var WebhookScopes = []string{"webhooks.configuration:rw", "webhooks.state:rw"}

// DefaultState is one account in region dal with a full PAT, a scope-less
// PAT, a public and a confidential app, and an app of another organization.
func DefaultState() *State {
	s := emptyState()
	s.Accounts[AccountID] = &Account{ID: AccountID, Email: "dev@example.com", Name: "Dev Example", OrganizationID: OrganizationID, Region: "dal"}
	s.PATs[PATToken] = &PAT{AccountID: AccountID, Token: PATToken, Scopes: append([]string{"accounts--my:ro"}, WebhookScopes...)}
	s.PATs[ReadOnlyPAT] = &PAT{AccountID: AccountID, Token: ReadOnlyPAT, Scopes: []string{"accounts--my:ro"}}
	s.Apps[ClientID] = &App{ClientID: ClientID, RedirectURIs: []string{RedirectURI, "http://127.0.0.1:8765"},
		Scopes: append([]string{"accounts--my:ro"}, WebhookScopes...), OrganizationID: OrganizationID}
	s.Apps[ServerClientID] = &App{ClientID: ServerClientID, Secret: ServerClientSecret, RedirectURIs: []string{RedirectURI},
		Scopes: append([]string{"accounts--my:ro"}, WebhookScopes...), OrganizationID: OrganizationID}
	s.Apps[ForeignClientID] = &App{ClientID: ForeignClientID, RedirectURIs: []string{RedirectURI},
		Scopes: WebhookScopes, OrganizationID: "00000000-0000-4000-8000-000000000000"}
	return s
}

func emptyState() *State {
	return &State{
		Accounts: map[string]*Account{}, PATs: map[string]*PAT{}, Apps: map[string]*App{},
		Tokens: map[string]*Token{}, Refresh: map[string]string{}, Codes: map[string]*Code{},
		Webhooks: map[string][]*Webhook{}, Disabled: map[string]bool{},
	}
}

// Snapshot returns the state as JSON.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return json.MarshalIndent(s.state, "", "  ")
}

// Restore replaces the state with a Snapshot.
func (s *Server) Restore(b []byte) error {
	st := emptyState()
	if err := json.Unmarshal(b, st); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = st
	return nil
}
