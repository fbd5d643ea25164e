package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// DefaultLoginTimeout is how long Login waits for the browser's redirect.
const DefaultLoginTimeout = 5 * time.Minute

// LoginOptions configure one browser login.
type LoginOptions struct {
	App App
	// OpenBrowser opens url; nil means only ShowURL is called.
	OpenBrowser func(url string) error
	// ShowURL tells the user the URL (on stderr); always called.
	ShowURL func(url string)
	// HTTPClient talks to the accounts server (the authorize check, the
	// token endpoint); from internal/httpclient, so --debug shows it.
	HTTPClient *http.Client
	// Timeout bounds the wait for the redirect (DefaultLoginTimeout when zero).
	Timeout time.Duration
	// Listen binds the loopback address (net.Listen when nil; tests inject).
	Listen func(network, addr string) (net.Listener, error)
}

// ErrTimeout means no redirect reached the loopback listener in time.
var ErrTimeout = errors.New("no redirect from the browser")

// TimeoutError is ErrTimeout with the redirect URI and how long Login waited.
type TimeoutError struct {
	RedirectURI string
	ClientID    string
	Wait        time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%v reached %s within %s", ErrTimeout, e.RedirectURI, ShortDuration(e.Wait))
}

// ShortDuration writes d as a person would give --timeout: 5m, not 5m0s.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// ExitCode is the authentication exit code.
func (e *TimeoutError) ExitCode() int { return 4 }

// Hint names the two likely causes: a refusal the browser showed, or a
// login not finished in time.
func (e *TimeoutError) Hint() string {
	return fmt.Sprintf("If the browser showed a LiveChat error page (such as invalid_redirect_uri), whitelist %s for app %s in Developer Console (Apps > your app > Authorization).\nOtherwise finish the login in the browser sooner, or allow longer with --timeout (now %s).",
		e.RedirectURI, e.ClientID, ShortDuration(e.Wait))
}

// ErrStateMismatch means the redirect did not come from this login.
var ErrStateMismatch error = stateMismatchError{}

type stateMismatchError struct{}

func (stateMismatchError) Error() string {
	return "the redirect's state does not match this login (possible forgery); try again"
}

// ExitCode is the authentication exit code.
func (stateMismatchError) ExitCode() int { return 4 }

// Hint says to use only the URL this login printed.
func (stateMismatchError) Hint() string {
	return `Run "lcwh auth login" again and use only the URL it prints.`
}

// ListenError means the redirect URI's port could not be bound.
type ListenError struct {
	Addr        string
	RedirectURI string
	Err         error
}

func (e *ListenError) Error() string {
	return fmt.Sprintf("listen on %s for the browser's redirect: %v", e.Addr, e.Err)
}

func (e *ListenError) Unwrap() error { return e.Err }

// ExitCode is 1: nothing is wrong with the login itself.
func (e *ListenError) ExitCode() int { return 1 }

// Hint explains why the port cannot simply change.
func (e *ListenError) Hint() string {
	return fmt.Sprintf("The port comes from --redirect-uri (%s) and cannot change: stop what uses %s, or whitelist another loopback URI for the app and pass it with --redirect-uri.", e.RedirectURI, e.Addr)
}

// RedirectError is an OAuth error the accounts server sent to the redirect URI.
type RedirectError struct {
	Code, Description string
	ClientID          string
	RedirectURI       string
}

func (e *RedirectError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("accounts server refused the login: %s (%s)", e.Code, e.Description)
	}
	return "accounts server refused the login: " + e.Code
}

// ExitCode is the authentication exit code.
func (e *RedirectError) ExitCode() int { return 4 }

// Hint says the redirect URI must be whitelisted as given.
func (e *RedirectError) Hint() string { return whitelistHint(e.RedirectURI, e.ClientID) }

// whitelistHint is the rule LiveChat applies to redirect URIs (oauth.md §4).
func whitelistHint(redirectURI, clientID string) string {
	return fmt.Sprintf("--redirect-uri (%s) must equal, exactly, a redirect URI whitelisted for app %s in Developer Console > App Authorization.", redirectURI, clientID)
}

// ExchangeError is the token endpoint refusing the authorization code
// (an *oauth2.RetrieveError: wrong client id or secret, or a redirect URI
// that differs from the authorize request's).
type ExchangeError struct {
	ClientID    string
	RedirectURI string
	Err         error
}

func (e *ExchangeError) Error() string { return "exchange authorization code: " + e.Err.Error() }

func (e *ExchangeError) Unwrap() error { return e.Err }

// ExitCode is the authentication exit code.
func (e *ExchangeError) ExitCode() int { return 4 }

// Hint names what the token endpoint checks.
func (e *ExchangeError) Hint() string {
	return "Check --client-id and, for server-side apps, the client secret (--with-client-secret or LCWH_CLIENT_SECRET). " +
		whitelistHint(e.RedirectURI, e.ClientID)
}

// NetworkError is a request to the accounts server that got no answer
// (Op names it: the authorize check, the code exchange).
type NetworkError struct {
	Op  string
	Err error
}

func (e *NetworkError) Error() string { return e.Op + ": " + e.Err.Error() }

func (e *NetworkError) Unwrap() error { return e.Err }

// ExitCode is 1: nothing says the login is wrong.
func (e *NetworkError) ExitCode() int { return 1 }

// Hint points at the connection and accounts_url; none when the user
// interrupted the request.
func (e *NetworkError) Hint() string {
	if errors.Is(e.Err, context.Canceled) {
		return ""
	}
	return "Nothing was stored. Check your connection, or accounts_url (lcwh config get accounts_url)."
}

