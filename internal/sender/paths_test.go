package sender

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The tests in this file run every case through both ways of sending: Deliver
// (net/http's transport) and a burst over a worker's own connection. Both
// must put the same requests on the wire and report the same results: this
// is the differential test that keeps the own-connection path honest.

// sendPath sends reqs one after the other with s, calling before(i) first.
type sendPath struct {
	name string
	// sender builds the Sender for the path; dial (optional) opens its
	// connections, for fault injection.
	sender func(t *testing.T, opts Options, dial dialFunc) *Sender
	send   func(t *testing.T, s *Sender, reqs []Request, before func(int)) []Result
}

type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

var sendPaths = []sendPath{
	{
		name: "deliver",
		sender: func(_ *testing.T, opts Options, dial dialFunc) *Sender {
			tr := NewTransport(1)
			if dial != nil {
				tr.DialContext = dial
			}
			return New(&http.Client{Transport: tr}, opts)
		},
		send: func(_ *testing.T, s *Sender, reqs []Request, before func(int)) []Result {
			out := make([]Result, len(reqs))
			for i, r := range reqs {
				before(i)
				out[i] = s.Deliver(context.Background(), r)
			}
			return out
		},
	},
	{
		name: "burst",
		sender: func(_ *testing.T, opts Options, dial dialFunc) *Sender {
			opts.DirectBursts = true
			s := New(nil, opts)
			if dial != nil {
				s.dial = dial
			}
			return s
		},
		send: func(t *testing.T, s *Sender, reqs []Request, before func(int)) []Result {
			t.Helper()
			for _, r := range reqs {
				if !s.directTarget(r.URL) {
					t.Fatalf("%s does not take the worker's own connection", r.URL)
				}
			}
			out := make([]Result, len(reqs))
			ch := make(chan Delivery)
			go s.Burst(context.Background(), Burst{Count: len(reqs), Concurrency: 1,
				Next: func(i int, buf []byte) (Request, error) {
					before(i)
					r := reqs[i]
					r.Body = append(buf, r.Body...)
					return r, nil
				}}, ch)
			for d := range ch {
				out[d.Index] = d.Result
			}
			return out
		},
	},
}

// wire is what a receiver saw: one line per request with its request line,
// Host, every header and the body, plus the connections it accepted.
type wire struct {
	mu    sync.Mutex
	reqs  []string
	conns atomic.Int32
	// host is the receiver's address, shown as RECEIVER so that two
	// receivers' records compare equal.
	host, base string
	// closed carries the receiver's word that it closed a connection;
	// seen counts the words received (by the sending goroutine only).
	closed chan struct{}
	seen   int
}

func (w *wire) add(r *http.Request, body []byte) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\nHost: %s\n", r.Method, r.RequestURI, r.Proto, r.Host)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(r.Header[k], " | "))
	}
	fmt.Fprintf(&b, "\n%s", body)
	w.mu.Lock()
	w.reqs = append(w.reqs, b.String())
	w.mu.Unlock()
}

func (w *wire) got() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, len(w.reqs))
	for i, r := range w.reqs {
		out[i] = strings.ReplaceAll(r, w.host, "RECEIVER")
	}
	return out
}

// copies counts the requests whose body is body.
func (w *wire) copies(body string) int {
	n := 0
	for _, r := range w.got() {
		if strings.HasSuffix(r, "\n\n"+body) {
			n++
		}
	}
	return n
}

