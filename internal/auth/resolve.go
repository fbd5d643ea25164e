package auth

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/lcwh/lcwh/internal/credstore"
	"github.com/lcwh/lcwh/internal/oauth"
)

// EnvPAT is the environment variable holding ACCOUNT_ID:TOKEN; it wins over
// any stored login.
const EnvPAT = "LCWH_PAT"

// SourceEnv is Resolved.Source for a credential from LCWH_PAT.
const SourceEnv = "env " + EnvPAT

// ResolveOptions say where to look for a credential.
type ResolveOptions struct {
	LookupEnv func(string) (string, bool)
	// Store is opened lazily: only when LCWH_PAT is unset.
	Store       func() (credstore.Store, error)
	Profile     string
	AccountsURL string
	// HTTPClient talks to the accounts server when a token is refreshed.
	HTTPClient *http.Client
	Now        func() time.Time
}

// Resolved is the credential API calls will use.
type Resolved struct {
	Method Method
	// Source is where it came from: "env LCWH_PAT", "keyring" or "file".
	Source string
	// Record is the stored login (for a PAT from the environment, a record
	// built from it, never stored).
	Record *credstore.Record

	oauthSource *oauth.Source
}

// ErrRejected means the server refused the credential.
var ErrRejected = errors.New("LiveChat rejected the credential")

// Resolve finds the credential: LCWH_PAT first, then the profile's stored
// login. No credential gives ErrNoCredential.
func Resolve(opts ResolveOptions) (*Resolved, error) {
	if v, ok := opts.LookupEnv(EnvPAT); ok && v != "" {
		p, err := ParsePAT(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvPAT, err)
		}
		return &Resolved{Method: MethodPAT, Source: SourceEnv, Record: &credstore.Record{
			Method: string(MethodPAT), AccountID: p.AccountID, AccessToken: p.Token, Store: SourceEnv,
		}}, nil
	}
	store, err := opts.Store()
	if err != nil {
		return nil, err
	}
	rec, err := store.Get(opts.Profile)
	if errors.Is(err, credstore.ErrNotFound) {
		return nil, &NoCredentialError{Profile: opts.Profile}
	}
	if err != nil {
		return nil, fmt.Errorf("read stored login: %w", err)
	}
	r := &Resolved{Method: Method(rec.Method), Source: rec.Store, Record: rec}
	switch r.Method {
	case MethodPAT:
	case MethodOAuth:
		conf := oauth.App{AccountsURL: opts.AccountsURL, ClientID: rec.ClientID, ClientSecret: rec.ClientSecret}.Config()
		store := &recordTokens{store: store, profile: opts.Profile, rec: rec}
		r.oauthSource = oauth.NewSource(conf, opts.HTTPClient, TokenOf(rec), store, opts.Now)
	default:
		return nil, fmt.Errorf("stored login has unknown method %q; run \"lcwh auth login\" again", rec.Method)
	}
	return r, nil
}

// recordTokens is the profile's stored login as an oauth.TokenStore: a
// refresh runs inside credstore's Update, under the lock every lcwh process
// takes, and rec follows what is stored.
type recordTokens struct {
	store   credstore.Store
	profile string
	rec     *credstore.Record
}

// Update implements oauth.TokenStore.
func (t *recordTokens) Update(fn func(*oauth2.Token) (*oauth2.Token, bool, error)) error {
	var fnErr error
	err := t.store.Update(t.profile, func(cur *credstore.Record) (*credstore.Record, error) {
		var stored *oauth2.Token
		// A login made meanwhile with another app (or a PAT) is not ours
		// to refresh: this run's token is treated as gone.
		if cur != nil && cur.Method == string(MethodOAuth) && cur.ClientID == t.rec.ClientID {
			stored = TokenOf(cur)
		}
		tok, save, err := fn(stored)
		if err != nil {
			fnErr = err
			return nil, err
		}
		next := *cur
		if !save {
			*t.rec = next
			return nil, nil
		}
		UpdateRecord(&next, tok)
		*t.rec = next
		return &next, nil
	})
	if err != nil && err != fnErr { //nolint:errorlint // identity: was it fn's own error?
		return fmt.Errorf("save refreshed token: %w", err)
	}
	return err
}

// TokenOf converts a stored record to an oauth2 token.
func TokenOf(rec *credstore.Record) *oauth2.Token {
	return &oauth2.Token{AccessToken: rec.AccessToken, TokenType: "Bearer", RefreshToken: rec.RefreshToken, Expiry: rec.Expiry}
}

// UpdateRecord copies a new token (and its scopes and account, when the
// response carries them) into rec.
func UpdateRecord(rec *credstore.Record, t *oauth2.Token) {
	rec.AccessToken = t.AccessToken
	if t.RefreshToken != "" {
		rec.RefreshToken = t.RefreshToken
	}
	rec.Expiry = t.Expiry
	rec.Region = credstore.RegionOf(t.AccessToken)
	info := oauth.InfoOf(t)
	if len(info.Scopes) > 0 {
		rec.Scopes = info.Scopes
	}
	if info.AccountID != "" {
		rec.AccountID = info.AccountID
	}
	if info.OrganizationID != "" {
		rec.OrganizationID = info.OrganizationID
	}
}

// Transport returns base with authorization added: Basic for a PAT, Bearer
// with refresh-before-expiry and one refresh-and-retry after a 401 for
// OAuth. X-Region is set from the token's region prefix
// (configuration-api.md §4) unless the request already has one.
func (r *Resolved) Transport(base http.RoundTripper) http.RoundTripper {
	if r.Method == MethodOAuth {
		return &oauth.Transport{Base: base, Source: r.oauthSource, Region: r.Record.Region}
	}
	return &Transport{Base: base, Source: StaticHeader(PAT{AccountID: r.Record.AccountID, Token: r.Record.AccessToken}.Header())}
}

// AccessToken returns a usable access token, refreshing an expired OAuth
// token first. For a PAT it is ACCOUNT_ID:TOKEN, the form LCWH_PAT takes.
func (r *Resolved) AccessToken() (string, error) {
	if r.Method == MethodOAuth {
		t, err := r.oauthSource.Token()
		if err != nil {
			return "", err
		}
		return t.AccessToken, nil
	}
	return r.Record.AccountID + ":" + r.Record.AccessToken, nil
}

// AuthorizationHeader makes Resolved a HeaderSource: Basic for a PAT,
// Bearer with an access token refreshed before expiry for OAuth. Prefer
// Transport, which also refreshes and retries once after a 401.
func (r *Resolved) AuthorizationHeader() (string, error) {
	if r.Method == MethodOAuth {
		t, err := r.oauthSource.Token()
		if err != nil {
			return "", err
		}
		return "Bearer " + t.AccessToken, nil
	}
	return PAT{AccountID: r.Record.AccountID, Token: r.Record.AccessToken}.Header(), nil
}
