// Package httpclient is the one place lcwh builds an *http.Client: timeouts,
// the User-Agent, an optional authorization layer and a --debug logger that
// redacts credentials and secrets. A test (bare_test.go) fails when code
// elsewhere builds a client or uses net/http's default one.
package httpclient

import (
	"io"
	"net/http"
	"time"
)

// DefaultTimeout bounds one whole request (connect, headers, body).
const DefaultTimeout = 30 * time.Second

// Options configure New.
type Options struct {
	// Version is lcwh's version for the User-Agent "lcwh/<version>".
	Version string
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Debug, when non-nil, receives a redacted log of every request and response.
	Debug io.Writer
	// Auth, when non-nil, wraps the transport to add credentials (auth.Transport).
	// It is applied inside the debug logger so the log shows the header, redacted.
	Auth func(http.RoundTripper) http.RoundTripper
	// Base is the innermost transport; nil means a clone of http.DefaultTransport.
	Base http.RoundTripper
	// NoRedirect makes the client return a 3xx answer as it is instead of
	// following its Location (deliveries, forwards, probes of a redirect).
	NoRedirect bool
}

// New returns a client with lcwh's layers, innermost first: base transport,
// debug log, authorization, User-Agent.
func New(opts Options) *http.Client {
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	rt := opts.Base
	if rt == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = timeout
		rt = t
	}
	if opts.Debug != nil {
		rt = &DebugTransport{Base: rt, Out: opts.Debug}
	}
	if opts.Auth != nil {
		rt = opts.Auth(rt)
	}
	v := opts.Version
	if v == "" {
		v = "dev"
	}
	rt = &userAgent{base: rt, ua: "lcwh/" + v}
	c := &http.Client{Transport: rt, Timeout: timeout}
	if opts.NoRedirect {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

type userAgent struct {
	base http.RoundTripper
	ua   string
}

func (u *userAgent) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", u.ua)
	}
	return u.base.RoundTrip(req)
}
