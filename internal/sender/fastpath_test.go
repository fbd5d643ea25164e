package sender

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// burstOne runs a one-worker burst of n identical-URL deliveries through the
// fast path (nil client) and returns the summary and the deliveries.
func burstFast(t *testing.T, url string, n int, opts Options, body func(i int) string) (Summary, []Delivery) {
	t.Helper()
	s := New(nil, opts)
	if !s.fastTarget(url) {
		t.Fatalf("%s does not take the fast path", url)
	}
	out := make(chan Delivery)
	done := make(chan Summary)
	go func() {
		done <- s.Burst(context.Background(), Burst{Count: n, Concurrency: 1,
			Next: func(i int, buf []byte) (Request, error) {
				return Request{URL: url, Body: append(buf, body(i)...),
					Header: http.Header{"X-Test": {"1"}}}, nil
			}}, out)
	}()
	var ds []Delivery
	for d := range out {
		ds = append(ds, d)
	}
	return <-done, ds
}

func TestFastPathStatuses(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   func(t *testing.T, r Result)
	}{
		{"ok", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "fine") },
			func(t *testing.T, r Result) {
				if r.Err != nil || r.Status != 200 || r.RespBody != nil || r.Warning != "" {
					t.Errorf("%+v", r)
				}
			}},
		{"202", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(202) },
			func(t *testing.T, r Result) {
				if r.Err != nil || r.Status != 202 || r.Warning == "" {
					t.Errorf("%+v", r)
				}
			}},
		{"500 chunked", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			_, _ = io.WriteString(w, "part one ")
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, strings.Repeat("x", 2000))
		}, func(t *testing.T, r Result) {
			var se *StatusError
			if !errors.As(r.Err, &se) || se.Status != 500 || !strings.HasPrefix(string(r.RespBody), "part one xx") ||
				len(r.RespBody) != DefaultBodyCut {
				t.Errorf("%+v (%d bytes)", r, len(r.RespBody))
			}
		}},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/moved", http.StatusFound)
		}, func(t *testing.T, r Result) {
			var se *StatusError
			if !errors.As(r.Err, &se) || se.Status != 302 || se.Location != "/moved" {
				t.Errorf("%+v", r)
			}
		}},
		{"connection close", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			_, _ = io.WriteString(w, "bye")
		}, func(t *testing.T, r Result) {
			if r.Err != nil || r.Status != 200 {
				t.Errorf("%+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var bodies []string
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				bodies = append(bodies, string(b)+"|"+r.Header.Get("X-Test")+"|"+r.Header.Get("Content-Type"))
				mu.Unlock()
				tt.handler(w, r)
			}))
			fs := &fakeSleep{}
			sum, ds := burstFast(t, srv.URL+"/webhooks?x=1", 3, Options{Sleep: fs.sleep},
				func(i int) string { return `{"i":` + string(rune('0'+i)) + `}` })
			if len(ds) != 3 || sum.Sent != 3 {
				t.Fatalf("got %d deliveries", len(ds))
			}
			for _, d := range ds {
				tt.check(t, d.Result)
			}
			mu.Lock()
			defer mu.Unlock()
			if bodies[0] != `{"i":0}|1|application/json` {
				t.Errorf("first request %q", bodies[0])
			}
			if ds[0].Result.Err != nil && len(bodies) != 12 {
				t.Errorf("failing receiver got %d requests, want 3 deliveries x 4 attempts", len(bodies))
			}
			if ds[0].Result.Err != nil && (bodies[0] != bodies[1] || bodies[1] != bodies[3]) {
				t.Errorf("retries differ: %q", bodies[:4])
			}
		})
	}
}

// rawServer answers each connection with handle, for responses net/http
// would not produce.
func rawServer(t *testing.T, handle func(c net.Conn, r *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c, bufio.NewReader(c))
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/webhooks"
}

// readRequest consumes one request, reporting false at EOF.
func readRequest(r *bufio.Reader) bool {
	req, err := http.ReadRequest(r)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, req.Body)
	return true
}

func TestFastPathServerClosesIdleConnection(t *testing.T) {
	// One response per connection, then close without saying so: the
	// next request must be resent on a fresh connection.
	url := rawServer(t, func(c net.Conn, r *bufio.Reader) {
		if readRequest(r) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	sum, _ := burstFast(t, url, 5, Options{NoRetry: true}, func(int) string { return "{}" })
	if sum.Succeeded != 5 {
		t.Fatalf("summary %+v, first error %v", sum, sum.FirstError)
	}
}

func TestFastPathInterimAndEOFBody(t *testing.T) {
	url := rawServer(t, func(c net.Conn, r *bufio.Reader) {
		if readRequest(r) {
			_, _ = io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 503 Service Unavailable\r\n\r\nbusy until EOF")
		}
	})
	sum, ds := burstFast(t, url, 2, Options{NoRetry: true}, func(int) string { return "{}" })
	if sum.Failed != 2 || ds[0].Result.Status != 503 || string(ds[0].Result.RespBody) != "busy until EOF" {
		t.Fatalf("summary %+v, first %+v", sum, ds[0].Result)
	}
}

func TestFastPathTimeoutAndRefused(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	url := rawServer(t, func(c net.Conn, r *bufio.Reader) {
		readRequest(r)
		<-release
	})
	sum, _ := burstFast(t, url, 1, Options{NoRetry: true, Timeout: 5 * time.Millisecond}, func(int) string { return "{}" })
	var te *TimeoutError
	if !errors.As(sum.FirstError, &te) {
		t.Errorf("slow receiver: %v", sum.FirstError)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	sum, _ = burstFast(t, "http://"+addr+"/w", 1, Options{NoRetry: true}, func(int) string { return "{}" })
	var re *RefusedError
	if !errors.As(sum.FirstError, &re) || re.Addr != addr {
		t.Errorf("closed port: %v", sum.FirstError)
	}
}

func TestFastTarget(t *testing.T) {
	t.Setenv("HTTP_PROXY", "")
	s := New(nil, Options{})
	for u, want := range map[string]bool{
		"http://127.0.0.1:8080/webhooks": true,
		"https://127.0.0.1:8080/x":       false,
		"http://me:pw@127.0.0.1/x":       false,
	} {
		if got := s.fastTarget(u); got != want {
			t.Errorf("fastTarget(%q) = %v, want %v", u, got, want)
		}
	}
	if New(http.DefaultClient, Options{}).fastTarget("http://127.0.0.1/x") {
		t.Error("a caller's client must not be bypassed")
	}
}

func TestAppendHeaders(t *testing.T) {
	got := appendHeaders(nil, http.Header{"B": {"2"}, "A": {"1", "x"}, "Content-Length": {"9"}}, "ua/1")
	want := "A: 1\r\nA: x\r\nB: 2\r\nContent-Type: application/json\r\nUser-Agent: ua/1\r\n"
	if !bytes.Equal(got, []byte(want)) {
		t.Errorf("got %q, want %q", got, want)
	}
}
