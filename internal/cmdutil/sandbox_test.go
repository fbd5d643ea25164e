package cmdutil

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/lcwh/lcwh/internal/livechatfake"
)

func TestSandboxError(t *testing.T) {
	const base = "http://me:pa55word@127.0.0.1:8484"
	for _, tt := range []struct {
		name     string
		err      error
		msg      string
		hint     string
		exitCode int
	}{
		{"bad URL", &livechatfake.ControlURLError{Err: errors.New("no host")}, `sandbox URL "http://me:xxxxx@127.0.0.1:8484" (LCWH_SANDBOX_URL): no host`, "", ExitUsage},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), "no sandbox answers at http://me:xxxxx@127.0.0.1:8484", `point LCWH_SANDBOX_URL at it`, 1},
		{"not a sandbox (status)", &livechatfake.ControlStatusError{Status: 404}, "answered HTTP 404: not an lcwh sandbox?", `Check LCWH_SANDBOX_URL`, 1},
		{"refused request", &livechatfake.ControlStatusError{Status: 400, Envelope: &livechatfake.TriggerError{Type: "unknown_kind", Message: "no kind x"}}, "no kind x", "", ExitUsage},
		{"sandbox failure", &livechatfake.ControlStatusError{Status: 500, Envelope: &livechatfake.TriggerError{Type: "internal", Message: "boom"}}, "sandbox: boom", "", 1},
		{"not a sandbox (body)", &livechatfake.NotSandboxError{Err: errors.New("health is not JSON")}, "does not look like an lcwh sandbox: health is not JSON", "", 1},
		{"other", errors.New("EOF"), "EOF", "", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := SandboxError(tt.err, base, "LCWH_SANDBOX_URL")
			if err == nil || !strings.Contains(err.Error(), tt.msg) || strings.Contains(err.Error(), "pa55word") {
				t.Fatalf("error %v, want it to contain %q and no password", err, tt.msg)
			}
			if h := HintOf(err); !strings.Contains(h, tt.hint) {
				t.Errorf("hint %q, want %q", h, tt.hint)
			}
			if c := ExitCodeOf(err); c != tt.exitCode {
				t.Errorf("exit code %d, want %d", c, tt.exitCode)
			}
		})
	}
	if SandboxError(nil, base, "x") != nil {
		t.Error("no error became one")
	}
}
