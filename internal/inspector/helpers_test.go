package inspector

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/listener"
)

const testToken = "test-token-0123456789"

// testServer is a Server bound on loopback and serving.
type testServer struct {
	*Server
	t    *testing.T
	base string
}

func start(t *testing.T, cfg Config) *testServer {
	t.Helper()
	cfg.Token = testToken
	if cfg.FlushEvery == 0 {
		cfg.FlushEvery = -1
	}
	cfg.SenderOptions.Sleep = func(context.Context, time.Duration) error { return nil }
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := s.Bind("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(context.Background()) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &testServer{Server: s, t: t, base: "http://" + addr.String()}
}

// req makes a request as the page would: the token as a bearer, and for
// anything but GET a same-origin Origin.
func (ts *testServer) req(method, path, body string) *http.Request {
	ts.t.Helper()
	r, err := http.NewRequestWithContext(context.Background(), method, ts.base+path, strings.NewReader(body))
	if err != nil {
		ts.t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+testToken)
	if method != http.MethodGet {
		r.Header.Set("Origin", ts.base)
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

func (ts *testServer) do(r *http.Request) (int, http.Header, []byte) {
	ts.t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// getJSON GETs path and decodes a 200 answer into v.
func (ts *testServer) getJSON(path string, v any) {
	ts.t.Helper()
	code, _, b := ts.do(ts.req(http.MethodGet, path, ""))
	if code != http.StatusOK {
		ts.t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		ts.t.Fatalf("GET %s: %v\n%s", path, err, b)
	}
}

// sample is a listener event of catalog kind name, as received.
func sample(t *testing.T, seq uint64, name string) *listener.Event {
	t.Helper()
	k, ok := catalog.Lookup(name)
	if !ok {
		t.Fatalf("no kind %s", name)
	}
	body, err := catalog.Sample(k)
	if err != nil {
		t.Fatal(err)
	}
	return event(seq, body)
}

func event(seq uint64, body []byte) *listener.Event {
	ev := &listener.Event{Seq: seq, ReceivedAt: time.Date(2026, 5, 1, 12, 0, int(seq%60), 0, time.UTC), Method: "POST", Path: "/webhooks",
		Header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer abcdefghijklmnop"}},
		Body:   body, Status: http.StatusOK}
	ev.Envelope = listener.Classify(body)
	return ev
}

// sseMsg is one server-sent event.
type sseMsg struct {
	id, event, data string
}

// field takes one "name: value" line of a message.
func (m *sseMsg) field(line string) {
	switch {
	case strings.HasPrefix(line, "id: "):
		m.id = line[4:]
	case strings.HasPrefix(line, "event: "):
		m.event = line[7:]
	case strings.HasPrefix(line, "data: "):
		m.data = line[6:]
	}
}

// sseReader reads messages off a feed, handing them out on a channel.
type sseReader struct {
	msgs chan sseMsg
	stop func()
}

func (ts *testServer) stream(query, lastID string) *sseReader {
	ts.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := ts.req(http.MethodGet, "/api/stream"+query, "")
	r = r.WithContext(ctx)
	if lastID != "" {
		r.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		ts.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		ts.t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := &sseReader{msgs: make(chan sseMsg, 1024)}
	done := make(chan struct{})
	out.stop = func() { cancel(); <-done }
	go func() {
		defer close(done)
		defer resp.Body.Close()
		defer close(out.msgs)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		var m sseMsg
		for sc.Scan() {
			line := sc.Text()
			if line != "" {
				m.field(line)
				continue
			}
			if m.event != "" {
				out.msgs <- m
			}
			m = sseMsg{}
		}
	}()
	ts.t.Cleanup(out.stop)
	return out
}

// next waits for the next message (the test's own deadline bounds it).
func (s *sseReader) next(t *testing.T) sseMsg {
	t.Helper()
	m, ok := <-s.msgs
	if !ok {
		t.Fatal("the feed ended")
	}
	return m
}

func rowsOf(t *testing.T, m sseMsg) []rowJSON {
	t.Helper()
	var d struct {
		Events []rowJSON `json:"events"`
	}
	if err := json.Unmarshal([]byte(m.data), &d); err != nil {
		t.Fatalf("%v: %s", err, m.data)
	}
	return d.Events
}
