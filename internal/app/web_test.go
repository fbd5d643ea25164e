package app

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

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
// inspector has every event (--quiet alone emits none).
func TestListenWebQuiet(t *testing.T) {
	e := newEnv(t)
	hook, page, stdout := listenWebArgs(t, e, "--quiet")
	if r := e.run("send-sample", "--all", "--url", hook); r.code != 0 {
		t.Fatalf("send-sample: %d %s", r.code, r.stderr)
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
