package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/commands/factory"
	"github.com/lcwh/lcwh/internal/iostreams"
)

// treeEnv runs the real command tree (no API needed) in an isolated home,
// with no lcwh setting inherited from the environment.
type treeEnv struct {
	t    *testing.T
	vars map[string]string
}

func newEnv(t *testing.T) *treeEnv {
	t.Helper()
	dir := t.TempDir()
	e := &treeEnv{t: t, vars: map[string]string{"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "cfg")}}
	for _, k := range []string{"LCWH_API_URL", "LCWH_PAT", "LCWH_CLIENT_ID", "LCWH_API_VERSION", "LCWH_SECRET", "LCWH_CONFIG", "LCWH_PROFILE", "LCWH_LISTEN_PORT", "HOME", "XDG_CONFIG_HOME"} {
		t.Setenv(k, e.vars[k])
	}
	return e
}

type result struct {
	code           int
	stdout, stderr string
}

func (e *treeEnv) run(args ...string) result {
	e.t.Helper()
	ios, ts := iostreams.Test()
	lookup := func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }
	code := Run(context.Background(), factory.NewWith(build.Info{Version: "test"}, ios, lookup), args)
	return result{code, ts.Out.String(), ts.ErrOut.String()}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// lockedWriter is a stderr that tests can watch while the command runs:
// it closes seen when want is first written.
type lockedWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.seen != nil && strings.Contains(w.buf.String(), w.want) {
		close(w.seen)
		w.seen = nil
	}
	return len(p), nil
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestSaveReplayExactBytes is the promise of the saved-event format from
// end to end: bodies that the old format altered (trailing newline, CRLF,
// leading whitespace, invalid UTF-8) go through `lcwh listen --save` and
// `lcwh replay` (the real command tree, real HTTP on loopback) and reach
// the app byte for byte, with their Content-Type and Authorization.
func TestSaveReplayExactBytes(t *testing.T) {
	e := newEnv(t)
	save := filepath.Join(t.TempDir(), "events.jsonl")
	port := freePort(t)
	stderr := &lockedWriter{want: "Listening on ", seen: make(chan struct{})}
	ready := stderr.seen
	ios, _ := iostreams.Test()
	ios.ErrOut = stderr
	lookup := func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, factory.NewWith(build.Info{Version: "test"}, ios, lookup),
			[]string{"listen", "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--save", save, "--quiet"})
	}()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("listen exited %d before listening:\n%s", code, stderr.String())
	}

	type sent struct{ Body, CType, Auth string }
	bodies := []sent{
		{"{\"action\":\"chat_deactivated\",\"webhook_id\":\"w1\",\"payload\":{\"chat_id\":\"C1\"}}\n", "application/json", ""},
		{"{\r\n  \"action\": \"incoming_chat\",\r\n  \"webhook_id\": \"w2\"\r\n}\r\n", "application/json; charset=utf-8", ""},
		{"  \t {\"action\":\"incoming_event\",\"webhook_id\":\"w3\"}", "application/json", ""},
		{"{\"action\":\"incoming_event\",\"webhook_id\":\"w4\",\"payload\":{\"event\":{\"text\":\"caf\xe9 \xff\xfe\"}}}", "application/json", ""},
		{`{"type":"install","data":{"account_id":7}}`, "application/json", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln"},
	}
	u := "http://127.0.0.1:" + strconv.Itoa(port) + "/webhooks"
	for _, b := range bodies {
		req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(b.Body))
		req.Header.Set("Content-Type", b.CType)
		if b.Auth != "" {
			req.Header.Set("Authorization", b.Auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %q: %d", b.Body, resp.StatusCode)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("listen exited %d:\n%s", code, stderr.String())
	}

	// Every saved line is valid UTF-8 and valid JSON.
	file, err := os.ReadFile(save)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(file), "\n"), "\n")
	if len(lines) != len(bodies) {
		t.Fatalf("saved %d lines, want %d:\n%s", len(lines), len(bodies), file)
	}
	for i, l := range lines {
		if !utf8.ValidString(l) || !json.Valid([]byte(l)) || !strings.HasPrefix(l, `{"v":3,`) {
			t.Errorf("line %d is not a valid UTF-8 JSON v3 record: %q", i+1, l)
		}
	}

	var mu sync.Mutex
	var got []sent
	capture := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, sent{string(b), r.Header.Get("Content-Type"), r.Header.Get("Authorization")})
		mu.Unlock()
	}))
	defer capture.Close()
	res := e.run("replay", save, "--to", capture.URL, "--no-retry")
	if res.code != 0 {
		t.Fatalf("replay exited %d:\n%s", res.code, res.stderr)
	}
	if diff := cmp.Diff(bodies, got); diff != "" {
		t.Errorf("replayed (-sent +received):\n%s", diff)
	}

	// inspect reads the same file without a complaint.
	res = e.run("inspect", "--color", "never", save)
	if res.code != 0 || res.stderr != "" || strings.Count(res.stdout, "\n") != len(bodies) {
		t.Errorf("inspect exited %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
}
