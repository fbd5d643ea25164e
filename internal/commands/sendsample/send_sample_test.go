package sendsample

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/sender"
	"github.com/lcwh/lcwh/internal/signature"
)

// receiver records every request it gets and answers with status.
type receiver struct {
	mu      sync.Mutex
	status  int
	bodies  [][]byte
	headers []http.Header
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, b)
	r.headers = append(r.headers, req.Header.Clone())
	r.mu.Unlock()
	w.WriteHeader(r.status)
	_, _ = io.WriteString(w, `{"error":"nope"}`)
}

func (r *receiver) got() ([][]byte, []http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...), append([]http.Header(nil), r.headers...)
}

func startReceiver(t *testing.T, status int) (*receiver, string) {
	t.Helper()
	rec := &receiver{status: status}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv.URL + "/webhooks"
}

type result struct {
	stdout, stderr string
	err            error
	code           int
	pauses         []time.Duration
}

// run executes send-sample through cobra with test streams, an empty
// config, the process environment, and retries that never wait.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runWith(t, stdin, hooks{}, args...)
}

// hooks adjust a run: the Factory before the command parses, the options
// before sendSampleRun.
type hooks struct {
	factory func(*cmdutil.Factory)
	opts    func(*SendSampleOptions)
}

func runWith(t *testing.T, stdin string, h hooks, args ...string) result {
	t.Helper()
	ios, ts := iostreams.Test()
	ts.In.WriteString(stdin)
	lookup := os.LookupEnv // config reads the process environment; tests use t.Setenv
	f := &cmdutil.Factory{IOStreams: ios, Build: build.Info{Version: "test"}, LookupEnv: lookup, Now: time.Now,
		ConfigOptions: &config.Options{Path: filepath.Join(t.TempDir(), "config.yaml"), LookupEnv: lookup},
		Debug:         new(bool)}
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) { return config.Load(*f.ConfigOptions) })
	var (
		mu     sync.Mutex
		pauses []time.Duration
	)
	if h.factory != nil {
		h.factory(f)
	}
	cmd := NewCmdSendSample(f, func(o *SendSampleOptions) error {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			pauses = append(pauses, d)
			mu.Unlock()
			return ctx.Err()
		}
		if h.opts != nil {
			h.opts(o)
		}
		return sendSampleRun(context.Background(), o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return result{stdout: ts.Out.String(), stderr: ts.ErrOut.String(), err: err,
		code: cmdutil.ExitCodeOf(err), pauses: pauses}
}

func TestSendSuccess(t *testing.T) {
	rec, url := startReceiver(t, 200)
	r := run(t, "", "incoming_chat", "--url", url, "--secret", "s3cr3t-key-value")
	if r.code != 0 {
		t.Fatalf("exit %d: %v\n%s", r.code, r.err, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "✓ incoming_chat  200  1 attempt  ") || !strings.HasSuffix(r.stdout, url+"\n") {
		t.Errorf("stdout %q", r.stdout)
	}
	bodies, headers := rec.got()
	if len(bodies) != 1 {
		t.Fatalf("got %d requests", len(bodies))
	}
	var env struct {
		Action    string `json:"action"`
		SecretKey string `json:"secret_key"`
		WebhookID string `json:"webhook_id"`
	}
	if err := json.Unmarshal(bodies[0], &env); err != nil {
		t.Fatal(err)
	}
	if env.Action != "incoming_chat" || env.SecretKey != "s3cr3t-key-value" || len(env.WebhookID) != 32 {
		t.Errorf("envelope %+v", env)
	}
	if ct := headers[0].Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestSend500RetriesIdenticalBody(t *testing.T) {
	rec, url := startReceiver(t, 500)
	r := run(t, "", "incoming_event", "--url", url)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: %v", r.code, r.err)
	}
	bodies, _ := rec.got()
	if len(bodies) != 4 {
		t.Fatalf("receiver got %d attempts, want 4", len(bodies))
	}
	for i := range bodies {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("attempt %d body differs from the first", i+1)
		}
	}
	if diff := cmp.Diff([]time.Duration{5 * time.Second, 15 * time.Second, 40 * time.Second}, r.pauses); diff != "" {
		t.Errorf("pauses (-want +got):\n%s", diff)
	}
	for _, want := range []string{"✗ incoming_event  500  4 attempts", "HTTP 500 Internal Server Error", `response: {"error":"nope"}`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout %q lacks %q", r.stdout, want)
		}
	}
}

