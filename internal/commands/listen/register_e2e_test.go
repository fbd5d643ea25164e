package listen_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/app"
	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/commands/factory"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/lease"
	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/livechatfake/livechatfaketest"
	"github.com/lcwh/lcwh/internal/sender"
)

const owner = livechatfake.ServerClientID

// env is the real command tree against the fake API over loopback.
type env struct {
	t          *testing.T
	fake       *livechatfaketest.Server
	srv        *httptest.Server
	vars       map[string]string
	registered chan string // path of each answered register call
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, fake: livechatfaketest.New(), registered: make(chan string, 16)}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.fake.ServeHTTP(w, r)
		if strings.HasSuffix(r.URL.Path, "/register_webhook") {
			e.registered <- r.URL.Path
		}
	}))
	t.Cleanup(e.srv.Close)
	dir := t.TempDir()
	e.vars = map[string]string{
		"LCWH_API_URL": e.srv.URL, "LCWH_PAT": livechatfake.AccountID + ":" + livechatfake.PATToken,
		"LCWH_CLIENT_ID": owner, "HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "cfg"),
	}
	for _, k := range []string{"LCWH_API_URL", "LCWH_PAT", "LCWH_CLIENT_ID", "LCWH_API_VERSION", "LCWH_SECRET", "LCWH_CONFIG", "LCWH_PROFILE", "LCWH_LISTEN_PORT", "HOME", "XDG_CONFIG_HOME"} {
		t.Setenv(k, e.vars[k])
	}
	return e
}

type result struct {
	code           int
	stdout, stderr string
}

// start runs lcwh in the background; the result arrives when it exits.
func (e *env) start(ctx context.Context, args ...string) <-chan result {
	ios, ts := iostreams.Test()
	lookup := func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }
	f := factory.NewWith(build.Info{Version: "test"}, ios, lookup)
	done := make(chan result, 1)
	go func() {
		code := app.Run(ctx, f, args)
		done <- result{code, ts.Out.String(), ts.ErrOut.String()}
	}()
	return done
}

func (e *env) run(args ...string) result {
	e.t.Helper()
	return <-e.start(context.Background(), args...)
}

// waitRegistered waits for n answered register_webhook calls, or the exit.
func (e *env) waitRegistered(n int, done <-chan result) {
	e.t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-e.registered:
		case r := <-done:
			e.t.Fatalf("listen exited early: %d\n%s", r.code, r.stderr)
		}
	}
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

func listenArgs(port int, more ...string) []string {
	return append([]string{"listen", "--port", strconv.Itoa(port)}, more...)
}

func TestRegisterLifecycle(t *testing.T) {
	e := newEnv(t)
	port := freePort(t)
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/webhooks"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := e.start(ctx, listenArgs(port, "--register", "incoming_chat,incoming_event", "--public-url", url,
		"--filter", "source_type=my_client,other_clients", "--json")...)
	e.waitRegistered(2, done)

	hooks := e.fake.Webhooks(owner)
	if len(hooks) != 2 || hooks[0].URL != url || hooks[0].SecretKey == "" || hooks[0].SecretKey != hooks[1].SecretKey ||
		hooks[1].Filters == nil || len(hooks[1].Filters.SourceType) != 2 {
		t.Fatalf("registered %+v", hooks)
	}
	l, ok := lease.Parse(hooks[0].Description)
	host, _ := os.Hostname()
	if !ok || l.PID != os.Getpid() || time.Until(l.Until) < 11*time.Hour || l.Host != host {
		t.Errorf("lease %q = %+v", hooks[0].Description, l)
	}

	res, err := e.fake.Trigger(ctx, sender.Options{}, livechatfake.TriggerRequest{Kind: "incoming_chat"})
	if err != nil || len(res.Deliveries) != 1 || !res.Deliveries[0].OK {
		t.Fatalf("trigger: %+v %v", res, err)
	}
	cancel()
	r := <-done
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var ev struct {
		Kind      string `json:"kind"`
		Verified  *bool  `json:"verified"`
		WebhookID string `json:"webhook_id"`
	}
	line, _ := bufio.NewReader(strings.NewReader(r.stdout)).ReadString('\n')
	if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Kind != "incoming_chat" || ev.Verified == nil || !*ev.Verified || ev.WebhookID != hooks[0].ID {
		t.Errorf("event %q: %+v %v", line, ev, err)
	}
	for _, want := range []string{
		"✓ Registered incoming_chat webhook " + hooks[0].ID + " → " + url,
		"✓ Unregistered incoming_chat webhook " + hooks[0].ID,
		"✓ Unregistered incoming_event webhook " + hooks[1].ID,
		"1 verified",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stdout+r.stderr, hooks[0].SecretKey) {
		t.Errorf("the generated secret was printed")
	}
	if got := e.run("list"); got.code != 0 || got.stdout != "" {
		t.Errorf("list after exit: %+v", got)
	}
}

