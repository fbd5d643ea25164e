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

// Source is a TokenSource that refreshes before expiry and on demand, and
// calls Save with every new token before handing it out, so a rotated
// refresh token is persisted before it is used (oauth.md §3.2).
type Source struct {
	Config *oauth2.Config
	// HTTPClient talks to the token endpoint.
	HTTPClient *http.Client
	// Save persists a new token; Token fails if it fails.
	Save func(*oauth2.Token) error
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Reload, when set, rereads the stored token after a refresh is refused.
	Reload func() (*oauth2.Token, error)

	mu  sync.Mutex
	tok *oauth2.Token
}

// NewSource returns a Source starting from tok.
func NewSource(conf *oauth2.Config, client *http.Client, tok *oauth2.Token, save func(*oauth2.Token) error, now func() time.Time) *Source {
	return &Source{Config: conf, HTTPClient: client, Save: save, Now: now, tok: tok}
}

func (s *Source) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Token returns the current access token, refreshing it first when it
// expires within RefreshEarly.
func (s *Source) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.tok.AccessToken != "" && (s.tok.Expiry.IsZero() || s.now().Add(RefreshEarly).Before(s.tok.Expiry)) {
		return s.tok, nil
	}
	return s.refreshLocked()
}

// Refresh forces a refresh unless the token changed since stale was handed
// out (another request already refreshed it).
func (s *Source) Refresh(stale string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.tok.AccessToken != stale && s.tok.AccessToken != "" {
		return s.tok, nil
	}
	return s.refreshLocked()
}

func (s *Source) refreshLocked() (*oauth2.Token, error) {
	if s.tok == nil || s.tok.RefreshToken == "" {
		return nil, &ExpiredError{Reason: "no refresh token"}
	}
	ctx := withClient(context.Background(), s.HTTPClient)
	nt, err := s.Config.TokenSource(ctx, &oauth2.Token{RefreshToken: s.tok.RefreshToken}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode/100 == 4 {
			// Another lcwh process may have rotated the refresh token first
			// (each is single use): adopt what it saved.
			if s.Reload != nil {
				if saved, rerr := s.Reload(); rerr == nil && saved != nil && saved.RefreshToken != s.tok.RefreshToken {
					s.tok = saved
					if saved.AccessToken != "" && (saved.Expiry.IsZero() || s.now().Add(RefreshEarly).Before(saved.Expiry)) {
						return saved, nil
					}
					return s.refreshLocked()
				}
			}
			return nil, &ExpiredError{Reason: re.ErrorCode}
		}
		return nil, fmt.Errorf("refresh access token: %w", err)
	}
	if nt.RefreshToken == "" { // server-side apps: refresh tokens do not rotate
		nt.RefreshToken = s.tok.RefreshToken
	}
	if s.Save != nil {
		if err := s.Save(nt); err != nil {
			return nil, fmt.Errorf("save refreshed token: %w", err)
		}
	}
	s.tok = nt
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
	resp.Body.Close()
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