// handlerServer records each request, then lets h answer.
func handlerServer(t *testing.T, w *wire, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.add(r, body)
		h(rw, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			w.conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// rawServer answers each connection with handle, for what net/http's server
// would not do. read consumes and records one request and returns its
// body; false at EOF.
func rawServer(t *testing.T, w *wire, handle func(c net.Conn, read func() (string, bool))) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			w.conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				handle(c, func() (string, bool) {
					req, err := http.ReadRequest(br)
					if err != nil {
						return "", false
					}
					body, err := io.ReadAll(req.Body)
					if err != nil {
						return "", false
					}
					w.add(req, body)
					return string(body), true
				})
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// outcome is the part of a Result both paths must agree on.
type outcome struct {
	Status   int
	Attempts int
	OK       bool
	Warning  string
	RespBody string
	Err      string
}

func outcomeOf(r Result) outcome {
	o := outcome{Status: r.Status, Attempts: r.Attempts, OK: r.OK(), Warning: r.Warning, RespBody: string(r.RespBody)}
	var (
		se *StatusError
		te *TimeoutError
		re *RefusedError
		ce *ClosedError
	)
	switch {
	case r.Err == nil:
	case errors.As(r.Err, &se):
		o.Err = se.Error()
	case errors.As(r.Err, &te):
		o.Err = "timeout"
	case errors.As(r.Err, &re):
		o.Err = "refused"
	case errors.As(r.Err, &ce):
		o.Err = "closed"
	case r.Interrupted():
		o.Err = "interrupted"
	default:
		o.Err = "other" // net/http's words differ from ours
	}
	return o
}

// faultDial dials for real and wraps connection number k (0-based) so that
// its write number w (0-based) goes through fault instead.
func faultDial(k, w int, fault func(c net.Conn, p []byte) (int, error)) (dialFunc, *atomic.Int32) {
	var dials atomic.Int32
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if int(dials.Add(1)-1) != k {
			return c, nil
		}
		return &faultConn{Conn: c, at: w, fault: fault}, nil
	}, &dials
}

type faultConn struct {
	net.Conn
	writes int
	at     int
	fault  func(c net.Conn, p []byte) (int, error)
}

func (f *faultConn) Write(p []byte) (int, error) {
	f.writes++
	if f.writes-1 == f.at {
		return f.fault(f.Conn, p)
	}
	return f.Conn.Write(p)
}

// resetNothingWritten fails a write before any byte leaves, as a write
// on a connection the peer reset does.
func resetNothingWritten(net.Conn, []byte) (int, error) {
	return 0, &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET}
}

// resetHalfWritten writes half the bytes, then fails.
func resetHalfWritten(c net.Conn, p []byte) (int, error) {
	n, _ := c.Write(p[:len(p)/2])
	return n, &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET}
}

func body(i int) string { return `{"i":` + strconv.Itoa(i) + `}` }

type pathCase struct {
	name string
	n    int // deliveries
	opts Options
	// server starts the receiver and returns its base URL.
	server func(t *testing.T, w *wire) string
	// path and header shape the requests (defaults: /webhooks, X-Test: 1).
	path   string
	header func(i int) http.Header
	dial   func() (dialFunc, *atomic.Int32)
	before func(i int, w *wire)
	// check looks at one path's results; both paths must also agree
	// (unless racyDeliver: net/http's own race, see the case).
	check       func(t *testing.T, res []Result, w *wire, dials *atomic.Int32)
	racyDeliver bool
}

func TestPathsAgree(t *testing.T) {
	for _, tc := range pathCases() {
		t.Run(tc.name, func(t *testing.T) {
			var outs [][]outcome
			var wires [][]string
			for _, p := range sendPaths {
				t.Run(p.name, func(t *testing.T) {
					res, w, dials := runCase(t, tc, p)
					if tc.check != nil && (!tc.racyDeliver || p.name != "deliver") {
						tc.check(t, res, w, dials)
					}
					// Never more copies of a body than attempts reported.
					for i, r := range res {
						if n := w.copies(body(i)); n > r.Attempts {
							t.Errorf("delivery %d: receiver got %d copies, %d attempts reported", i, n, r.Attempts)
						}
						if n := w.copies(body(i)); r.OK() && n == 0 {
							t.Errorf("delivery %d: reported OK, receiver got nothing", i)
						}
					}
					var o []outcome
					for _, r := range res {
						o = append(o, outcomeOf(r))
					}
					outs, wires = append(outs, o), append(wires, w.got())
				})
			}
			if tc.racyDeliver || len(outs) != 2 {
				return
			}
			if diff := cmp.Diff(outs[0], outs[1]); diff != "" {
				t.Errorf("results differ (-deliver +burst):\n%s", diff)
			}
			if diff := cmp.Diff(wires[0], wires[1]); diff != "" {
				t.Errorf("requests on the wire differ (-deliver +burst):\n%s", diff)
			}
		})
	}
}

