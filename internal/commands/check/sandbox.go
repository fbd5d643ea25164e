package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	return func(ctx context.Context, kind string) (*engine.SandboxResult, error) {
		in, err := json.Marshal(livechatfake.TriggerRequest{Kind: kind, NoRetry: true, Timeout: livechatfake.Duration(opts.Timeout)})
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, opts.SandboxURL+livechatfake.ControlPrefix+"trigger", bytes.NewReader(in))
		if err != nil {
			return nil, cmdutil.FlagErrorf("sandbox URL %q: %v", opts.SandboxURL, err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				return nil, cmdutil.WithHint(fmt.Errorf("--via-sandbox: no sandbox answers at %s", opts.SandboxURL),
					`Start one with "lcwh sandbox" in another terminal, or point LCWH_SANDBOX_URL at it.`)
			}
			return nil, fmt.Errorf("reach sandbox: %w", err)
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		if err != nil {
			return nil, fmt.Errorf("read sandbox answer: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, triggerFailure(opts.SandboxURL, resp.StatusCode, raw)
		}
		var res livechatfake.TriggerResult
		if err := json.Unmarshal(raw, &res); err != nil {
			return nil, fmt.Errorf("%s does not look like an lcwh sandbox: %w", opts.SandboxURL, err)
		}
		return fromTrigger(&res), nil
	}
}

func triggerFailure(base string, status int, raw []byte) error {
	var env struct {
		Error *livechatfake.TriggerError `json:"error"`
	}
	if json.Unmarshal(raw, &env) != nil || env.Error == nil {
		return cmdutil.WithHint(fmt.Errorf("%s answered HTTP %d: not an lcwh sandbox?", base, status),
			`Check LCWH_SANDBOX_URL; "lcwh sandbox" prints its URL.`)
	}
	return fmt.Errorf("sandbox: %s", env.Error.Message)
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
