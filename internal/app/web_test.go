package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/commands/factory"
	"github.com/lcwh/lcwh/internal/iostreams"
)

// apiGet reads the inspector's JSON API with the token of pageURL.
func apiGet(t *testing.T, pageURL, path string, v any) {
	t.Helper()
	base, token, _ := strings.Cut(pageURL, "/?token=")
	r, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, base+path, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

type apiList struct {
	Events []struct {
		ID   uint64 `json:"id"`
		Kind string `json:"kind"`
	} `json:"events"`
	Kept int `json:"kept"`
}

// TestListenWebQuiet: --web with --quiet prints nothing per event, yet the
// inspector has every event (--quiet alone emits none): the listener hands
// them over itself, and the live feed carries each one.
func TestListenWebQuiet(t *testing.T) {
	e := newEnv(t)
	hook, page, stdout := listenWebArgs(t, e, "--quiet")
	rows := feedRows(t, page)
	if r := e.run("send-sample", "--all", "--url", hook); r.code != 0 {
		t.Fatalf("send-sample: %d %s", r.code, r.stderr)
	}
	// An event is acknowledged once saved, before the listener's consumer
	// takes it: the feed says when the inspector has them all.
	kinds := map[string]bool{}
	for len(kinds) < len(catalog.All()) {
		row := <-rows
		k, _ := row["kind"].(string)
		if kinds[k] {
			t.Fatalf("the feed carried %s twice", k)
		}
		kinds[k] = true
	}
	var l apiList
	apiGet(t, page, "/api/events?limit=1000", &l)
	if l.Kept != len(catalog.All()) {
		t.Fatalf("the inspector holds %d events, want %d", l.Kept, len(catalog.All()))
	}
	if out := stdout.String(); out != "" {
		t.Errorf("--quiet printed %q", out)
	}
}

// TestListenWebJSON: with --json and no --save the stream on stdout is
// the record; --web must not print its lines a second time.
func TestListenWebJSON(t *testing.T) {
	e := newEnv(t)
	hook, page, stdout := listenWebArgs(t, e, "--json")
	for _, k := range []string{"incoming_chat", "install"} {
		if r := e.run("send-sample", k, "--url", hook); r.code != 0 {
			t.Fatalf("send-sample: %d %s", r.code, r.stderr)
		}
	}
	var l apiList
	apiGet(t, page, "/api/events", &l)
	if l.Kept != 2 || l.Events[0].Kind != "install" {
		t.Fatalf("inspector: %+v", l)
	}
	if n := strings.Count(stdout.String(), "\n"); n != 2 {
		t.Errorf("stdout has %d lines, want one per event:\n%s", n, stdout.String())
	}
}

// TestListenWithoutWeb: no inspector, no URL, no flag of it accepted alone.
func TestListenWithoutWeb(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{
		{"listen", "--web-addr", "127.0.0.1:0"},
		{"listen", "--open"},
		{"listen", "--web", "--web-addr", "nonsense"},
		{"listen", "--web", "--web-addr", "127.0.0.1:99999"},
		{"inspect", "a.jsonl", "b.jsonl"},
		{"inspect", "--web", "-"},
		{"inspect", "--web", "--json", "a.jsonl"},
	} {
		if r := e.run(args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, r.code, r.stderr)
		}
	}
}

