// Package sender delivers webhook bodies the way LiveChat does (webhooks.md
// §3): an HTTP POST of a JSON body, a per-attempt timeout (about 10 s),
// success only on HTTP 200, and on failure up to three more attempts of the
// identical body spread over about a minute. It also runs bursts: many
// deliveries at a concurrency and rate, with a latency and status summary.
//
// Deliver goes through the client's transport (net/http). Bursts to a plain
// http:// URL with Options.DirectBursts set use one keep-alive connection per
// worker instead (conn.go): the request is written with http.Request.Write
// and the response read with http.ReadResponse, the same standard-library
// code the transport runs, minus its two goroutine hand-offs per request.
// Both paths build each request's headers afresh (request.go) and follow
// net/http's rule for a connection that fails under a request: a POST is
// sent again on a fresh connection only when none of it was written, and
// that resend counts as an attempt. A test table runs every case against
// both (paths_test.go).
//
// The package knows nothing about terminals: commands (send-sample, and later
// replay and sandbox trigger) render what it returns.
package sender

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"time"

	"github.com/lcwh/lcwh/internal/httpclient"
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
	// DirectBursts lets bursts to plain http:// URLs that no proxy
	// variable covers bypass the client's transport and use one HTTP/1.1
	// connection per worker. The bytes on the wire are the same; what is
	// skipped are the client's RoundTripper layers, so set it only when
	// they add nothing (no --debug log, no credentials).
	DirectBursts bool
	// Sleep waits d or until ctx ends; tests replace it so they never wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used for latencies and burst pacing.
	Now func() time.Time
}

// Sender delivers requests. It is safe for concurrent use.
type Sender struct {
	rt       http.RoundTripper
	opts     Options
	schedule []time.Duration
	// dial opens a worker's own connection (tests inject faults here).
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// New returns a Sender that sends through client's Transport (nil client
// means NewTransport(opts.Conns), nil Transport http.DefaultTransport). Only
// the transport is used: redirects are never followed, because LiveChat's
// behaviour on a 3xx is undocumented and silently following one would hide
// a misconfigured URL (a 3xx is a failure naming its Location); there are no
// cookies; Options.Timeout replaces client.Timeout.
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
		opts.Sleep = httpclient.Sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	d := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}
	return &Sender{rt: rt, opts: opts, schedule: Schedule(opts.RetryInterval, opts.Retries), dial: d.DialContext}
}

