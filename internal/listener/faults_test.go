package listener

// Fault injection: each test breaks what a promise of the listener rests on
// (the save file, the reader of Events, the sender's connection) and then
// compares what was acknowledged with what was kept.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// faultFile is a real file whose writes can be made to fail: a whole
// failure, or a partial write (half the bytes reach the file, then ENOSPC),
// as a full disk does.
type faultFile struct {
	f      *os.File
	mu     sync.Mutex
	mode   string // "", "partial", "enospc", "epipe"
	writes int
}

func newFaultFile(t *testing.T) *faultFile {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(t.TempDir(), "events.jsonl"), os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &faultFile{f: f}
}

func (ff *faultFile) set(mode string) { ff.mu.Lock(); ff.mode = mode; ff.mu.Unlock() }

func (ff *faultFile) Write(p []byte) (int, error) {
	ff.mu.Lock()
	defer ff.mu.Unlock()
	ff.writes++
	switch ff.mode {
	case "partial":
		n, _ := ff.f.Write(p[:len(p)/2])
		return n, &fs.PathError{Op: "write", Path: ff.f.Name(), Err: syscall.ENOSPC}
	case "enospc":
		return 0, &fs.PathError{Op: "write", Path: ff.f.Name(), Err: syscall.ENOSPC}
	case "epipe":
		return 0, &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}
	}
	return ff.f.Write(p)
}

func (ff *faultFile) Truncate(n int64) error     { return ff.f.Truncate(n) }
func (ff *faultFile) Stat() (fs.FileInfo, error) { return ff.f.Stat() }

func (ff *faultFile) content(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(ff.f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pipeSink fails like faultFile but cannot be truncated (a pipe, a device).
type pipeSink struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	partial bool
}

func (p *pipeSink) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.partial {
		p.buf.Write(b[:len(b)/2])
		return len(b) / 2, syscall.EIO
	}
	return p.buf.Write(b)
}

// gateSink blocks each write until the test lets it through, announcing
// the write first.
type gateSink struct {
	writing chan struct{}
	open    chan struct{}
	mu      sync.Mutex
	buf     bytes.Buffer
	writes  int
}

func newGateSink() *gateSink {
	return &gateSink{writing: make(chan struct{}, 100), open: make(chan struct{})}
}

func (g *gateSink) Write(p []byte) (int, error) {
	g.writing <- struct{}{}
	<-g.open
	g.mu.Lock()
	defer g.mu.Unlock()
	g.writes++
	return g.buf.Write(p)
}

func event(i int) []byte {
	return []byte(fmt.Sprintf(`{"action":"incoming_event","webhook_id":"wh-%04d","payload":{"n":%d}}`, i, i))
}