// TestInspectWeb: inspect --web serves the files' events with their file
// and line, and names the lines it could not read.
func TestInspectWeb(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	if err := os.WriteFile(a, []byte(`{"action":"incoming_chat","webhook_id":"w1"}`+"\nnot json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(`{"type":"install","data":{"account_id":7}}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stderr := &lockedWriter{want: "Ctrl-C to stop", seen: make(chan struct{})}
	ready := stderr.seen
	ios, _ := iostreams.Test()
	ios.ErrOut = stderr
	lookup := func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, factory.NewWith(build.Info{Version: "test"}, ios, lookup), []string{"inspect", "--web", "--web-addr", "127.0.0.1:0", a, b})
	}()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("inspect --web exited %d:\n%s", code, stderr.String())
	}
	m := regexp.MustCompile(`Serving 2 event\(s\) on (http://127\.0\.0\.1:\d+/\?token=[\w-]+)`).FindStringSubmatch(stderr.String())
	if m == nil || !strings.Contains(stderr.String(), "a.jsonl: line 2") {
		t.Fatalf("banner:\n%s", stderr.String())
	}
	var info struct {
		Mode  string   `json:"mode"`
		Files []string `json:"files"`
	}
	apiGet(t, m[1], "/api/info", &info)
	var ev struct {
		Kind   string `json:"kind"`
		Source string `json:"source"`
	}
	apiGet(t, m[1], "/api/events/1", &ev)
	if info.Mode != "files" || len(info.Files) != 2 || ev.Kind != "incoming_chat" || ev.Source != a+":1" {
		t.Errorf("info %+v, event %+v", info, ev)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("inspect --web exited %d after Ctrl-C:\n%s", code, stderr.String())
	}
}