// ListenAddr parses a loopback redirect URI into the address to bind and the
// callback path. The port is the URI's own: LiveChat matches redirect URIs
// exactly, so it cannot be chosen at random (oauth.md §4).
func ListenAddr(redirectURI string) (addr, path string, err error) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return "", "", fmt.Errorf("redirect URI %q: %w", redirectURI, err)
	}
	if u.Scheme != "http" {
		return "", "", fmt.Errorf("redirect URI %q must start with http:// (lcwh receives the redirect on this machine)", redirectURI)
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1":
	default:
		return "", "", fmt.Errorf("redirect URI %q must point at localhost or 127.0.0.1", redirectURI)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("redirect URI %q must not have a query or fragment (LiveChat rejects them)", redirectURI)
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("redirect URI %q has no valid port", redirectURI)
	}
	path = u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return net.JoinHostPort("127.0.0.1", port), path, nil
}

func randomState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

type callback struct {
	code string
	err  error
}

// Login runs the authorization-code flow with PKCE S256 and a random state
// and returns the exchanged token.
func Login(ctx context.Context, opts LoginOptions) (*oauth2.Token, error) {
	addr, path, err := ListenAddr(opts.App.RedirectURI)
	if err != nil {
		return nil, err
	}
	listen := opts.Listen
	if listen == nil {
		listen = net.Listen
	}
	ln, err := listen("tcp", addr)
	if err != nil {
		return nil, &ListenError{Addr: addr, RedirectURI: opts.App.RedirectURI, Err: err}
	}
	state, err := randomState()
	if err != nil {
		_ = ln.Close() // the error that counts is randomState's
		return nil, err
	}
	verifier := oauth2.GenerateVerifier()
	conf := opts.App.Config()
	// S256 in RFC 7636 spelling (oauth.md §2: the docs also show "s256";
	// whether the server accepts that is undocumented).
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))

	// Refusals (unknown client id, redirect URI not whitelisted) show in
	// the browser only: find out before waiting for a redirect that would
	// never come.
	if err := checkAuthorize(ctx, orPlain(opts.HTTPClient), authURL, opts.App.ClientID, opts.App.RedirectURI); err != nil {
		_ = ln.Close() // the error that counts is the refusal
		return nil, err
	}

	results := make(chan callback, 1)
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler:           callbackHandler(path, state, results),
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	if opts.ShowURL != nil {
		opts.ShowURL(authURL)
	}
	if opts.OpenBrowser != nil {
		if err := opts.OpenBrowser(authURL); err != nil && opts.ShowURL == nil {
			return nil, fmt.Errorf("open browser: %w", err)
		}
	}

	code, err := waitRedirect(ctx, results, opts)
	if err != nil {
		return nil, err
	}
	tok, err := conf.Exchange(withClient(ctx, opts.HTTPClient), code, oauth2.VerifierOption(verifier))
	return tok, exchangeError(err, opts.App)
}

// waitRedirect waits up to opts.Timeout for the browser's redirect and
// returns its authorization code.
func waitRedirect(ctx context.Context, results <-chan callback, opts LoginOptions) (string, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var cb callback
	select {
	case cb = <-results:
	case <-timer.C:
		return "", &TimeoutError{RedirectURI: opts.App.RedirectURI, ClientID: opts.App.ClientID, Wait: timeout}
	case <-ctx.Done():
		return "", ctx.Err()
	}
	var rerr *RedirectError
	if errors.As(cb.err, &rerr) {
		rerr.ClientID, rerr.RedirectURI = opts.App.ClientID, opts.App.RedirectURI
	}
	return cb.code, cb.err
}

// exchangeError types a failed code exchange: a refusal by the token
// endpoint, no answer, or (unchanged) anything else.
func exchangeError(err error, app App) error {
	if err == nil {
		return nil
	}
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) {
		return &ExchangeError{ClientID: app.ClientID, RedirectURI: app.RedirectURI, Err: err}
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return &NetworkError{Op: "exchange authorization code", Err: err}
	}
	return fmt.Errorf("exchange authorization code: %w", err)
}

const donePage = `<!doctype html><meta charset="utf-8"><title>lcwh</title>
<body style="font-family:sans-serif;margin:3em"><h1>%s</h1><p>%s</p></body>`

// callbackHandler accepts one redirect on path: it checks state in constant
// time, takes the (already query-decoded) code, and reports once.
func callbackHandler(path, state string, results chan<- callback) http.Handler {
	report := func(c callback) {
		select {
		case results <- c:
		default: // a result is already in; later redirects are ignored
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != path || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		page := func(status int, title, body string) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			fmt.Fprintf(w, donePage, html.EscapeString(title), html.EscapeString(body))
		}
		// An error redirect may come without state; it only ends the login.
		if e := q.Get("error"); e != "" {
			page(http.StatusBadRequest, "Login failed", "LiveChat refused the login: "+e+". Return to the terminal.")
			report(callback{err: &RedirectError{Code: e, Description: q.Get("error_description")}})
			return
		}
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			page(http.StatusBadRequest, "Login failed", "The state parameter does not match. Return to the terminal.")
			report(callback{err: ErrStateMismatch})
			return
		}
		code := q.Get("code")
		if code == "" {
			page(http.StatusBadRequest, "Login failed", "The redirect carried no code. Return to the terminal.")
			report(callback{err: errors.New("the redirect carried no authorization code")})
			return
		}
		page(http.StatusOK, "Logged in to LiveChat", "You may close this tab and return to lcwh.")
		report(callback{code: code})
	})
}
