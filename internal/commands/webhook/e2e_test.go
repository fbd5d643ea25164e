package webhook_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/app"
	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/commands/factory"
	"github.com/lcwh/lcwh/internal/iostreams"
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
	tty  bool
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := livechatfaketest.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	return &env{t: t, fake: fake, vars: map[string]string{
		"LCWH_API_URL": srv.URL, "LCWH_PAT": pat, "LCWH_CLIENT_ID": client,
		"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "cfg"),
	}}
}

// run executes lcwh in-process through app.Run with the real Factory wiring.
func (e *env) run(stdin string, args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	ios, ts := iostreams.Test()
	ts.In.WriteString(stdin)
	ios.SetStdinTTY(e.tty)
	ios.SetStdoutTTY(e.tty)
	ios.SetStderrTTY(e.tty)
	// config.Load resolves LCWH_<KEY> values through viper, which reads the
	// process environment, so the variables are set there too.
	for _, k := range []string{"LCWH_API_URL", "LCWH_PAT", "LCWH_CLIENT_ID", "LCWH_API_VERSION", "LCWH_SECRET", "LCWH_CONFIG", "LCWH_PROFILE", "HOME", "XDG_CONFIG_HOME"} {
		e.t.Setenv(k, e.vars[k])
	}
	lookup := func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }
	f := factory.NewWith(build.Info{Version: "test"}, ios, lookup)
	code = app.Run(context.Background(), f, args)
	out, errOut := ts.Out.String(), ts.ErrOut.String()
	for _, secret := range []string{livechatfake.PATToken, "topsecret-value", livechatfake.ServerClientSecret} {
		if strings.Contains(out, secret) || strings.Contains(errOut, secret) {
			e.t.Errorf("lcwh %v printed a secret %q:\nstdout: %s\nstderr: %s", args, secret, out, errOut)
		}
	}
	return code, out, errOut
}

func TestWalkthrough(t *testing.T) {
	e := newEnv(t)
	code, out, errOut := e.run("", "register", "--action", "incoming_chat,incoming_event", "--url", "https://example.com/hook",
		"--secret", "topsecret-value", "--filter", "source_type=my_client", "--filter", "only_my_chats=true",
		"--additional-data", "chat_properties,chat_presence_user_ids", "--description", "demo")
	if code != 0 {
		t.Fatalf("register: %d\n%s", code, errOut)
	}
	hooks := e.fake.Webhooks(client)
	if len(hooks) != 2 || hooks[0].Action != "incoming_chat" || hooks[1].Action != "incoming_event" ||
		hooks[0].SecretKey != "topsecret-value" || len(hooks[1].AdditionalData) != 2 {
		t.Fatalf("fake has %+v", hooks)
	}
	wantOut := hooks[0].ID + "\tincoming_chat\n" + hooks[1].ID + "\tincoming_event\n"
	if out != wantOut || !strings.Contains(errOut, "✓ Registered incoming_chat webhook "+hooks[0].ID) {
		t.Errorf("stdout %q stderr %q", out, errOut)
	}

	_, out, _ = e.run("", "list")
	want := hooks[0].ID + "\tincoming_chat\tlicense\thttps://example.com/hook\tdemo\t{\"only_my_chats\":true,\"source_type\":[\"my_client\"]}\n"
	if !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 2 {
		t.Errorf("list TSV:\n%s", out)
	}
	_, out, _ = e.run("", "list", "--action", "incoming_event", "--json")
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0]["id"] != hooks[1].ID || got[0]["owner_client_id"] != client {
		t.Errorf("list --json: %s", out)
	}
	e.tty = true
	_, out, _ = e.run("", "list")
	if !strings.Contains(out, "DESCRIPTION") || !strings.Contains(out, "license  https://example.com/hook  demo") {
		t.Errorf("list table:\n%s", out)
	}
	e.tty = false

	for _, step := range []struct {
		args []string
		out  string
	}{
		{[]string{"state"}, "enabled\n"},
		{[]string{"disable"}, ""},
		{[]string{"state", "--json"}, "{\n  \"client_id\": \"" + client + "\",\n  \"license_webhooks_enabled\": false\n}\n"},
		{[]string{"enable"}, ""},
		{[]string{"state"}, "enabled\n"},
	} {
		code, out, errOut := e.run("", step.args...)
		if code != 0 || out != step.out {
			t.Errorf("%v: %d %q %s", step.args, code, out, errOut)
		}
	}

	code, _, errOut = e.run("", "unregister", "--all")
	if code != 2 || !strings.Contains(errOut, "--yes") {
		t.Errorf("unregister without --yes: %d %s", code, errOut)
	}
	code, out, errOut = e.run("", "unregister", "--action", "incoming_chat", "--yes")
	if code != 0 || out != hooks[0].ID+"\n" || !strings.Contains(errOut, "✓ Unregistered incoming_chat webhook") {
		t.Errorf("unregister: %d %q %s", code, out, errOut)
	}
	// On a terminal it asks; "n" cancels (exit 130), "y" removes.
	e.tty = true
	code, _, errOut = e.run("n\n", "unregister", hooks[1].ID)
	if code != 130 || !strings.Contains(errOut, "Remove 1 webhook(s)? [y/N]") {
		t.Errorf("declined: %d %s", code, errOut)
	}
	code, _, _ = e.run("y\n", "unregister", hooks[1].ID, "nosuchid")
	if code != 1 || len(e.fake.Webhooks(client)) != 0 {
		t.Errorf("confirmed with a missing id: %d, left %d", code, len(e.fake.Webhooks(client)))
	}
}