func runCase(t *testing.T, tc pathCase, p sendPath) ([]Result, *wire, *atomic.Int32) {
	t.Helper()
	w := &wire{closed: make(chan struct{}, 4*tc.n)}
	base := tc.server(t, w)
	w.mu.Lock()
	w.host = base[strings.LastIndex(base, "@")+1:][len("http://"):]
	w.base = base
	w.mu.Unlock()
	path := tc.path
	if path == "" {
		path = "/webhooks"
	}
	var dial dialFunc
	dials := &atomic.Int32{}
	if tc.dial != nil {
		dial, dials = tc.dial()
	}
	opts := tc.opts
	if opts.UserAgent == "" {
		opts.UserAgent = "lcwh/test"
	}
	fs := &fakeSleep{}
	opts.Sleep = fs.sleep
	s := p.sender(t, opts, dial)
	reqs := make([]Request, tc.n)
	for i := range reqs {
		h := http.Header{"X-Test": {"1"}}
		if tc.header != nil {
			h = tc.header(i)
		}
		reqs[i] = Request{URL: base + path, Body: []byte(body(i)), Header: h}
	}
	before := func(i int) {
		if tc.before != nil {
			tc.before(i, w)
		}
	}
	return p.send(t, s, reqs, before), w, dials
}

func ok(status int, text string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, text)
	}
}