func TestSendRetryFlags(t *testing.T) {
	rec, url := startReceiver(t, 500)
	r := run(t, "", "incoming_event", "--url", url, "--retries", "1", "--retry-interval", "2s")
	bodies, _ := rec.got()
	if r.code != 1 || len(bodies) != 2 || !cmp.Equal(r.pauses, []time.Duration{2 * time.Second}) {
		t.Fatalf("exit %d, %d attempts, pauses %v", r.code, len(bodies), r.pauses)
	}
	rec2, url2 := startReceiver(t, 500)
	r = run(t, "", "incoming_event", "--url", url2, "--no-retry")
	bodies, _ = rec2.got()
	if r.code != 1 || len(bodies) != 1 {
		t.Fatalf("--no-retry: exit %d, %d attempts", r.code, len(bodies))
	}
}

func TestSend202Warns(t *testing.T) {
	_, url := startReceiver(t, 202)
	r := run(t, "", "incoming_chat", "--url", url)
	if r.code != 0 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	if !strings.HasPrefix(r.stdout, "! incoming_chat  202  1 attempt") {
		t.Errorf("stdout %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "incoming_chat: HTTP 202: LiveChat documents only 200 as success") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestSendSlowReceiverTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	r := run(t, "", "incoming_chat", "--url", srv.URL, "--timeout", "5ms", "--no-retry")
	var te *sender.TimeoutError
	if r.code != 1 || !errors.As(r.err, &te) {
		t.Fatalf("exit %d, err %v", r.code, r.err)
	}
	if !strings.Contains(r.stdout, "---  1 attempt") || !strings.Contains(r.stdout, "no response within 5ms") {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestSendClosedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	r := run(t, "", "incoming_chat", "--url", "http://"+addr+"/webhooks", "--no-retry")
	if r.code != 1 || !strings.Contains(r.err.Error(), "connection refused to "+addr) {
		t.Fatalf("exit %d, err %v", r.code, r.err)
	}
	if h := cmdutil.HintOf(r.err); h != "" {
		t.Errorf("hint %q for a non-default URL", h)
	}
	// At the default URL the error suggests lcwh listen.
	hinted := failure(&SendSampleOptions{URL: DefaultURL}, []error{&sender.RefusedError{Addr: "127.0.0.1:8080"}}, 1)
	if h := cmdutil.HintOf(hinted); !strings.Contains(h, `lcwh listen`) {
		t.Errorf("hint %q", h)
	}
}

func TestSendRedirectIsFailure(t *testing.T) {
	hits := 0
	var mu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/moved", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/moved", func(http.ResponseWriter, *http.Request) { mu.Lock(); hits++; mu.Unlock() })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r := run(t, "", "incoming_chat", "--url", srv.URL+"/webhooks", "--no-retry")
	if r.code != 1 || !strings.Contains(r.stdout, "redirected with 301 to /moved") {
		t.Fatalf("exit %d, stdout %q", r.code, r.stdout)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 0 {
		t.Error("redirect was followed")
	}
}

func TestSendFileAndStdin(t *testing.T) {
	rec, url := startReceiver(t, 200)
	path := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(path, []byte(`{"action":"mine","n":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, "", "--file", path, "--url", url, "--set", "n=2"); r.code != 0 {
		t.Fatalf("file: exit %d: %v", r.code, r.err)
	}
	r := run(t, `{"from":"stdin"}`, "--file", "-", "--url", url, "--json")
	if r.code != 0 {
		t.Fatalf("stdin: exit %d: %v", r.code, r.err)
	}
	bodies, _ := rec.got()
	want := []string{`{"action":"mine","n":2}`, `{"from":"stdin"}`}
	if diff := cmp.Diff(want, toStrings(bodies)); diff != "" {
		t.Errorf("bodies (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stdout, `"name":"stdin"`) {
		t.Errorf("stdout %q", r.stdout)
	}
	bad := run(t, `{"broken":`, "--file", "-", "--url", url)
	if bad.code != 2 || !strings.Contains(bad.err.Error(), "not valid JSON") {
		t.Errorf("bad JSON: exit %d, err %v", bad.code, bad.err)
	}
}

func toStrings(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

func TestDryRunSendsNothing(t *testing.T) {
	rec, url := startReceiver(t, 200)
	t.Setenv("LCWH_MONDAY_SECRET", "monday-client-secret")
	r := run(t, "",
		"install", "--url", url, "--dry-run", "-H", "X-Trace: 1")
	if r.code != 0 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	if bodies, _ := rec.got(); len(bodies) != 0 {
		t.Fatalf("dry run sent %d requests", len(bodies))
	}
	for _, want := range []string{"POST " + url + "\n", "Authorization: eyJ****", "Content-Type: application/json\n",
		"X-Trace: 1\n", `"type": "install"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "monday-client-secret") {
		t.Error("secret printed")
	}
}

func TestMondayJWTVerifies(t *testing.T) {
	rec, url := startReceiver(t, 200)
	secret := "monday-client-secret"
	r := run(t, "", "install", "--url", url, "--monday-secret", secret)
	if r.code != 0 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	_, headers := rec.got()
	auth := headers[0].Get("Authorization")
	if strings.HasPrefix(auth, "Bearer ") {
		t.Errorf("Authorization %q: want the bare token", auth)
	}
	claims, err := signature.VerifyMonday(auth, []byte(secret), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if claims.AccountID != 777777 || claims.UserID != 2 || len(claims.Audience) != 1 || claims.Audience[0] != url {
		t.Errorf("claims %+v", claims)
	}
	if _, err := signature.VerifyMonday(auth, []byte("wrong"), time.Now()); err == nil {
		t.Error("verified with the wrong secret")
	}
}

func TestBurstExactCountDistinctBodies(t *testing.T) {
	rec, url := startReceiver(t, 200)
	r := run(t, "", "incoming_event", "chat_transferred", "--url", url, "--count", "120", "--concurrency", "6")
	if r.code != 0 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	bodies, _ := rec.got()
	seen := map[string]bool{}
	for _, b := range bodies {
		seen[string(b)] = true
		if !json.Valid(b) {
			t.Fatalf("invalid body %q", b)
		}
	}
	if len(bodies) != 120 || len(seen) != 120 {
		t.Errorf("got %d bodies, %d distinct; want 120", len(bodies), len(seen))
	}
	for _, want := range []string{"Sent 120 in ", "120 succeeded, 0 failed, 0 retried", "Latency p50 ", "Status 200: 120"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestBurstJSONFields(t *testing.T) {
	_, url := startReceiver(t, 200)
	r := run(t, "", "incoming_event", "--url", url, "--count", "5", "--concurrency", "2", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("got %d lines, want 5 deliveries + summary:\n%s", len(lines), r.stdout)
	}
	want := []string{"attempts", "error", "interrupted", "latency_ms", "name", "ok", "status", "url"}
	for _, l := range lines[:5] {
		if diff := cmp.Diff(want, keys(t, l)); diff != "" {
			t.Errorf("delivery fields (-want +got):\n%s", diff)
		}
	}
	var last map[string]map[string]any
	if err := json.Unmarshal([]byte(lines[5]), &last); err != nil {
		t.Fatal(err)
	}
	sumWant := []string{"elapsed_ms", "failed", "interrupted", "latency_ms", "req_per_sec", "retried", "sent", "status",
		"stopped", "succeeded", "warned"}
	var got []string
	for k := range last["summary"] {
		got = append(got, k)
	}
	sort.Strings(got)
	if diff := cmp.Diff(sumWant, got); diff != "" {
		t.Errorf("summary fields (-want +got):\n%s", diff)
	}
	if last["summary"]["sent"] != 5.0 {
		t.Errorf("summary %v", last["summary"])
	}
}

func TestSingleJSONFields(t *testing.T) {
	_, url := startReceiver(t, 500)
	r := run(t, "", "incoming_event", "--url", url, "--no-retry", "--json")
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	if diff := cmp.Diff([]string{"attempts", "error", "interrupted", "latency_ms", "name", "ok", "status", "url"}, keys(t, r.stdout)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	var d jsonDelivery
	_ = json.Unmarshal([]byte(r.stdout), &d)
	if d.Name != "incoming_event" || d.Status != 500 || d.OK || d.Attempts != 1 || d.Error == "" || d.URL != url {
		t.Errorf("delivery %+v", d)
	}
}

func keys(t *testing.T, line string) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "name a webhook kind"},
		{[]string{"incoming_chta"}, "Did you mean this?\n\tincoming_chat"},
		{[]string{"incoming_chat", "--set", "nopath"}, "expected path=value"},
		{[]string{"incoming_chat", "--set", "webhook_id.x=1"}, "webhook_id"},
		{[]string{"incoming_chat", "-H", "no colon"}, "expected 'Key: Value'"},
		{[]string{"incoming_chat", "--url", "localhost:8080"}, "not an absolute http(s) URL"},
		{[]string{"incoming_chat", "--all"}, "use only one of"},
		{[]string{"--family", "nosuch"}, "nosuch"},
		{[]string{"incoming_chat", "--concurrency", "4"}, "add --count"},
		{[]string{"incoming_chat", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"incoming_chat", "--url", "http://127.0.0.1:99999/x"}, `invalid --url "http://127.0.0.1:99999/x": port 99999 is out of range (1-65535)`},
		{[]string{"incoming_chat", "--url", "http://127.0.0.1:abc/x"}, `port "abc" is not a number`},
		{[]string{"incoming_chat", "--url", "http://me:hunter2@127.0.0.1:0/x"}, `"http://me:xxxxx@127.0.0.1:0/x": port 0`},
		{[]string{"incoming_chat", "--file", "body.json"}, "use one or the other"},
		{[]string{"--all", "--file", "body.json"}, "use one or the other"},
	}
	for _, tt := range tests {
		r := run(t, "", tt.args...)
		if r.code != 2 || r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%v: exit %d, err %v; want exit 2 containing %q", tt.args, r.code, r.err, tt.want)
		}
	}
}

func TestSecretFromEnv(t *testing.T) {
	rec, url := startReceiver(t, 200)
	t.Setenv("LCWH_SECRET", "from-env-secret")
	r := run(t, "", "incoming_chat", "--url", url)
	if r.code != 0 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	bodies, _ := rec.got()
	if !bytes.Contains(bodies[0], []byte(`"secret_key": "from-env-secret"`)) &&
		!bytes.Contains(bodies[0], []byte(`"secret_key":"from-env-secret"`)) {
		t.Errorf("body lacks the env secret: %s", bodies[0])
	}
}

func TestFamilyAndFlagsParse(t *testing.T) {
	f := &cmdutil.Factory{LookupEnv: func(string) (string, bool) { return "", false }, Now: time.Now}
	ios, _ := iostreams.Test()
	f.IOStreams = ios
	f.ConfigOptions = &config.Options{Path: filepath.Join(t.TempDir(), "c.yaml"), LookupEnv: f.LookupEnv}
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) { return config.Load(*f.ConfigOptions) })
	var got *SendSampleOptions
	cmd := NewCmdSendSample(f, func(o *SendSampleOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--family", "monday", "--count", "10", "--concurrency", "3", "--rate", "5",
		"-H", "A: b", "--seed", "7", "--timeout", "2s"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Family != "monday" || got.Count != 10 || got.Concurrency != 3 || got.Rate != 5 || got.Seed != 7 ||
		got.Timeout != 2*time.Second || got.Retries != 3 || got.URL != DefaultURL || !cmp.Equal(got.Headers, []string{"A: b"}) {
		t.Errorf("options %+v", got)
	}
}

func FuzzParseHeaders(f *testing.F) {
	for _, s := range []string{"X-A: b", "no colon", ": v", "K:", "K: a\r\nb", "Ké: v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHeaders([]string{s})
		if err != nil {
			return
		}
		for k, vs := range h {
			if !validToken(k) {
				t.Fatalf("accepted bad key %q", k)
			}
			for _, v := range vs {
				if strings.ContainsAny(v, "\r\n\x00") {
					t.Fatalf("accepted value %q", v)
				}
			}
		}
	})
}

func TestProgressLine(t *testing.T) {
	st := render.NewStyles(io.Discard, false)
	got := progressLine(st, &SendSampleOptions{Count: 100}, 50, 2, 2*time.Second)
	want := strings.Repeat("█", 15) + strings.Repeat("░", 15) + " 50 sent  25 req/s  2 failed"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBurstProgressOnTTYOnly(t *testing.T) {
	_, url := startReceiver(t, 200)
	ios, ts := iostreams.Test()
	ios.SetStderrTTY(true)
	opts := &SendSampleOptions{IO: ios, Now: time.Now, Names: []string{"incoming_event"}, URL: url,
		Timeout: time.Second, Retries: 3, RetryInterval: time.Second, Count: 3, Concurrency: 1}
	if err := sendSampleRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ts.ErrOut.String(), "sent") || !strings.HasSuffix(ts.ErrOut.String(), "\r\x1b[K") {
		t.Errorf("stderr %q: want a bar that is cleared at the end", ts.ErrOut.String())
	}
	if !strings.HasPrefix(ts.Out.String(), "Sent 3 in ") {
		t.Errorf("stdout %q", ts.Out.String())
	}
}