func TestRegisterSIGTERM(t *testing.T) {
	e := newEnv(t)
	port := freePort(t)
	done := e.start(context.Background(), listenArgs(port, "--register", "chat_deactivated", "--public-url", "https://example.com/hook", "-q")...)
	e.waitRegistered(1, done)
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.code != 0 || !strings.Contains(r.stderr, "stopping (terminated)") || !strings.Contains(r.stderr, "✓ Unregistered chat_deactivated webhook") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if n := len(e.fake.Webhooks(owner)); n != 0 {
		t.Errorf("%d webhooks left", n)
	}
}

func TestRegisterCleanupFailsThenStaleGC(t *testing.T) {
	e := newEnv(t)
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := e.start(ctx, listenArgs(port, "--register", "incoming_chat", "--public-url", "https://example.com/hook", "-q")...)
	e.waitRegistered(1, done)
	id := e.fake.Webhooks(owner)[0].ID
	e.fake.Inject(livechatfaketest.Fault{Path: "unregister_webhook", Status: 403, Type: "authorization"})
	cancel()
	r := <-done
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, want := range []string{
		"✗ could not unregister incoming_chat webhook " + id,
		"error: 1 webhook(s) registered by this run are still registered (" + id + ")",
		"lcwh unregister --client-id " + owner + " --yes " + id,
		"lcwh unregister --stale --yes",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	// The lease names this (live) process: --stale leaves it alone.
	if got := e.run("unregister", "--stale", "--yes"); got.code != 0 || len(e.fake.Webhooks(owner)) != 1 {
		t.Errorf("unregister --stale removed a live lease: %+v", got)
	}
	if got := e.run("unregister", "--client-id", owner, "--yes", id); got.code != 0 || len(e.fake.Webhooks(owner)) != 0 {
		t.Errorf("the printed command did not remove it: %+v", got)
	}
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot run true:", err)
	}
	return cmd.Process.Pid
}

// seed registers webhooks with the given descriptions for action.
func (e *env) seed(action string, descs ...string) {
	e.t.Helper()
	for _, d := range descs {
		r := e.run("register", "--action", action, "--url", "https://example.com/old", "--secret", "s", "--description", d)
		if r.code != 0 {
			e.t.Fatalf("seed: %+v", r)
		}
		<-e.registered
	}
}

func TestStaleGC(t *testing.T) {
	e := newEnv(t)
	host, _ := os.Hostname()
	now := time.Now()
	dead := lease.New(host, deadPID(t), now, time.Hour).Description()
	expired := lease.New("elsewhere", 1, now.Add(-2*time.Hour), time.Hour).Description()
	remote := lease.New("elsewhere", 1, now, time.Hour).Description()
	live := lease.New(host, os.Getpid(), now, time.Hour).Description()
	e.seed("incoming_chat", dead, expired, "my production hook")
	e.seed("incoming_event", remote, live)
	r := e.run("unregister", "--stale", "--yes")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var left []string
	for _, h := range e.fake.Webhooks(owner) {
		left = append(left, h.Description)
	}
	if strings.Join(left, "|") != strings.Join([]string{"my production hook", remote, live}, "|") {
		t.Errorf("left %q", left)
	}
}

