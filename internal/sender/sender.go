// Package sender delivers webhook bodies the way LiveChat does (webhooks.md
// §3): an HTTP POST of a JSON body, a per-attempt timeout (about 10 s),
// success only on HTTP 200, and on failure up to three more attempts of the
// identical body spread over about a minute. It also runs bursts: many
// deliveries at a concurrency and rate, with a latency and status summary.
//
// Deliver goes through net/http. Bursts to a plain http:// URL, with the
// Sender's own transport and no proxy, use one hand-rolled HTTP/1.1
// keep-alive connection per worker instead (fastpath.go): same semantics,
// about a third of the CPU per request.
//
// The package knows nothing about terminals: commands (send-sample, and later
// replay and sandbox trigger) render what it returns.
package sender

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// Defaults follow webhooks.md §3. The retry schedule is undocumented by
// LiveChat ("up to 3 retries within about 1 minute"); ours is an approximation.
const (
	DefaultTimeout       = 10 * time.Second
	DefaultRetries       = 3
	DefaultRetryInterval = 5 * time.Second
	// DefaultBodyCut is how many bytes of a non-200 response body a Result keeps.
	DefaultBodyCut = 512
)

// retryFactors multiply the first pause: 5 s, 15 s, 40 s by default, so the
// fourth attempt starts about a minute after the first. Retries beyond the
// third keep the last factor.
var retryFactors = [...]time.Duration{1, 3, 8}

// Schedule returns the pauses before each of n retries when the first pause
// is first: first×1, first×3, first×8, first×8…
func Schedule(first time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		f := retryFactors[len(retryFactors)-1]
		if i < len(retryFactors) {
			f = retryFactors[i]
		}
		out[i] = first * f
	}
	return out
}

// Options shape a Sender. Zero values mean the defaults above.
type Options struct {
	// Timeout bounds one attempt: connect, send, and read the whole response.
	Timeout time.Duration
	// Retries is how many more attempts follow a failed one (0 means
	// DefaultRetries); NoRetry makes it 0.
	Retries int
	NoRetry bool
	// RetryInterval is the first pause; later pauses follow Schedule.
	RetryInterval time.Duration
	// BodyCut bounds the response body kept in a Result.
	BodyCut int
	// Conns sizes the connection pool of the transport New makes when it
	// is given no client: the burst concurrency.
	Conns int
	// UserAgent is sent when the request has none.
	UserAgent string
	// Sleep waits d or until ctx ends; tests replace it so they never wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used for latencies and burst pacing.
	Now func() time.Time
}

// Sender delivers requests. It is safe for concurrent use.
type Sender struct {
	rt http.RoundTripper
	// ownTransport is set when the Sender made its transport, so bursts
	// may use their own connections instead (see h1conn).
	ownTransport bool
	opts         Options
	schedule     []time.Duration
}

// New returns a Sender that sends through client's Transport (nil client
// means NewTransport(1), nil Transport http.DefaultTransport). Only the
// transport is used: redirects are never followed, because LiveChat's
// behaviour on a 3xx is undocumented and silently following one would hide
// a misconfigured URL (a 3xx is a failure naming its Location); there are no
// cookies; Options.Timeout replaces client.Timeout. Calling the transport
// directly also saves the client's per-request header copy in bursts.
func New(client *http.Client, opts Options) *Sender {
	rt := http.DefaultTransport
	switch {
	case client == nil:
		rt = NewTransport(opts.Conns)
	case client.Transport != nil:
		rt = client.Transport
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = DefaultRetryInterval
	}
	switch {
	case opts.NoRetry || opts.Retries < 0:
		opts.Retries = 0
	case opts.Retries == 0:
		opts.Retries = DefaultRetries
	}
	if opts.BodyCut <= 0 {
		opts.BodyCut = DefaultBodyCut
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Sender{rt: rt, ownTransport: client == nil, opts: opts, schedule: Schedule(opts.RetryInterval, opts.Retries)}
}

// NewTransport returns a transport tuned for sending to one host over
// conns parallel connections: keep-alive pool sized to conns, no
// compression (bodies are small and receivers do not expect gzip), HTTP/1.1.
func NewTransport(conns int) *http.Transport {
	if conns < 1 {
		conns = 1
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: DefaultTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          conns * 2,
		MaxIdleConnsPerHost:   conns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   DefaultTimeout,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		WriteBufferSize:       8 << 10,
		ReadBufferSize:        4 << 10,
	}
}

// Retries is the number of retries after a failed attempt.
func (s *Sender) Retries() int { return s.opts.Retries }

// Timeout is the per-attempt timeout.
func (s *Sender) Timeout() time.Duration { return s.opts.Timeout }

// Request is one delivery. The sender never modifies Header or Body: both
// may be shared between deliveries, and Body must stay unchanged until
// Deliver returns.
type Request struct {
	URL    string
	Body   []byte
	Header http.Header
}

// Result is what happened to one delivery, after its retries.
type Result struct {
	// Status is the last attempt's HTTP status, 0 when no response came.
	Status int
	// Attempts made, 1 + retries used.
	Attempts int
	// Latency of the last attempt, request sent to response read.
	Latency time.Duration
	// RespBody is the start of the last response body when Status is not 200.
	RespBody []byte
	// Err is nil on success (any 2xx); otherwise why the last attempt failed.
	Err error
	// Warning is set on a 2xx other than 200: delivered, but LiveChat
	// documents only 200 as success.
	Warning string

	// unsettled marks a delivery where some attempt ended without a fully
	// read response, so the transport may still hold the body (see setBody).
	unsettled bool
}

// OK reports whether the delivery succeeded (HTTP 2xx).
func (r Result) OK() bool { return r.Err == nil }

// StatusError is a response other than 2xx.
type StatusError struct {
	Status int
	// Location is the redirect target of a 3xx, if given.
	Location string
}

func (e *StatusError) Error() string {
	if e.Status >= 300 && e.Status < 400 {
		loc := e.Location
		if loc == "" {
			loc = "(no Location header)"
		}
		return fmt.Sprintf("redirected with %d to %s; redirects are not followed", e.Status, loc)
	}
	return fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
}

// RefusedError means nothing listens at the target address.
type RefusedError struct {
	Addr string
	Err  error
}

func (e *RefusedError) Error() string { return "connection refused to " + e.Addr }
func (e *RefusedError) Unwrap() error { return e.Err }

// TimeoutError means an attempt got no complete response within the timeout.
type TimeoutError struct{ Timeout time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no response within %s (the per-attempt timeout)", e.Timeout)
}

// ErrBadURL is returned for a URL that is not absolute http(s).
var ErrBadURL = errors.New("not an absolute http(s) URL")

// CheckURL validates a target URL.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: %w", raw, ErrBadURL)
	}
	return nil
}

