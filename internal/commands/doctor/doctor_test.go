package doctor

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/commands/factory"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/livechatfake/livechatfaketest"
)

const (
	pat    = livechatfake.AccountID + ":" + livechatfake.PATToken
	client = livechatfake.ServerClientID
)

type env struct {
	t    *testing.T
	fake *livechatfaketest.Server
	vars map[string]string
	// localAPI replaces DoctorOptions.LocalAPI when set.
	localAPI func(string) bool
	tty      bool
	stdin    string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := livechatfaketest.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	return &env{t: t, fake: fake, vars: map[string]string{
		"LCWH_API_URL": srv.URL, "LCWH_ACCOUNTS_URL": srv.URL, "LCWH_PAT": pat, "LCWH_CLIENT_ID": client,
		"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "cfg"), "LCWH_CREDENTIAL_STORE": "file",
	}}
}

// hook seeds a registered webhook of client.
func (e *env) hook(id string, r livechat.RegisterRequest) {
	if r.Type == "" {
		r.Type = livechat.TypeLicense
	}
	if r.SecretKey == "" {
		r.SecretKey = "registered-secret"
	}
	r.OwnerClientID = client
	e.fake.State(func(s *livechatfake.State) {
		s.Webhooks[client] = append(s.Webhooks[client], &livechatfake.Webhook{ID: id, RegisterRequest: r})
	})
}

func (e *env) disable() {
	e.fake.State(func(s *livechatfake.State) { s.Disabled[livechatfake.OrganizationID+"/"+client] = true })
}

func (e *env) factory() (*cmdutil.Factory, *iostreams.TestStreams) {
	e.t.Helper()
	ios, ts := iostreams.Test()
	ts.In.WriteString(e.stdin)
	ios.SetStdoutTTY(e.tty)
	ios.SetStderrTTY(e.tty)
	ios.SetColorForced(e.tty)
	// config.Load reads LCWH_<KEY> through viper from the process environment.
	for _, k := range []string{"LCWH_API_URL", "LCWH_ACCOUNTS_URL", "LCWH_PAT", "LCWH_CLIENT_ID", "LCWH_API_VERSION",
		"LCWH_SECRET", "LCWH_CONFIG", "LCWH_PROFILE", "LCWH_CREDENTIAL_STORE", "HOME", "XDG_CONFIG_HOME"} {
		e.t.Setenv(k, e.vars[k])
	}
	lookup := func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }
	return factory.NewWith(build.Info{Version: "test"}, ios, lookup), ts
}

