package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"time"

	engine "github.com/lcwh/lcwh/internal/check"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/livechatfake"
)

// sandboxTrigger returns engine.Options.Sandbox: POST /_lcwh/trigger on the
// running sandbox, one attempt per webhook (the check grades, it does not
// retry) within the run's timeout.
func sandboxTrigger(opts *CheckOptions, hc *http.Client) func(context.Context, string) (*engine.SandboxResult, error) {
	c := livechatfake.ControlClient{Base: opts.SandboxURL, HTTP: hc}
	return func(ctx context.Context, kind string) (*engine.SandboxResult, error) {
		var res livechatfake.TriggerResult
		in := livechatfake.TriggerRequest{Kind: kind, NoRetry: true, Timeout: livechatfake.Duration(opts.Timeout)}
		if err := c.Call(ctx, http.MethodPost, "trigger", in, &res); err != nil {
			return nil, triggerError(opts.SandboxURL, err)
		}
		return fromTrigger(&res), nil
	}
}

// triggerError words a failed trigger for --via-sandbox and
// LCWH_SANDBOX_URL.
func triggerError(base string, err error) error {
	var (
		uerr *livechatfake.ControlURLError
		serr *livechatfake.ControlStatusError
		nerr *livechatfake.NotSandboxError
	)
	switch {
	case errors.As(err, &uerr):
		return cmdutil.FlagErrorf("sandbox URL %q: %v", base, uerr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return cmdutil.WithHint(fmt.Errorf("--via-sandbox: no sandbox answers at %s", base),
			`Start one with "lcwh sandbox" in another terminal, or point LCWH_SANDBOX_URL at it.`)
	case errors.As(err, &serr) && serr.Envelope == nil:
		return cmdutil.WithHint(fmt.Errorf("%s answered HTTP %d: not an lcwh sandbox?", base, serr.Status),
			`Check LCWH_SANDBOX_URL; "lcwh sandbox" prints its URL.`)
	case errors.As(err, &serr):
		return fmt.Errorf("sandbox: %s", serr.Envelope.Message)
	case errors.As(err, &nerr):
		return fmt.Errorf("%s does not look like an lcwh sandbox: %w", base, nerr.Err)
	}
	return err
}

func fromTrigger(t *livechatfake.TriggerResult) *engine.SandboxResult {
	out := &engine.SandboxResult{Registered: t.Registered}
	for _, d := range t.Deliveries {
		out.Deliveries = append(out.Deliveries, engine.SandboxDelivery{WebhookID: d.WebhookID, URL: d.URL, OK: d.OK,
			Status: d.Status, Error: d.Error, Latency: time.Duration(d.LatencyMS * float64(time.Millisecond))})
	}
	for _, s := range t.Skipped {
		out.Skipped = append(out.Skipped, engine.SandboxSkip{WebhookID: s.WebhookID, URL: s.URL, Reason: s.Reason})
	}
	return out
}