func TestRegisterLimitReachedNamesStaleLeases(t *testing.T) {
	e := newEnv(t)
	host, _ := os.Hostname()
	now := time.Now()
	pid := deadPID(t)
	e.seed("incoming_chat", lease.New(host, pid, now, time.Hour).Description(),
		lease.New("elsewhere", 1, now.Add(-2*time.Hour), time.Hour).Description(), "mine")
	r := e.run(listenArgs(freePort(t), "--register", "incoming_chat", "--public-url", "https://example.com/hook")...)
	<-e.registered
	if r.code != 1 || !strings.Contains(r.stderr, "limit_reached") ||
		!strings.Contains(r.stderr, "2 of the incoming_chat webhooks are stale leases") ||
		!strings.Contains(r.stderr, `Remove them with "lcwh unregister --stale --yes"`) {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if n := len(e.fake.Webhooks(owner)); n != 3 {
		t.Errorf("%d webhooks, want the 3 seeded", n)
	}
}

func TestRegisterEnablesAndRestoresLicenseWebhooks(t *testing.T) {
	e := newEnv(t)
	if r := e.run("disable"); r.code != 0 {
		t.Fatal(r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := e.start(ctx, listenArgs(freePort(t), "--register", "incoming_chat", "--public-url", "https://example.com/hook", "-q")...)
	e.waitRegistered(1, done)
	if r := e.run("state"); r.stdout != "enabled\n" {
		t.Errorf("state during the run: %+v", r)
	}
	cancel()
	r := <-done
	if r.code != 0 || !strings.Contains(r.stderr, "Enabled license webhooks of client "+owner+" for this run") ||
		!strings.Contains(r.stderr, "✓ Disabled license webhooks of client "+owner+" again") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if r := e.run("state"); r.stdout != "disabled\n" {
		t.Errorf("state after the run: %+v", r)
	}
	// Bot webhooks do not depend on the license state: left alone.
	ctx, cancel = context.WithCancel(context.Background())
	done = e.start(ctx, listenArgs(freePort(t), "--register", "incoming_chat", "--type", "bot", "--public-url", "https://example.com/hook", "-q")...)
	e.waitRegistered(1, done)
	cancel()
	if r := <-done; r.code != 0 || strings.Contains(r.stderr, "license webhooks") {
		t.Errorf("bot: exit %d\n%s", r.code, r.stderr)
	}
}

func ngrokAgent(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/tunnels" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestPublicURLAuto(t *testing.T) {
	e := newEnv(t)
	port := freePort(t)
	tunnels := `{"tunnels":[{"public_url":"https://other.ngrok.app","proto":"https","config":{"addr":"localhost:3000"}},
		{"public_url":"https://abc.ngrok.app","proto":"https","config":{"addr":"http://localhost:` + strconv.Itoa(port) + `"}}]}`
	agent := ngrokAgent(t, tunnels)
	ctx, cancel := context.WithCancel(context.Background())
	done := e.start(ctx, listenArgs(port, "--path", "hooks", "--register", "incoming_chat", "--public-url", "auto", "--ngrok-api", agent, "-q")...)
	e.waitRegistered(1, done)
	if h := e.fake.Webhooks(owner); len(h) != 1 || h[0].URL != "https://abc.ngrok.app/hooks" {
		t.Errorf("registered %+v", h)
	}
	cancel()
	if r := <-done; r.code != 0 {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}

	none := ngrokAgent(t, `{"tunnels":[{"public_url":"https://other.ngrok.app","proto":"https","config":{"addr":"localhost:3000"}}]}`)
	r := e.run(listenArgs(port, "--register", "incoming_chat", "--public-url", "auto", "--ngrok-api", none)...)
	if r.code != 1 || !strings.Contains(r.stderr, "no https ngrok tunnel points at port "+strconv.Itoa(port)+" (tunnels: https://other.ngrok.app → localhost:3000)") ||
		!strings.Contains(r.stderr, "ngrok http "+strconv.Itoa(port)) {
		t.Errorf("none: exit %d\n%s", r.code, r.stderr)
	}
	r = e.run(listenArgs(port, "--register", "incoming_chat", "--public-url", "auto", "--ngrok-api", "http://127.0.0.1:"+strconv.Itoa(freePort(t)))...)
	if r.code != 1 || !strings.Contains(r.stderr, "no ngrok agent is running") {
		t.Errorf("no agent: exit %d\n%s", r.code, r.stderr)
	}
	if n := len(e.fake.Webhooks(owner)); n != 0 {
		t.Errorf("%d webhooks left", n)
	}
}

func TestRegisterUsageErrors(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--public-url", "auto"}, "--public-url needs --register"},
		{[]string{"--register", "incoming_chat"}, "--register needs --public-url"},
		{[]string{"--register", "incoming_chta", "--public-url", "https://e.com"}, "Did you mean this?\n\tincoming_chat"},
		{[]string{"--register", "incoming_chat", "--public-url", "ftp://e.com"}, "url must be an absolute"},
		{[]string{"--register", "incoming_chat", "--public-url", "https://e.com", "--filter", "author_type=customer"}, "author_type"},
		{[]string{"--register", "incoming_chat", "--public-url", "https://e.com", "--type", "x"}, "--type must be license or bot"},
		{[]string{"--register", "incoming_chat", "--public-url", "https://e.com", "--lease-ttl", "0s"}, "--lease-ttl must be positive"},
		{[]string{"--register", "incoming_chat", "--public-url", "https://e.com", "--client-id", "a", "--client-id", "b"}, "one --client-id"},
	} {
		r := e.run(append([]string{"listen"}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d\n%s", tt.args, r.code, r.stderr)
		}
	}
	if len(e.fake.Requests()) != 0 {
		t.Errorf("usage errors called the API")
	}
}

func TestSignalWhileRegisteringCancels(t *testing.T) {
	e := newEnv(t)
	arrived := make(chan struct{})
	agent := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done() // answers only once lcwh gave up: proof the signal cancelled it
	}))
	defer agent.Close()
	done := e.start(context.Background(), listenArgs(freePort(t), "--register", "incoming_chat", "--public-url", "auto", "--ngrok-api", agent.URL)...)
	select {
	case <-arrived:
	case r := <-done:
		t.Fatalf("exited early: %+v", r)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.code != 130 || !strings.Contains(r.stderr, "stopping (terminated) while registering") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if n := len(e.fake.Webhooks(owner)); n != 0 {
		t.Errorf("%d webhooks registered", n)
	}
}