// run executes `lcwh doctor args…` and returns its exit code and output. It
// fails the test if doctor made any call but the two reads.
func (e *env) run(args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	f, ts := e.factory()
	before := len(e.fake.Requests())
	cmd := NewCmdDoctor(f, func(o *DoctorOptions) error {
		if e.localAPI != nil {
			o.LocalAPI = e.localAPI
		}
		return doctorRun(context.Background(), o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(ts.Out)
	cmd.SetErr(ts.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	for _, r := range e.fake.Requests()[before:] {
		m := r.Path[strings.LastIndex(r.Path, "/")+1:]
		if m != "list_webhooks" && m != "get_license_webhooks_state" {
			e.t.Errorf("doctor called %s %s: it must only read", r.Method, r.Path)
		}
	}
	return cmdutil.ExitCodeOf(err), ts.Out.String(), ts.ErrOut.String()
}

func TestNewCmdDoctor(t *testing.T) {
	tests := []struct {
		argv string
		env  map[string]string
		want DoctorOptions
		err  string
	}{
		{argv: "", want: DoctorOptions{ClientID: client, Version: "3.6", NgrokAPI: "http://127.0.0.1:4040"}},
		{argv: "--sample incoming_event --set payload.event.text=hi --client-id C --secret S", env: map[string]string{"LCWH_SECRET": "conf"},
			want: DoctorOptions{Action: "incoming_event", Sample: "incoming_event", Sets: []string{"payload.event.text=hi"}, ClientID: "C",
				ClientIDFlag: true, Secret: "S", ConfiguredSecret: "conf", Version: "3.6", NgrokAPI: "http://127.0.0.1:4040"}},
		{argv: "--action incoming_chat --url https://e.com/h --probe --event ev.json --json",
			want: DoctorOptions{Action: "incoming_chat", URL: "https://e.com/h", Probe: true, EventFile: "ev.json", JSON: true,
				ClientID: client, Version: "3.6", NgrokAPI: "http://127.0.0.1:4040"}},
		{argv: "--set a=1", err: "--set needs --sample"},
		{argv: "--sample incomig_event", err: `unknown webhook kind "incomig_event"`},
		{argv: "--sample install", err: "--sample install is a monday webhook"},
		{argv: "--sample incoming_event --action incoming_chat", err: "--sample incoming_event is not an event of --action incoming_chat"},
		{argv: "--sample incoming_event --event f.json", err: "--sample and --event cannot be used together"},
		{argv: "extra", err: "doctor takes no arguments"},
	}
	for _, tt := range tests {
		e := newEnv(t)
		for k, v := range tt.env {
			e.vars[k] = v
		}
		f, _ := e.factory()
		var got *DoctorOptions
		cmd := NewCmdDoctor(f, func(o *DoctorOptions) error { got = o; return nil })
		cmd.SetArgs(strings.Fields(tt.argv))
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || cmdutil.ExitCodeOf(err) != cmdutil.ExitUsage {
				t.Errorf("%q: got %v (exit %d), want usage error %q", tt.argv, err, cmdutil.ExitCodeOf(err), tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tt.argv, err)
		}
		got.IO, got.Config, got.CredentialSource, got.APIClient, got.Now, got.Hostname, got.Alive = nil, nil, nil, nil, nil, nil, nil
		got.NgrokClient, got.HTTPClient, got.LocalAPI = nil, nil, nil
		if diff := cmp.Diff(tt.want, *got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.argv, diff)
		}
	}
}

// TestTour is the new-user run: incoming_event registered with
// author_type=agent, webhooks disabled; doctor names both problems.
func TestTour(t *testing.T) {
	e := newEnv(t)
	e.hook("hook1", livechat.RegisterRequest{Action: "incoming_event", URL: "http://127.0.0.1:9000/hook",
		Filters: &livechat.Filters{AuthorType: "agent"}})
	e.disable()
	code, out, errOut := e.run("--action", "incoming_event", "--sample", "incoming_event")
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d, stderr %q; want 1 and nothing", code, errOut)
	}
	for _, want := range []string{
		"Checking incoming_event webhooks of client " + client + " (API 3.6); doctor changes nothing.\n",
		"✗ Enablement\n    license webhooks of client " + client + " are disabled on your license: LiveChat sends none of them\n    fix: lcwh enable\n",
		"✗ Filters\n",
		"    hook1: the incoming_event sample is filtered out: filter author_type=agent: the event's author ",
		"         lcwh unregister hook1 --yes\n         lcwh register --action incoming_event --url http://127.0.0.1:9000/hook --secret YOUR_SECRET\n",
		"✓ Credentials\n", "✓ Registration\n", "✓ URL\n", "! Secret\n", "✓ Version\n",
		"\n✗ 2 problems found, 1 warning.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour without a terminal:\n%q", out)
	}
	if strings.Contains(out, "registered-secret") || strings.Contains(out, livechatfake.PATToken) {
		t.Errorf("a secret is printed:\n%s", out)
	}
}

func TestColorOnTTY(t *testing.T) {
	e := newEnv(t)
	e.tty = true
	_, out, _ := e.run()
	if !strings.Contains(out, "\x1b[") || !strings.Contains(out, "✓") {
		t.Errorf("no colour on a terminal:\n%q", out)
	}
}

// TestJSONFields pins the --json field set.
func TestJSONFields(t *testing.T) {
	e := newEnv(t)
	e.disable()
	code, out, _ := e.run("--json", "--action", "incoming_chat")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if diff := cmp.Diff([]string{"items", "ok"}, keys(doc)); diff != "" {
		t.Errorf("top-level fields (-want +got):\n%s", diff)
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(doc["items"], &items); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range items {
		if diff := cmp.Diff([]string{"fix", "found", "id", "status", "title"}, keys(it)); diff != "" {
			t.Errorf("item fields (-want +got):\n%s", diff)
		}
		var id, status string
		var found, fix []string
		_ = json.Unmarshal(it["id"], &id)
		_ = json.Unmarshal(it["status"], &status)
		if json.Unmarshal(it["found"], &found) != nil || json.Unmarshal(it["fix"], &fix) != nil || found == nil || fix == nil {
			t.Errorf("%s: found and fix must be arrays: %s %s", id, it["found"], it["fix"])
		}
		switch status {
		case "ok", "warn", "fail", "skip":
		default:
			t.Errorf("%s: status %q", id, status)
		}
		ids = append(ids, id)
	}
	if diff := cmp.Diff([]string{"credentials", "registration", "enablement", "filters", "url", "secret", "version"}, ids); diff != "" {
		t.Errorf("item ids (-want +got):\n%s", diff)
	}
	if string(doc["ok"]) != "false" {
		t.Errorf("ok = %s, want false", doc["ok"])
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestHealthyExit0(t *testing.T) {
	e := newEnv(t)
	e.hook("hook1", livechat.RegisterRequest{Action: "incoming_chat", URL: "https://hooks.example.com/lc"})
	e.vars["LCWH_SECRET"] = "registered-secret"
	code, out, _ := e.run("--action", "incoming_chat", "--sample", "incoming_chat", "--json")
	if code != 0 {
		t.Errorf("exit %d, want 0:\n%s", code, out)
	}
	if !strings.Contains(out, `"ok": true`) {
		t.Errorf("not ok:\n%s", out)
	}
}

func TestCredentialFailuresExit4(t *testing.T) {
	e := newEnv(t)
	e.vars["LCWH_PAT"] = livechatfake.AccountID + ":dal:wrong-token"
	code, out, _ := e.run()
	if code != cmdutil.ExitAuth || !strings.Contains(out, "✗ Credentials") || !strings.Contains(out, "LiveChat rejected it") {
		t.Errorf("rejected token: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "wrong-token") {
		t.Errorf("token printed:\n%s", out)
	}
	delete(e.vars, "LCWH_PAT")
	code, out, _ = e.run("--json")
	if code != cmdutil.ExitAuth || !strings.Contains(out, "not logged in to LiveChat") {
		t.Errorf("no login: exit %d\n%s", code, out)
	}
}

func TestMissingScopeExit1(t *testing.T) {
	e := newEnv(t)
	e.vars["LCWH_PAT"] = livechatfake.AccountID + ":" + livechatfake.ReadOnlyPAT
	code, out, _ := e.run()
	if code != 1 || !strings.Contains(out, "the token lacks webhooks.configuration:rw") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestLocalhostURLAgainstRemoteAPI(t *testing.T) {
	e := newEnv(t)
	e.hook("hook2", livechat.RegisterRequest{Action: "incoming_chat", URL: "http://localhost:8080/hook"})
	code, out, _ := e.run("--action", "incoming_chat")
	if code != 0 || !strings.Contains(out, "fine here, api_url is on this machine") {
		t.Errorf("against the local fake: exit %d\n%s", code, out)
	}
	e.localAPI = func(string) bool { return false }
	code, out, _ = e.run("--action", "incoming_chat")
	if code != 1 || !strings.Contains(out, "localhost is this machine (loopback), which LiveChat's servers cannot reach") ||
		!strings.Contains(out, "lcwh listen --register incoming_chat --public-url auto") {
		t.Errorf("against a remote API: exit %d\n%s", code, out)
	}
}

func TestEventFile(t *testing.T) {
	dir := t.TempDir()
	customer := `{"webhook_id":"w","secret_key":"s","action":"incoming_event","organization_id":"o","payload":{"chat_id":"C","event":{"id":"e","type":"message","author_id":"b7eff798-f8df-4364-8059-649c35c9ed0c"}},"additional_data":{}}`
	agent := strings.Replace(customer, "b7eff798-f8df-4364-8059-649c35c9ed0c", "smith@example.com", 1)
	chat := `{"action":"incoming_chat","payload":{}}`
	record := func(body string) string {
		return `{"received_at":"2026-06-03T10:00:00Z","method":"POST","path":"/","verified":null,"headers":{},"body":` + body + "}\n"
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	saved := write("events.jsonl", record(agent)+record(customer)+record(chat)+"not json\n")
	bare := write("body.json", "{\n  \"action\": \"incoming_event\",\n  \"payload\": {\"event\": {\"author_id\": \"smith@example.com\"}}\n}\n")
	tests := []struct {
		name  string
		args  []string
		code  int
		found string
	}{
		{"last event of the action in a --save file", []string{"--action", "incoming_event", "--event", saved}, 1,
			"hook1: the event on line 2 of " + saved + " is filtered out"},
		{"the action comes from the last event", []string{"--event", saved}, 1, "no webhook of client " + client + " for incoming_chat"},
		{"a pretty-printed bare body", []string{"--event", bare}, 0, "hook1: the event in " + bare + " passes"},
		{"stdin", []string{"--event", "-"}, 0, "hook1: the event in stdin passes"},
	}
	for _, tt := range tests {
		e := newEnv(t)
		e.stdin = agent
		e.hook("hook1", livechat.RegisterRequest{Action: "incoming_event", URL: "https://hooks.example.com/lc",
			Filters: &livechat.Filters{AuthorType: "agent"}})
		code, out, _ := e.run(tt.args...)
		if code != tt.code || !strings.Contains(out, tt.found) {
			t.Errorf("%s: exit %d, want %d and %q:\n%s", tt.name, code, tt.code, tt.found, out)
		}
	}
	bad := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--action", "chat_deactivated", "--event", saved}, 2, "holds no chat_deactivated event"},
		{[]string{"--action", "incoming_chat", "--event", bare}, 2, "is a incoming_event event, not incoming_chat"},
		{[]string{"--event", write("app.json", `{"event":"application_installed"}`)}, 2, "has no action"},
		{[]string{"--event", filepath.Join(dir, "missing.json")}, 1, "read --event"},
		{[]string{"--event", write("junk.txt", "junk\n")}, 2, "holds no JSON event"},
		// 10 Mi levels: gjson's recursive validator overflowed the stack
		// (a fatal error, not a panic) on this before the depth check.
		{[]string{"--event", write("deep.json", `{"action":"incoming_chat","x":`+strings.Repeat("[", 10<<20)+strings.Repeat("]", 10<<20)+"}")},
			2, "nested deeper than"},
	}
	for _, b := range bad {
		e := newEnv(t)
		f, ts := e.factory()
		cmd := NewCmdDoctor(f, nil)
		cmd.SetArgs(b.args)
		cmd.SetOut(ts.Out)
		cmd.SetErr(ts.ErrOut)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if err == nil || cmdutil.ExitCodeOf(err) != b.code || !strings.Contains(err.Error(), b.err) {
			t.Errorf("%v: %v (exit %d), want exit %d %q", b.args, err, cmdutil.ExitCodeOf(err), b.code, b.err)
		}
		if ts.Out.Len() != 0 {
			t.Errorf("%v: output before the error: %s", b.args, ts.Out.String())
		}
	}
}

func TestLoopbackURL(t *testing.T) {
	for u, want := range map[string]bool{
		"http://127.0.0.1:8484": true, "http://localhost:1": true, "http://[::1]:2": true,
		"https://api.livechatinc.com": false, "http://10.0.0.1": false, "::": false,
	} {
		if got := loopbackURL(u); got != want {
			t.Errorf("loopbackURL(%q) = %v", u, got)
		}
	}
}

// Compile-time check: the command's constructor has the STYLE signature.
var _ func(*cmdutil.Factory, func(*DoctorOptions) error) *cobra.Command = NewCmdDoctor
