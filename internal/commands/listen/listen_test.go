package listen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/eventview"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

const secret = "k3Jd8sLq0vXz4NwP7rTy2uBm"

var fixedNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// harness runs listenRun with fake signals; ready delivers the base URL.
type harness struct {
	sigs  chan os.Signal
	ready chan string
	done  chan error
	ts    *iostreams.TestStreams
}

func runListen(t *testing.T, opts *Options) *harness {
	t.Helper()
	io, ts := iostreams.Test()
	h := &harness{sigs: make(chan os.Signal, 2), ready: make(chan string, 1), done: make(chan error, 1), ts: ts}
	opts.IO = io
	opts.Now = func() time.Time { return fixedNow }
	opts.Signals = func() (<-chan os.Signal, func()) { return h.sigs, func() {} }
	opts.Ready = func(u string) { h.ready <- u }
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.ForwardConcurrency == 0 {
		opts.ForwardConcurrency = 1
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = forwardClient(httpclient.Options{Version: "test"}, opts.ForwardTimeout)
	}
	go func() { h.done <- listenRun(context.Background(), opts) }()
	return h
}

func (h *harness) url(t *testing.T) string {
	t.Helper()
	select {
	case u := <-h.ready:
		return u
	case err := <-h.done:
		t.Fatalf("listen ended before binding: %v", err)
	}
	return ""
}

func body(t *testing.T, kind string) []byte {
	k, _ := catalog.Lookup(kind)
	b, err := catalog.Sample(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func send(t *testing.T, u string, b []byte) int {
	t.Helper()
	resp, err := http.Post(u, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestListenShowsSavesAndSummarises(t *testing.T) {
	save := filepath.Join(t.TempDir(), "events.jsonl")
	h := runListen(t, &Options{Port: 0, Secrets: []string{secret}, Save: save})
	u := h.url(t)
	for _, k := range []string{"incoming_event", "incoming_event", "application_installed", "install"} {
		if code := send(t, u+"/hooks", body(t, k)); code != 200 {
			t.Fatalf("%s: %d", k, code)
		}
	}
	wrong := bytes.Replace(body(t, "incoming_chat"), []byte(secret), []byte("nottherightsecret-123456"), 1)
	send(t, u+"/hooks", wrong)
	send(t, u+"/hooks", []byte("{not json"))
	h.sigs <- os.Interrupt
	if err := <-h.done; err != nil {
		t.Fatal(err)
	}
	out, errOut := h.ts.Out.String(), h.ts.ErrOut.String()
	for _, want := range []string{
		"livechat incoming_event                  ✓ chat=PJ0MRSHTDG",
		"✓ duplicate chat=PJ0MRSHTDG",
		"app      application_installed           · app=aPbNnrwZg",
		"monday   install                         · account=",
		"livechat incoming_chat                   ✗",
		"✗ not verified: webhook_id",
		"400 POST /hooks body is not JSON",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "received 5 event(s): 2 verified, 1 failed verification, 1 duplicate(s), 1 rejected") {
		t.Errorf("summary:\n%s", errOut)
	}
	if strings.Contains(out+errOut, secret) || strings.Contains(out+errOut, "nottherightsecret-123456") {
		t.Errorf("a secret was printed")
	}
	fi, err := os.Stat(save)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("save file mode %v", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(save)
	if n := bytes.Count(b, []byte("\n")); n != 5 {
		t.Errorf("saved %d lines, want 5", n)
	}

	// The saved records read back as the events were shown (inspect's
	// reader and view; the app's end-to-end tests run inspect itself).
	shown := showSaved(t, b)
	lines := strings.Split(strings.TrimSpace(shown), "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], "12:00:00 livechat incoming_event                  ✓ chat=PJ0MRSHTDG") {
		t.Errorf("inspect:\n%s", shown)
	}
}

// showSaved renders a --save file the way inspect does: the one reader,
// the one view.
func showSaved(t *testing.T, file []byte) string {
	t.Helper()
	pr := render.NewEventPrinter(render.NewStyles(io.Discard, false))
	r := eventlog.NewReader(bytes.NewReader(file))
	var out []byte
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return string(out)
		}
		if err != nil {
			t.Fatalf("read saved file: %v", err)
		}
		v := eventview.FromRecord(rec)
		out = pr.AppendEvent(out, &v)
	}
}

func TestListenJSON(t *testing.T) {
	h := runListen(t, &Options{Port: 0, JSON: true, Secrets: []string{secret}})
	u := h.url(t)
	send(t, u+"/p", body(t, "incoming_chat"))
	send(t, u+"/p", []byte("nope"))
	h.sigs <- os.Interrupt
	if err := <-h.done; err != nil {
		t.Fatal(err)
	}
	out := h.ts.Out.String()
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("want exactly one NDJSON line:\n%s", out)
	}
	for _, want := range []string{`"received_at":"2026-05-01T12:00:00Z","family":"livechat","kind":"incoming_chat","webhook_id":"`, `"verified":true,"path":"/p"`, `k3J****(24 chars)"`} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q: %s", want, out)
		}
	}
	if strings.Contains(out, secret) {
		t.Errorf("secret in --json output")
	}
}