// NewTransport returns a transport tuned for sending to one host over
// conns parallel connections: keep-alive pool sized to conns, no
// compression (bodies are small and receivers do not expect gzip), HTTP/1.1.
func NewTransport(conns int) *http.Transport {
	if conns < 1 {
		conns = 1
	}
	return &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            (&net.Dialer{Timeout: DefaultTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:           conns * 2,
		MaxIdleConnsPerHost:    conns,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    DefaultTimeout,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxResponseHeader,
		WriteBufferSize:        8 << 10,
		ReadBufferSize:         4 << 10,
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
	// Attempts is how many times the request went out: 1 + retries used +
	// resends on a fresh connection after a kept-alive one failed before
	// any of the request was written.
	Attempts int
	// Latency of the last attempt, request sent to response read.
	Latency time.Duration
	// RespBody is the start of the last response body when Status is not 200.
	RespBody []byte
	// Err is nil on success (any 2xx); otherwise why the last attempt
	// failed. errors.Is(Err, ErrInterrupted) when the caller aborted an
	// attempt in flight: see Interrupted.
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

// Interrupted reports whether the delivery was aborted with an attempt in
// flight, so whether it arrived is unknown: neither a success nor a failure.
func (r Result) Interrupted() bool { return isInterrupted(r.Err) }

// Deliver sends req with LiveChat's semantics: attempts until one gets a
// 2xx or the retries run out, pausing per the schedule between them. When
// ctx ends it returns at once; an attempt it cut short is Interrupted.
func (s *Sender) Deliver(ctx context.Context, req Request) Result {
	return s.DeliverStop(ctx, nil, req)
}

// DeliverStop is Deliver that also ends gently when stop is closed: the
// attempt in flight finishes (within the timeout) and counts by its
// outcome, but no retry follows.
func (s *Sender) DeliverStop(ctx context.Context, stop <-chan struct{}, req Request) Result {
	soft, cancel := softContext(ctx, stop)
	defer cancel()
	return s.deliver(ctx, soft, stop, req, s.attempt)
}

// DeliverEach is Deliver that reports every attempt as it ends: each is
// called with that attempt's Result (Attempts 1, or 2 after a resend on a
// fresh connection) before any pause, so a view can show retries live.
func (s *Sender) DeliverEach(ctx context.Context, req Request, each func(Result)) Result {
	try := func(ctx context.Context, r Request) Result {
		res := s.attempt(ctx, r)
		each(res)
		return res
	}
	return s.deliver(ctx, ctx, nil, req, try)
}

// softContext is ctx that also ends when stop is closed: it interrupts
// pauses between retries and the pacing of bursts, never an attempt.
func softContext(ctx context.Context, stop <-chan struct{}) (context.Context, context.CancelFunc) {
	soft, cancel := context.WithCancel(ctx)
	if stop != nil {
		go func() {
			select {
			case <-stop:
				cancel()
			case <-soft.Done():
			}
		}()
	}
	return soft, cancel
}

// stopped reports whether stop is closed.
func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// attemptFunc makes one attempt: its Result's Attempts is 1, or 2 after a
// resend on a fresh connection.
type attemptFunc func(ctx context.Context, r Request) Result

// deliver runs LiveChat's retry schedule over try. ctx aborts attempts;
// soft (ctx, or stop closed) ends the pauses between them.
func (s *Sender) deliver(ctx, soft context.Context, stop <-chan struct{}, req Request, try attemptFunc) Result {
	var res Result
	attempts := 0
	unsettled := false
	for retry := 0; ; retry++ {
		res = try(ctx, req)
		attempts += res.Attempts
		unsettled = unsettled || res.unsettled
		res.unsettled = unsettled
		res.Attempts = attempts
		if res.Err == nil || retry >= s.opts.Retries || soft.Err() != nil || stopped(stop) {
			return res
		}
		if err := s.opts.Sleep(soft, s.schedule[retry]); err != nil || stopped(stop) {
			return res
		}
	}
}

// attempt is one attempt through the transport. A trace counts the
// connections it asks for: more than one means the transport resent the
// request after a kept-alive connection failed with nothing written
// (net/http's nothingWrittenError rule), and each counts as an attempt.
func (s *Sender) attempt(ctx context.Context, r Request) Result {
	actx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	conns := 0
	tctx := httptrace.WithClientTrace(actx, &httptrace.ClientTrace{GetConn: func(string) { conns++ }})
	req, err := http.NewRequestWithContext(tctx, http.MethodPost, r.URL, nil)
	if err != nil {
		return Result{Attempts: 1, Err: fmt.Errorf("%q: %w", r.URL, ErrBadURL)}
	}
	setBody(req, r.Body)
	req.Header, req.Host = header(r, req.URL, s.opts.UserAgent)
	start := s.opts.Now()
	resp, err := s.rt.RoundTrip(req)
	if err != nil {
		return Result{Attempts: max(conns, 1), Latency: s.opts.Now().Sub(start),
			Err: s.classify(ctx, actx.Err() != nil, req.URL, err), unsettled: true}
	}
	res, derr := s.readBody(resp)
	res.Attempts = max(conns, 1)
	res.Latency = s.opts.Now().Sub(start)
	res.unsettled = derr != nil
	if derr != nil && actx.Err() != nil && ctx.Err() == nil {
		res.Err, res.Warning = &TimeoutError{Timeout: s.opts.Timeout}, ""
	}
	return res
}

// readBody reads and closes resp's body (so its connection can be reused),
// keeping the start of it unless the status is 200, and judges the status.
// derr is the error draining the body, if any.
func (s *Sender) readBody(resp *http.Response) (res Result, derr error) {
	res.Status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		res.RespBody = readCut(resp.Body, s.opts.BodyCut)
	}
	_, derr = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		res.Warning = "HTTP " + strconv.Itoa(resp.StatusCode) + ": LiveChat documents only 200 as success"
	default:
		res.Err = &StatusError{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
	}
	return res, derr
}

func readCut(r io.Reader, n int) []byte {
	buf := make([]byte, n)
	m, _ := io.ReadFull(r, buf)
	if b := bytes.TrimSpace(buf[:m]); len(b) > 0 {
		return b
	}
	return nil
}
