package sandbox

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/termtext/termtexttest"
)

// TestTriggerHidesURLPasswords registers a webhook URL with a password:
// neither the table (terminal or piped) nor --json may show it.
func TestTriggerHidesURLPasswords(t *testing.T) {
	r := startSandbox(t)
	a := newReceiver(t)
	u := strings.Replace(a.URL, "http://", "http://hook:pa55word@", 1) + "/a"
	register(t, apiClient(r.url), livechat.RegisterRequest{Action: "tag_created", URL: u, SecretKey: "s"})
	for _, args := range [][]string{{"tag_created"}, {"tag_created", "--json"}} {
		out := trigger(t, r.url, args...)
		if out.err != nil {
			t.Fatalf("%v: %v\n%s", args, out.err, out.stderr)
		}
		if strings.Contains(out.stdout+out.stderr, "pa55word") || !strings.Contains(out.stdout, "hook:xxxxx@") {
			t.Errorf("%v shows the password or no redacted URL:\n%s%s", args, out.stdout, out.stderr)
		}
	}
	// A sandbox URL with a password is never echoed in an error either.
	out := trigger(t, "http://me:pa55word@127.0.0.1:1", "tag_created")
	if out.err == nil || strings.Contains(out.err.Error(), "pa55word") {
		t.Errorf("err = %v", out.err)
	}
}

// TestTriggerTableIsTerminalSafe: a receiver redirects to a Location full
// of terminal controls, which comes back in the delivery's error; the
// terminal table and the summary must not carry them.
func TestTriggerTableIsTerminalSafe(t *testing.T) {
	r := startSandbox(t)
	c := apiClient(r.url)
	// net/http refuses C0 and DEL in a response header; 8-bit forms pass.
	hostile := "/\x9b31m8bit \xff\xfe \u009b2J \u009d0;title\u009c"
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Location"] = []string{hostile}
		w.WriteHeader(http.StatusFound)
	}))
	defer rec.Close()
	register(t, c, livechat.RegisterRequest{Action: "tag_deleted", URL: rec.URL, SecretKey: "s"})
	ios, streams := iostreams.Test()
	ios.SetStdoutTTY(true)
	f := &cmdutil.Factory{IOStreams: ios, Config: testConfig(t)}
	cmd := NewCmdTrigger(f, nil)
	cmd.SetArgs([]string{"--sandbox", r.url, "tag_deleted", "--no-retry", "--timeout", "1s"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	_ = cmd.Execute()
	if !strings.Contains(streams.Out.String(), "redirected with 302 to") {
		t.Fatalf("the hostile Location did not reach the table:\n%s", streams.Out)
	}
	termtexttest.AssertSafe(t, "trigger table", termtexttest.StripSGR(streams.Out.Bytes()))
	termtexttest.AssertSafe(t, "trigger summary", termtexttest.StripSGR(streams.ErrOut.Bytes()))
}

// TestTriggerDebugLogsControlRequest: with --debug the control request
// appears in the redacted log on stderr (its client is httpclient's).
func TestTriggerDebugLogsControlRequest(t *testing.T) {
	r := startSandbox(t)
	ios, streams := iostreams.Test()
	debug := true
	f := &cmdutil.Factory{IOStreams: ios, Config: testConfig(t), Debug: &debug}
	cmd := NewCmdTrigger(f, nil)
	cmd.SetArgs([]string{"--sandbox", r.url, "tag_created"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	_ = cmd.Execute()
	if !strings.Contains(streams.ErrOut.String(), "> POST "+r.url+"/_lcwh/trigger") {
		t.Errorf("no debug log of the control request:\n%s", streams.ErrOut)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSandboxDebugLogsDeliveries: `lcwh sandbox --debug` logs the
// deliveries trigger makes.
func TestSandboxDebugLogsDeliveries(t *testing.T) {
	ios, _ := iostreams.Test()
	debug := true
	f := &cmdutil.Factory{IOStreams: ios, Debug: &debug}
	log := &syncBuffer{}
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	cmd := NewCmdSandbox(f, func(o *SandboxOptions) error {
		if o.DeliveryLog != ios.ErrOut {
			t.Errorf("--debug does not route the delivery log to stderr")
		}
		o.DeliveryLog = log
		o.Signals = nil
		o.Ready = func(u string) { ready <- u }
		return sandboxRun(ctx, o)
	})
	cmd.SetArgs([]string{"--port", "0"})
	go func() { done <- cmd.Execute() }()
	var u string
	select {
	case u = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("sandbox did not start: %v", err)
	}
	defer func() { cancel(); <-done }()
	rec := newReceiver(t)
	register(t, apiClient(u), livechat.RegisterRequest{Action: "tag_created", URL: rec.URL + "/hook", SecretKey: "s"})
	if out := trigger(t, u, "tag_created"); out.err != nil {
		t.Fatal(out.err)
	}
	if !strings.Contains(log.String(), "> "+http.MethodPost+" "+rec.URL+"/hook") {
		t.Errorf("delivery not logged:\n%s", log.String())
	}
}
