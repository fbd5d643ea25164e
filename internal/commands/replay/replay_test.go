package replay

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/listener"
)

var fixedNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// listenAndSave runs the listener with the file save as its record sink,
// as listen --save does; stop drains it and closes the file.
func listenAndSave(t *testing.T, save string) (u string, stop func()) {
	t.Helper()
	f, err := os.OpenFile(save, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	l := listener.New(listener.Config{Save: f, Now: func() time.Time { return fixedNow }})
	addr, err := l.Bind("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := l.Run(ctx); done <- err }()
	go func() {
		for it := range l.Events() {
			it.Done()
		}
	}()
	return "http://" + addr.String(), func() {
		t.Helper()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReplaySendsOriginalBytes(t *testing.T) {
	// Save three events through a real listener, one pretty-printed.
	save := filepath.Join(t.TempDir(), "ev.jsonl")
	u, stop := listenAndSave(t, save)
	pretty := "{\n  \"action\": \"incoming_chat\",\n  \"webhook_id\": \"w\"\r\n}"
	bodies := []string{`{"action":"chat_deactivated","webhook_id":"w"}`, pretty, `{"type":"install","data":{}}`}
	for i, b := range bodies {
		req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if i == 2 {
			req.Header.Set("Authorization", "Bearer tok")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	stop()

	var mu sync.Mutex
	var got []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Header.Get("Authorization")+"|"+string(b))
		mu.Unlock()
		if strings.Contains(string(b), "install") {
			http.Error(w, "nope", http.StatusTeapot)
		}
	}))
	defer app.Close()

	io1, ts := iostreams.Test()
	noSleep := func(context.Context, time.Duration) error { return nil }
	err := replayRun(context.Background(), &ReplayOptions{IO: io1, File: save, To: app.URL,
		Timeout: 5 * time.Second, Retries: 1, RetryInterval: time.Second, Sleep: noSleep})
	if err == nil || cmdutil.ExitCodeOf(err) != 1 || !strings.Contains(err.Error(), "event #3 (install): HTTP 418") {
		t.Errorf("err = %v, want a failure exit for the 418", err)
	}
	// The failed delivery is retried once with the identical body.
	want := []string{"|" + bodies[0], "|" + bodies[1], "Bearer tok|" + bodies[2], "Bearer tok|" + bodies[2]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replayed (-want +got):\n%s", diff)
	}
	out := ts.Out.String()
	if !strings.Contains(out, "#3 install → 418  2 attempts") || !strings.Contains(out, "nope") {
		t.Errorf("output:\n%s", out)
	}

	// --index and --json.
	got = nil
	io2, ts2 := iostreams.Test()
	err = replayRun(context.Background(), &ReplayOptions{IO: io2, File: save, To: app.URL, Index: 2, JSON: true,
		NoRetry: true, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "|"+pretty {
		t.Errorf("index 2 sent %q", got)
	}
	if !strings.HasPrefix(ts2.Out.String(), `{"index":2,"kind":"incoming_chat","url":"`+app.URL+`","status":200,"attempts":1,`) {
		t.Errorf("json: %s", ts2.Out.String())
	}
}

// captureApp records each request's Authorization and body.
func captureApp(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	app := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Header.Get("Authorization")+"|"+string(b))
		mu.Unlock()
	}))
	t.Cleanup(app.Close)
	return app, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), got...) }
}

// TestReplayLegacyFile: a file written before the format had versions
// replays its exact bodies (the old reader lost trailing newlines and
// leading whitespace).
func TestReplayLegacyFile(t *testing.T) {
	app, got := captureApp(t)
	io1, ts := iostreams.Test()
	err := replayRun(context.Background(), &ReplayOptions{IO: io1, File: "../../eventlog/testdata/legacy-v1.jsonl", To: app.URL, NoRetry: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, ts.ErrOut.String())
	}
	want := []string{
		"|" + `{"action":"incoming_chat","webhook_id":"w1","payload":{"chat":{"id":"C1"}}}`,
		"|{\"action\":\"chat_deactivated\",\"webhook_id\":\"w2\",\"payload\":{\"chat_id\":\"C2\"}}\n",
		"|{\r\n  \"action\": \"incoming_event\",\r\n  \"webhook_id\": \"w3\"\r\n}\r\n",
		"Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig|  \t{\"type\":\"install\",\"data\":{\"account_id\":7}} \t ",
		"|{\"action\":\"incoming_event\",\"webhook_id\":\"w5\",\"payload\":{\"event\":{\"text\":\"caf\xe9 \xff\"}}}",
	}
	if diff := cmp.Diff(want, got()[:5]); diff != "" {
		t.Errorf("replayed (-want +got):\n%s", diff)
	}
}

// TestReplayStreamAndIncomplete: a `listen --json` line is replayed with a
// warning and without its redacted Authorization; a cut last line is
// skipped with a note and does not fail the run.
func TestReplayStreamAndIncomplete(t *testing.T) {
	stream := `{"received_at":"2026-05-01T12:00:00Z","family":"monday","kind":"install","webhook_id":null,"verified":null,"path":"/","headers":{"Authorization":"Bearer eyJ****(28 chars)","Content-Type":"application/json"},"body":{"type":"install","data":{}}}` + "\n"
	record := `{"v":2,"received_at":"2026-05-01T12:00:00Z","method":"POST","path":"/","verified":null,"headers":{},"body":{"type":"install"}}` + "\n"
	file := filepath.Join(t.TempDir(), "f.jsonl")
	if err := os.WriteFile(file, []byte(stream+stream+record+record[:30]), 0o600); err != nil {
		t.Fatal(err)
	}
	app, got := captureApp(t)
	io1, ts := iostreams.Test()
	err := replayRun(context.Background(), &ReplayOptions{IO: io1, File: file, To: app.URL, NoRetry: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, ts.ErrOut.String())
	}
	want := []string{`|{"type":"install","data":{}}`, `|{"type":"install","data":{}}`, `|{"type":"install"}`}
	if diff := cmp.Diff(want, got()); diff != "" {
		t.Errorf("replayed (-want +got):\n%s", diff)
	}
	errOut := ts.ErrOut.String()
	if strings.Count(errOut, "'listen --json' line") != 1 || !strings.Contains(errOut, "line 4: incomplete last record") {
		t.Errorf("stderr:\n%s", errOut)
	}
}
