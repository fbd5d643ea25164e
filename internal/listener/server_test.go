package listener

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/valyala/fasthttp"

	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/signature"
)

// answer is what a client sees of one request, and what was kept of it.
type answer struct {
	Status     int
	Body       string
	Allow      string
	RetryAfter string
	Type       string
	// Record is the saved record ("" when none was saved), and Line its
	// bytes: both servers must write the same line (the clock is fixed).
	Record *eventlog.Record
	Line   string
}

var testMondaySecret = []byte("monday-signing-secret")

// rawCase is one request as bytes on the wire; {host} is replaced.
type rawCase struct {
	name string
	raw  string
}

func rawReq(method, path, extra, body string) string {
	return method + " " + path + " HTTP/1.1\r\nHost: {host}\r\n" + extra +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

func chunked(path, body string) string {
	var b strings.Builder
	b.WriteString("POST " + path + " HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
	for len(body) > 0 {
		n := min(7, len(body))
		b.WriteString(strconv.FormatInt(int64(n), 16) + "\r\n" + body[:n] + "\r\n")
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

func differentialCases(t *testing.T) []rawCase {
	good := string(sample(t, "incoming_event"))
	forged := strings.Replace(good, testSecret, "another-secret-entirely", 1)
	ct := "Content-Type: application/json\r\n"
	// A monday event is verified from its Authorization header, which a
	// quiet listener then reads before its record is written.
	token, err := signature.SignMonday(testMondaySecret, "https://x", 1, 2, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	monday := string(sample(t, "install"))
	return []rawCase{
		{"monday verified", rawReq("POST", "/hook", ct+"X-B: 1\r\nAuthorization: Bearer "+token+"\r\nX-A: 2\r\n", monday)},
		{"valid", rawReq("POST", "/hook", ct, good)},
		{"trailing newline", rawReq("POST", "/hook", ct, good+"\n")},
		{"leading spaces and CRLF", rawReq("POST", "/hook", ct, "  \t"+strings.ReplaceAll(good, "\n", "\r\n")+"\r\n")},
		{"query string", rawReq("POST", "/hook?x=1", ct, good)},
		{"chunked", chunked("/hook", good)},
		{"chunked over max-body", chunked("/hook", `{"a":"`+strings.Repeat("x", 5000)+`"}`)},
		{"declared over max-body", "POST /hook HTTP/1.1\r\nHost: {host}\r\nContent-Length: 999999\r\n\r\n{}"},
		{"expect continue", rawReq("POST", "/hook", ct+"Expect: 100-continue\r\n", good)},
		{"http/1.0", strings.Replace(rawReq("POST", "/hook", ct, good), "HTTP/1.1", "HTTP/1.0", 1)},
		{"repeated and lower-case headers", rawReq("POST", "/hook", "x-trace: a\r\nX-Trace: b\r\ncontent-type: application/json\r\nuser-agent: LiveChat-Webhooks\r\nAuthorization: Bearer t\r\n", good)},
		{"header with utf-8", rawReq("POST", "/hook", ct+"X-Name: Zo\xc3\xab\r\n", good)},
		{"header not utf-8", rawReq("POST", "/hook", ct+"X-Name: Zo\xeb\r\nX-Name: \xff\r\n", good)},
		{"many headers", rawReq("POST", "/hook", ct+manyHeaders(30), good)},
		{"no headers but the length", "POST /hook HTTP/1.1\r\nHost: {host}\r\nContent-Length: " + strconv.Itoa(len(good)) + "\r\n\r\n" + good},
		{"folded header", rawReq("POST", "/hook", ct+"X-Folded: one\r\n two\r\n", good)},
		{"invalid JSON", rawReq("POST", "/hook", ct, `{"action":`)},
		{"empty body", rawReq("POST", "/hook", ct, "")},
		{"too deep", rawReq("POST", "/hook", ct, strings.Repeat("[", 60)+strings.Repeat("]", 60))},
		{"forged secret", rawReq("POST", "/hook", ct, forged)},
		{"wrong path", rawReq("POST", "/other", ct, good)},
		{"GET health", "GET / HTTP/1.1\r\nHost: {host}\r\n\r\n"},
		{"GET hook", "GET /hook HTTP/1.1\r\nHost: {host}\r\n\r\n"},
		{"PUT", rawReq("PUT", "/hook", ct, good)},
	}
}

// manyHeaders is n header lines out of name order, some names repeated.
func manyHeaders(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("X-H" + strconv.Itoa((n-i)%7) + ": v" + strconv.Itoa(i) + "\r\n")
	}
	return b.String()
}

// TestDifferentialServers sends the same raw requests to the fasthttp
// server listen uses and to the core behind net/http (ServeHTTP), and
// compares what the client got and what was saved: with a display, and
// quiet, where the fasthttp side saves the record from fasthttp's headers
// as they are (headerless) and the net/http side from r.Header.
func TestDifferentialServers(t *testing.T) {
	for _, mode := range []struct {
		name string
		emit bool
	}{{"shown", true}, {"quiet", false}} {
		t.Run(mode.name, func(t *testing.T) {
			save, err := os.Create(filepath.Join(t.TempDir(), "save.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer save.Close()
			r := start(t, Config{
				Path: "/hook", MaxBody: 4096, MaxDepth: 50, Secrets: []string{testSecret}, RequireSecret: true,
				MondaySecret: testMondaySecret, Save: save, Emit: mode.emit,
			}, true)
			if r.l.headerless == mode.emit {
				t.Fatalf("headerless %v with Emit %v", r.l.headerless, mode.emit)
			}
			std := httptest.NewServer(r.l)
			defer std.Close()
			for _, c := range differentialCases(t) {
				t.Run(c.name, func(t *testing.T) {
					fast := exchange(t, r.url, c.raw, save)
					ref := exchange(t, std.URL, c.raw, save)
					if diff := cmp.Diff(ref, fast); diff != "" {
						t.Errorf("fasthttp differs from net/http (-net/http +fasthttp):\n%s", diff)
					}
					if fast.Status == 0 {
						t.Errorf("no answer")
					}
					if c.name == "monday verified" && (fast.Status != http.StatusOK || fast.Record == nil || fast.Record.Verify != eventlog.VerifyOK) {
						t.Errorf("monday event not verified and kept: %+v", fast)
					}
				})
			}
		})
	}
}

// exchange sends raw to the server at url and returns its answer and the
// record it saved, if any.
func exchange(t *testing.T, url, raw string, save *os.File) answer {
	t.Helper()
	host := strings.TrimPrefix(url, "http://")
	before, err := save.Seek(0, io.SeekEnd)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, strings.ReplaceAll(raw, "{host}", host)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	for err == nil && resp.StatusCode == http.StatusContinue {
		resp, err = http.ReadResponse(br, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{
		Status: resp.StatusCode, Body: string(b), Allow: resp.Header.Get("Allow"),
		RetryAfter: resp.Header.Get("Retry-After"), Type: resp.Header.Get("Content-Type"),
	}
	a.Record, a.Line = lastRecord(t, save.Name(), before)
	return a
}

func lastRecord(t *testing.T, path string, from int64) (*eventlog.Record, string) {
	t.Helper()
	all, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(all)) == from {
		return nil, ""
	}
	rd := eventlog.NewReader(bytes.NewReader(all[from:]))
	rec, err := rd.Next()
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	rec.ReceivedAt = fixedNow
	rec.Line = 0
	return rec, string(all[from:])
}

// TestUnreadBodyIsNotTheNextRequest: a body refused unread (declared over
// --max-body) that holds a whole request must not be served as one.
func TestUnreadBodyIsNotTheNextRequest(t *testing.T) {
	r := start(t, Config{Path: "/hook", MaxBody: 4096, Emit: true}, true)
	host := strings.TrimPrefix(r.url, "http://")
	inner := rawReq("POST", "/hook", "", `{"action":"incoming_event","webhook_id":"smuggled"}`)
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n"+strings.ReplaceAll(inner, "{host}", "x"))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	if second, err := http.ReadResponse(br, nil); err == nil {
		t.Fatalf("the unread body was served as a request: %d", second.StatusCode)
	}
	r.stop()
	if r.stats.Received != 0 || r.stats.Rejected != 1 {
		t.Errorf("stats %+v, want 1 rejected, 0 received", r.stats)
	}
}

// TestPipelined: requests pipelined on one connection are each answered
// and kept, in order.
func TestPipelined(t *testing.T) {
	buf := &syncBuffer{}
	r := start(t, Config{Path: "/hook", Save: buf, Emit: true}, true)
	host := strings.TrimPrefix(r.url, "http://")
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var all strings.Builder
	for i := range 3 {
		all.WriteString(rawReq("POST", "/hook", "", `{"action":"incoming_event","webhook_id":"p`+strconv.Itoa(i)+`"}`))
	}
	_, _ = io.WriteString(c, strings.ReplaceAll(all.String(), "{host}", "x"))
	br := bufio.NewReader(c)
	for i := range 3 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("answer %d: %d", i, resp.StatusCode)
		}
	}
	r.stop()
	lines := buf.Lines()
	if len(lines) != 3 {
		t.Fatalf("%d records, want 3", len(lines))
	}
	for i, l := range lines {
		if !strings.Contains(l, `p`+strconv.Itoa(i)) {
			t.Errorf("record %d out of order: %s", i, l)
		}
	}
}

// TestHeadersOverLimit: headers over headerLimit get 431 and a reason,
// and count as a rejection.
func TestHeadersOverLimit(t *testing.T) {
	r := start(t, Config{Path: "/hook", Emit: true}, true)
	req, _ := http.NewRequest(http.MethodPost, r.url+"/hook", strings.NewReader(`{"action":"x"}`))
	req.Header.Set("X-Big", strings.Repeat("a", headerLimit+1))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(string(b), "32 KiB") {
		t.Fatalf("%d %q, want 431 naming the limit", resp.StatusCode, b)
	}
	r.stop()
	if r.stats.Rejected != 1 {
		t.Errorf("stats %+v, want 1 rejected", r.stats)
	}
}

// TestServingCountsOnlyRequestsNotYetHandled: fasthttp keeps a connection
// active from its headers until its answer is flushed, after the handler
// returned. Pending adds inflight (from the handler's start) to serving, so
// serving must drop a connection the moment the handler takes it, or an
// answered request is still counted as being read.
func TestServingCountsOnlyRequestsNotYetHandled(t *testing.T) {
	l := New(Config{})
	s := l.newServer()
	c, peer := net.Pipe()
	defer c.Close()
	defer peer.Close()
	s.track(c, fasthttp.StateNew)
	if n := s.serving(); n != 0 {
		t.Fatalf("a new connection counts %d, want 0", n)
	}
	s.track(c, fasthttp.StateActive)
	if n := s.serving(); n != 1 {
		t.Fatalf("a connection whose request is being read counts %d, want 1", n)
	}
	s.entered(c)
	if n := s.serving(); n != 0 {
		t.Errorf("a connection whose request the handler took counts %d, want 0 (inflight counts it)", n)
	}
	s.track(c, fasthttp.StateIdle)
	s.track(c, fasthttp.StateClosed)
	s.entered(c) // a late call for a closed connection adds nothing back
	if len(s.conns) != 0 {
		t.Errorf("a closed connection is still tracked: %v", s.conns)
	}
}
