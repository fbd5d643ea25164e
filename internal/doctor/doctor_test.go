package doctor

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/lease"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/livechatfake/livechatfaketest"
)

const owner = livechatfake.ServerClientID

var testNow = time.Date(2026, 6, 3, 10, 0, 0, 0, time.UTC)

// env is the fake LiveChat API on loopback with a client for it.
type env struct {
	fake   *livechatfaketest.Server
	srv    *httptest.Server
	client *livechat.Client
	// setup counts the requests made before doctor ran.
	setup int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{fake: livechatfaketest.New()}
	e.srv = httptest.NewServer(e.fake)
	t.Cleanup(e.srv.Close)
	e.client = e.clientWith(auth.PAT{AccountID: livechatfake.AccountID, Token: livechatfake.PATToken}.Header())
	return e
}

func (e *env) clientWith(header string) *livechat.Client {
	hc := &http.Client{Transport: &auth.Transport{Source: auth.StaticHeader(header)}}
	return &livechat.Client{BaseURL: e.srv.URL, Version: "3.6", HTTP: hc,
		Sleep: func(context.Context, time.Duration) error { return nil }}
}

// register adds a webhook through the API (setup, before doctor runs).
func (e *env) register(t *testing.T, r livechat.RegisterRequest) string {
	t.Helper()
	if r.OwnerClientID == "" {
		r.OwnerClientID = owner
	}
	if r.Type == "" {
		r.Type = livechat.TypeLicense
	}
	if r.SecretKey == "" {
		r.SecretKey = "registered-secret-value"
	}
	id, err := e.client.RegisterWebhook(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) options() Options {
	return Options{
		ClientID: owner, Version: "3.6",
		Credential: &Credential{Method: "pat", Source: "file", AccountID: livechatfake.AccountID},
		API:        e.client,
		Now:        func() time.Time { return testNow },
		Hostname:   func() (string, error) { return "devbox", nil },
		Alive:      func(int) bool { return true },
	}
}

// run runs doctor and checks that it only read: after setup the fake saw
// list_webhooks and get_license_webhooks_state, nothing that changes state.
func (e *env) run(t *testing.T, o Options) Report {
	t.Helper()
	e.setup = len(e.fake.Requests())
	r := Run(context.Background(), o)
	for _, req := range e.fake.Requests()[e.setup:] {
		m := req.Path[strings.LastIndex(req.Path, "/")+1:]
		if m != "list_webhooks" && m != "get_license_webhooks_state" {
			t.Errorf("doctor called %s: it must only read", req.Path)
		}
	}
	return r
}

func item(t *testing.T, r Report, id string) Item {
	t.Helper()
	for _, it := range r.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no item %s in %+v", id, r.Items)
	return Item{}
}

func wantStatus(t *testing.T, it Item, s Status) {
	t.Helper()
	if it.Status != s {
		t.Errorf("%s: status %s, want %s\nfound: %q\nfix: %q", it.ID, it.Status, s, it.Found, it.Fix)
	}
}

func has(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

func wantFound(t *testing.T, it Item, sub string) {
	t.Helper()
	if !has(it.Found, sub) {
		t.Errorf("%s: found lacks %q:\n%s", it.ID, sub, strings.Join(it.Found, "\n"))
	}
}

func wantFix(t *testing.T, it Item, sub string) {
	t.Helper()
	if !has(it.Fix, sub) {
		t.Errorf("%s: fix lacks %q:\n%s", it.ID, sub, strings.Join(it.Fix, "\n"))
	}
}

// sampleEvent is a fresh incoming_event sample: a customer's message.
func sampleEvent(t *testing.T) *Event {
	t.Helper()
	const kind = "incoming_event"
	k, _ := catalog.Lookup(kind)
	b, err := catalog.NewGenerator(1, func() time.Time { return testNow }).Body(k, catalog.Params{})
	if err != nil {
		t.Fatal(err)
	}
	return &Event{Body: b, Origin: "the " + kind + " sample"}
}

func TestHealthy(t *testing.T) {
	e := newEnv(t)
	e.fake.ListSecrets = true
	e.register(t, livechat.RegisterRequest{Action: "incoming_event", URL: "https://hooks.example.com/lc"})
	o := e.options()
	o.Action, o.Secret, o.Event = "incoming_event", "registered-secret-value", sampleEvent(t)
	r := e.run(t, o)
	if r.Failed() || r.AuthFailed {
		t.Fatalf("healthy setup reported a problem: %+v", r.Items)
	}
	for _, it := range r.Items {
		wantStatus(t, it, OK)
		if len(it.Fix) != 0 {
			t.Errorf("%s: fix without a problem: %q", it.ID, it.Fix)
		}
	}
	wantFound(t, item(t, r, IDCredentials), "Personal Access Token of account "+livechatfake.AccountID)
	wantFound(t, item(t, r, IDCredentials), "accepted by LiveChat")
	wantFound(t, item(t, r, IDEnablement), "are enabled on your license")
	wantFound(t, item(t, r, IDFilters), "no filters: every incoming_event event is sent")
	wantFound(t, item(t, r, IDSecret), "secret_key equals --secret")
	wantFound(t, item(t, r, IDVersion), "incoming_event is an action of 3.6")
	b, _ := json.Marshal(r)
	if strings.Contains(string(b), "registered-secret-value") {
		t.Errorf("the secret is in the report: %s", b)
	}
}

func TestNoWebhookForAction(t *testing.T) {
	e := newEnv(t)
	e.register(t, livechat.RegisterRequest{Action: "incoming_chat", URL: "https://hooks.example.com/lc"})
	o := e.options()
	o.Action = "incoming_event"
	r := e.run(t, o)
	it := item(t, r, IDRegistration)
	wantStatus(t, it, Fail)
	wantFound(t, it, "no webhook of client "+owner+" for incoming_event")
	wantFound(t, it, "registered: incoming_chat (1)")
	wantFix(t, it, "lcwh register --action incoming_event --url https://YOUR-HOST/PATH --secret YOUR_SECRET")
	wantFix(t, it, "lcwh listen --register incoming_event --public-url auto")
	for _, id := range []string{IDFilters, IDURL} {
		wantStatus(t, item(t, r, id), Skip)
	}
	if !r.Failed() || r.AuthFailed {
		t.Error("want a failed report without an auth failure")
	}
}

func TestFixRepeatsFlags(t *testing.T) {
	e := newEnv(t)
	o := e.options()
	o.Action, o.ClientIDFlag, o.Profile, o.ConfiguredSecret = "incoming_event", true, "staging", "configured"
	o.URL = "https://hooks.example.com/a b"
	it := item(t, e.run(t, o), IDRegistration)
	wantFix(t, it, "lcwh register --action incoming_event --url 'https://hooks.example.com/a b' --client-id "+owner+" --profile staging")
	if has(it.Fix, "--secret") {
		t.Errorf("a configured secret needs no --secret: %q", it.Fix)
	}
}

func TestLicenseDisabled(t *testing.T) {
	e := newEnv(t)
	e.register(t, livechat.RegisterRequest{Action: "incoming_event", URL: "https://hooks.example.com/lc"})
	if err := e.client.DisableLicenseWebhooks(context.Background(), owner); err != nil {
		t.Fatal(err)
	}
	o := e.options()
	o.Action = "incoming_event"
	it := item(t, e.run(t, o), IDEnablement)
	wantStatus(t, it, Fail)
	wantFound(t, it, "license webhooks of client "+owner+" are disabled on your license")
	if it.Fix[0] != "lcwh enable" {
		t.Errorf("first fix %q, want lcwh enable", it.Fix[0])
	}
}

func TestBotWebhookReminder(t *testing.T) {
	e := newEnv(t)
	e.register(t, livechat.RegisterRequest{Action: "incoming_chat", URL: "https://hooks.example.com/lc", Type: livechat.TypeBot})
	it := item(t, e.run(t, e.options()), IDEnablement)
	wantStatus(t, it, Warn)
	wantFound(t, it, "1 bot webhook")
	wantFix(t, it, "create_bot")
	wantFix(t, it, "set_routing_status")
}

func TestFilterExcludesSample(t *testing.T) {
	e := newEnv(t)
	id := e.register(t, livechat.RegisterRequest{Action: "incoming_event", URL: "https://hooks.example.com/lc",
		Filters: &livechat.Filters{AuthorType: "agent", SourceType: []string{"my_client"}}, AdditionalData: []string{"chat_properties"}})
	o := e.options()
	o.Action, o.Event = "incoming_event", sampleEvent(t)
	it := item(t, e.run(t, o), IDFilters)
	wantStatus(t, it, Fail)
	wantFound(t, it, "author_type=agent: only events written by an agent")
	wantFound(t, it, id+": the incoming_event sample is filtered out: filter author_type=agent: the event's author")
	wantFix(t, it, "lcwh unregister "+id+" --yes")
	wantFix(t, it, "lcwh register --action incoming_event --url https://hooks.example.com/lc --filter source_type=my_client --secret YOUR_SECRET")
	wantFix(t, it, "if the webhook had it: list_webhooks does not return it")

	// When list_webhooks returns additional_data, the fix keeps it.
	e.fake.ListSecrets = true
	it = item(t, e.run(t, o), IDFilters)
	wantFix(t, it, "lcwh register --action incoming_event --url https://hooks.example.com/lc --filter source_type=my_client --additional-data chat_properties --secret YOUR_SECRET")
	if has(it.Fix, "if the webhook had it") {
		t.Errorf("additional data is known: %q", it.Fix)
	}

	// The filter the sample passes: OK, with the unevaluated one named.
	e2 := newEnv(t)
	e2.register(t, livechat.RegisterRequest{Action: "incoming_event", URL: "https://hooks.example.com/lc",
		Filters: &livechat.Filters{AuthorType: "customer", SourceType: []string{"my_client"}}})
	o2 := e2.options()
	o2.Action, o2.Event = "incoming_event", sampleEvent(t)
	it = item(t, e2.run(t, o2), IDFilters)
	wantStatus(t, it, Warn)
	wantFound(t, it, "the incoming_event sample passes, but it cannot tell source_type")
}

func TestFiltersWithoutEventSuggestSample(t *testing.T) {
	e := newEnv(t)
	e.register(t, livechat.RegisterRequest{Action: "incoming_event", URL: "https://hooks.example.com/lc",
		Filters: &livechat.Filters{AuthorType: "agent"}})
	o := e.options()
	o.Action = "incoming_event"
	it := item(t, e.run(t, o), IDFilters)
	wantStatus(t, it, OK)
	wantFound(t, it, "--sample incoming_event")
}

func TestFilterOfLeaseFixedByListen(t *testing.T) {
	e := newEnv(t)
	l := lease.New("devbox", 42, testNow, time.Hour)
	e.register(t, livechat.RegisterRequest{Action: "incoming_event", URL: "https://abc.ngrok-free.app/", Description: l.Description(),
		Filters: &livechat.Filters{AuthorType: "agent"}})
	o := e.options()
	o.Action, o.Event, o.NgrokAPI = "incoming_event", sampleEvent(t), closedPort(t)
	it := item(t, e.run(t, o), IDFilters)
	wantStatus(t, it, Fail)
	wantFix(t, it, "lcwh listen --register incoming_event --public-url https://abc.ngrok-free.app/")
	if has(it.Fix, "lcwh unregister") {
		t.Errorf("a lease is removed by its listen run, not by unregister: %q", it.Fix)
	}
}

func TestLocalhostURL(t *testing.T) {
	e := newEnv(t)
	id := e.register(t, livechat.RegisterRequest{Action: "incoming_chat", URL: "http://127.0.0.1:9000/hook"})
	o := e.options()
	it := item(t, e.run(t, o), IDURL)
	wantStatus(t, it, Fail)
	wantFound(t, it, "http://127.0.0.1:9000/hook: 127.0.0.1 is this machine (loopback), which LiveChat's servers cannot reach")
	wantFix(t, it, "lcwh listen --register incoming_chat --public-url auto")
	wantFix(t, it, "lcwh unregister "+id+" --yes")

	// Against a local API (lcwh sandbox) the same URL is reachable.
	o.LocalAPI = true
	it = item(t, e.run(t, o), IDURL)
	wantStatus(t, it, OK)
	wantFound(t, it, "api_url is on this machine (lcwh sandbox)")
}

func TestURLRules(t *testing.T) {
	tests := []struct {
		url    string
		status Status
		found  string
	}{
		{"https://hooks.example.com/x", OK, "absolute https on a public host"},
		{"http://hooks.example.com/x", Warn, "plain http"},
		{"https://localhost/x", Fail, "this machine"},
		{"https://[::1]:8080/x", Fail, "this machine"},
		{"https://192.168.1.20/x", Fail, "a private network address"},
		{"https://10.0.0.1/x", Fail, "a private network address"},
		{"https://169.254.1.1/x", Fail, "a link-local address"},
		{"https://printer.local/x", Fail, "a local network name"},
		{"https://devbox:8080/x", Fail, "a name without a domain"},
		{"ftp://hooks.example.com/x", Fail, "not an absolute http(s) URL"},
	}
	for _, tt := range tests {
		e := newEnv(t)
		o := e.options()
		o.URL = tt.url
		it := item(t, e.run(t, o), IDURL)
		if it.Status != tt.status || !has(it.Found, tt.found) {
			t.Errorf("%s: %s %q, want %s %q", tt.url, it.Status, it.Found, tt.status, tt.found)
		}
	}
}

// fakeNgrok serves ngrok's agent API (GET /api/tunnels) on loopback.
func fakeNgrok(t *testing.T, publicURLs ...string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/tunnels" {
			http.NotFound(w, r)
			return
		}
		type tunnel struct {
			Name      string            `json:"name"`
			PublicURL string            `json:"public_url"`
			Proto     string            `json:"proto"`
			Config    map[string]string `json:"config"`
		}
		out := struct {
			Tunnels []tunnel `json:"tunnels"`
		}{Tunnels: []tunnel{}}
		for _, u := range publicURLs {
			out.Tunnels = append(out.Tunnels, tunnel{Name: "command_line", PublicURL: u, Proto: "https", Config: map[string]string{"addr": "http://localhost:8080"}})
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

func TestNgrokTunnel(t *testing.T) {
	const hookURL = "https://abcd-1234.ngrok-free.app/webhooks"
	tests := []struct {
		name   string
		api    string
		status Status
		found  string
	}{
		{"no agent", closedPort(t), Fail, "no ngrok agent runs on this machine"},
		{"agent, other tunnel", fakeNgrok(t, "https://ffff-9999.ngrok-free.app"), Fail, "no tunnel of the running ngrok agent has this host (its tunnels: https://ffff-9999.ngrok-free.app)"},
		{"tunnel up", fakeNgrok(t, "https://abcd-1234.ngrok-free.app"), OK, "ngrok tunnel up, forwarding to http://localhost:8080"},
	}
	for _, tt := range tests {
		e := newEnv(t)
		id := e.register(t, livechat.RegisterRequest{Action: "incoming_chat", URL: hookURL})
		o := e.options()
		o.NgrokAPI, o.NgrokClient = tt.api, &http.Client{Timeout: 5 * time.Second}
		it := item(t, e.run(t, o), IDURL)
		if it.Status != tt.status || !has(it.Found, tt.found) {
			t.Errorf("%s: %s %q, want %s %q", tt.name, it.Status, it.Found, tt.status, tt.found)
		}
		if tt.status == Fail {
			wantFix(t, it, "lcwh listen --register incoming_chat --public-url auto")
			wantFix(t, it, "lcwh unregister "+id+" --yes")
		}
	}
}

func TestProbe(t *testing.T) {
	var got []map[string]any
	status := 200
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		got = append(got, m)
		w.WriteHeader(status)
	}))
	t.Cleanup(recv.Close)
	e := newEnv(t)
	id := e.register(t, livechat.RegisterRequest{Action: "incoming_chat", URL: recv.URL + "/hook"})
	o := e.options()
	o.LocalAPI, o.Secret, o.HTTPClient = true, "handler-secret", &http.Client{}

	// Never without being asked.
	it := item(t, e.run(t, o), IDURL)
	wantFound(t, it, "not probed")
	if len(got) != 0 {
		t.Fatalf("probed without --probe: %v", got)
	}
	o.Probe = true
	for _, tt := range []struct {
		status int
		want   Status
		found  string
	}{
		{200, OK, "probe answered HTTP 200 in"},
		{202, Warn, "HTTP 202: LiveChat documents only 200 as success"},
		{500, Fail, "probe failed after"},
	} {
		status = tt.status
		it := item(t, e.run(t, o), IDURL)
		if it.Status != tt.want || !has(it.Found, tt.found) {
			t.Errorf("HTTP %d: %s %q, want %s %q", tt.status, it.Status, it.Found, tt.want, tt.found)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d probes, want 3 (one per run, no retries)", len(got))
	}
	if got[0]["action"] != "incoming_chat" || got[0]["webhook_id"] != id || got[0]["secret_key"] != "handler-secret" {
		t.Errorf("probe body: action %v webhook_id %v secret_key %v", got[0]["action"], got[0]["webhook_id"], got[0]["secret_key"])
	}
}

func TestSecretMismatch(t *testing.T) {
	e := newEnv(t)
	e.fake.ListSecrets = true
	id := e.register(t, livechat.RegisterRequest{Action: "incoming_chat", URL: "https://hooks.example.com/lc", SecretKey: "registered-one"})
	o := e.options()
	o.Secret = "handler-other"
	r := e.run(t, o)
	it := item(t, r, IDSecret)
	wantStatus(t, it, Fail)
	wantFound(t, it, "secret_key of "+id+" is not --secret (neither is printed)")
	wantFix(t, it, "lcwh unregister "+id+" --yes")
	b, _ := json.Marshal(r)
	for _, s := range []string{"registered-one", "handler-other"} {
		if strings.Contains(string(b), s) {
			t.Errorf("secret %q printed: %s", s, b)
		}
	}

	// Two registrations with two secrets and nothing to compare with.
	e.register(t, livechat.RegisterRequest{Action: "incoming_chat", URL: "https://hooks.example.com/lc2", SecretKey: "registered-two"})
	o.Secret = ""
	it = item(t, e.run(t, o), IDSecret)
	wantStatus(t, it, Warn)
	wantFound(t, it, "the 2 webhooks use 2 different secret_keys")
}

func TestSecretUnreadable(t *testing.T) {
	tests := []struct {
		name, flag, configured string
		want                   Status
		found                  string
	}{
		{"differs from configured", "handler-a", "configured-b", Fail, "--secret is not the configured secret"},
		{"equals configured", "same-secret", "same-secret", Warn, "--secret equals the configured secret"},
		{"nothing to compare", "", "", Warn, "no secret to compare"},
	}
	for _, tt := range tests {
		e := newEnv(t)
		e.register(t, livechat.RegisterRequest{Action: "incoming_chat", URL: "https://hooks.example.com/lc"})
		o := e.options()
		o.Secret, o.ConfiguredSecret = tt.flag, tt.configured
		it := item(t, e.run(t, o), IDSecret)
		if it.Status != tt.want || !has(it.Found, tt.found) || !has(it.Found, "could not be read") {
			t.Errorf("%s: %s %q, want %s %q", tt.name, it.Status, it.Found, tt.want, tt.found)
		}
	}
}

func TestMissingScope(t *testing.T) {
	e := newEnv(t)
	o := e.options()
	o.API = e.clientWith(auth.PAT{AccountID: livechatfake.AccountID, Token: livechatfake.ReadOnlyPAT}.Header())
	r := e.run(t, o)
	it := item(t, r, IDCredentials)
	wantStatus(t, it, Fail)
	wantFound(t, it, "list_webhooks was refused (authorization): the token lacks webhooks.configuration:rw")
	wantFound(t, it, "the token lacks webhooks.state:ro")
	wantFix(t, it, "Create a Personal Access Token with the scopes webhooks.configuration:rw and webhooks.state:rw")
	wantFix(t, it, "lcwh auth login --with-pat")
	if r.AuthFailed {
		t.Error("a missing scope is not a rejected credential (exit 1, not 4)")
	}
	wantStatus(t, item(t, r, IDRegistration), Fail)
}

func TestOAuthScopes(t *testing.T) {
	e := newEnv(t)
	e.fake.State(func(s *livechatfake.State) {
		s.Tokens["dal:oauth-test-token"] = &livechatfake.Token{Access: "dal:oauth-test-token", ClientID: owner,
			AccountID: livechatfake.AccountID, Scopes: []string{scopeConfig, scopeStateRO}, Expiry: time.Now().Add(time.Hour)}
	})
	o := e.options()
	c := e.clientWith("Bearer dal:oauth-test-token")
	c.Bearer, c.TokenClientID = true, owner
	o.API = c
	o.Credential = &Credential{Method: "oauth", Source: "keyring", AccountID: livechatfake.AccountID, ClientID: owner,
		Scopes: []string{scopeConfig, scopeStateRO}}
	it := item(t, e.run(t, o), IDCredentials)
	wantStatus(t, it, Warn)
	wantFound(t, it, "OAuth login of account "+livechatfake.AccountID+" through client "+owner)
	wantFound(t, it, "missing scope: webhooks.state:rw (enable and disable need webhooks.state:rw)")
	wantFix(t, it, "lcwh auth login --client-id "+owner)
}

func TestLimitReached(t *testing.T) {
	past := lease.New("devbox", 7, testNow.Add(-2*time.Hour), time.Hour) // expired
	gone := lease.New("devbox", 8, testNow, time.Hour)                   // its process is gone
	tests := []struct {
		name   string
		descs  []string
		url    string
		want   Status
		fix    string
		found  string
		noFail bool
	}{
		{name: "stale leases hold slots", descs: []string{past.Description(), gone.Description(), ""}, want: Fail,
			fix: "lcwh unregister --stale --yes", found: "2 are stale leases"},
		{name: "full, all in use", descs: []string{"a", "b", "c"}, want: Warn,
			fix: "lcwh unregister ID --yes", found: "3 of 3 webhooks, the limit per action"},
		{name: "full, and not for this URL", descs: []string{"a", "b", "c"}, url: "https://new.example.com/h", want: Fail,
			fix: "Free a slot", found: "no webhook of client " + owner + " for incoming_chat sends to https://new.example.com/h"},
	}
	for _, tt := range tests {
		e := newEnv(t)
		for i, d := range tt.descs {
			e.register(t, livechat.RegisterRequest{Action: "incoming_chat", URL: "https://hooks.example.com/" + string(rune('a'+i)), Description: d})
		}
		o := e.options()
		o.Action, o.URL = "incoming_chat", tt.url
		o.Alive = func(pid int) bool { return pid != 8 }
		it := item(t, e.run(t, o), IDRegistration)
		if it.Status != tt.want || !has(it.Fix, tt.fix) || !has(it.Found, tt.found) {
			t.Errorf("%s: %s\nfound %q\nfix %q\nwant %s, found %q, fix %q", tt.name, it.Status, it.Found, it.Fix, tt.want, tt.found, tt.fix)
		}
	}
}

func TestRejectedToken(t *testing.T) {
	e := newEnv(t)
	o := e.options()
	o.API = e.clientWith(auth.PAT{AccountID: livechatfake.AccountID, Token: "dal:wrong-token"}.Header())
	o.Credential.Source = "env LCWH_PAT"
	r := e.run(t, o)
	if !r.AuthFailed || !r.Failed() {
		t.Fatalf("want an auth failure: %+v", r)
	}
	it := item(t, r, IDCredentials)
	wantStatus(t, it, Fail)
	wantFound(t, it, "LiveChat rejected it")
	wantFix(t, it, "export LCWH_PAT=ACCOUNT_ID:TOKEN")
	for _, id := range []string{IDRegistration, IDEnablement, IDFilters, IDSecret} {
		wantStatus(t, item(t, r, id), Skip)
	}
	if strings.Contains(strings.Join(it.Found, " "), "wrong-token") {
		t.Errorf("token printed: %q", it.Found)
	}
}

func TestNoCredential(t *testing.T) {
	o := Options{Version: "3.6", CredentialErr: auth.ErrNoCredential, Action: "incoming_chat"}
	r := Run(context.Background(), o)
	if !r.AuthFailed {
		t.Fatal("want an auth failure")
	}
	it := item(t, r, IDCredentials)
	wantStatus(t, it, Fail)
	wantFix(t, it, "lcwh auth login --with-pat")
	wantStatus(t, item(t, r, IDVersion), OK) // needs no API
}

func TestNoClientID(t *testing.T) {
	e := newEnv(t)
	o := e.options()
	o.ClientID = ""
	r := e.run(t, o)
	it := item(t, r, IDRegistration)
	wantStatus(t, it, Fail)
	wantFix(t, it, "lcwh config set client_id CLIENT_ID")
	if len(e.fake.Requests()) != e.setup {
		t.Error("called the API without a client id")
	}
}

func TestVersion(t *testing.T) {
	e := newEnv(t)
	o := e.options()
	o.Action = "incoming_customer"
	it := item(t, e.run(t, o), IDVersion)
	wantStatus(t, it, Fail)
	wantFound(t, it, "incoming_customer is not an action of API 3.6; it is one of 3.5")
	wantFix(t, it, "lcwh config set api_version 3.5")

	o.Action, o.Version = "incomig_chat", "3.6"
	r := e.run(t, o)
	wantFound(t, item(t, r, IDVersion), "did you mean incoming_chat")
	// No register command for an action the version does not have.
	reg := item(t, r, IDRegistration)
	wantFix(t, reg, "See version: incomig_chat is not an action of this API version.")
	if has(reg.Fix, "lcwh register") {
		t.Errorf("register fix for an unknown action: %q", reg.Fix)
	}

	o.Action, o.Version = "incoming_chat", "3.5"
	it = item(t, e.run(t, o), IDVersion)
	wantStatus(t, it, Warn)
	wantFound(t, it, "3.5 is legacy")

	// A registered filter the version's table does not allow (or know).
	e.fake.State(func(s *livechatfake.State) {
		s.Webhooks[owner] = append(s.Webhooks[owner], &livechatfake.Webhook{ID: "w1", RegisterRequest: livechat.RegisterRequest{
			Action: "incoming_chat", URL: "https://hooks.example.com/lc", Type: "license", SecretKey: "s",
			Filters: &livechat.Filters{AuthorType: "customer"}}})
	})
	o.Version = "3.6"
	it = item(t, e.run(t, o), IDVersion)
	wantStatus(t, it, Warn)
	wantFound(t, it, "w1: filter author_type is not allowed for incoming_chat")
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"https://e.com/x?a=1&b=2":      "'https://e.com/x?a=1&b=2'",
		"it's":                         `'it'\''s'`,
		"":                             "''",
		"source_type=my_client,system": "source_type=my_client,system",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
