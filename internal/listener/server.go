package listener

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// headerLimit bounds a request's line and headers (fasthttp's read buffer):
// LiveChat's and monday's headers are well under 2 KiB, a monday JWT
// included. Larger headers are answered 431.
const headerLimit = 32 << 10

// server is the receiver's HTTP/1.1 server. It is fasthttp rather than
// net/http because the listener answers only after the event's record is
// written, and net/http's per-request cost (a background read of the
// connection that wakes up while the handler waits, a context and a header
// map per request) then dominates: on the bench machine lcwh on net/http
// with --save reached 0.34 of a bare net/http handler, on fasthttp 0.40,
// and without --save about as fast as the bare handler
// (bench/recv-results.md). The core (handle) does not know which
// server read the request; ServeHTTP keeps a net/http adapter, and
// TestDifferentialServers sends the same raw requests to both.
//
// fasthttp has no Close that ends active connections, so server tracks
// them (ConnState) for Abort and for cutting off bodies at a stop.
type server struct {
	fs *fasthttp.Server
	mu sync.Mutex
	// conns maps each open connection to whether it is reading a request
	// the handler has not taken yet (from the end of its headers, when
	// fasthttp calls it active, to the handler's start).
	conns map[net.Conn]bool
}

func (l *Listener) newServer() *server {
	s := &server{conns: map[net.Conn]bool{}}
	s.fs = &fasthttp.Server{
		Handler:      l.serveFast,
		ErrorHandler: l.serveError,
		// The body is read by handle, incrementally up to --max-body, so
		// memory follows what arrived, not a declared Content-Length;
		// fasthttp reads ahead at most 8 KiB of it.
		StreamRequestBody:            true,
		MaxRequestBodySize:           int(min(l.cfg.MaxBody, int64(^uint(0)>>1))),
		DisablePreParseMultipartForm: true,
		ContinueHandler: func(h *fasthttp.RequestHeader) bool {
			return int64(h.ContentLength()) <= l.cfg.MaxBody
		},
		// A body declared over --max-body is answered 413 by handle from
		// its first byte: fasthttp would otherwise wait for 8 KiB of it.
		HeaderReceived: func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
			if int64(h.ContentLength()) > l.cfg.MaxBody {
				return fasthttp.RequestConfig{MaxRequestBodySize: 1}
			}
			return fasthttp.RequestConfig{}
		},
		ReadBufferSize:        headerLimit,
		ReadTimeout:           l.cfg.ReadTimeout,
		IdleTimeout:           l.cfg.IdleTimeout,
		NoDefaultServerHeader: true,
		CloseOnShutdown:       true,
		ConnState:             s.track,
		// fasthttp logs connection errors itself; a listener prints only
		// through its commands, so they are dropped here (the ones that
		// concern a request reach serveError).
		Logger: log.New(io.Discard, "", 0),
	}
	return s
}

func (s *server) track(c net.Conn, st fasthttp.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case fasthttp.StateClosed, fasthttp.StateHijacked:
		delete(s.conns, c)
	default:
		s.conns[c] = st == fasthttp.StateActive
	}
}

// entered marks c's request as taken by the handler (counted by the
// listener's inflight from then on): a connection stays active in
// fasthttp's terms until its answer is flushed, after the handler, and
// would otherwise be counted twice, or after it was answered.
func (s *server) entered(c net.Conn) {
	s.mu.Lock()
	if _, ok := s.conns[c]; ok {
		s.conns[c] = false
	}
	s.mu.Unlock()
}

// serving is how many connections are reading a request the handler has
// not taken yet (asked at a stop, not per request: it counts).
func (s *server) serving() int {
	n := 0
	s.each(func(_ net.Conn, active bool) {
		if active {
			n++
		}
	})
	return n
}

func (s *server) serve(ln net.Listener) error { return s.fs.Serve(ln) }

// each calls f for every open connection and whether it is serving.
func (s *server) each(f func(c net.Conn, active bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, active := range s.conns {
		f(c, active)
	}
}

// cutReads makes every read under way or to come fail at once: bodies
// still arriving are cut off (never acknowledged), while answers already
// decided are still written.
func (s *server) cutReads() {
	now := time.Now()
	s.each(func(c net.Conn, _ bool) { _ = c.SetReadDeadline(now) })
}

// close ends every connection at once (Abort, or a drain that gave up).
func (s *server) close() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stop accepting and close idle connections, without waiting
	_ = s.fs.ShutdownWithContext(ctx)
	s.each(func(c net.Conn, _ bool) { _ = c.Close() })
}

// shutdown stops accepting and waits, until ctx is done, for the
// connections to finish the request they are serving.
func (s *server) shutdown(ctx context.Context) error {
	return s.fs.ShutdownWithContext(ctx)
}

var textPlainBytes = []byte(textPlain[0])

