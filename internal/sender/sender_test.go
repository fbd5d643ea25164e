package sender

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recorder is a receiver that keeps every body it got.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
	status int
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, b)
	r.mu.Unlock()
	w.WriteHeader(r.status)
	_, _ = io.WriteString(w, "status "+strconv.Itoa(r.status))
}

func (r *recorder) got() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// fakeSleep records pauses without waiting.
type fakeSleep struct {
	mu     sync.Mutex
	pauses []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.pauses = append(f.pauses, d)
	f.mu.Unlock()
	return ctx.Err()
}

func TestSchedule(t *testing.T) {
	got := Schedule(5*time.Second, 5)
	want := []time.Duration{5 * time.Second, 15 * time.Second, 40 * time.Second, 40 * time.Second, 40 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Schedule (-want +got):\n%s", diff)
	}
}

func TestDeliverOK(t *testing.T) {
	rec := &recorder{status: 200}
	srv := newServer(t, rec)
	s := New(srv.Client(), Options{})
	res := s.Deliver(context.Background(), Request{URL: srv.URL, Body: []byte(`{"a":1}`)})
	if res.Err != nil || res.Status != 200 || res.Attempts != 1 || res.Warning != "" || res.RespBody != nil {
		t.Fatalf("got %+v", res)
	}
	if got := rec.got(); len(got) != 1 || string(got[0]) != `{"a":1}` {
		t.Errorf("bodies %q", got)
	}
}

func TestDeliverRetriesIdenticalBody(t *testing.T) {
	rec := &recorder{status: 500}
	srv := newServer(t, rec)
	fs := &fakeSleep{}
	s := New(srv.Client(), Options{Sleep: fs.sleep})
	body := []byte(`{"webhook_id":"x"}`)
	res := s.Deliver(context.Background(), Request{URL: srv.URL, Body: body})
	var se *StatusError
	if !errors.As(res.Err, &se) || se.Status != 500 || res.Attempts != 4 {
		t.Fatalf("got %+v", res)
	}
	if string(res.RespBody) != "status 500" {
		t.Errorf("RespBody = %q", res.RespBody)
	}
	got := rec.got()
	if len(got) != 4 {
		t.Fatalf("receiver got %d attempts, want 4", len(got))
	}
	for i, b := range got {
		if !bytes.Equal(b, body) {
			t.Errorf("attempt %d body %q, want %q", i+1, b, body)
		}
	}
	want := []time.Duration{5 * time.Second, 15 * time.Second, 40 * time.Second}
	if diff := cmp.Diff(want, fs.pauses); diff != "" {
		t.Errorf("pauses (-want +got):\n%s", diff)
	}
}

func TestDeliverNoRetry(t *testing.T) {
	rec := &recorder{status: 503}
	srv := newServer(t, rec)
	s := New(srv.Client(), Options{NoRetry: true, Retries: 3})
	res := s.Deliver(context.Background(), Request{URL: srv.URL, Body: []byte(`{}`)})
	if res.Attempts != 1 || res.OK() || len(rec.got()) != 1 {
		t.Fatalf("got %+v, %d requests", res, len(rec.got()))
	}
}

func TestDeliverOther2xxWarns(t *testing.T) {
	srv := newServer(t, &recorder{status: 202})
	s := New(srv.Client(), Options{})
	res := s.Deliver(context.Background(), Request{URL: srv.URL, Body: []byte(`{}`)})
	if !res.OK() || res.Status != 202 || res.Attempts != 1 || res.Warning == "" {
		t.Fatalf("got %+v", res)
	}
}

func TestDeliverTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer close(release)
	fs := &fakeSleep{}
	s := New(srv.Client(), Options{Timeout: 5 * time.Millisecond, Retries: 1, Sleep: fs.sleep})
	res := s.Deliver(context.Background(), Request{URL: srv.URL, Body: []byte(`{}`)})
	var te *TimeoutError
	if !errors.As(res.Err, &te) || res.Status != 0 || res.Attempts != 2 {
		t.Fatalf("got %+v", res)
	}
}

func TestDeliverRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	s := New(nil, Options{NoRetry: true})
	res := s.Deliver(context.Background(), Request{URL: "http://" + addr + "/webhooks", Body: []byte(`{}`)})
	var re *RefusedError
	if !errors.As(res.Err, &re) || re.Addr != addr {
		t.Fatalf("got %+v", res)
	}
	if want := "connection refused to " + addr; res.Err.Error() != want {
		t.Errorf("error %q, want %q", res.Err, want)
	}
}

func TestDeliverRedirectNotFollowed(t *testing.T) {
	var followed sync.Once
	hit := false
	mux := http.NewServeMux()
	mux.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/elsewhere", func(http.ResponseWriter, *http.Request) { followed.Do(func() { hit = true }) })
	srv := newServer(t, mux)
	s := New(srv.Client(), Options{NoRetry: true})
	res := s.Deliver(context.Background(), Request{URL: srv.URL + "/webhooks", Body: []byte(`{}`)})
	var se *StatusError
	if !errors.As(res.Err, &se) || se.Status != 308 || se.Location != "/elsewhere" {
		t.Fatalf("got %+v", res)
	}
	if hit {
		t.Error("redirect was followed")
	}
}

func TestDeliverCancelled(t *testing.T) {
	srv := newServer(t, &recorder{status: 500})
	ctx, cancel := context.WithCancel(context.Background())
	s := New(srv.Client(), Options{Sleep: func(context.Context, time.Duration) error {
		cancel()
		return context.Canceled
	}})
	res := s.Deliver(ctx, Request{URL: srv.URL, Body: []byte(`{}`)})
	if res.Attempts != 1 || res.OK() {
		t.Fatalf("got %+v", res)
	}
}

func TestCheckURL(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/webhooks", "https://example.com"} {
		if err := CheckURL(u); err != nil {
			t.Errorf("CheckURL(%q) = %v", u, err)
		}
	}
	for _, u := range []string{"", "127.0.0.1:8080", "ftp://x", "http://"} {
		if err := CheckURL(u); !errors.Is(err, ErrBadURL) {
			t.Errorf("CheckURL(%q) = %v, want ErrBadURL", u, err)
		}
	}
}

func TestDeliverHostHeaderAndBasicAuth(t *testing.T) {
	var gotHost, gotUser, gotPass string
	srv := newServer(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		gotHost = r.Host
		gotUser, gotPass, _ = r.BasicAuth()
	}))
	u := strings.Replace(srv.URL, "http://", "http://me:pw@", 1)
	s := New(srv.Client(), Options{})
	res := s.Deliver(context.Background(), Request{URL: u, Body: []byte(`{}`),
		Header: http.Header{"Host": {"tunnel.example"}, "Content-Type": {"application/json"}}})
	if !res.OK() || gotHost != "tunnel.example" || gotUser != "me" || gotPass != "pw" {
		t.Fatalf("res %+v, host %q, user %q, pass %q", res, gotHost, gotUser, gotPass)
	}
}

func TestDeliverEachReportsEveryAttempt(t *testing.T) {
	codes := []int{500, 503, 200}
	var n int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(codes[n])
		n++
	}))
	defer srv.Close()
	s := New(srv.Client(), Options{Sleep: func(context.Context, time.Duration) error { return nil }})
	var seen []int
	res := s.DeliverEach(context.Background(), Request{URL: srv.URL, Body: []byte(`{}`)}, func(r Result) {
		seen = append(seen, r.Status)
	})
	if !res.OK() || res.Attempts != 3 {
		t.Fatalf("result: ok %v attempts %d, want ok after 3", res.OK(), res.Attempts)
	}
	if diff := cmp.Diff([]int{500, 503, 200}, seen); diff != "" {
		t.Errorf("attempts seen (-want +got):\n%s", diff)
	}
}