func TestListenRequireSecret(t *testing.T) {
	h := runListen(t, &Options{Port: 0, RequireSecret: true, Secrets: []string{secret}, Quiet: true})
	u := h.url(t)
	if code := send(t, u, body(t, "incoming_chat")); code != 200 {
		t.Errorf("good secret: %d", code)
	}
	wrong := bytes.Replace(body(t, "incoming_chat"), []byte(secret), []byte("x"), 1)
	if code := send(t, u, wrong); code != 401 {
		t.Errorf("wrong secret: %d", code)
	}
	h.sigs <- os.Interrupt
	if err := <-h.done; err != nil {
		t.Fatal(err)
	}
	if h.ts.Out.Len() != 0 {
		t.Errorf("--quiet printed: %s", h.ts.Out.String())
	}
}

func TestListenPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	h := runListen(t, &Options{Port: port})
	err = <-h.done
	if cmdutil.ExitCodeOf(err) != 1 || !strings.Contains(err.Error(), "port") || !strings.Contains(cmdutil.HintOf(err), "--port") {
		t.Errorf("got %v (hint %q)", err, cmdutil.HintOf(err))
	}
}

func TestListenSecondInterruptExits130(t *testing.T) {
	// A forward target that never answers keeps events queued.
	block := make(chan struct{})
	app := &http.Server{Handler: http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) { <-block })}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go app.Serve(ln)
	defer func() { close(block); app.Close() }()
	routes, _ := ParseRoutes([]string{"http://" + ln.Addr().String()})
	h := runListen(t, &Options{Port: 0, ForwardTo: routes, ForwardTimeout: time.Hour, QueueSize: 8})
	u := h.url(t)
	for i := 0; i < 3; i++ {
		send(t, u, body(t, "incoming_chat"))
	}
	h.sigs <- os.Interrupt
	h.sigs <- os.Interrupt
	err := <-h.done
	if cmdutil.ExitCodeOf(err) != 130 || !errors.Is(err, cmdutil.ErrSilent) {
		t.Errorf("got %v (code %d), want a silent exit 130", err, cmdutil.ExitCodeOf(err))
	}
	// Without --save the queued events were acknowledged and are held
	// nowhere else: the message says exactly that.
	if want := "interrupted: 3 acknowledged event(s) were not shown or forwarded (without --save nothing else keeps them)"; !strings.Contains(h.ts.ErrOut.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, h.ts.ErrOut.String())
	}
}