// webhookIDs lists the webhook_id of every whole line of a save file.
func webhookIDs(t *testing.T, content string) []string {
	t.Helper()
	var ids []string
	for _, line := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
		if line == "" {
			continue
		}
		var rec struct {
			Body struct {
				WebhookID string `json:"webhook_id"`
			} `json:"body"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("a line of the save file is not whole JSON: %q (%v)", line, err)
			continue
		}
		ids = append(ids, rec.Body.WebhookID)
	}
	return ids
}

func postStatus(url string, body []byte) (int, http.Header, error) {
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header, nil
}

func nextNotice(t *testing.T, l *Listener) Notice {
	t.Helper()
	select {
	case n := <-l.Notices():
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no notice within 10 s")
	}
	return Notice{}
}

func TestAckOnlyAfterRecordWritten(t *testing.T) {
	sink := newGateSink()
	r := start(t, Config{Save: sink}, true)
	got := make(chan int, 1)
	go func() { code, _, _ := postStatus(r.url, event(1)); got <- code }()
	<-sink.writing
	select {
	case code := <-got:
		t.Fatalf("answered %d while its record was still being written", code)
	default:
	}
	close(sink.open)
	if code := <-got; code != 200 {
		t.Fatalf("got %d, want 200", code)
	}
	r.stop()
	if ids := webhookIDs(t, sink.buf.String()); len(ids) != 1 || ids[0] != "wh-0001" {
		t.Errorf("saved %v", ids)
	}
}

// TestGroupCommit holds the first write and checks that the requests that
// arrive meanwhile share the next one.
func TestGroupCommit(t *testing.T) {
	sink := newGateSink()
	r := start(t, Config{Save: sink}, true)
	const n = 40
	var wg sync.WaitGroup
	codes := make(chan int, n+1)
	wg.Add(1)
	go func() { defer wg.Done(); c, _, _ := postStatus(r.url, event(0)); codes <- c }()
	<-sink.writing
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go func(i int) { defer wg.Done(); c, _, _ := postStatus(r.url, event(i)); codes <- c }(i)
	}
	for {
		r.l.journal.mu.Lock()
		queued := r.l.journal.cur.n
		r.l.journal.mu.Unlock()
		if queued == n {
			break
		}
		runtime.Gosched()
	}
	close(sink.open)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("status %d", c)
		}
	}
	r.stop()
	if sink.writes != 2 {
		t.Errorf("%d writes for %d requests, want 2 (one batch while the first write was held)", sink.writes, n+1)
	}
	if ids := webhookIDs(t, sink.buf.String()); len(ids) != n+1 {
		t.Errorf("saved %d records, want %d", len(ids), n+1)
	}
}

// TestFullDisk fails writes as a full disk does (a partial write, then
// nothing), then frees the space: refused events get 503 and never appear,
// no partial line is left, and saving resumes by itself.
func TestFullDisk(t *testing.T) {
	ff := newFaultFile(t)
	r := start(t, Config{Save: ff, Emit: true}, true)
	acked := map[string]bool{}
	post := func(i int, want int) {
		t.Helper()
		code, h, err := postStatus(r.url, event(i))
		if err != nil || code != want {
			t.Fatalf("event %d: %d %v, want %d", i, code, err, want)
		}
		if code == 503 && h.Get("Retry-After") == "" {
			t.Errorf("503 without Retry-After")
		}
		if code == 200 {
			acked[fmt.Sprintf("wh-%04d", i)] = true
		}
	}
	post(1, 200)
	ff.set("partial")
	post(2, 503)
	if n := nextNotice(t, r.l); n.Kind != SaveFailed || n.Saved != 1 || !strings.Contains(n.Err.Error(), "no space left") {
		t.Errorf("notice %+v", n)
	}
	if c := ff.content(t); strings.Count(c, "\n") != 1 || !strings.HasSuffix(c, "\n") {
		t.Errorf("a partial line was left after ENOSPC: %q", c)
	}
	ff.set("enospc")
	post(3, 503)
	ff.set("")
	post(4, 200)
	if n := nextNotice(t, r.l); n.Kind != SaveResumed || n.Saved != 2 || n.Refused != 2 {
		t.Errorf("notice %+v", n)
	}
	post(5, 200)
	r.stop()
	ids := webhookIDs(t, ff.content(t))
	for _, id := range ids {
		if !acked[id] {
			t.Errorf("%s is saved but was refused", id)
		}
		delete(acked, id)
	}
	if len(acked) > 0 {
		t.Errorf("acknowledged but not saved: %v", acked)
	}
	if r.stats.Refused != 2 || r.stats.Saved != 3 || r.stats.Received != 3 {
		t.Errorf("stats %+v", r.stats)
	}
	var refused int
	for _, it := range r.items {
		if it.Event != nil && it.Event.Status == 503 {
			refused++
			if !strings.Contains(it.Event.Reason, "no space left") {
				t.Errorf("refusal reason %q", it.Event.Reason)
			}
		}
	}
	if refused != 2 {
		t.Errorf("%d refusals emitted, want 2", refused)
	}
}

// TestPartialWriteWithoutTruncate: a sink that cannot be cut back gets the
// next record on a new line, so every acknowledged record stays whole.
func TestPartialWriteWithoutTruncate(t *testing.T) {
	sink := &pipeSink{}
	r := start(t, Config{Save: sink}, true)
	if code, _, _ := postStatus(r.url, event(1)); code != 200 {
		t.Fatal(code)
	}
	sink.mu.Lock()
	sink.partial = true
	sink.mu.Unlock()
	if code, _, _ := postStatus(r.url, event(2)); code != 503 {
		t.Fatal(code)
	}
	sink.mu.Lock()
	sink.partial = false
	sink.mu.Unlock()
	if code, _, _ := postStatus(r.url, event(3)); code != 200 {
		t.Fatal(code)
	}
	r.stop()
	lines := strings.Split(strings.TrimSuffix(sink.buf.String(), "\n"), "\n")
	if len(lines) != 3 || !json.Valid([]byte(lines[0])) || json.Valid([]byte(lines[1])) || !json.Valid([]byte(lines[2])) {
		t.Fatalf("lines: %q", lines)
	}
	if !strings.Contains(lines[2], "wh-0003") {
		t.Errorf("last line %q", lines[2])
	}
}

func TestClosedSink(t *testing.T) {
	ff := newFaultFile(t)
	r := start(t, Config{Save: ff}, true)
	ff.set("epipe")
	if code, _, _ := postStatus(r.url, event(1)); code != 503 {
		t.Fatal(code)
	}
	if n := nextNotice(t, r.l); n.Kind != SinkClosed {
		t.Errorf("notice %+v, want SinkClosed", n)
	}
	ff.set("")
	if code, _, _ := postStatus(r.url, event(2)); code != 503 {
		t.Errorf("a closed stream was written again: %d", code)
	}
}

func TestNesting(t *testing.T) {
	r := start(t, Config{Emit: true, MaxBody: 11 << 20}, true)
	deep := bytes.Repeat([]byte("["), 10<<20)
	if code, _, _ := postStatus(r.url, deep); code != 400 {
		t.Errorf("10 MiB of [: %d, want 400", code)
	}
	atLimit := append(bytes.Repeat([]byte("["), DefaultMaxDepth), bytes.Repeat([]byte("]"), DefaultMaxDepth)...)
	if code, _, _ := postStatus(r.url, atLimit); code != 200 {
		t.Errorf("%d levels: %d, want 200", DefaultMaxDepth, code)
	}
	inString := []byte(`{"s":"` + strings.Repeat(`[{\"`, 3000) + `"}`)
	if code, _, _ := postStatus(r.url, inString); code != 200 {
		t.Errorf("brackets inside a string: %d, want 200", code)
	}
	r.stop()
	if len(r.items) == 0 || !strings.Contains(r.items[0].Event.Reason, "nested deeper than 1000 levels") {
		t.Errorf("reason: %+v", r.items)
	}
}

func TestReadLimitedDoesNotTrustContentLength(t *testing.T) {
	b, err := readLimited(strings.NewReader(`{"a":1}`), 10<<20, 10<<20)
	if err != nil || string(b) != `{"a":1}` {
		t.Fatalf("%q %v", b, err)
	}
	if cap(b) > 64<<10+1 {
		t.Errorf("a declared 10 MiB allocated %d bytes before any arrived", cap(b))
	}
	if _, err := readLimited(strings.NewReader(strings.Repeat("x", 101)), -1, 100); err != errTooLarge { //nolint:errorlint // sentinel returned as is
		t.Errorf("over the limit: %v", err)
	}
	big := strings.Repeat("y", 300<<10)
	if b, err := readLimited(strings.NewReader(big), -1, 1<<20); err != nil || string(b) != big {
		t.Errorf("chunked 300 KiB: %d bytes, %v", len(b), err)
	}
}

// rawPost opens a connection and sends headers and part of a body.
func rawPost(t *testing.T, url string, declared int, part string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST /webhooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", declared, part)
	return c
}

// TestSlowBodyCutAtStop: a body still arriving when the listener stops is
// cut off after the grace; the stop does not wait for it.
func TestSlowBodyCutAtStop(t *testing.T) {
	r := start(t, Config{Emit: true}, true)
	r.l.readGrace = time.Millisecond
	c := rawPost(t, r.url, 100, `{"action":`)
	for r.l.Pending() == 0 {
		runtime.Gosched()
	}
	r.stop()
	if r.stats.Cut != 1 || r.stats.Received != 0 {
		t.Errorf("stats %+v, want 1 cut", r.stats)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil && resp.StatusCode == 200 {
		t.Errorf("a cut request was acknowledged")
	}
}

func TestReadTimeout(t *testing.T) {
	r := start(t, Config{Emit: true, ReadTimeout: 50 * time.Millisecond}, true)
	c := rawPost(t, r.url, 100, `{"action":`)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil && resp.StatusCode == 200 {
		t.Fatalf("a body that never arrived was acknowledged")
	}
	r.stop()
	if r.stats.Received != 0 {
		t.Errorf("stats %+v", r.stats)
	}
}

// TestQueueBoundedInBytes: with nobody reading Events, a body that does not
// fit the byte budget waits (backpressure) until room is made.
func TestQueueBoundedInBytes(t *testing.T) {
	r := start(t, Config{Emit: true, QueueBytes: 1000}, false)
	big := func(i int) []byte {
		return []byte(fmt.Sprintf(`{"action":"incoming_event","webhook_id":"wh-%d","pad":"%s"}`, i, strings.Repeat("x", 600)))
	}
	if code, _, _ := postStatus(r.url, big(1)); code != 200 {
		t.Fatal(code)
	}
	second := make(chan int, 1)
	go func() { code, _, _ := postStatus(r.url, big(2)); second <- code }()
	for r.l.inflight.Load() == 0 {
		runtime.Gosched()
	}
	select {
	case code := <-second:
		t.Fatalf("answered %d although the queue's bytes were spent", code)
	default:
	}
	it := <-r.l.Events() // the first event reaches the display…
	select {
	case code := <-second:
		t.Fatalf("answered %d while the first event was still being shown", code)
	default:
	}
	it.Done() // …and once it is shown, the second one fits
	go func() {
		for it := range r.l.Events() {
			it.Done()
		}
	}()
	if code := <-second; code != 200 {
		t.Errorf("second: %d", code)
	}
}

// TestDrainTimeout: nobody reads Events, the queue is full and handlers
// wait; the drain times out and Run returns cleanly (no panic, no send on a
// closed channel), counting what was not processed. Every event answered
// 200 is in the save file.
func TestDrainTimeout(t *testing.T) {
	ff := newFaultFile(t)
	r := start(t, Config{Emit: true, QueueSize: 2, Save: ff, DrainTimeout: 20 * time.Millisecond}, false)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		acked []string
	)
	// More than the queue and the Events buffer hold, so that handlers are
	// left waiting for room when the stop comes.
	for i := range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, _, _ := postStatus(r.url, event(i)); code == 200 {
				mu.Lock()
				acked = append(acked, fmt.Sprintf("wh-%04d", i))
				mu.Unlock()
			}
		}()
	}
	for r.l.Queued() < 2 || r.l.inflight.Load() == 0 {
		runtime.Gosched()
	}
	r.stop()
	wg.Wait()
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.stats.Unprocessed == 0 {
		t.Errorf("stats %+v, want unprocessed events counted", r.stats)
	}
	saved := map[string]bool{}
	for _, id := range webhookIDs(t, ff.content(t)) {
		saved[id] = true
	}
	for _, id := range acked {
		if !saved[id] {
			t.Errorf("%s was acknowledged but is not saved", id)
		}
	}
}

func TestAbortIsPrompt(t *testing.T) {
	r := start(t, Config{Emit: true, QueueSize: 1}, false)
	for i := range 3 {
		go func() { _, _, _ = postStatus(r.url, event(i)) }()
	}
	for r.l.Pending() < 3 {
		runtime.Gosched()
	}
	r.l.Abort()
	<-r.done
	if r.stats.Unprocessed == 0 {
		t.Errorf("stats %+v", r.stats)
	}
}

func TestDedupeBounded(t *testing.T) {
	d := newDedupe(100)
	t0 := fixedNow
	for i := range 1000 {
		d.seen(d.hash(event(i)), t0.Add(time.Duration(i)*time.Millisecond))
	}
	if d.size() > 100 {
		t.Errorf("index holds %d bodies, limit 100", d.size())
	}
	now := t0.Add(time.Second)
	if !d.seen(d.hash(event(999)), now) {
		t.Errorf("a recent body was forgotten")
	}
	if d.seen(d.hash(event(1000)), now) {
		t.Errorf("a new body reads as duplicate")
	}
	if d.seen(d.hash(event(999)), now.Add(DuplicateWindow+time.Minute)) {
		t.Errorf("a body from outside the window reads as duplicate")
	}
	// Time slices: after many windows, old generations are gone.
	d = newDedupe(0)
	for i := range 50 {
		d.seen(d.hash(event(i)), t0.Add(time.Duration(i)*time.Minute))
	}
	if d.size() > dupBuckets+2 {
		t.Errorf("index holds %d bodies from a long quiet run", d.size())
	}
}

func TestForwardDoesNotFollowRedirects(t *testing.T) {
	var hit atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit.Add(1) }))
	defer target.Close()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusFound)
	}))
	defer app.Close()
	r := start(t, Config{Emit: true, Forward: []Route{{URL: app.URL}}}, true)
	postStatus(r.url, event(1))
	r.stop()
	if hit.Load() != 0 {
		t.Errorf("the redirect was followed")
	}
	if r.stats.ForwardErr != 1 {
		t.Errorf("stats %+v: a 302 is not a delivery", r.stats)
	}
}

func TestForwardErrorsHidePasswords(t *testing.T) {
	closer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c, _, _ := http.NewResponseController(w).Hijack()
		c.Close()
	}))
	defer closer.Close()
	u := strings.Replace(closer.URL, "http://", "http://user:hunter2@", 1)
	r := start(t, Config{Emit: true, Forward: []Route{{URL: u}}}, true)
	postStatus(r.url, event(1))
	r.stop()
	for _, it := range r.items {
		if it.Forward != nil {
			if it.Forward.Err == nil || strings.Contains(it.Forward.Err.Error(), "hunter2") || strings.Contains(it.Forward.URL, "hunter2") {
				t.Errorf("forward result %q / %v", it.Forward.URL, it.Forward.Err)
			}
			return
		}
	}
	t.Error("no forward result")
}

func TestDrainWaitsForSlowConsumer(t *testing.T) {
	// The graceful path: a reader that is slow but alive gets everything.
	save := &syncBuffer{}
	r := start(t, Config{Emit: true, QueueSize: 1, Save: save}, false)
	var got atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for it := range r.l.Events() {
			it.Done()
			if it.Event != nil && it.Event.Accepted() {
				got.Add(1)
			}
		}
	}()
	for i := range 20 {
		if code, _, _ := postStatus(r.url, event(i)); code != 200 {
			t.Fatal(code)
		}
	}
	r.cancel()
	<-done
	<-r.done
	if got.Load() != 20 || r.stats.Unprocessed != 0 {
		t.Errorf("shown %d, stats %+v", got.Load(), r.stats)
	}
}