// feedRows follows the inspector's live feed (?all=1) from now on and
// hands over its rows, until the test ends.
func feedRows(t *testing.T, pageURL string) <-chan map[string]any {
	t.Helper()
	base, token, _ := strings.Cut(pageURL, "/?token=")
	ctx, cancel := context.WithCancel(context.Background())
	r, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/stream?all=1", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	out := make(chan map[string]any, 64)
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var m struct{ Events []map[string]any }
			if json.Unmarshal([]byte(data), &m) != nil {
				continue
			}
			for _, row := range m.Events {
				select {
				case out <- row:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// TestListenWebRejections: requests the listener refuses (400 not JSON,
// 401 unverified with --require-secret, 405 wrong method, 413 too large)
// reach the inspector with their status and reason, apart from the
// accepted ones.
func TestListenWebRejections(t *testing.T) {
	e := newEnv(t)
	hook, page, _ := listenWebArgs(t, e, "--secret", browserSecret, "--require-secret", "--max-body", "1KiB", "--quiet")
	rows := feedRows(t, page)
	big := `{"action":"incoming_event","pad":"` + strings.Repeat("x", 2048) + `"}`
	for _, tt := range []struct {
		method, body string
		want         int
	}{
		{http.MethodPost, `{"action":"incoming_event",`, 400},
		{http.MethodPost, `{"action":"incoming_event","webhook_id":"w1","secret_key":"wrong","payload":{}}`, 401},
		{http.MethodPut, `{}`, 405},
		{http.MethodPost, big, 413},
	} {
		r, _ := http.NewRequestWithContext(context.Background(), tt.method, hook, strings.NewReader(tt.body))
		r.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Fatalf("%s %.40s: answered %d, want %d", tt.method, tt.body, resp.StatusCode, tt.want)
		}
	}
	var got []int
	for len(got) < 4 {
		row := <-rows
		st, _ := row["status"].(float64)
		if reason, _ := row["reason"].(string); reason == "" {
			t.Errorf("the %v row says no reason: %v", st, row)
		}
		got = append(got, int(st))
	}
	sort.Ints(got)
	if want := []int{400, 401, 405, 413}; !equalInts(got, want) {
		t.Fatalf("rows with statuses %v, want %v", got, want)
	}
	var rejected, accepted apiList
	apiGet(t, page, "/api/events?status=rejected", &rejected)
	apiGet(t, page, "/api/events?status=accepted", &accepted)
	if len(rejected.Events) != 4 || len(accepted.Events) != 0 {
		t.Errorf("status=rejected lists %d, status=accepted %d; want 4 and 0", len(rejected.Events), len(accepted.Events))
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestListenWebOpen: --open hands the printed URL to the browser
// ($BROWSER here: a script that fetches it, as a browser would, and says
// what it got through a named pipe), and that URL opens the page.
func TestListenWebOpen(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	pipe := filepath.Join(dir, "opened")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	script := filepath.Join(dir, "browser")
	body := "#!/bin/sh\ncode=$(curl -sS -o /dev/null -w '%{http_code}' \"$1\")\necho \"$code $1\" > " + pipe + "\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	e.vars["BROWSER"] = script
	_, page, _ := listenWebArgs(t, e, "--open", "--quiet")
	type read struct {
		b   []byte
		err error
	}
	got := make(chan read, 1)
	go func() { b, err := os.ReadFile(pipe); got <- read{b, err} }() // blocks until the script writes
	var r read
	select {
	case r = <-got:
	case <-time.After(time.Minute): // a bound, so a $BROWSER that never runs fails instead of hanging
		// Unblock the reader: open the pipe for writing once.
		if f, err := os.OpenFile(pipe, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("$BROWSER was not run within a minute of listen --open")
	}
	b, err := r.b, r.err
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != "200 "+page {
		t.Errorf("the browser got %q, want 200 for %s", got, page)
	}
}

// TestListenWebStalledPage: a page that stops reading its feed never
// delays an acknowledgement. A reader of /api/stream?all=1 (every row,
// nothing skipped) with a tiny receive buffer reads nothing while 10,000
// events arrive: every one is answered 200 meanwhile, and once it reads
// again the feed carries every one of them, in order.
func TestListenWebStalledPage(t *testing.T) {
	const n = 10000 // all kept (DefaultMaxEvents), so the feed can send each
	e := newEnv(t)
	hook, page, _ := listenWebArgs(t, e, "--quiet", "--save", filepath.Join(t.TempDir(), "events.jsonl"))
	base, token, _ := strings.Cut(page, "/?token=")
	host := strings.TrimPrefix(base, "http://")
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return errors.Join(err, serr)
	}}
	conn, err := d.DialContext(t.Context(), "tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "GET /api/stream?all=1 HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", host, token); err != nil {
		t.Fatal(err)
	}
	var info struct {
		LiveFeeds   int    `json:"live_feeds"`
		LastEventID uint64 `json:"last_event_id"`
	}
	for info.LiveFeeds == 0 { // the inspector counts the reader once it serves it
		apiGet(t, page, "/api/info", &info)
	}
	if r := e.run("send-sample", "incoming_event", "--count", strconv.Itoa(n), "--concurrency", "8", "--no-retry", "--url", hook); r.code != 0 {
		t.Fatalf("send-sample --count %d with a page that reads nothing: exit %d\n%s", n, r.code, r.stderr)
	}
	// Acknowledged is not yet shown: the consumer hands the last events on
	// just after their answers.
	for info.LastEventID < n && t.Context().Err() == nil {
		apiGet(t, page, "/api/info", &info)
	}
	if info.LastEventID != n {
		t.Fatalf("the inspector is at change %d, want %d", info.LastEventID, n)
	}
	// Now it reads: every event comes, once, in order. (A deadline only so
	// that a missing row fails instead of hanging.)
	_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
	br := bufio.NewReaderSize(conn, 64<<10)
	var bytes int
	var last uint64
	for last < n {
		line, err := br.ReadString('\n')
		bytes += len(line)
		if err != nil {
			t.Fatalf("the feed ended after event %d of %d: %v", last, n, err)
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		var m struct{ Events []struct{ ID uint64 } }
		if json.Unmarshal([]byte(data), &m) != nil {
			continue
		}
		for _, r := range m.Events {
			if r.ID != last+1 {
				t.Fatalf("after event %d the feed sent %d", last, r.ID)
			}
			last = r.ID
		}
	}
	// The feed must really have stalled: more than the socket buffers on
	// both sides could take while nothing was read.
	if limit := sendBufferMax(); bytes <= limit+64<<10 {
		t.Fatalf("the feed carried %d bytes, no more than the socket buffers hold (%d): the page never stalled it; send more", bytes, limit)
	}
}

// sendBufferMax is the most a TCP socket's send buffer grows to (Linux).
func sendBufferMax() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_wmem")
	if f := strings.Fields(string(b)); err == nil && len(f) == 3 {
		if v, err := strconv.Atoi(f[2]); err == nil {
			return v
		}
	}
	return 4 << 20
}
