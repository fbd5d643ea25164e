// Package auth resolves the credential lcwh sends to LiveChat and attaches
// it to requests: a Personal Access Token as HTTP Basic, or an OAuth access
// token as Bearer (configuration-api.md §3).
package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Method is how a credential authenticates.
type Method string

const (
	// MethodPAT is a Personal Access Token sent as HTTP Basic.
	MethodPAT Method = "pat"
	// MethodOAuth is an OAuth access token sent as Bearer.
	MethodOAuth Method = "oauth"
)

// PAT is a Personal Access Token with the account it belongs to.
type PAT struct {
	AccountID string
	Token     string
}

// ParsePAT splits "ACCOUNT_ID:TOKEN" at the first colon only: a token may
// itself contain colons (region-prefixed tokens look like "dal:…",
// configuration-api.md §3).
func ParsePAT(s string) (PAT, error) {
	s = strings.TrimSpace(s)
	id, tok, ok := strings.Cut(s, ":")
	if !ok || id == "" || tok == "" {
		return PAT{}, errors.New("a Personal Access Token must be given as ACCOUNT_ID:TOKEN (the account id, a colon, then the token)")
	}
	return PAT{AccountID: id, Token: tok}, nil
}

// Header is the Authorization value: Basic base64(account_id:token).
func (p PAT) Header() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(p.AccountID+":"+p.Token))
}

// ErrNoCredential means neither LCWH_PAT nor a stored login exists.
var ErrNoCredential = errors.New("not logged in to LiveChat")

// NoCredentialHint is what to do about ErrNoCredential.
const NoCredentialHint = `Run "lcwh auth login", or set LCWH_PAT.` //nolint:gosec // G101: advice naming a variable, not a credential

// NoCredentialError is ErrNoCredential as Resolve returns it: exit code 4
// and NoCredentialHint, whoever prints it.
type NoCredentialError struct{ Profile string }

func (e *NoCredentialError) Error() string { return ErrNoCredential.Error() }

// Is makes errors.Is(err, ErrNoCredential) true.
func (e *NoCredentialError) Is(target error) bool { return target == ErrNoCredential }

// ExitCode is the authentication exit code.
func (e *NoCredentialError) ExitCode() int { return 4 }

// Hint says how to log in.
func (e *NoCredentialError) Hint() string { return NoCredentialHint }

// HeaderSource yields the Authorization header for the next request.
type HeaderSource interface {
	AuthorizationHeader() (string, error)
}

// StaticHeader is a HeaderSource that never changes (a PAT).
type StaticHeader string

// AuthorizationHeader returns the fixed header.
func (s StaticHeader) AuthorizationHeader() (string, error) { return string(s), nil }

// Transport adds the Authorization header from Source to every request.
type Transport struct {
	Base   http.RoundTripper
	Source HeaderSource
}

// RoundTrip clones the request with the header set.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	h, err := t.Source.AuthorizationHeader()
	if err != nil {
		return nil, fmt.Errorf("authorization: %w", err)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", h)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}
