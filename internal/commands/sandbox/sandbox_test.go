package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/livechatfake"
)

// running is a sandbox started by startSandbox.
type running struct {
	url    string
	stdout *strings.Builder
	stderr *strings.Builder
	stop   func() error
}

// startSandbox runs the sandbox command (flags through NewCmdSandbox) on
// 127.0.0.1:0 and returns once it serves; stop cancels it like Ctrl-C.
func startSandbox(t *testing.T, args ...string) *running {
	t.Helper()
	ios, streams := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Build: build.Info{Version: "test"}}
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	cmd := NewCmdSandbox(f, func(o *SandboxOptions) error {
		o.Signals = nil
		o.Ready = func(u string) { ready <- u }
		return sandboxRun(ctx, o)
	})
	cmd.SetArgs(append([]string{"--port", "0"}, args...))
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	go func() { done <- cmd.Execute() }()
	var u string
	select {
	case u = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("sandbox did not start: %v\n%s", err, streams.ErrOut)
	}
	r := &running{url: u, stdout: nil, stderr: nil}
	stopped := false
	var stopErr error
	r.stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			stopErr = <-done
		}
		return stopErr
	}
	t.Cleanup(func() { _ = r.stop() })
	r.stdout, r.stderr = &strings.Builder{}, &strings.Builder{}
	r.stdout.WriteString(streams.Out.String())
	return r
}

// apiClient is a Configuration API client with the sandbox PAT.
func apiClient(base string) *livechat.Client {
	pat, _ := auth.ParsePAT(livechatfake.AccountID + ":" + livechatfake.PATToken)
	return &livechat.Client{BaseURL: base, Region: "dal",
		HTTP: &http.Client{Transport: &auth.Transport{Source: auth.StaticHeader(pat.Header())}}}
}

func TestSandboxPrintsExportsAndStops(t *testing.T) {
	dir := t.TempDir()
	readyFile := filepath.Join(dir, "sandbox.env")
	r := startSandbox(t, "--ready-file", readyFile)
	want := "export LCWH_API_URL=" + r.url + "\n" +
		"export LCWH_ACCOUNTS_URL=" + r.url + "\n" +
		"export LCWH_PAT=" + livechatfake.AccountID + ":" + livechatfake.PATToken + "\n" +
		"export LCWH_CLIENT_ID=" + livechatfake.ClientID + "\n" +
		"export LCWH_SANDBOX_URL=" + r.url + "\n"
	if diff := cmp.Diff(want, r.stdout.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	b, err := os.ReadFile(readyFile)
	if err != nil || string(b) != want {
		t.Errorf("ready file = %q, %v", b, err)
	}
	if fi, _ := os.Stat(readyFile); fi.Mode().Perm() != 0o600 {
		t.Errorf("ready file mode %v", fi.Mode())
	}
	resp, err := http.Get(r.url + "/_lcwh/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := r.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := os.Stat(readyFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ready file left behind: %v", err)
	}
	if _, err := http.Get(r.url + "/_lcwh/health"); err == nil {
		t.Error("sandbox still answers after stop")
	}
}

func TestSandboxStateSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "state", "sandbox.json")
	r := startSandbox(t, "--state", state)
	c := apiClient(r.url)
	id, err := c.RegisterWebhook(ctx, livechat.RegisterRequest{Action: "incoming_chat", SecretKey: "s3cret",
		URL: "http://127.0.0.1:9/hook", OwnerClientID: livechatfake.ClientID, Type: "license"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DisableLicenseWebhooks(ctx, livechatfake.ClientID); err != nil {
		t.Fatal(err)
	}
	// Saved on change, before exit.
	if b, err := os.ReadFile(state); err != nil || !strings.Contains(string(b), id) {
		t.Fatalf("state after register: %v %s", err, b)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(state); fi.Mode().Perm() != 0o600 {
		t.Errorf("state mode %v", fi.Mode())
	}

	r2 := startSandbox(t, "--state", state)
	c2 := apiClient(r2.url)
	hooks, err := c2.ListWebhooks(ctx, livechatfake.ClientID)
	if err != nil || len(hooks) != 1 || hooks[0].ID != id {
		t.Fatalf("after restart: %+v %v", hooks, err)
	}
	enabled, err := c2.LicenseWebhooksState(ctx, livechatfake.ClientID)
	if err != nil || enabled {
		t.Errorf("license webhooks enabled=%v err=%v, want disabled after restart", enabled, err)
	}
}

func TestSandboxCorruptState(t *testing.T) {
	state := filepath.Join(t.TempDir(), "sandbox.json")
	if err := os.WriteFile(state, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	ios, _ := iostreams.Test()
	err := sandboxRun(context.Background(), &SandboxOptions{IO: ios, Host: "127.0.0.1", StatePath: state, Listen: net.Listen})
	if err == nil || !strings.Contains(err.Error(), "read sandbox state") || cmdutil.HintOf(err) == "" {
		t.Fatalf("err = %v", err)
	}
}

func TestSandboxPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	ios, _ := iostreams.Test()
	err = sandboxRun(context.Background(), &SandboxOptions{IO: ios, Host: "127.0.0.1", Port: port, Listen: net.Listen})
	if err == nil || !strings.Contains(err.Error(), "port "+strconv.Itoa(port)+" on 127.0.0.1 is already in use") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(cmdutil.HintOf(err), "--port") || cmdutil.ExitCodeOf(err) != 1 {
		t.Errorf("hint %q code %d", cmdutil.HintOf(err), cmdutil.ExitCodeOf(err))
	}
}

func TestNewCmdSandboxFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    SandboxOptions
		wantErr string
	}{
		{args: nil, want: SandboxOptions{Host: "127.0.0.1", Port: DefaultPort}},
		{args: []string{"--port", "0", "--state", "s.json", "--ready-file", "r.env", "--host", "::1", "--json"},
			want: SandboxOptions{Host: "::1", Port: 0, StatePath: "s.json", ReadyFile: "r.env", JSON: true}},
		{args: []string{"--host", "localhost"}, want: SandboxOptions{Host: "localhost", Port: DefaultPort}},
		{args: []string{"--host", "0.0.0.0"}, wantErr: "not a loopback address"},
		{args: []string{"--port", "70000"}, wantErr: "--port must be 0–65535"},
		{args: []string{"extra"}, wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _ := iostreams.Test()
			var got *SandboxOptions
			cmd := NewCmdSandbox(&cmdutil.Factory{IOStreams: ios}, func(o *SandboxOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := SandboxOptions{Host: got.Host, Port: got.Port, StatePath: got.StatePath, ReadyFile: got.ReadyFile, JSON: got.JSON}
			if diff := cmp.Diff(tt.want, g, cmp.AllowUnexported(SandboxOptions{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSandboxValidation checks that the served sandbox answers like the
// fake: validation, limit, authentication and authorization errors.
func TestSandboxValidation(t *testing.T) {
	ctx := context.Background()
	r := startSandbox(t)
	c := apiClient(r.url)
	good := livechat.RegisterRequest{Action: "incoming_event", SecretKey: "s", URL: "https://example.com/h",
		OwnerClientID: livechatfake.ClientID, Type: "license"}
	bad := func(mut func(*livechat.RegisterRequest)) livechat.RegisterRequest { x := good; mut(&x); return x }
	tests := []struct {
		name string
		req  livechat.RegisterRequest
		want error
	}{
		{"unknown action", bad(func(x *livechat.RegisterRequest) { x.Action = "nope" }), livechat.ErrValidation},
		{"relative url", bad(func(x *livechat.RegisterRequest) { x.URL = "/h" }), livechat.ErrValidation},
		{"empty secret", bad(func(x *livechat.RegisterRequest) { x.SecretKey = "" }), livechat.ErrValidation},
		{"bad type", bad(func(x *livechat.RegisterRequest) { x.Type = "agent" }), livechat.ErrValidation},
		{"filter not allowed", bad(func(x *livechat.RegisterRequest) {
			x.Action = "incoming_chat"
			x.Filters = &livechat.Filters{AuthorType: "customer"}
		}), livechat.ErrValidation},
		{"foreign owner", bad(func(x *livechat.RegisterRequest) { x.OwnerClientID = livechatfake.ForeignClientID }), livechat.ErrAuthorization},
	}
	for _, tt := range tests {
		if _, err := c.RegisterWebhook(ctx, tt.req); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	for i := 0; i < livechat.MaxWebhooksPerAction; i++ {
		if _, err := c.RegisterWebhook(ctx, good); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.RegisterWebhook(ctx, good); !errors.Is(err, livechat.ErrLimitReached) {
		t.Errorf("4th register: %v", err)
	}
	anon := &livechat.Client{BaseURL: r.url, HTTP: http.DefaultClient}
	if _, err := anon.ListWebhooks(ctx, livechatfake.ClientID); !errors.Is(err, livechat.ErrAuthentication) {
		t.Errorf("no credential: %v", err)
	}
}

func TestSandboxJSON(t *testing.T) {
	state := filepath.Join(t.TempDir(), "s.json")
	r := startSandbox(t, "--json", "--state", state)
	var got livechatfake.Info
	if err := json.Unmarshal([]byte(r.stdout.String()), &got); err != nil {
		t.Fatalf("%v: %q", err, r.stdout)
	}
	want := livechatfake.NewInfo(r.url)
	want.StateFile = state
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