func TestParseRoutes(t *testing.T) {
	got, err := ParseRoutes([]string{"http://localhost:3000/a?x=1", "incoming_chat=http://localhost:3000/chats"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Kind != "" || got[0].URL != "http://localhost:3000/a?x=1" || got[1].Kind != "incoming_chat" {
		t.Errorf("%+v", got)
	}
	var uk *catalog.UnknownKindError
	if _, err := ParseRoutes([]string{"incomng_chat=http://x"}); !errors.As(err, &uk) {
		t.Errorf("typo kind: %v", err)
	}
	if _, err := ParseRoutes([]string{"ftp://x"}); err == nil {
		t.Errorf("ftp accepted")
	}
	for _, bad := range []string{"http://127.0.0.1:99999/x", "http://127.0.0.1:abc/x", "incoming_chat=http://u:hunter2@127.0.0.1:0/"} {
		_, err := ParseRoutes([]string{bad})
		if cmdutil.ExitCodeOf(err) != 2 || strings.Contains(fmt.Sprint(err), "hunter2") {
			t.Errorf("%s: %v (exit %d), want a usage error without the password", bad, err, cmdutil.ExitCodeOf(err))
		}
	}
}

func flagFactory(t *testing.T) *cmdutil.Factory {
	t.Helper()
	ios, _ := iostreams.Test()
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": dir}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	f := &cmdutil.Factory{IOStreams: ios, LookupEnv: lookup, ConfigOptions: &config.Options{LookupEnv: lookup}}
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) { return config.Load(*f.ConfigOptions) })
	return f
}

func TestNewCmdListenFlags(t *testing.T) {
	tests := []struct {
		argv    string
		port    int
		fsync   bool
		wantErr string
	}{
		{"--port 0", 0, false, ""},
		{"--port 9000 --fsync", 9000, true, ""},
		{"--port 70000", 0, false, "not a port number"},
		{"--port abc", 0, false, "not a port number"},
	}
	for _, tt := range tests {
		t.Run(tt.argv, func(t *testing.T) {
			var got *Options
			cmd := NewCmdListen(flagFactory(t), func(o *Options) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.argv))
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCodeOf(err) != 2 {
					t.Fatalf("err = %v (code %d), want usage error %q", err, cmdutil.ExitCodeOf(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Port != tt.port || got.Fsync != tt.fsync {
				t.Errorf("port %d fsync %v, want %d %v", got.Port, got.Fsync, tt.port, tt.fsync)
			}
		})
	}
}

func TestListenPortZeroPrintsTheChosenPort(t *testing.T) {
	h := runListen(t, &Options{Port: 0})
	u := h.url(t)
	h.sigs <- os.Interrupt
	if err := <-h.done; err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(u, ":0") || !strings.Contains(h.ts.ErrOut.String(), "Listening on "+u+"/") {
		t.Errorf("banner does not name the bound port %s:\n%s", u, h.ts.ErrOut.String())
	}
}

func TestSaveFileDirectoryAndMissingNewline(t *testing.T) {
	dir := t.TempDir()
	h := runListen(t, &Options{Port: 0, Save: dir})
	err := <-h.done
	if cmdutil.ExitCodeOf(err) != 2 || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("got %v", err)
	}
	save := filepath.Join(dir, "events.jsonl")
	if err := os.WriteFile(save, []byte(`{"v":2,"body":{"a":`), 0o600); err != nil {
		t.Fatal(err)
	}
	h = runListen(t, &Options{Port: 0, Save: save})
	u := h.url(t)
	if code := send(t, u, body(t, "incoming_chat")); code != 200 {
		t.Fatal(code)
	}
	h.sigs <- os.Interrupt
	if err := <-h.done; err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(save)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "{") || !json.Valid([]byte(lines[1])) {
		t.Errorf("the new record does not start on its own line: %q", b)
	}
	if !strings.Contains(h.ts.ErrOut.String(), "did not end with a line break") {
		t.Errorf("no warning:\n%s", h.ts.ErrOut.String())
	}
}