// Deliver sends req with LiveChat's semantics: attempts until one gets a
// 2xx or the retries run out, pausing per the schedule between them. It
// returns early with the context's error when ctx ends.
func (s *Sender) Deliver(ctx context.Context, req Request) Result {
	return s.deliver(ctx, req)
}

func (s *Sender) deliver(ctx context.Context, req Request) Result {
	var res Result
	unsettled := false
	for attempt := 0; ; attempt++ {
		res = s.attempt(ctx, req)
		unsettled = unsettled || res.unsettled
		res.unsettled = unsettled
		res.Attempts = attempt + 1
		if res.Err == nil || attempt >= s.opts.Retries || ctx.Err() != nil {
			return res
		}
		if err := s.opts.Sleep(ctx, s.schedule[attempt]); err != nil {
			return res
		}
	}
}

func (s *Sender) attempt(ctx context.Context, r Request) Result {
	actx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, r.URL, nil)
	if err != nil {
		return Result{Err: fmt.Errorf("%q: %w", r.URL, ErrBadURL)}
	}
	setBody(req, r.Body)
	req.Header = r.Header
	if req.Header.Get("Content-Type") == "" || (s.opts.UserAgent != "" && req.Header.Get("User-Agent") == "") {
		req.Header = withDefaults(r.Header, s.opts.UserAgent)
	}
	// What http.Client would do and the bare transport does not: a Host
	// header sets the request's Host (useful behind tunnels), and user:pass@
	// in the URL becomes Basic auth.
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
	}
	if u := req.URL.User; u != nil && req.Header.Get("Authorization") == "" {
		pass, _ := u.Password()
		req.Header = req.Header.Clone()
		req.SetBasicAuth(u.Username(), pass)
	}
	start := s.opts.Now()
	resp, err := s.rt.RoundTrip(req)
	if err != nil {
		return Result{Latency: s.opts.Now().Sub(start), Err: s.classify(ctx, actx, req, err), unsettled: true}
	}
	res := Result{Status: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		res.RespBody = readCut(resp.Body, s.opts.BodyCut)
	}
	// Drain so the connection goes back to the pool.
	_, derr := io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	res.Latency = s.opts.Now().Sub(start)
	res.unsettled = derr != nil
	switch {
	case derr != nil && actx.Err() != nil && ctx.Err() == nil:
		res.Err = &TimeoutError{Timeout: s.opts.Timeout}
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		res.Warning = "HTTP " + strconv.Itoa(resp.StatusCode) + ": LiveChat documents only 200 as success"
	default:
		res.Err = &StatusError{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
	}
	return res
}

func withDefaults(h http.Header, ua string) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	if out.Get("Content-Type") == "" {
		out.Set("Content-Type", "application/json")
	}
	if ua != "" && out.Get("User-Agent") == "" {
		out.Set("User-Agent", ua)
	}
	return out
}

func (s *Sender) classify(ctx, actx context.Context, req *http.Request, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case actx.Err() != nil:
		return &TimeoutError{Timeout: s.opts.Timeout}
	case isRefused(err):
		return &RefusedError{Addr: hostPort(req.URL), Err: err}
	}
	return fmt.Errorf("POST %s: %w", req.URL.Redacted(), err)
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

func readCut(r io.Reader, n int) []byte {
	buf := make([]byte, n)
	m, _ := io.ReadFull(r, buf)
	return bytes.TrimSpace(buf[:m])
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
