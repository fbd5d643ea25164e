package check

import (
	"context"
	"fmt"
	"net/http"
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
			return nil, fmt.Errorf("--via-sandbox: %w", cmdutil.SandboxError(err, opts.SandboxURL, "LCWH_SANDBOX_URL"))
		}
		return fromTrigger(&res), nil
	}
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
