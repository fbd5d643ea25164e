package oauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// RefreshEarly is how long before expiry a token is refreshed.
const RefreshEarly = time.Minute

// ErrLoginExpired means the refresh token no longer works: log in again.
var ErrLoginExpired = errors.New("the stored OAuth login has expired or was revoked")

// ExpiredError is ErrLoginExpired with the accounts server's error code. It
// carries exit code 4 and a hint for app.Main.
type ExpiredError struct{ Reason string }

func (e *ExpiredError) Error() string { return ErrLoginExpired.Error() + ": " + e.Reason }

// Is makes errors.Is(err, ErrLoginExpired) true.
func (e *ExpiredError) Is(target error) bool { return target == ErrLoginExpired }

// ExitCode is the authentication exit code.
func (e *ExpiredError) ExitCode() int { return 4 }

// Hint says how to recover.
func (e *ExpiredError) Hint() string { return `Run "lcwh auth login" again, or set LCWH_PAT.` }

// TokenStore persists a Source's token where other lcwh processes see it.
type TokenStore interface {
	// Update calls fn with the token stored now (nil when the login is
	// gone) while every other process sharing the store waits, and stores
	// fn's token when fn says save. Errors from fn are returned as they are.
	Update(fn func(stored *oauth2.Token) (tok *oauth2.Token, save bool, err error)) error
}

// Source is a TokenSource that refreshes before expiry and on demand. With
// a Store, a refresh runs inside Store.Update: it rereads the stored token
// first and uses it when another process has refreshed meanwhile, so a
// single-use (rotating) refresh token is spent once, and the new one is
// stored before the access token is handed out (oauth.md §3.2).
type Source struct {
	Config *oauth2.Config
	// HTTPClient talks to the token endpoint (from internal/httpclient).
	HTTPClient *http.Client
	// Store persists refreshed tokens; nil keeps them in memory only.
	Store TokenStore
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu  sync.Mutex
	tok *oauth2.Token
}

// NewSource returns a Source starting from tok.
func NewSource(conf *oauth2.Config, client *http.Client, tok *oauth2.Token, store TokenStore, now func() time.Time) *Source {
	return &Source{Config: conf, HTTPClient: client, Store: store, Now: now, tok: tok}
}

func (s *Source) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// fresh reports whether t can be used without a refresh.
func (s *Source) fresh(t *oauth2.Token) bool {
	return t != nil && t.AccessToken != "" && (t.Expiry.IsZero() || s.now().Add(RefreshEarly).Before(t.Expiry))
}

// Token returns the current access token, refreshing it first when it
// expires within RefreshEarly.
func (s *Source) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fresh(s.tok) {
		return s.tok, nil
	}
	bad := ""
	if s.tok != nil {
		bad = s.tok.AccessToken
	}
	return s.refreshLocked(bad)
}

// Refresh forces a refresh unless the token changed since stale was handed
// out (another request already refreshed it).
func (s *Source) Refresh(stale string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.tok.AccessToken != stale && s.tok.AccessToken != "" {
		return s.tok, nil
	}
	return s.refreshLocked(stale)
}

// refreshLocked replaces the token, whose access token bad is expired or
// refused. s.mu is held.
func (s *Source) refreshLocked(bad string) (*oauth2.Token, error) {
	if s.Store == nil {
		nt, err := s.exchange(s.tok)
		if err != nil {
			return nil, err
		}
		s.tok = nt
		return nt, nil
	}
	var out *oauth2.Token
	err := s.Store.Update(func(stored *oauth2.Token) (*oauth2.Token, bool, error) {
		if stored == nil {
			return nil, false, &ExpiredError{Reason: "the stored login was removed"}
		}
		// Another process refreshed since this one read the token: use
		// its token rather than spend the refresh token again.
		if stored.AccessToken != bad && s.fresh(stored) {
			out = stored
			return stored, false, nil
		}
		nt, err := s.exchange(stored)
		if err != nil {
			return nil, false, err
		}
		out = nt
		return nt, true, nil
	})
	if err != nil {
		return nil, err
	}
	s.tok = out
	return out, nil
}

// exchange spends base's refresh token at the token endpoint.
func (s *Source) exchange(base *oauth2.Token) (*oauth2.Token, error) {
	if base == nil || base.RefreshToken == "" {
		return nil, &ExpiredError{Reason: "no refresh token"}
	}
	ctx := withClient(context.Background(), s.HTTPClient)
	nt, err := s.Config.TokenSource(ctx, &oauth2.Token{RefreshToken: base.RefreshToken}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode/100 == 4 {
			return nil, &ExpiredError{Reason: re.ErrorCode}
		}
		return nil, fmt.Errorf("refresh access token: %w", err)
	}
	if nt.RefreshToken == "" { // server-side apps: refresh tokens do not rotate
		nt.RefreshToken = base.RefreshToken
	}
	return nt, nil
}

// Transport sends requests with the Source's Bearer token. On a 401 it
// refreshes the token and retries the request once (bodies are replayed via
// GetBody; requests without one are not retried).
type Transport struct {
	Base   http.RoundTripper
	Source *Source
	// Region, when set, is sent as X-Region unless the request has one.
	Region string
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.Source.Token()
	if err != nil {
		return nil, err
	}
	resp, err := t.base().RoundTrip(t.authorize(req, tok.AccessToken))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil
	}
	nt, rerr := t.Source.Refresh(tok.AccessToken)
	if rerr != nil {
		return resp, nil // the caller sees the original 401
	}
	retry := t.authorize(req, nt.AccessToken)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return resp, nil
		}
		retry.Body = body
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close() // drained for reuse; the retry's answer is what counts
	return t.base().RoundTrip(retry)
}

func (t *Transport) authorize(req *http.Request, token string) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+token)
	if t.Region != "" && r.Header.Get("X-Region") == "" {
		r.Header.Set("X-Region", t.Region)
	}
	return r
}
