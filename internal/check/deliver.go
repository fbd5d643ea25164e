package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lcwh/lcwh/internal/httpclient"
)

// delivery is one POST the suite makes.
type delivery struct {
	// label names it in the report: "incoming_event", "incoming_chat (1 MiB)".
	label string
	body  []byte
	// header is set over the run's headers (Content-Type variants, monday JWTs).
	header http.Header
	// slow sends the body in pieces (slow-client).
	slow bool
}

// outcome is what one delivery got.
type outcome struct {
	label    string
	status   int
	latency  time.Duration
	err      error
	timedOut bool
	location string
	snippet  string
	// paced says the transport did pace a slow delivery's body.
	paced bool
}

// answered reports a response within the timeout, whatever its status.
func (o outcome) answered() bool { return o.err == nil && !o.timedOut }

// accepted reports a 2xx within the timeout: the bar of every check but
// status-200, which alone insists on exactly 200, so one flaw fails one check.
func (o outcome) accepted() bool { return o.answered() && o.status/100 == 2 }

// refused reports that nothing listens any more (the handler crashed or was
// never started).
func (o outcome) refused() bool { return errors.Is(o.err, syscall.ECONNREFUSED) }

// describe says what the delivery got, for a detail line.
func (o outcome) describe(timeout time.Duration) string {
	switch {
	case o.timedOut:
		return fmt.Sprintf("no answer within %s", timeout)
	case o.err != nil:
		return explainErr(o.err)
	}
	s := fmt.Sprintf("answered %d", o.status)
	if t := http.StatusText(o.status); t != "" {
		s += " " + t
	}
	if o.location != "" {
		s += " → " + o.location
	}
	if o.snippet != "" && o.status/100 != 2 {
		s += ": " + o.snippet
	}
	return s
}

// explainErr turns a transport error into words.
func explainErr(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens there (did the handler crash?)"
	case errors.Is(err, syscall.ECONNRESET):
		return "the connection was reset before an answer (a full listen backlog under load, or a crashed handler)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed without an answer (did the handler crash or time out reading?)"
	case errors.As(err, &dns):
		return "cannot resolve " + dns.Name
	}
	return err.Error()
}

// unreachable reports errors that mean the URL cannot be checked at all.
func unreachable(err error) bool {
	var (
		dns     *net.DNSError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		rec     tls.RecordHeaderError
	)
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns) ||
		errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &rec)
}

// UnreachableError means the first delivery found nothing to check.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach %s: %s", e.URL, explainErr(e.Err))
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Hint says what to check.
func (e *UnreachableError) Hint() string {
	return "Start your handler first, and check the URL's host, port and scheme (http or https)."
}

// maxSnippet caps the response text shown in a detail line.
const maxSnippet = 120

// deliver makes one delivery and measures it.
func (r *runner) deliver(ctx context.Context, d delivery) outcome {
	atomic.AddInt64(&r.count, 1)
	o := outcome{label: d.label}
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	var pace *pacing
	if d.slow {
		pace = &pacing{chunks: r.o.SlowChunks, interval: r.o.SlowInterval, sleep: r.o.Sleep}
		ctx = context.WithValue(ctx, pacingKey{}, pace)
	}
	req, err := r.request(ctx, d)
	if err != nil {
		o.err = err
		return o
	}
	start := r.o.Now()
	resp, err := r.client.Do(req)
	o.latency = r.o.Now().Sub(start)
	if pace != nil {
		o.paced = pace.used.Load()
	}
	if err != nil {
		o.err = err
		o.timedOut = ctx.Err() == context.DeadlineExceeded || isTimeout(err)
		if o.timedOut {
			o.err = nil
		}
		return o
	}
	defer resp.Body.Close()
	o.status = resp.StatusCode
	if resp.StatusCode/100 == 3 {
		o.location = resp.Header.Get("Location")
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	o.snippet = r.redact(oneLine(string(b), maxSnippet))
	// An injected clock can report a late answer that the real timeout
	// did not cut off: it is late all the same.
	o.timedOut = o.latency > r.o.Timeout
	return o
}

// request is d's POST: the run's headers (-H), Content-Type
// application/json unless one is given, then d's own headers, an empty one
// removing the header.
func (r *runner) request(ctx context.Context, d delivery) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.o.URL, bytes.NewReader(d.body))
	if err != nil {
		return nil, err
	}
	for k, v := range r.o.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range d.header {
		if len(v) == 0 { // a header this delivery must not carry
			req.Header.Del(k)
			continue
		}
		req.Header[k] = append([]string(nil), v...)
	}
	return req, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// redact hides the caller's secrets should the handler echo them back.
func (r *runner) redact(s string) string {
	for _, sec := range []string{r.o.Secret, r.o.MondaySecret} {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "****")
		}
	}
	return s
}

// oneLine squeezes a response body into one short line.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// pacingKey marks a request whose body the transport should pace.
type pacingKey struct{}

// pacing is how a slow-client body is sent.
type pacing struct {
	chunks   int
	interval time.Duration
	sleep    func(context.Context, time.Duration) error
	used     atomic.Bool
}

// NewTransport returns the transport a check's client should be built on:
// keep-alives off (each delivery on its own connection, as independent as
// LiveChat's), no limit on connections (parallel), and pacing of the
// slow-client body. Keep it innermost (httpclient.Options.Base) so a layer
// that buffers bodies, such as the --debug logger, cannot undo the pacing.
func NewTransport() http.RoundTripper {
	t := httpclient.Transport()
	t.DisableKeepAlives = true
	t.MaxConnsPerHost = 0
	t.Proxy = nil // a handler under test is never reached through a proxy
	return &pacingTransport{base: t}
}

type pacingTransport struct{ base http.RoundTripper }

func (t *pacingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	p, _ := req.Context().Value(pacingKey{}).(*pacing)
	if p == nil || req.Body == nil || req.ContentLength <= 0 || p.chunks < 2 {
		return t.base.RoundTrip(req)
	}
	p.used.Store(true)
	req = req.Clone(req.Context())
	size := (req.ContentLength + int64(p.chunks) - 1) / int64(p.chunks)
	req.Body = &pacedBody{rc: req.Body, ctx: req.Context(), p: p, size: size, left: size, total: req.ContentLength}
	req.GetBody = nil
	return t.base.RoundTrip(req)
}

// pacedBody hands out its body size bytes at a time, pausing between.
type pacedBody struct {
	rc  io.ReadCloser
	ctx context.Context
	p   *pacing
	// size is one piece; left is what remains of the current piece, total
	// of the whole body.
	size, left, total int64
}

func (b *pacedBody) Read(buf []byte) (int, error) {
	if b.total <= 0 {
		return b.rc.Read(buf)
	}
	if b.left == 0 {
		if err := b.p.sleep(b.ctx, b.p.interval); err != nil {
			return 0, err
		}
		b.left = b.size
	}
	if int64(len(buf)) > b.left {
		buf = buf[:b.left]
	}
	n, err := b.rc.Read(buf)
	b.left -= int64(n)
	b.total -= int64(n)
	return n, err
}

func (b *pacedBody) Close() error { return b.rc.Close() }
