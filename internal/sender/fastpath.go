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
	"reflect"
	"sort"
	"strconv"
	"time"
)

// h1conn is a burst worker's own HTTP/1.1 keep-alive connection. net/http
// hands every request to two goroutines per connection (write loop, read
// loop); a burst worker that owns its connection can write the request and
// read the response itself, which is what makes bursts as fast as hey. It is
// used only for plain http:// targets with no proxy and the Sender's own
// transport; everything else goes through net/http.
type h1conn struct {
	s       *Sender
	addr    string
	ctx     context.Context
	c       net.Conn
	r       *bufio.Reader
	stop    func() bool
	wbuf    []byte
	hdrKey  uintptr // identity of the header map hdrText was built from
	hdrText []byte
	reqLine []byte // "POST /path HTTP/1.1\r\nHost: host\r\n"
	url     string
	used    bool // the connection has carried a request already
}

// fastTarget reports whether raw can use the fast path.
func (s *Sender) fastTarget(raw string) bool {
	if !s.ownTransport {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Host == "" {
		return false
	}
	p, err := http.ProxyFromEnvironment(&http.Request{URL: u})
	return err == nil && p == nil
}

func (h *h1conn) close() {
	if h.c != nil {
		h.stop()
		_ = h.c.Close()
		h.c, h.r, h.used = nil, nil, false
	}
}

func (h *h1conn) dial(deadline time.Time) error {
	d := net.Dialer{Deadline: deadline, KeepAlive: 30 * time.Second}
	c, err := d.DialContext(h.ctx, "tcp", h.addr)
	if err != nil {
		return err
	}
	h.c = c
	if h.r == nil {
		h.r = bufio.NewReaderSize(c, 4096)
	} else {
		h.r.Reset(c)
	}
	// Ctrl-C (ctx) interrupts a blocked read or write at once.
	h.stop = context.AfterFunc(h.ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	return nil
}

// prepare formats the request line and headers, reusing the last text when
// the URL and header map are the same as last time (the common burst case).
func (h *h1conn) prepare(r Request, ua string) error {
	if r.URL != h.url || h.reqLine == nil {
		u, err := url.Parse(r.URL)
		if err != nil {
			return fmt.Errorf("%q: %w", r.URL, ErrBadURL)
		}
		host := u.Host
		if u.Port() == "" {
			host = net.JoinHostPort(u.Hostname(), "80")
		}
		h.addr, h.url = host, r.URL
		h.reqLine = append(h.reqLine[:0], "POST "+u.RequestURI()+" HTTP/1.1\r\nHost: "+u.Host+"\r\n"...)
		h.hdrKey = 0
	}
	key := reflect.ValueOf(r.Header).Pointer()
	if key != h.hdrKey || key == 0 {
		h.hdrText = appendHeaders(h.hdrText[:0], r.Header, ua)
		h.hdrKey = key
	}
	return nil
}

func appendHeaders(dst []byte, hdr http.Header, ua string) []byte {
	keys := make([]string, 0, len(hdr))
	for k := range hdr {
		switch http.CanonicalHeaderKey(k) {
		case "Host", "Content-Length", "Connection", "Transfer-Encoding":
			continue // set by the sender
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range hdr[k] {
			dst = append(dst, k...)
			dst = append(dst, ": "...)
			dst = append(dst, v...)
			dst = append(dst, "\r\n"...)
		}
	}
	if hdr.Get("Content-Type") == "" {
		dst = append(dst, "Content-Type: application/json\r\n"...)
	}
	if ua != "" && hdr.Get("User-Agent") == "" {
		dst = append(dst, "User-Agent: "+ua+"\r\n"...)
	}
	return dst
}

// deliverFast is deliver over the worker's own connection. The body is
// copied into the write buffer, so the caller may reuse it at once.
func (s *Sender) deliverFast(h *h1conn, req Request) Result {
	var res Result
	for attempt := 0; ; attempt++ {
		res = s.attemptFast(h, req)
		res.Attempts = attempt + 1
		if res.Err == nil || attempt >= s.opts.Retries || h.ctx.Err() != nil {
			return res
		}
		if err := s.opts.Sleep(h.ctx, s.schedule[attempt]); err != nil {
			return res
		}
	}
}

func (s *Sender) attemptFast(h *h1conn, req Request) Result {
	if err := h.prepare(req, s.opts.UserAgent); err != nil {
		return Result{Err: err}
	}
	if h.ctx.Err() != nil {
		return Result{Err: h.ctx.Err()}
	}
	start := s.opts.Now()
	deadline := start.Add(s.opts.Timeout)
	h.wbuf = append(h.wbuf[:0], h.reqLine...)
	h.wbuf = append(h.wbuf, h.hdrText...)
	h.wbuf = append(h.wbuf, "Content-Length: "...)
	h.wbuf = strconv.AppendInt(h.wbuf, int64(len(req.Body)), 10)
	h.wbuf = append(h.wbuf, "\r\n\r\n"...)
	h.wbuf = append(h.wbuf, req.Body...)
	for try := 0; ; try++ {
		reused := h.c != nil && h.used
		res, err := h.roundTrip(deadline, s.opts.BodyCut)
		if err == nil {
			res.Latency = s.opts.Now().Sub(start)
			return res
		}
		h.close()
		// A kept-alive connection the server closed meanwhile: resend once
		// on a fresh one, as net/http does.
		if reused && try == 0 && res.Status == 0 && isStale(err) && h.ctx.Err() == nil {
			continue
		}
		return Result{Status: res.Status, Latency: s.opts.Now().Sub(start), Err: s.classifyFast(h, err)}
	}
}

func isStale(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		!errors.As(err, &ne) || !ne.Timeout()
}

func (s *Sender) classifyFast(h *h1conn, err error) error {
	var ne net.Error
	switch {
	case h.ctx.Err() != nil:
		return h.ctx.Err()
	case errors.As(err, &ne) && ne.Timeout():
		return &TimeoutError{Timeout: s.opts.Timeout}
	case isRefused(err):
		return &RefusedError{Addr: h.addr, Err: err}
	}
	return fmt.Errorf("POST %s: %w", h.url, err)
}

// roundTrip writes h.wbuf and reads one response. A non-nil error closes
// the connection; res.Status is set once a status line was read.
func (h *h1conn) roundTrip(deadline time.Time, cut int) (Result, error) {
	if h.c == nil {
		if err := h.dial(deadline); err != nil {
			return Result{}, err
		}
	}
	if err := h.c.SetDeadline(deadline); err != nil {
		return Result{}, err
	}
	h.used = true
	if _, err := h.c.Write(h.wbuf); err != nil {
		return Result{}, err
	}
	for {
		res, keep, err := h.readResponse(cut)
		if err != nil {
			return res, err
		}
		if res.Status >= 100 && res.Status < 200 {
			continue // interim response (100 Continue, 103): the real one follows
		}
		if !keep {
			h.close()
		}
		return res, nil
	}
}

var (
	errBadResponse = errors.New("malformed HTTP response")
	hdrCL          = []byte("content-length:")
	hdrTE          = []byte("transfer-encoding:")
	hdrConn        = []byte("connection:")
	hdrLoc         = []byte("location:")
)

// respHead is what readResponse needs from a status line and headers.
type respHead struct {
	status   int
	keep     bool
	length   int64 // -1: not given
	chunked  bool
	location string
}

func (h *h1conn) readHead() (respHead, error) {
	line, err := h.r.ReadSlice('\n')
	if err != nil {
		return respHead{}, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return respHead{}, errBadResponse
	}
	hd := respHead{keep: line[7] == '1', length: -1}
	if hd.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return respHead{}, errBadResponse
	}
	for {
		line, err = h.r.ReadSlice('\n')
		if err != nil {
			return hd, err
		}
		t := bytes.TrimRight(line, "\r\n")
		if len(t) == 0 {
			return hd, nil
		}
		if err := hd.header(t); err != nil {
			return hd, err
		}
	}
}

func (hd *respHead) header(t []byte) error {
	var err error
	switch {
	case hasPrefixFold(t, hdrCL):
		if hd.length, err = strconv.ParseInt(string(bytes.TrimSpace(t[len(hdrCL):])), 10, 64); err != nil || hd.length < 0 {
			return errBadResponse
		}
	case hasPrefixFold(t, hdrTE):
		hd.chunked = bytes.Contains(bytes.ToLower(t), []byte("chunked"))
	case hasPrefixFold(t, hdrConn):
		v := bytes.ToLower(t[len(hdrConn):])
		if bytes.Contains(v, []byte("close")) {
			hd.keep = false
		} else if bytes.Contains(v, []byte("keep-alive")) {
			hd.keep = true
		}
	case hasPrefixFold(t, hdrLoc):
		hd.location = string(bytes.TrimSpace(t[len(hdrLoc):]))
	}
	return nil
}

func (h *h1conn) readResponse(cut int) (Result, bool, error) {
	hd, err := h.readHead()
	res := Result{Status: hd.status}
	if err != nil {
		return res, false, err
	}
	if hd.status < 200 || hd.status == http.StatusNoContent || hd.status == http.StatusNotModified {
		return res, hd.keep, nil
	}
	var keepBody *[]byte
	if hd.status != http.StatusOK {
		res.RespBody = make([]byte, 0, cut)
		keepBody = &res.RespBody
	}
	switch {
	case hd.chunked:
		err = h.readChunked(keepBody, cut)
	case hd.length >= 0:
		err = h.discard(hd.length, keepBody, cut)
	default: // the body runs to the end of the connection
		hd.keep = false
		if err = h.discard(-1, keepBody, cut); errors.Is(err, io.EOF) {
			err = nil
		}
	}
	if err != nil {
		return res, false, err
	}
	if res.RespBody = bytes.TrimSpace(res.RespBody); len(res.RespBody) == 0 {
		res.RespBody = nil
	}
	switch {
	case hd.status == http.StatusOK:
	case hd.status >= 200 && hd.status < 300:
		res.Warning = "HTTP " + strconv.Itoa(hd.status) + ": LiveChat documents only 200 as success"
	default:
		loc := ""
		if hd.status >= 300 && hd.status < 400 {
			loc = hd.location
		}
		res.Err = &StatusError{Status: hd.status, Location: loc}
	}
	return res, hd.keep, nil
}

// discard reads n body bytes (n < 0: until EOF), keeping the first cut.
func (h *h1conn) discard(n int64, keep *[]byte, cut int) error {
	for n != 0 {
		want := h.r.Buffered()
		if want == 0 {
			if _, err := h.r.Peek(1); err != nil {
				return err
			}
			want = h.r.Buffered()
		}
		if n > 0 && int64(want) > n {
			want = int(n)
		}
		b, _ := h.r.Peek(want)
		if keep != nil && len(*keep) < cut {
			*keep = append(*keep, b[:min(len(b), cut-len(*keep))]...)
		}
		_, _ = h.r.Discard(want)
		if n > 0 {
			n -= int64(want)
		}
	}
	return nil
}

func (h *h1conn) readChunked(keep *[]byte, cut int) error {
	for {
		line, err := h.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		t := bytes.TrimSpace(line)
		if i := bytes.IndexByte(t, ';'); i >= 0 {
			t = t[:i]
		}
		size, err := strconv.ParseInt(string(t), 16, 64)
		if err != nil || size < 0 {
			return errBadResponse
		}
		if size == 0 {
			for { // trailers up to the empty line
				line, err = h.r.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if err := h.discard(size, keep, cut); err != nil {
			return err
		}
		if _, err := h.r.Discard(2); err != nil { // CRLF after the chunk
			return err
		}
	}
}

func hasPrefixFold(s, prefix []byte) bool {
	return len(s) >= len(prefix) && bytes.EqualFold(s[:len(prefix)], prefix)
}
