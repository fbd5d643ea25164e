package cmdutil

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/termtext"
)

// SandboxError words a failed call to a running sandbox's control
// endpoints (livechatfake.ControlClient) for every command that makes one,
// so `lcwh sandbox trigger` and `lcwh check --via-sandbox` say the same
// thing the same way. setting names how the user pointed at the sandbox
// ("--sandbox / LCWH_SANDBOX_URL"); the URL is shown without its password.
// A request the sandbox refused as invalid is a usage error (exit 2).
func SandboxError(err error, base, setting string) error {
	if err == nil {
		return nil
	}
	base = termtext.RedactURL(base)
	var (
		uerr *livechatfake.ControlURLError
		serr *livechatfake.ControlStatusError
		nerr *livechatfake.NotSandboxError
	)
	switch {
	case errors.As(err, &uerr):
		return FlagErrorf("sandbox URL %q (%s): %v", base, setting, uerr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return WithHint(fmt.Errorf("no sandbox answers at %s", base),
			`Start one with "lcwh sandbox" in another terminal, or point `+setting+` at it.`)
	case errors.As(err, &serr):
		return sandboxFailure(base, setting, serr)
	case errors.As(err, &nerr):
		return fmt.Errorf("%s does not look like an lcwh sandbox: %w", base, nerr.Err)
	}
	return err
}

// sandboxFailure maps the control error envelope: a refused request is a
// usage error (exit 2), anything else a failure.
func sandboxFailure(base, setting string, e *livechatfake.ControlStatusError) error {
	if e.Envelope == nil {
		return WithHint(fmt.Errorf("%s answered HTTP %d: not an lcwh sandbox?", base, e.Status),
			`Check `+setting+`; "lcwh sandbox" prints its URL.`)
	}
	switch e.Envelope.Type {
	case "validation", "unknown_kind", "not_livechat":
		return FlagErrorWrap(errors.New(e.Envelope.Message))
	}
	return fmt.Errorf("sandbox: %s", e.Envelope.Message)
}
