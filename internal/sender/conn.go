package sender

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// conn is a burst worker's own HTTP/1.1 keep-alive connection. net/http's
// transport hands every request to two goroutines per connection (a write
// loop and a read loop) and back; a worker that owns its connection writes
// the request with http.Request.Write and reads the response with
// http.ReadResponse itself: the same formatting and parsing code, without the
// hand-offs. It is used for plain http:// targets only (Options.DirectBursts).
//
// A conn is used by one goroutine at a time.
type conn struct {
	s   *Sender
	ctx context.Context // the caller's: ending it aborts a blocked read or write

	nc     net.Conn
	unhook func() bool // removes the ctx hook of nc
	addr   string      // host:port nc is connected to
	used   bool        // nc carried a whole exchange: it is a kept-alive connection
	lr     limitReader // between nc and br: bounds response headers
	cw     countWriter // between bw and nc: counts what nc accepted
	br     *bufio.Reader
	bw     *bufio.Writer

	rawURL string
	u      *url.URL // rawURL parsed (a string's parse never changes)
	body   bytes.Reader
	rc     io.ReadCloser // io.NopCloser(&body), made once
	req    http.Request
}

var errHeadersTooLarge = fmt.Errorf("server response headers exceeded %d bytes; aborted", maxResponseHeader)

// limitReader reads from r; while n >= 0 at most n more bytes.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n == 0 {
		return 0, errHeadersTooLarge
	}
	if l.n > 0 && int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	if l.n > 0 {
		l.n -= int64(n)
	}
	return n, err
}

// countWriter writes to w and counts the bytes w accepted.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *conn) close() {
	if c.nc != nil {
		c.unhook()
		_ = c.nc.Close()
		c.nc, c.used = nil, false
	}
}

// attempt is one attempt over the worker's connection. When a kept-alive
// connection fails before any byte of the request was written, the request
// is sent once more on a fresh connection and that counts as an attempt;
// once anything was written it is never resent here (the receiver may have
// it): the failure is the attempt's result.
func (c *conn) attempt(ctx context.Context, r Request) Result {
	if r.URL != c.rawURL || c.u == nil {
		u, err := url.Parse(r.URL)
		if err != nil {
			return Result{Attempts: 1, Err: fmt.Errorf("%q: %w", r.URL, ErrBadURL)}
		}
		c.rawURL, c.u = r.URL, u
		if addr := hostPort(u); addr != c.addr {
			c.close()
			c.addr = addr
		}
	}
	res, resend := c.try(ctx, r)
	if resend {
		res, _ = c.try(ctx, r) // a fresh connection: never resent again
		res.Attempts = 2
	}
	return res
}

// try makes one request. resend reports a kept-alive connection that failed
// with nothing of the request written: the caller may send it again.
func (c *conn) try(ctx context.Context, r Request) (res Result, resend bool) {
	s := c.s
	start := s.opts.Now()
	deadline := start.Add(s.opts.Timeout)
	fail := func(err error) Result {
		return Result{Attempts: 1, Latency: s.opts.Now().Sub(start), Err: s.classify(ctx, false, c.u, err)}
	}
	if c.nc != nil && !c.idle() {
		c.close() // the receiver closed it meanwhile: nothing is sent on it
	}
	reused := c.nc != nil
	if !reused {
		if err := c.dial(ctx, deadline); err != nil {
			return fail(err), false
		}
	}
	_ = c.nc.SetDeadline(deadline)
	if ctx.Err() != nil { // checked after SetDeadline, which could undo the abort hook
		c.close()
		return fail(ctx.Err()), false
	}
	req := c.request(r)
	if nothing, err := c.write(req); err != nil {
		c.close()
		return fail(err), nothing && reused && ctx.Err() == nil && !isTimeout(err)
	}
	resp, err := c.read(req)
	if err != nil {
		c.close()
		return fail(err), false
	}
	res, derr := s.readBody(resp)
	res.Attempts = 1
	res.Latency = s.opts.Now().Sub(start)
	c.keepOrClose(resp, derr)
	if derr != nil && isTimeout(derr) && ctx.Err() == nil {
		res.Err, res.Warning = &TimeoutError{Timeout: s.opts.Timeout}, ""
	}
	return res, false
}

// write sends req; nothing reports that not a byte of it reached the
// connection.
func (c *conn) write(req *http.Request) (nothing bool, err error) {
	before := c.cw.n
	err = req.Write(c.bw)
	if err == nil {
		err = c.bw.Flush()
	}
	return c.cw.n == before, err
}

// keepOrClose keeps the connection for the next request unless the body
// failed, the receiver asked to close, or it switched protocols.
func (c *conn) keepOrClose(resp *http.Response, derr error) {
	if derr != nil || resp.Close || resp.StatusCode == http.StatusSwitchingProtocols {
		c.close()
		return
	}
	c.used = true
}

// idle reports whether the kept-alive connection can carry a request: the
// receiver has neither closed it nor sent anything unasked (net/http's read
// loop watches for both while a connection is idle).
func (c *conn) idle() bool {
	return c.br.Buffered() == 0 && peerOpen(c.nc)
}

func (c *conn) dial(ctx context.Context, deadline time.Time) error {
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	nc, err := c.s.dial(dctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	c.nc, c.used = nc, false
	c.lr = limitReader{r: nc, n: -1}
	c.cw.w = nc
	if c.br == nil {
		c.br = bufio.NewReaderSize(&c.lr, 4<<10)
		c.bw = bufio.NewWriterSize(&c.cw, 16<<10)
		c.rc = io.NopCloser(&c.body)
	} else {
		c.br.Reset(&c.lr)
		c.bw.Reset(&c.cw)
	}
	// Aborting (ctx) interrupts a blocked read or write at once.
	c.unhook = context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	return nil
}

// request builds the request of r: headers afresh (header), the body read
// from r.Body in place.
func (c *conn) request(r Request) *http.Request {
	h, host := header(r, c.u, c.s.opts.UserAgent)
	c.req = http.Request{Method: http.MethodPost, URL: c.u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Host: host, ContentLength: int64(len(r.Body)), Body: http.NoBody}
	if len(r.Body) > 0 {
		c.body.Reset(r.Body)
		c.req.Body = c.rc
	}
	return &c.req
}

// read reads the final response to req, skipping interim 1xx ones (101
// excepted) as the transport does, with headers bounded.
func (c *conn) read(req *http.Request) (*http.Response, error) {
	for interim := 0; ; interim++ {
		c.lr.n = maxResponseHeader
		resp, err := http.ReadResponse(c.br, req)
		hit := c.lr.n == 0
		c.lr.n = -1
		switch {
		case err != nil && (hit || errors.Is(err, errHeadersTooLarge)):
			return nil, errHeadersTooLarge
		case err != nil:
			return nil, err
		case resp.StatusCode < 100 || resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols:
			return resp, nil
		case interim >= max1xx:
			return nil, errors.New("too many 1xx informational responses")
		}
	}
}

// max1xx bounds the interim responses before the final one, as net/http does.
const max1xx = 5