// serveFast is the core behind fasthttp.
func (l *Listener) serveFast(ctx *fasthttp.RequestCtx) {
	// inflight before entered: at no moment is the request counted by
	// neither.
	l.inflight.Add(1)
	defer l.inflight.Add(-1)
	l.srv.entered(ctx.Conn())
	cl := int64(ctx.Request.Header.ContentLength())
	if cl < 0 {
		cl = -1
	}
	rq := request{
		method:        methodString(ctx.Method()),
		path:          l.pathString(ctx.Path()),
		fh:            &ctx.Request.Header,
		contentLength: cl,
		body:          ctx.RequestBodyStream(),
	}
	if rq.body == nil {
		rq.body = bytes.NewReader(ctx.Request.Body())
	}
	writeReply(ctx, l.handle(&rq))
}

func writeReply(ctx *fasthttp.RequestCtx, rp reply) {
	h := &ctx.Response.Header
	h.SetContentTypeBytes(textPlainBytes)
	if rp.allow {
		h.Set("Allow", "POST")
	}
	if rp.retry {
		h.Set("Retry-After", "1")
	}
	ctx.SetStatusCode(rp.status)
	ctx.Response.SetBodyString(rp.text)
}

// serveError answers a request fasthttp could not read (malformed, headers
// over headerLimit, a body that did not arrive in time). Such requests are
// rejections like any other: counted and shown.
func (l *Listener) serveError(ctx *fasthttp.RequestCtx, err error) {
	var nothing fasthttp.ErrNothingRead
	if errors.As(err, &nothing) {
		// A connection that never sent a byte (a client's spare, or one
		// cut at a stop before it spoke) is no request: not counted.
		ctx.SetStatusCode(http.StatusRequestTimeout)
		return
	}
	status, reason := http.StatusBadRequest, "cannot read the request: "+err.Error()
	var small *fasthttp.ErrSmallBuffer
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(err, &small):
		status, reason = http.StatusRequestHeaderFieldsTooLarge, "request headers are over 32 KiB"
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		status, reason = http.StatusRequestEntityTooLarge, "body is over --max-body"
	case errors.As(err, &timeout) && timeout.Timeout(): // os.ErrDeadlineExceeded among them
		if l.reading.Err() != nil {
			l.cut.Add(1)
			status, reason = http.StatusServiceUnavailable, "the listener is stopping: the body did not arrive in time"
		} else {
			status, reason = http.StatusRequestTimeout, "the request did not arrive within the read timeout"
		}
	}
	rq := request{method: methodString(ctx.Method()), path: l.pathString(ctx.Path())}
	writeReply(ctx, l.reject(&rq, status, reason, nil))
}

// methodString and pathString return shared strings for the usual values,
// so the common request allocates neither.
func methodString(b []byte) string {
	switch string(b) {
	case http.MethodPost:
		return http.MethodPost
	case http.MethodGet:
		return http.MethodGet
	}
	return string(b)
}

func (l *Listener) pathString(b []byte) string {
	if string(b) == l.cfg.Path {
		return l.cfg.Path
	}
	if string(b) == "/" {
		return "/"
	}
	return string(b)
}

// headerOf converts h to net/http's shape (what events, records, the
// forwarder and the displays use): canonical keys, repeated fields kept in
// order, Host and Transfer-Encoding left out as net/http leaves them out.
// It reads the headers as they arrived (AllInOrder): All would add a
// Connection: close of fasthttp's own to an HTTP/1.0 request. The values
// are views of one buffer the size of the raw headers (which hold them
// all), so one pass over the headers allocates three times; the usual
// keys are constants.
func headerOf(h *fasthttp.RequestHeader) http.Header {
	raw := h.RawHeaders()
	lines := bytes.Count(raw, []byte{'\n'}) // at least one per field
	out := make(http.Header, lines)
	vals := make([]string, 0, lines)
	buf := make([]byte, 0, len(raw))
	for k, v := range h.AllInOrder() {
		if skipHeader(k) {
			continue
		}
		start := len(buf)
		buf = append(buf, v...)
		vals = append(vals, bstr(buf[start:]))
		i := len(vals) - 1
		key := headerKey(k)
		if prev, ok := out[key]; ok {
			out[key] = append(prev, vals[i])
		} else {
			out[key] = vals[i : i+1 : i+1]
		}
	}
	return out
}

func skipHeader(k []byte) bool {
	return string(k) == "Host" || string(k) == "Transfer-Encoding"
}

// headerKey returns the canonical key k as a string; the keys every
// webhook carries are constants.
func headerKey(k []byte) string {
	switch string(k) {
	case "Content-Type":
		return "Content-Type"
	case "Content-Length":
		return "Content-Length"
	case "User-Agent":
		return "User-Agent"
	case "Authorization":
		return "Authorization"
	case "Accept":
		return "Accept"
	case "Accept-Encoding":
		return "Accept-Encoding"
	case "Connection":
		return "Connection"
	case "X-Forwarded-For":
		return "X-Forwarded-For"
	case "X-Forwarded-Proto":
		return "X-Forwarded-Proto"
	}
	return string(k)
}
