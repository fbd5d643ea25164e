package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ExceptionUnauthorizedClient is the oauth_exception of a refused client id
// or redirect URI (oauth.md §3.3; US spelling, as the server sends it).
const ExceptionUnauthorizedClient = "unauthorized_client" //nolint:misspell // protocol value

// Exception details of an authorization error (oauth.md §3.3).
const (
	DetailClientIDNotFound   = "client_id_not_found"
	DetailRedirectURINotSet  = "redirect_uri_not_set"
	DetailInvalidRedirectURI = "invalid_redirect_uri"
)

var knownDetails = []string{DetailClientIDNotFound, DetailRedirectURINotSet, DetailInvalidRedirectURI, "too_many_redirects"}

// AuthorizeError is the accounts server refusing the authorization request
// itself: an unknown client id, or a redirect URI the app does not
// whitelist. LiveChat shows these on its /ooops page in the browser and
// never redirects to the redirect URI (oauth.md §1), so Login asks once
// itself before it waits.
type AuthorizeError struct {
	// Exception is the oauth_exception code (ExceptionUnauthorizedClient, invalid_request…).
	Exception string
	// Detail is the exception detail (invalid_redirect_uri…), "" when none came.
	Detail      string
	ClientID    string
	RedirectURI string
}

func (e *AuthorizeError) Error() string {
	code := e.Exception
	if e.Detail != "" {
		code += ": " + e.Detail
	}
	switch e.Detail {
	case DetailInvalidRedirectURI:
		return fmt.Sprintf("LiveChat refused the redirect URI %s: app %s does not whitelist it (%s)", e.RedirectURI, e.ClientID, code)
	case DetailRedirectURINotSet:
		return fmt.Sprintf("LiveChat refused the login: app %s has no redirect URI whitelisted (%s)", e.ClientID, code)
	case DetailClientIDNotFound:
		return fmt.Sprintf("LiveChat does not know the client id %s (%s)", e.ClientID, code)
	}
	return "LiveChat refused the login request (" + code + ")"
}

// ExitCode is the authentication exit code.
func (e *AuthorizeError) ExitCode() int { return 4 }

// Hint says what to change in Developer Console, naming the URI.
func (e *AuthorizeError) Hint() string {
	add := fmt.Sprintf("Whitelist %s for app %s in Developer Console (Apps > your app > Authorization > Redirect URI whitelist)", e.RedirectURI, e.ClientID)
	if u, err := url.Parse(e.RedirectURI); err == nil && u.Path != "" && u.Path != "/" {
		add += fmt.Sprintf(" (%s://%s covers every path)", u.Scheme, u.Host)
	}
	switch e.Detail {
	case DetailInvalidRedirectURI:
		return add + ",\nor pass --redirect-uri with a URI the app already whitelists: scheme, host and port must match exactly, and localhost is not 127.0.0.1."
	case DetailRedirectURINotSet:
		return add + "."
	case DetailClientIDNotFound:
		return "Check --client-id (or the client_id setting): copy the Client ID from Developer Console (Apps > your app > Authorization)."
	}
	return "Check the app's Authorization settings in Developer Console; see LiveChat's authorization troubleshooting for " + e.Exception + "."
}

// checkAuthorize fetches the authorize URL once, as a browser without a
// session would, but follows no redirect and sends no cookie: a redirect to
// the error page (or an error body) is an AuthorizeError; any other answer
// (the login page, a redirect elsewhere) lets the login go on. Not having
// a session, the request counts toward no user's redirect limit (oauth.md §5).
func checkAuthorize(ctx context.Context, client *http.Client, authURL, clientID, redirectURI string) error {
	c := *client
	c.Jar = nil
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return &NetworkError{Op: "reach the accounts server", Err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var exc, det string
	if loc, err := resp.Location(); err == nil && resp.StatusCode/100 == 3 {
		exc, det = exceptionOf(loc.Query())
	} else if resp.StatusCode/100 == 4 {
		exc, det = exceptionInBody(body)
	}
	if exc == "" && det == "" {
		return nil
	}
	if exc == "" {
		exc = ExceptionUnauthorizedClient
	}
	return &AuthorizeError{Exception: exc, Detail: det, ClientID: clientID, RedirectURI: redirectURI}
}

// exceptionOf reads an error-page redirect's query. oauth.md §1 names only
// oauth_exception; LiveChat's troubleshooting page adds that
// "exception_details may be passed", without an example. The shapes taken:
// oauth_exception=CODE&exception_details=DETAIL (what the fakes send), a
// "CODE:DETAIL" pair in oauth_exception, and the detail alone in
// oauth_exception. identity_exception (authentication: the login page) is
// not a client error and lets the login go on.
func exceptionOf(q url.Values) (exc, det string) {
	exc, det = q.Get("oauth_exception"), q.Get("exception_details")
	if c, d, ok := strings.Cut(exc, ":"); ok && det == "" {
		exc, det = c, d
	}
	if det == "" && isDetail(exc) {
		exc, det = "", exc
	}
	return exc, det
}

// exceptionInBody reads an error answered directly (4xx) instead of by a
// redirect, which the spec does not describe: a JSON body in the shape of
// the token endpoint's errors (error, error_description, plus
// exception_details or sub_error), or any text naming a known detail.
func exceptionInBody(body []byte) (exc, det string) {
	var e struct {
		Error            string `json:"error"`
		Description      string `json:"error_description"`
		ExceptionDetails string `json:"exception_details"`
		OAuthException   string `json:"oauth_exception"`
		SubError         any    `json:"sub_error"`
	}
	if json.Unmarshal(body, &e) == nil {
		exc = e.Error
		if exc == "" {
			exc = e.OAuthException
		}
		det = e.ExceptionDetails
		if s, ok := e.SubError.(string); ok && det == "" && isDetail(s) {
			det = s
		}
		if det == "" {
			det = detailIn(e.Description)
		}
		if isDetail(exc) {
			exc, det = "", exc
		}
		if exc != "" || det != "" {
			return exc, det
		}
	}
	return "", detailIn(string(body))
}

func isDetail(s string) bool {
	for _, d := range knownDetails {
		if s == d {
			return true
		}
	}
	return false
}

func detailIn(s string) string {
	for _, d := range knownDetails {
		if strings.Contains(s, d) {
			return d
		}
	}
	return ""
}