// wantOutcomes checks every result against want.
func wantOutcomes(want ...outcome) func(t *testing.T, res []Result, _ *wire, _ *atomic.Int32) {
	return func(t *testing.T, res []Result, _ *wire, _ *atomic.Int32) {
		t.Helper()
		var got []outcome
		for _, r := range res {
			got = append(got, outcomeOf(r))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
	}
}

func pathCases() []pathCase {
	ok200 := outcome{Status: 200, Attempts: 1, OK: true}
	return []pathCase{
		{
			name: "200 on one kept-alive connection", n: 3,
			server: func(t *testing.T, w *wire) string { return handlerServer(t, w, ok(200, "fine")) },
			check: func(t *testing.T, res []Result, w *wire, _ *atomic.Int32) {
				wantOutcomes(ok200, ok200, ok200)(t, res, w, nil)
				if n := w.conns.Load(); n != 1 {
					t.Errorf("%d connections, want 1", n)
				}
			},
		},
		{
			name: "Host header, userinfo and repeated headers", n: 2, path: "/webhooks?x=1&y=%20",
			server: func(t *testing.T, w *wire) string {
				u := handlerServer(t, w, ok(200, ""))
				return strings.Replace(u, "http://", "http://me:p%40ss@", 1)
			},
			header: func(int) http.Header {
				return http.Header{"Host": {"tunnel.example"}, "X-Trace": {"a", "b"}, "Content-Type": {"application/json; charset=utf-8"}}
			},
			check: func(t *testing.T, res []Result, w *wire, _ *atomic.Int32) {
				wantOutcomes(ok200, ok200)(t, res, w, nil)
				got := w.got()[0]
				for _, want := range []string{"POST /webhooks?x=1&y=%20 HTTP/1.1\n", "Host: tunnel.example\n",
					"Authorization: Basic bWU6cEBzcw==\n", "X-Trace: a | b\n", "Content-Type: application/json; charset=utf-8\n",
					"User-Agent: lcwh/test\n", "Content-Length: 7\n"} {
					if !strings.Contains(got, want) {
						t.Errorf("request lacks %q:\n%s", want, got)
					}
				}
			},
		},
		{
			name: "202 warns", n: 1,
			server: func(t *testing.T, w *wire) string { return handlerServer(t, w, ok(202, "")) },
			check: wantOutcomes(outcome{Status: 202, Attempts: 1, OK: true,
				Warning: "HTTP 202: LiveChat documents only 200 as success"}),
		},
		{
			name: "500 chunked body is cut, retried identically", n: 2, opts: Options{Retries: 1},
			server: func(t *testing.T, w *wire) string {
				return handlerServer(t, w, func(rw http.ResponseWriter, _ *http.Request) {
					rw.WriteHeader(500)
					_, _ = io.WriteString(rw, "  part one ")
					rw.(http.Flusher).Flush()
					_, _ = io.WriteString(rw, strings.Repeat("x", 2000))
				})
			},
			check: func(t *testing.T, res []Result, w *wire, _ *atomic.Int32) {
				cut := "part one " + strings.Repeat("x", DefaultBodyCut-len("  part one "))
				o := outcome{Status: 500, Attempts: 2, RespBody: cut, Err: "HTTP 500 Internal Server Error"}
				wantOutcomes(o, o)(t, res, w, nil)
				if got := w.got(); len(got) != 4 || got[0] != got[1] || got[2] != got[3] {
					t.Errorf("retries are not identical: %q", got)
				}
			},
		},
		{
			name: "redirect is not followed", n: 1,
			server: func(t *testing.T, w *wire) string {
				return handlerServer(t, w, func(rw http.ResponseWriter, r *http.Request) {
					http.Redirect(rw, r, "/moved", http.StatusFound)
				})
			},
			opts: Options{NoRetry: true},
			check: func(t *testing.T, res []Result, w *wire, _ *atomic.Int32) {
				var se *StatusError
				if !errors.As(res[0].Err, &se) || se.Status != 302 || se.Location != "/moved" || len(w.got()) != 1 {
					t.Errorf("%+v, %d requests", res[0], len(w.got()))
				}
			},
		},
		{
			name: "Connection close gets a fresh connection", n: 3,
			server: func(t *testing.T, w *wire) string {
				return handlerServer(t, w, func(rw http.ResponseWriter, _ *http.Request) {
					rw.Header().Set("Connection", "close")
					_, _ = io.WriteString(rw, "bye")
				})
			},
			check: func(t *testing.T, res []Result, w *wire, _ *atomic.Int32) {
				wantOutcomes(ok200, ok200, ok200)(t, res, w, nil)
				if n := w.conns.Load(); n != 3 {
					t.Errorf("%d connections, want 3", n)
				}
			},
		},
		{
			name: "interim 100 then HTTP/1.0 body until EOF", n: 2, opts: Options{NoRetry: true},
			server: func(t *testing.T, w *wire) string {
				return rawServer(t, w, func(c net.Conn, read func() (string, bool)) {
					if _, ok := read(); ok {
						_, _ = io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 503 Service Unavailable\r\n\r\nbusy until EOF")
					}
				})
			},
			check: wantOutcomes(
				outcome{Status: 503, Attempts: 1, RespBody: "busy until EOF", Err: "HTTP 503 Service Unavailable"},
				outcome{Status: 503, Attempts: 1, RespBody: "busy until EOF", Err: "HTTP 503 Service Unavailable"}),
		},
		{
			name: "8 KiB response headers", n: 2,
			server: func(t *testing.T, w *wire) string {
				return handlerServer(t, w, func(rw http.ResponseWriter, _ *http.Request) {
					rw.Header().Set("X-Big", strings.Repeat("b", 8<<10))
					for i := range 64 {
						rw.Header().Set("X-Many-"+strconv.Itoa(i), strings.Repeat("m", 100))
					}
				})
			},
			check: wantOutcomes(ok200, ok200),
		},
		{
			name: "response headers over the limit fail", n: 1, opts: Options{NoRetry: true},
			server: func(t *testing.T, w *wire) string {
				return rawServer(t, w, func(c net.Conn, read func() (string, bool)) {
					if _, ok := read(); ok {
						_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\n")
						line := "X-Pad: " + strings.Repeat("p", 1000) + "\r\n"
						for range (maxResponseHeader / len(line)) + 10 {
							if _, err := io.WriteString(c, line); err != nil {
								return
							}
						}
						_, _ = io.WriteString(c, "\r\n")
					}
				})
			},
			check: wantOutcomes(outcome{Attempts: 1, Err: "other"}),
		},
		{
			// The receiver reads request 1 in full on the kept-alive
			// connection and closes it without answering: it may have
			// processed it, so it must not be resent.
			name: "dropped after reading, kept-alive connection", n: 3, opts: Options{NoRetry: true},
			server: dropServer(body(1)),
			check: func(t *testing.T, res []Result, w *wire, _ *atomic.Int32) {
				wantOutcomes(ok200, outcome{Attempts: 1, Err: "closed"}, ok200)(t, res, w, nil)
				for i := range 3 {
					if n := w.copies(body(i)); n != 1 {
						t.Errorf("delivery %d arrived %d times, want once", i, n)
					}
				}
			},
		},
		{
			name: "dropped after reading, fresh connection", n: 1, opts: Options{NoRetry: true},
			server: dropServer(body(0)),
			check: func(t *testing.T, res []Result, w *wire, _ *atomic.Int32) {
				wantOutcomes(outcome{Attempts: 1, Err: "closed"})(t, res, w, nil)
				if n := w.copies(body(0)); n != 1 {
					t.Errorf("arrived %d times, want once", n)
				}
			},
		},
		{
			// LiveChat's own retries do resend: each is an attempt.
			name: "dropped after reading, with retries", n: 2, opts: Options{Retries: 2},
			server: dropServer(body(1)),
			check: func(t *testing.T, res []Result, w *wire, _ *atomic.Int32) {
				wantOutcomes(ok200, outcome{Attempts: 3, Err: "closed"})(t, res, w, nil)
				if n := w.copies(body(1)); n != 3 {
					t.Errorf("arrived %d times, want 3 (one per attempt)", n)
				}
			},
		},
		{
			// Nothing of request 1 leaves on the kept-alive connection:
			// resent on a fresh one, and the resend is an attempt.
			name: "reset before any byte is written, kept-alive connection", n: 2, opts: Options{NoRetry: true},
			server: func(t *testing.T, w *wire) string { return handlerServer(t, w, ok(200, "")) },
			dial:   func() (dialFunc, *atomic.Int32) { return faultDial(0, 1, resetNothingWritten) },
			check: func(t *testing.T, res []Result, w *wire, dials *atomic.Int32) {
				wantOutcomes(ok200, outcome{Status: 200, Attempts: 2, OK: true})(t, res, w, nil)
				if n := w.copies(body(1)); n != 1 || dials.Load() != 2 {
					t.Errorf("arrived %d times over %d connections, want once over 2", n, dials.Load())
				}
			},
		},
		{
			name: "reset before any byte is written, fresh connection", n: 1, opts: Options{NoRetry: true},
			server: func(t *testing.T, w *wire) string { return handlerServer(t, w, ok(200, "")) },
			dial:   func() (dialFunc, *atomic.Int32) { return faultDial(0, 0, resetNothingWritten) },
			check: func(t *testing.T, res []Result, w *wire, dials *atomic.Int32) {
				wantOutcomes(outcome{Attempts: 1, Err: "closed"})(t, res, w, nil)
				if dials.Load() != 1 {
					t.Errorf("%d connections: a fresh connection's failure is not resent", dials.Load())
				}
			},
		},
		{
			name: "reset after half the request is written", n: 2, opts: Options{NoRetry: true},
			server: func(t *testing.T, w *wire) string { return handlerServer(t, w, ok(200, "")) },
			dial:   func() (dialFunc, *atomic.Int32) { return faultDial(0, 1, resetHalfWritten) },
			check: func(t *testing.T, res []Result, w *wire, dials *atomic.Int32) {
				wantOutcomes(ok200, outcome{Attempts: 1, Err: "closed"})(t, res, w, nil)
				if dials.Load() != 1 {
					t.Errorf("%d connections: a half-written request was resent", dials.Load())
				}
			},
		},
		{
			name: "no response within the timeout", n: 1, opts: Options{NoRetry: true, Timeout: 20 * time.Millisecond},
			server: func(t *testing.T, w *wire) string {
				release := make(chan struct{})
				t.Cleanup(func() { close(release) })
				return rawServer(t, w, func(_ net.Conn, read func() (string, bool)) {
					read()
					<-release
				})
			},
			check: wantOutcomes(outcome{Attempts: 1, Err: "timeout"}),
		},
		{
			name: "connection refused", n: 1, opts: Options{NoRetry: true},
			server: func(t *testing.T, _ *wire) string {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				addr := ln.Addr().String()
				_ = ln.Close()
				return "http://" + addr
			},
			check: func(t *testing.T, res []Result, w *wire, _ *atomic.Int32) {
				var re *RefusedError
				if !errors.As(res[0].Err, &re) || res[0].Attempts != 1 || "http://"+re.Addr != w.base {
					t.Errorf("%+v", res[0])
				}
			},
		},
		{
			// Each request builds a fresh header map with its own token
			// and the heap is collected in between, so a cache keyed on a
			// map's address would hand out a freed map's text.
			name: "headers are built per request across GC", n: 40,
			server: func(t *testing.T, w *wire) string {
				return handlerServer(t, w, func(_ http.ResponseWriter, _ *http.Request) {})
			},
			header: func(i int) http.Header {
				return http.Header{"Authorization": {"jwt-" + strconv.Itoa(i)}, "Content-Type": {"application/json"}}
			},
			before: func(int, *wire) { runtime.GC() },
			check: func(t *testing.T, _ []Result, w *wire, _ *atomic.Int32) {
				for i, got := range w.got() {
					if !strings.Contains(got, "Authorization: jwt-"+strconv.Itoa(i)+"\n") || !strings.HasSuffix(got, body(i)) {
						t.Errorf("request %d carries another's headers:\n%s", i, got)
					}
				}
				if len(w.got()) != 40 {
					t.Errorf("%d requests", len(w.got()))
				}
			},
		},
		idleCloseCase(),
	}
}

// dropServer answers every request with 200 on a kept-alive connection but
// the one whose body is drop: that one it reads in full, then it closes the
// connection without a word.
func dropServer(drop string) func(t *testing.T, w *wire) string {
	return func(t *testing.T, w *wire) string {
		return rawServer(t, w, func(c net.Conn, read func() (string, bool)) {
			for {
				got, ok := read()
				if !ok || got == drop {
					return
				}
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
		})
	}
}

// idleCloseCase: the receiver answers on a kept-alive connection, then
// closes it while it is idle (a keep-alive timeout), before the next request.
// The worker's own connection sees the close before writing and uses a
// fresh one: every delivery succeeds once. net/http notices the close in a
// background goroutine that can lose the race with the next request (then a
// written POST fails rather than being resent), so for Deliver only the
// never-duplicated invariant is checked.
func idleCloseCase() pathCase {
	return pathCase{
		name: "receiver closes the idle kept-alive connection", n: 4, opts: Options{NoRetry: true},
		server: func(t *testing.T, w *wire) string {
			return rawServer(t, w, func(c net.Conn, read func() (string, bool)) {
				defer func() { w.closed <- struct{}{} }()
				if _, ok := read(); ok {
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
				_ = c.Close()
			})
		},
		before: func(_ int, w *wire) {
			// Every connection the receiver accepted so far is closed on
			// its side.
			for w.seen < int(w.conns.Load()) {
				<-w.closed
				w.seen++
			}
		},
		check: func(t *testing.T, res []Result, w *wire, _ *atomic.Int32) {
			ok200 := outcome{Status: 200, Attempts: 1, OK: true}
			wantOutcomes(ok200, ok200, ok200, ok200)(t, res, w, nil)
			if n := w.conns.Load(); n != 4 {
				t.Errorf("%d connections, want 4", n)
			}
		},
		racyDeliver: true,
	}
}