func TestGenerateSecret(t *testing.T) {
	e := newEnv(t)
	code, out, errOut := e.run("", "register", "--action", "chat_deactivated", "--url", "http://myservice.com/webhooks", "--generate-secret", "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var res struct {
		Webhooks []struct{ Action, ID string }
		Secret   string `json:"secret_key"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	stored := e.fake.Webhooks(client)[0].SecretKey
	if len(res.Secret) != 43 || res.Secret != stored || !strings.Contains(errOut, "shown only this once") || strings.Contains(errOut, stored) {
		t.Errorf("secret %q stored %q stderr %s", res.Secret, stored, errOut)
	}
	// list never shows it, even when the API returns it.
	e.fake.ListSecrets = true
	_, out, _ = e.run("", "list", "--json")
	if strings.Contains(out, stored) || !strings.Contains(out, "****") {
		t.Errorf("list leaks secret: %s", out)
	}
}

func TestValidationBeforeAnyCall(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"register", "--action", "chat_deactivatd", "--url", "https://e.com", "--secret", "x"}, "Did you mean this?\n\tchat_deactivated"},
		{[]string{"register", "--action", "chat_deactivated", "--url", "ftp://e.com", "--secret", "x"}, "absolute http:// or https://"},
		{[]string{"register", "--action", "chat_deactivated", "--url", "https://e.com/" + strings.Repeat("a", 490), "--secret", "x"}, "at most 500"},
		{[]string{"register", "--action", "incoming_chat", "--url", "https://e.com", "--secret", "x", "--filter", "author_type=agent"}, "author_type is not allowed for incoming_chat"},
		{[]string{"register", "--action", "agent_deleted", "--url", "https://e.com", "--secret", "x", "--additional-data", "chat_properties"}, "not allowed for agent_deleted"},
		{[]string{"register", "--action", "incoming_event", "--url", "https://e.com", "--secret", "x", "--filters", `{"author_type":"bot"}`}, "customer or agent"},
		{[]string{"register", "--action", "incoming_event", "--url", "https://e.com"}, "--generate-secret"},
		{[]string{"register", "--action", "incoming_event", "--url", "https://e.com", "--secret", "x", "--type", "app"}, "license or bot"},
		{[]string{"register", "--action", "thread_summary_set", "--url", "https://e.com", "--secret", "x", "--api-version", "3.5"}, "unknown flag"},
		{[]string{"unregister"}, "exactly one"},
		{[]string{"unregister", "abc", "--all", "--yes"}, "exactly one"},
	}
	for _, tt := range tests {
		code, _, errOut := e.run("", tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr:\n%s", tt.args, code, errOut)
		}
	}
	e.vars["LCWH_API_VERSION"] = "3.5"
	if code, _, errOut := e.run("", "register", "--action", "thread_summary_set", "--url", "https://e.com", "--secret", "x"); code != 2 || !strings.Contains(errOut, "for API version 3.5") {
		t.Errorf("3.5 accepted thread_summary_set: %s", errOut)
	}
	if n := len(e.fake.Requests()); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(e *env)
		args  []string
		code  int
		want  []string
	}{
		{"no credential", func(e *env) { delete(e.vars, "LCWH_PAT") }, []string{"list"}, 4,
			[]string{"error: not logged in to LiveChat", `Run "lcwh auth login", or set LCWH_PAT.`}},
		{"rejected credential 401", func(e *env) { e.vars["LCWH_PAT"] = livechatfake.AccountID + ":wrong" }, []string{"list"}, 4,
			[]string{"Authentication error (authentication, HTTP 401)", "LiveChat rejected the credential"}},
		{"missing scope 403", func(e *env) { e.vars["LCWH_PAT"] = livechatfake.AccountID + ":" + livechatfake.ReadOnlyPAT }, []string{"enable"}, 1,
			[]string{"authorization, HTTP 403", "webhooks.state:rw"}},
		{"foreign client 403", nil, []string{"list", "--client-id", livechatfake.ForeignClientID}, 1,
			[]string{"does not belong to your organization"}},
		{"not found 404", nil, []string{"unregister", "--all", "--yes"}, 0, []string{"nothing to unregister"}},
		{"misdirected 421 twice", func(e *env) {
			e.fake.Inject(livechatfaketest.Fault{Status: 421, Body: `{"error":{"type":"misdirected_request","message":"Wrong region","data":{"region":"fra"}}}`, Times: 2})
		}, []string{"list"}, 1, []string{"Wrong region", "data centre"}},
		{"misdirected 421 once recovers", func(e *env) { e.fake.Region = "fra" }, []string{"list"}, 0, nil},
		{"validation 422", func(e *env) {
			e.fake.Inject(livechatfaketest.Fault{Status: 422, Body: `{"error":{"type":"validation","message":"` + "`url`" + ` is invalid"}}`})
		}, []string{"register", "--action", "chat_deactivated", "--url", "https://e.com", "--secret", "x"}, 1, []string{"`url` is invalid"}},
		{"limit 3 per action", func(e *env) {
			for i := 0; i < 3; i++ {
				e.run("", "register", "--action", "chat_deactivated", "--url", "https://e.com", "--secret", "x")
			}
		}, []string{"register", "--action", "chat_deactivated", "--url", "https://e.com", "--secret", "x"}, 1,
			[]string{"limit_reached", "at most 3 webhooks per action", `lcwh list --action chat_deactivated`}},
		{"429 then success", func(e *env) { e.fake.Inject(livechatfaketest.Fault{Status: 429, RetryAfter: "0", Times: 3}) }, []string{"state"}, 0, nil},
		{"503 exhausted", func(e *env) { e.fake.Inject(livechatfaketest.Fault{Status: 503, RetryAfter: "0", Times: 4}) }, []string{"state"}, 1,
			[]string{"HTTP 503", "try again later"}},
		{"non-JSON body", func(e *env) {
			e.fake.Inject(livechatfaketest.Fault{Status: 502, Body: "<html>Bad gateway</html>", ContentType: "text/html", RetryAfter: "0", Times: 4})
		}, []string{"list"}, 1, []string{"unexpected response from the LiveChat API (HTTP 502, text/html)", "--debug"}},
		{"PAT without client id for state", func(e *env) { delete(e.vars, "LCWH_CLIENT_ID") }, []string{"state"}, 2,
			[]string{"owner_client_id", "--client-id"}},
		{"no client id for list", func(e *env) { delete(e.vars, "LCWH_CLIENT_ID") }, []string{"list"}, 2, []string{"LCWH_CLIENT_ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.setup != nil {
				tt.setup(e)
			}
			code, _, errOut := e.run("", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestDebugLogRedacted(t *testing.T) {
	e := newEnv(t)
	code, _, errOut := e.run("", "--debug", "register", "--action", "chat_deactivated", "--url", "https://e.com", "--secret", "topsecret-value")
	if code != 0 || !strings.Contains(errOut, "Authorization: Basic ****") || !strings.Contains(errOut, `"secret_key":"****"`) {
		t.Errorf("debug log:\n%s", errOut)
	}
}

func TestNames(t *testing.T) {
	e := newEnv(t)
	delete(e.vars, "LCWH_PAT") // list_webhook_names needs no credential
	code, out, errOut := e.run("", "names", "--json")
	var names []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &names) != nil || len(names) != 38 {
		t.Fatalf("names: %d %s", code, errOut)
	}
	_, out, _ = e.run("", "names", "--api-version", "3.5")
	if !strings.Contains(out, "incoming_customer\tsource_type\t-\n") {
		t.Errorf("3.5 names:\n%s", out)
	}
	_, off, _ := e.run("", "names", "--offline", "--api-version", "3.5")
	if diff := cmp.Diff(out, off); diff != "" {
		t.Errorf("offline differs from the fake: %s", diff)
	}
}

func TestCompletion(t *testing.T) {
	e := newEnv(t)
	e.run("", "register", "--action", "chat_deactivated", "--url", "https://e.com", "--secret", "x")
	id := e.fake.Webhooks(client)[0].ID
	_, out, _ := e.run("", "__complete", "unregister", "")
	if !strings.Contains(out, id+"\tchat_deactivated → https://e.com") {
		t.Errorf("id completion:\n%s", out)
	}
	_, out, _ = e.run("", "__complete", "register", "--action", "incoming_chat,thread_t")
	if !strings.Contains(out, "incoming_chat,thread_tagged\n") {
		t.Errorf("action completion:\n%s", out)
	}
}

func TestUnregisterStale(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{"lcwh lease aaa otherhost pid 1 until 2000-01-01T00:00:00Z", "lcwh lease bbb otherhost pid 1 until 2999-01-01T00:00:00Z", "mine"} {
		if code, _, errOut := e.run("", "register", "--action", "incoming_chat", "--url", "https://e.com", "--secret", "x", "--description", d); code != 0 {
			t.Fatal(errOut)
		}
	}
	expired := e.fake.Webhooks(client)[0].ID
	code, out, errOut := e.run("", "unregister", "--stale", "--yes")
	if code != 0 || out != expired+"\n" || len(e.fake.Webhooks(client)) != 2 {
		t.Errorf("--stale: %d %q %s", code, out, errOut)
	}
	// The limit hint points at it.
	e.run("", "register", "--action", "incoming_chat", "--url", "https://e.com", "--secret", "x")
	_, _, errOut = e.run("", "register", "--action", "incoming_chat", "--url", "https://e.com", "--secret", "x")
	if !strings.Contains(errOut, "lcwh unregister --stale") {
		t.Errorf("limit hint: %s", errOut)
	}
}
