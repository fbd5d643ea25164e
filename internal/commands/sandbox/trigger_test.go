package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/livechatfake"
)

// receiver records deliveries and answers with the statuses given in turn
// (the last one repeats).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   []map[string]any
	statuses []int
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		r.mu.Lock()
		r.bodies = append(r.bodies, m)
		code := 200
		if len(r.statuses) > 0 {
			code = r.statuses[0]
			if len(r.statuses) > 1 {
				r.statuses = r.statuses[1:]
			}
		}
		r.mu.Unlock()
		if req.Header.Get("Content-Type") != "application/json" {
			code = 415
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.bodies...)
}

func register(t *testing.T, c *livechat.Client, req livechat.RegisterRequest) string {
	t.Helper()
	if req.OwnerClientID == "" {
		req.OwnerClientID = livechatfake.ClientID
	}
	if req.Type == "" {
		req.Type = livechat.TypeLicense
	}
	id, err := c.RegisterWebhook(context.Background(), req)
	if err != nil {
		t.Fatalf("register %+v: %v", req, err)
	}
	return id
}

type triggerOut struct {
	stdout, stderr string
	err            error
	res            livechatfake.TriggerResult
}

// trigger runs `lcwh sandbox trigger` through its command with --json and
// tiny retry intervals.
func trigger(t *testing.T, base string, args ...string) triggerOut {
	t.Helper()
	ios, streams := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Config: testConfig(t)}
	cmd := NewCmdTrigger(f, nil)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs(append([]string{"--sandbox", base, "--retry-interval", "1ms", "--timeout", "5s"}, args...))
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	err := cmd.Execute()
	out := triggerOut{stdout: streams.Out.String(), stderr: streams.ErrOut.String(), err: err}
	if strings.Contains(strings.Join(args, " "), "--json") && out.stdout != "" {
		if jerr := json.Unmarshal([]byte(out.stdout), &out.res); jerr != nil {
			t.Fatalf("json: %v\n%s", jerr, out.stdout)
		}
	}
	return out
}

