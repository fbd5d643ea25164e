package check

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"

	engine "github.com/lcwh/lcwh/internal/check"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/livechatfake"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden and the guide's sample report")

const secret = "s3cr3t-value"

// clock is the injected clock: each delivery "takes" step, each pause
// its length, so durations in the report are fixed.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// mistakes is a handler with two typical mistakes: it answers 201, and it
// decodes the envelope strictly, failing on a field it does not know.
// It does verify secret_key.
type mistakes struct {
	status int
	strict bool
	clock  *clock

	mu     sync.Mutex
	bodies [][]byte
	auth   []string
}

func (h *mistakes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if h.clock != nil {
		h.clock.advance(3 * time.Millisecond)
	}
	h.mu.Lock()
	h.bodies = append(h.bodies, body)
	h.auth = append(h.auth, r.Header.Get("Authorization"))
	h.mu.Unlock()
	var env struct {
		WebhookID      string          `json:"webhook_id"`
		SecretKey      string          `json:"secret_key"`
		Action         string          `json:"action"`
		OrganizationID string          `json:"organization_id"`
		Payload        json.RawMessage `json:"payload"`
		AdditionalData json.RawMessage `json:"additional_data"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if h.strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(&env); err != nil {
		http.Error(w, `{"error":"`+err.Error()+`"}`, http.StatusInternalServerError)
		return
	}
	if subtle.ConstantTimeCompare([]byte(env.SecretKey), []byte(secret)) != 1 {
		http.Error(w, "bad secret", http.StatusUnauthorized)
		return
	}
	status := h.status
	if status == 0 {
		status = 200
	}
	w.WriteHeader(status)
}

type result struct {
	stdout, stderr string
	err            error
	code           int
	sleeps         []time.Duration
}

type runOpts struct {
	tty, color, errTTY bool
	noColor            bool
	env                map[string]string
	clock              *clock
	debug              bool
}

// runCheck runs `lcwh check` through cobra with test streams, the fake
// clock and pauses that advance it instead of waiting.
func runCheck(t *testing.T, ro runOpts, args ...string) result {
	t.Helper()
	f, ts := newFactory(t, "", ro.env)
	f.IOStreams.SetStdoutTTY(ro.tty)
	f.IOStreams.SetStderrTTY(ro.errTTY)
	f.IOStreams.SetColorForced(ro.color)
	f.IOStreams.SetColorDisabled(ro.noColor)
	*f.Debug = ro.debug
	c := ro.clock
	if c == nil {
		c = &clock{t: time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)}
	}
	f.Now = c.Now
	var (
		mu     sync.Mutex
		sleeps []time.Duration
	)
	cmd := NewCmdCheck(f, func(o *CheckOptions) error {
		o.Seed = 1
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			sleeps = append(sleeps, d)
			mu.Unlock()
			c.advance(d)
			return ctx.Err()
		}
		return checkRun(context.Background(), o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return result{stdout: ts.Out.String(), stderr: ts.ErrOut.String(), err: err, code: cmdutil.ExitCodeOf(err), sleeps: sleeps}
}

func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/webhooks"
}

// sampleURL is the URL the golden reports show: the test server's
// address is replaced by it.
const sampleURL = "http://127.0.0.1:3000/webhooks"

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/commands/check -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestReport pins the report card of the typical-mistakes handler: plain
// in a pipe, wrapped on a terminal, coloured when colour is on.
func TestReport(t *testing.T) {
	for _, tt := range []struct {
		name string
		ro   runOpts
	}{
		{"report_pipe.golden", runOpts{}},
		{"report_tty.golden", runOpts{tty: true, noColor: true}},
		{"report_color.golden", runOpts{tty: true, color: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)}
			tt.ro.clock = c
			u := serve(t, &mistakes{status: 201, strict: true, clock: c})
			r := runCheck(t, tt.ro, u, "--secret", secret)
			if r.code != 1 || !errors.Is(r.err, cmdutil.ErrSilent) {
				t.Fatalf("exit %d: %v\n%s", r.code, r.err, r.stderr)
			}
			got := strings.ReplaceAll(r.stdout, u, sampleURL)
			golden(t, tt.name, got)
			if tt.name == "report_tty.golden" {
				syncGuide(t, got)
			}
			if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
				t.Error("the secret was printed")
			}
		})
	}
}

// The guide shows the terminal report between these markers; -update
// rewrites it, so the sample is always what lcwh prints.
const (
	guidePath   = "../../../docs/guides/check-handler.md"
	sampleBegin = "<!-- sample report: generated by go test ./internal/commands/check -update -->\n```text\n"
	sampleEnd   = "```\n<!-- end of sample report -->"
)

func syncGuide(t *testing.T, report string) {
	t.Helper()
	b, err := os.ReadFile(guidePath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, sampleBegin), strings.Index(doc, sampleEnd)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the sample report markers", guidePath)
	}
	sample := "$ lcwh check " + sampleURL + " --secret \"$SECRET\"\n" + report
	want := doc[:i+len(sampleBegin)] + sample + doc[j:]
	if *update {
		if err := os.WriteFile(guidePath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != doc {
		t.Errorf("the guide's sample report is stale: run go test ./internal/commands/check -update")
	}
}

func TestPassingHandler(t *testing.T) {
	h := &mistakes{}
	u := serve(t, h)
	r := runCheck(t, runOpts{}, u, "--secret", secret)
	if r.code != 0 {
		t.Fatalf("exit %d: %v\n%s\n%s", r.code, r.err, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "0 failed · 0 warnings · 9 passed · 1 skipped\n") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	// Progress on stderr: one line per finished check, nothing on stdout.
	wantErr := "✓ status-200      pass (3 deliveries)\n✓ forged-secret   pass (3 deliveries)\n✓ retry           pass (12 deliveries)\n" +
		"✓ parallel        pass (20 deliveries)\n✓ order           pass (5 deliveries)\n✓ forward-compat  pass (5 deliveries)\n" +
		"✓ payload-edge    pass (5 deliveries)\n✓ slow-client     pass (1 delivery)\n✓ latency         pass\n"
	if diff := cmp.Diff(wantErr, r.stderr); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{engine.DefaultRetryPause}, r.sleeps[:1]); diff != "" || len(r.sleeps) != engine.DefaultSlowChunks {
		t.Errorf("sleeps %v", r.sleeps)
	}
}

func TestProgressOnATerminal(t *testing.T) {
	u := serve(t, &mistakes{})
	r := runCheck(t, runOpts{errTTY: true, noColor: true}, u, "--secret", secret, "--only", "status-200,retry")
	want := clearLine + "checking status-200 Answers exactly 200… (0 deliveries so far)" +
		clearLine + "checking retry Accepts the same webhook again… (3 deliveries so far)" + clearLine
	if r.stderr != want {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestJSON(t *testing.T) {
	u := serve(t, &mistakes{status: 201})
	r := runCheck(t, runOpts{}, u, "--secret", secret, "--json")
	if r.code != 1 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	var rep engine.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if rep.OK || rep.Counts.Failed != 1 || len(rep.Checks) != 10 || rep.URL != u || rep.TimeoutMS != 10000 {
		t.Errorf("report %+v", rep)
	}
	if st, _ := rep.Result(engine.Status200); st.Status != engine.Fail || len(st.Details) != 3 {
		t.Errorf("status-200 %+v", st)
	}
	if !strings.HasSuffix(r.stderr, "✗ 1 check failed: status-200\n") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestJUnitFile(t *testing.T) {
	u := serve(t, &mistakes{status: 201, strict: true})
	path := filepath.Join(t.TempDir(), "check.xml")
	r := runCheck(t, runOpts{}, u, "--secret", secret, "--junit", path)
	if r.code != 1 || !strings.Contains(r.stdout, "✗ Failed (2)") {
		t.Fatalf("exit %d: %v\n%s", r.code, r.err, r.stdout)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suite struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Skipped  int `xml:"skipped,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b)
	}
	s := doc.Suite
	if s.Tests != 10 || len(s.Cases) != 10 || s.Failures != 2 || s.Skipped != 1 {
		t.Fatalf("suite %+v", s)
	}
	var failed []string
	for _, c := range s.Cases {
		if c.Failure != nil {
			failed = append(failed, c.Name)
		}
	}
	if diff := cmp.Diff([]string{"status-200: Answers exactly 200", "forward-compat: Ignores new fields and actions"}, failed); diff != "" {
		t.Error(diff)
	}

	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCheck(t, runOpts{}, u, "--secret", secret, "--junit", filepath.Join(notDir, "check.xml"))
	if r.code != 1 || !strings.Contains(r.err.Error(), "write --junit") || cmdutil.HintOf(r.err) == "" {
		t.Errorf("err %v", r.err)
	}
}

func TestUnreachableURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/webhooks"
	srv.Close()
	r := runCheck(t, runOpts{}, u)
	if r.code != 1 || !strings.Contains(r.err.Error(), "cannot reach "+u+": connection refused") ||
		!strings.Contains(cmdutil.HintOf(r.err), "Start your handler first") || r.stdout != "" {
		t.Errorf("exit %d, err %v, stdout %q", r.code, r.err, r.stdout)
	}
}

// TestDebug: --debug logs deliveries on stderr with the secret hidden, and
// the slow-client body is still paced (the pacing sits below the logger).
func TestDebug(t *testing.T) {
	u := serve(t, &mistakes{})
	r := runCheck(t, runOpts{debug: true}, u, "--secret", secret, "--only", "slow-client")
	if r.code != 0 || !strings.Contains(r.stderr, "> POST "+u) || !strings.Contains(r.stderr, `"secret_key":"****"`) {
		t.Fatalf("exit %d %v\n%s", r.code, r.err, r.stderr)
	}
	if strings.Contains(r.stderr, secret) {
		t.Error("debug log shows the secret")
	}
	if len(r.sleeps) != engine.DefaultSlowChunks-1 || !strings.Contains(r.stdout, "✓ slow-client") {
		t.Errorf("sleeps %v\n%s", r.sleeps, r.stdout)
	}
}

// sandbox starts the in-repo fake with control endpoints and registers
// webhooks (action → url) with the test secret.
func sandbox(t *testing.T, hooks map[string]string, registered ...string) (*livechatfake.Server, string) {
	t.Helper()
	key := secret
	if len(registered) > 0 {
		key = registered[0]
	}
	fake := livechatfake.New()
	fake.State(func(st *livechatfake.State) {
		n := 0
		for action, url := range hooks {
			n++
			st.Webhooks[livechatfake.ClientID] = append(st.Webhooks[livechatfake.ClientID], &livechatfake.Webhook{
				ID: "wh_" + action, RegisterRequest: livechat.RegisterRequest{Action: action, URL: url, SecretKey: key,
					OwnerClientID: livechatfake.ClientID, Type: livechat.TypeLicense}})
		}
	})
	srv := httptest.NewServer(fake.WithControl())
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

func TestViaSandbox(t *testing.T) {
	h := &mistakes{}
	u := serve(t, h)
	_, sb := sandbox(t, map[string]string{"incoming_chat": u, "incoming_event": u, "chat_deactivated": u})
	r := runCheck(t, runOpts{env: map[string]string{"LCWH_SANDBOX_URL": sb}}, "--via-sandbox", "--secret", secret, "--only", "registration,status-200")
	if r.code != 0 {
		t.Fatalf("exit %d: %v\n%s%s", r.code, r.err, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "lcwh check "+u+"\n") || !strings.Contains(r.stdout, "3 actions registered for "+u+" and delivered by the sandbox") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	// The sandbox's three deliveries, then the suite's with the registered ids.
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.bodies) != 6 {
		t.Fatalf("%d deliveries", len(h.bodies))
	}
	for _, b := range h.bodies[3:] {
		action := gjson.GetBytes(b, "action").String()
		if id := gjson.GetBytes(b, "webhook_id").String(); id != "wh_"+action {
			t.Errorf("%s carries webhook_id %s", action, id)
		}
	}
}

func TestViaSandboxExplainsMissingRegistration(t *testing.T) {
	u := serve(t, &mistakes{})
	_, sb := sandbox(t, map[string]string{"incoming_chat": u})
	env := map[string]string{"LCWH_SANDBOX_URL": sb}
	r := runCheck(t, runOpts{env: env}, u, "--via-sandbox", "--secret", secret, "--only", "registration")
	if r.code != 1 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	for _, want := range []string{
		"✗ registration    Registered in the sandbox",
		"- incoming_event: no webhook is registered for this action (lcwh register --action incoming_event --url " + u + " --secret S)",
		"- chat_deactivated: no webhook is registered for this action",
		"Fix: Register each action for this URL",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}

	// Registered with another secret than the handler's: the sandbox's delivery is refused.
	_, other := sandbox(t, map[string]string{"incoming_chat": u}, "registered-other-secret")
	r = runCheck(t, runOpts{env: map[string]string{"LCWH_SANDBOX_URL": other}}, u, "--via-sandbox", "--secret", secret, "--only", "registration")
	if !strings.Contains(r.stdout, "incoming_chat: the sandbox's delivery through webhook wh_incoming_chat was answered 401") {
		t.Errorf("stdout:\n%s", r.stdout)
	}

	// Nothing registered and no URL: nothing to check.
	_, empty := sandbox(t, nil)
	r = runCheck(t, runOpts{env: map[string]string{"LCWH_SANDBOX_URL": empty}}, "--via-sandbox")
	if r.code != 1 || !strings.Contains(r.err.Error(), "no webhook is registered in the sandbox for incoming_chat, incoming_event, chat_deactivated") ||
		!strings.Contains(cmdutil.HintOf(r.err), "lcwh register --action incoming_chat --url URL") {
		t.Errorf("exit %d err %v hint %q", r.code, r.err, cmdutil.HintOf(r.err))
	}

	// No sandbox at all.
	r = runCheck(t, runOpts{env: map[string]string{"LCWH_SANDBOX_URL": "http://127.0.0.1:1"}}, u, "--via-sandbox")
	if r.code != 1 || !strings.Contains(r.err.Error(), "no sandbox answers at http://127.0.0.1:1") ||
		!strings.Contains(cmdutil.HintOf(r.err), `"lcwh sandbox"`) {
		t.Errorf("exit %d err %v", r.code, r.err)
	}
}

func TestMondayDeliveriesAreSigned(t *testing.T) {
	h := &mistakes{}
	u := serve(t, h)
	runCheck(t, runOpts{}, u, "--kinds", "install", "--monday-secret", "ms-secret", "--only", "status-200")
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.auth) != 1 || !strings.HasPrefix(h.auth[0], "eyJ") {
		t.Errorf("Authorization %q", h.auth)
	}
}

func TestProgressFitsTheTerminal(t *testing.T) {
	u := serve(t, &mistakes{})
	f, ts := newFactory(t, "", nil)
	f.IOStreams.SetStderrTTY(true)
	f.IOStreams.SetColorDisabled(true)
	f.IOStreams.SetWidth(40)
	cmd := NewCmdCheck(f, func(o *CheckOptions) error { return checkRun(context.Background(), o) })
	cmd.SetArgs([]string{u, "--secret", secret, "--only", "status-200"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := clearLine + "checking status-200 Answers exactly 20…" + clearLine
	if ts.ErrOut.String() != want {
		t.Errorf("stderr %q, want %q", ts.ErrOut.String(), want)
	}
}

// failWriter fails every write, as a full disk or a closed pipe does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

func TestStdoutWriteFails(t *testing.T) {
	u := serve(t, &mistakes{})
	for _, args := range [][]string{{"--only", "status-200"}, {"--only", "status-200", "--json"}} {
		f, _ := newFactory(t, "", nil)
		f.IOStreams.Out = failWriter{}
		cmd := NewCmdCheck(f, func(o *CheckOptions) error { return checkRun(context.Background(), o) })
		cmd.SetArgs(append([]string{u, "--secret", secret}, args...))
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if !errors.Is(err, syscall.ENOSPC) || cmdutil.ExitCodeOf(err) != 1 {
			t.Errorf("%v: err %v", args, err)
		}
	}
}

func TestInterrupted(t *testing.T) {
	u := serve(t, &mistakes{})
	f, _ := newFactory(t, "", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cmd := NewCmdCheck(f, func(o *CheckOptions) error { return checkRun(ctx, o) })
	cmd.SetArgs([]string{u})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); !errors.Is(err, cmdutil.ErrCancel) || cmdutil.ExitCodeOf(err) != 130 {
		t.Errorf("err %v", err)
	}
}
