package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/commands/factory"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/termtext/termtexttest"
)

// hostileBody is a webhook body whose kind, ids and text carry terminal
// controls: escaped C0 (JSON forbids them raw), raw 8-bit CSI, 0xff, C1.
const hostileBody = `{"action":"incoming_event\u001b[2J","webhook_id":"w\u001b]8;;http://evil/\u0007x\u001b]8;;\u0007",` +
	`"payload":{"chat_id":"C\u0007\u0008\r","event":{"text":"hi ` + "\x9b31m \xff \xc2\x9b2J \x7f" + `"}}}`

// runViews runs lcwh with stdin and returns exit code, stdout and stderr,
// on a terminal or not.
func runViews(t *testing.T, tty bool, stdin string, args ...string) (int, []byte, []byte) {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "cfg"), "LCWH_CREDENTIAL_STORE": "file"}
	for k, v := range vars {
		t.Setenv(k, v)
	}
	ios, streams := iostreams.Test()
	streams.In.WriteString(stdin)
	ios.SetStdoutTTY(tty)
	ios.SetStderrTTY(tty)
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	code := Run(context.Background(), factory.NewWith(build.Info{Version: "test"}, ios, lookup), args)
	return code, streams.Out.Bytes(), streams.ErrOut.Bytes()
}

func assertViewSafe(t *testing.T, what string, out ...[]byte) {
	t.Helper()
	for _, b := range out {
		termtexttest.AssertSafe(t, what, termtexttest.StripSGR(b))
	}
}

// TestInspectViewsAreTerminalSafe: inspect's event line, -v body and
// error lines, coloured and not.
func TestInspectViewsAreTerminalSafe(t *testing.T) {
	for _, args := range [][]string{{"inspect", "-"}, {"inspect", "-v", "-"}, {"inspect", "-v", "--color", "always", "-"}} {
		for _, tty := range []bool{false, true} {
			_, out, errOut := runViews(t, tty, hostileBody+"\n{\"broken\": \u001b}\n", args...)
			if !bytes.Contains(out, []byte("incoming_event")) {
				t.Fatalf("%v: no event shown:\n%s", args, out)
			}
			assertViewSafe(t, "inspect", out, errOut)
		}
	}
}

// hostileReceiver answers every delivery 500 with a body of controls.
func hostileReceiver(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, termtexttest.Joined())
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestReplayResultLinesAreTerminalSafe: replay's result and error lines
// show the kind and the receiver's answer without controls.
func TestReplayResultLinesAreTerminalSafe(t *testing.T) {
	file := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(file, []byte(hostileBody+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url := hostileReceiver(t)
	for _, tty := range []bool{false, true} {
		code, out, errOut := runViews(t, tty, "", "replay", file, "--to", url+"/hook", "--no-retry")
		if code != 1 || !bytes.Contains(out, []byte("500")) {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		assertViewSafe(t, "replay", out, errOut)
	}
}

// TestSendSampleResultLinesAreTerminalSafe: send-sample's result line
// shows "response: <body>" of a failed delivery.
func TestSendSampleResultLinesAreTerminalSafe(t *testing.T) {
	url := hostileReceiver(t)
	for _, tty := range []bool{false, true} {
		code, out, errOut := runViews(t, tty, "", "send-sample", "incoming_chat", "--url", url+"/hook", "--no-retry")
		if code != 1 || !bytes.Contains(out, []byte("500")) {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		assertViewSafe(t, "send-sample", out, errOut)
	}
}