func TestTriggerDeliversPerWebhook(t *testing.T) {
	r := startSandbox(t)
	c := apiClient(r.url)
	a, b := newReceiver(t), newReceiver(t)
	idA := register(t, c, livechat.RegisterRequest{Action: "incoming_chat", URL: a.URL + "/a", SecretKey: "secret-a",
		AdditionalData: []string{livechat.DataChatPresenceUserIDs}})
	idB := register(t, c, livechat.RegisterRequest{Action: "incoming_chat", URL: b.URL + "/b", SecretKey: "secret-b"})
	register(t, c, livechat.RegisterRequest{Action: "chat_deactivated", URL: b.URL + "/other", SecretKey: "x"})

	out := trigger(t, r.url, "incoming_chat", "--json", "--set", "payload.chat.id=CHAT42")
	if out.err != nil {
		t.Fatalf("trigger: %v\n%s", out.err, out.stderr)
	}
	ga, gb := a.got(), b.got()
	if len(ga) != 1 || len(gb) != 1 {
		t.Fatalf("deliveries a=%d b=%d", len(ga), len(gb))
	}
	check := func(body map[string]any, id, secret string, ad map[string]any) {
		t.Helper()
		got := map[string]any{"webhook_id": body["webhook_id"], "secret_key": body["secret_key"], "action": body["action"],
			"organization_id": body["organization_id"], "additional_data": body["additional_data"],
			"chat": body["payload"].(map[string]any)["chat"].(map[string]any)["id"]}
		want := map[string]any{"webhook_id": id, "secret_key": secret, "action": "incoming_chat",
			"organization_id": livechatfake.OrganizationID, "additional_data": ad, "chat": "CHAT42"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
	}
	check(ga[0], idA, "secret-a", map[string]any{"chat_presence_user_ids": []any{"b7eff798-f8df-4364-8059-649c35c9ed0c", "smith@example.com"}})
	check(gb[0], idB, "secret-b", map[string]any{})
	if out.res.Registered != 2 || len(out.res.Deliveries) != 2 || !out.res.Deliveries[0].OK || out.res.Deliveries[0].Attempts != 1 {
		t.Errorf("result %+v", out.res)
	}
	if !strings.Contains(out.stderr, "✓ Delivered incoming_chat to 2 webhooks") {
		t.Errorf("stderr %q", out.stderr)
	}
}

func TestTriggerTableOutput(t *testing.T) {
	r := startSandbox(t)
	a := newReceiver(t)
	id := register(t, apiClient(r.url), livechat.RegisterRequest{Action: "tag_created", URL: a.URL, SecretKey: "s"})
	out := trigger(t, r.url, "tag_created")
	if out.err != nil {
		t.Fatal(out.err)
	}
	// Not a terminal: tab-separated, no header; latency varies.
	f := strings.Split(strings.TrimSuffix(out.stdout, "\n"), "\t")
	if len(f) != 7 || f[0] != id || f[1] != "license" || f[2] != "200" || f[3] != "1" || f[5] != a.URL || f[6] != "ok" {
		t.Errorf("row %q", out.stdout)
	}
}

func TestTriggerRetriesThenSucceeds(t *testing.T) {
	r := startSandbox(t)
	rec := newReceiver(t, 500, 500, 200)
	register(t, apiClient(r.url), livechat.RegisterRequest{Action: "incoming_event", URL: rec.URL, SecretKey: "s"})
	out := trigger(t, r.url, "incoming_event", "--json")
	if out.err != nil {
		t.Fatalf("%v %s", out.err, out.stderr)
	}
	d := out.res.Deliveries[0]
	if !d.OK || d.Attempts != 3 || d.Status != 200 || len(rec.got()) != 3 {
		t.Errorf("delivery %+v, received %d", d, len(rec.got()))
	}
	bodies := rec.got()
	if diff := cmp.Diff(bodies[0], bodies[2]); diff != "" {
		t.Errorf("retries must resend the identical body:\n%s", diff)
	}
}

func TestTriggerFailureExits1(t *testing.T) {
	r := startSandbox(t)
	rec := newReceiver(t, 500)
	register(t, apiClient(r.url), livechat.RegisterRequest{Action: "incoming_event", URL: rec.URL, SecretKey: "s"})
	out := trigger(t, r.url, "incoming_event", "--retries", "2", "--json")
	if !errors.Is(out.err, cmdutil.ErrSilent) || cmdutil.ExitCodeOf(out.err) != 1 {
		t.Fatalf("err = %v", out.err)
	}
	d := out.res.Deliveries[0]
	if d.OK || d.Attempts != 3 || d.Status != 500 || !strings.Contains(d.Error, "HTTP 500") {
		t.Errorf("delivery %+v", d)
	}
	if !strings.Contains(out.stderr, "✗ 1 of 1 deliveries of incoming_event failed") {
		t.Errorf("stderr %q", out.stderr)
	}
	out = trigger(t, r.url, "incoming_event", "--no-retry", "--json")
	if out.res.Deliveries[0].Attempts != 1 {
		t.Errorf("--no-retry: %+v", out.res.Deliveries[0])
	}
}

func TestTriggerDisabledLicenseWebhooks(t *testing.T) {
	ctx := context.Background()
	r := startSandbox(t)
	c := apiClient(r.url)
	lic, bot := newReceiver(t), newReceiver(t)
	register(t, c, livechat.RegisterRequest{Action: "incoming_chat", URL: lic.URL, SecretKey: "s"})
	register(t, c, livechat.RegisterRequest{Action: "incoming_chat", URL: bot.URL, SecretKey: "s", Type: livechat.TypeBot})
	if err := c.DisableLicenseWebhooks(ctx, livechatfake.ClientID); err != nil {
		t.Fatal(err)
	}
	out := trigger(t, r.url, "incoming_chat", "--json")
	if out.err != nil {
		t.Fatal(out.err)
	}
	if len(lic.got()) != 0 || len(bot.got()) != 1 {
		t.Errorf("license got %d, bot got %d", len(lic.got()), len(bot.got()))
	}
	if len(out.res.Skipped) != 1 || !strings.Contains(out.res.Skipped[0].Reason, "disabled") {
		t.Errorf("skipped %+v", out.res.Skipped)
	}
	if err := c.EnableLicenseWebhooks(ctx, livechatfake.ClientID); err != nil {
		t.Fatal(err)
	}
	if out := trigger(t, r.url, "incoming_chat", "--json"); len(out.res.Deliveries) != 2 || len(lic.got()) != 1 {
		t.Errorf("after enable: %+v", out.res)
	}
}

func TestTriggerFilters(t *testing.T) {
	r := startSandbox(t)
	c := apiClient(r.url)
	customer, agent, mine, present, absent := newReceiver(t), newReceiver(t), newReceiver(t), newReceiver(t), newReceiver(t)
	yes := true
	register(t, c, livechat.RegisterRequest{Action: "incoming_event", URL: customer.URL, SecretKey: "s", Filters: &livechat.Filters{AuthorType: "customer"}})
	register(t, c, livechat.RegisterRequest{Action: "incoming_event", URL: agent.URL, SecretKey: "s", Filters: &livechat.Filters{AuthorType: "agent"}})
	register(t, c, livechat.RegisterRequest{Action: "incoming_event", URL: mine.URL, SecretKey: "s", Filters: &livechat.Filters{OnlyMyChats: &yes, SourceType: []string{"my_client"}}})
	register(t, c, livechat.RegisterRequest{Action: "incoming_chat", URL: present.URL, SecretKey: "s",
		Filters: &livechat.Filters{ChatPresence: &livechat.ChatPresence{UserIDs: &livechat.UserIDs{Values: []string{"smith@example.com"}}}}})
	register(t, c, livechat.RegisterRequest{Action: "incoming_chat", URL: absent.URL, SecretKey: "s",
		Filters: &livechat.Filters{ChatPresence: &livechat.ChatPresence{UserIDs: &livechat.UserIDs{ExcludeValues: []string{"smith@example.com"}}}}})

	// The incoming_event sample's author is a customer (a UUID), its chat's
	// source.client_id is not the sandbox client.
	out := trigger(t, r.url, "incoming_event", "--json")
	if out.err != nil {
		t.Fatal(out.err)
	}
	if len(customer.got()) != 1 || len(agent.got()) != 0 || len(mine.got()) != 0 {
		t.Errorf("customer %d agent %d mine %d", len(customer.got()), len(agent.got()), len(mine.got()))
	}
	if len(out.res.Skipped) != 2 {
		t.Errorf("skipped %+v", out.res.Skipped)
	}
	// --set makes the chat ours and the author an agent.
	out = trigger(t, r.url, "incoming_event", "--json",
		"--set", "additional_data.chat_properties.source.client_id="+livechatfake.ClientID,
		"--set", "payload.event.author_id=smith@example.com")
	if len(agent.got()) != 1 || len(mine.got()) != 1 {
		t.Errorf("after --set: agent %d mine %d: %+v", len(agent.got()), len(mine.got()), out.res)
	}
	for _, d := range out.res.Deliveries {
		if d.URL == mine.URL && !cmp.Equal(d.Unevaluated, []string{"source_type"}) {
			t.Errorf("unevaluated %v, want source_type (chat actions carry no source)", d.Unevaluated)
		}
	}
	if out := trigger(t, r.url, "incoming_chat", "--json"); out.err != nil || len(present.got()) != 1 || len(absent.got()) != 0 {
		t.Errorf("chat_presence: present %d absent %d %v", len(present.got()), len(absent.got()), out.err)
	}
}

func TestTriggerNoWebhook(t *testing.T) {
	r := startSandbox(t)
	out := trigger(t, r.url, "incoming_chat")
	if out.err == nil || !strings.Contains(out.err.Error(), "no webhook is registered for incoming_chat") || cmdutil.ExitCodeOf(out.err) != 1 {
		t.Fatalf("err = %v", out.err)
	}
	if !strings.Contains(cmdutil.HintOf(out.err), "lcwh register --action incoming_chat") || out.stdout != "" {
		t.Errorf("hint %q stdout %q", cmdutil.HintOf(out.err), out.stdout)
	}
}

func TestTriggerKinds(t *testing.T) {
	tests := []struct {
		kind, want string
		code       int
	}{
		{"incoming_chatt", "Did you mean this?\n\tincoming_chat", 2},
		{"application_installed", "not registered through the Configuration API", 2},
		{"app_subscription_renewed", "is a monday webhook", 2},
	}
	for _, tt := range tests {
		out := trigger(t, "http://127.0.0.1:1", tt.kind)
		if out.err == nil || !strings.Contains(out.err.Error(), tt.want) || cmdutil.ExitCodeOf(out.err) != tt.code {
			t.Errorf("%s: err = %v (code %d)", tt.kind, out.err, cmdutil.ExitCodeOf(out.err))
		}
	}
	if h := cmdutil.HintOf(trigger(t, "http://127.0.0.1:1", "payment_collected").err); !strings.Contains(h, "lcwh send-sample payment_collected") {
		t.Errorf("hint %q", h)
	}
	if out := trigger(t, "http://127.0.0.1:1", "incoming_chat", "--set", "=x"); cmdutil.ExitCodeOf(out.err) != 2 {
		t.Errorf("bad --set: %v", out.err)
	}
}

func TestTriggerNoSandbox(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	out := trigger(t, base, "incoming_chat")
	if out.err == nil || !strings.Contains(out.err.Error(), "no sandbox answers at "+base) || !strings.Contains(cmdutil.HintOf(out.err), "lcwh sandbox") {
		t.Fatalf("err = %v", out.err)
	}
}

func TestEnvPrintsExports(t *testing.T) {
	r := startSandbox(t)
	ios, streams := iostreams.Test()
	cmd := NewCmdEnv(&cmdutil.Factory{IOStreams: ios, Config: testConfig(t)}, nil)
	cmd.SetArgs([]string{"--sandbox", r.url})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if streams.Out.String() != r.stdout.String() {
		t.Errorf("env = %q, want what the sandbox printed %q", streams.Out.String(), r.stdout.String())
	}
}

// testConfig loads an empty config with no environment.
func testConfig(t *testing.T) func() (*config.Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	return func() (*config.Config, error) {
		return config.Load(config.Options{Path: path, LookupEnv: func(string) (string, bool) { return "", false }})
	}
}

// TestTriggerJSONFields pins the --json field names (renaming one breaks scripts).
func TestTriggerJSONFields(t *testing.T) {
	r := startSandbox(t)
	c := apiClient(r.url)
	ok, bad := newReceiver(t), newReceiver(t, 500)
	register(t, c, livechat.RegisterRequest{Action: "incoming_chat", URL: ok.URL, SecretKey: "s"})
	register(t, c, livechat.RegisterRequest{Action: "incoming_chat", URL: bad.URL, SecretKey: "s", Type: livechat.TypeBot,
		Filters: &livechat.Filters{SourceType: []string{"system"}}})
	register(t, c, livechat.RegisterRequest{Action: "incoming_chat", URL: ok.URL, SecretKey: "s",
		Filters: &livechat.Filters{ChatPresence: &livechat.ChatPresence{UserIDs: &livechat.UserIDs{Values: []string{"nobody"}}}}})
	out := trigger(t, r.url, "incoming_chat", "--json", "--no-retry")
	var m map[string][]map[string]any
	var top map[string]any
	_ = json.Unmarshal([]byte(out.stdout), &top)
	keys := func(v map[string]any) []string {
		var k []string
		for name := range v {
			k = append(k, name)
		}
		sort.Strings(k)
		return k
	}
	if diff := cmp.Diff([]string{"deliveries", "kind", "registered", "skipped"}, keys(top)); diff != "" {
		t.Errorf("top-level fields:\n%s", diff)
	}
	raw, _ := json.Marshal(map[string]any{"deliveries": top["deliveries"], "skipped": top["skipped"]})
	_ = json.Unmarshal(raw, &m)
	var failed map[string]any
	for _, d := range m["deliveries"] {
		if d["ok"] == false {
			failed = d
		}
	}
	want := []string{"attempts", "error", "latency_ms", "ok", "owner_client_id", "status", "type", "unevaluated_filters", "url", "webhook_id"}
	if diff := cmp.Diff(want, keys(failed)); diff != "" {
		t.Errorf("delivery fields:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"owner_client_id", "reason", "type", "url", "webhook_id"}, keys(m["skipped"][0])); diff != "" {
		t.Errorf("skip fields:\n%s", diff)
	}
}
