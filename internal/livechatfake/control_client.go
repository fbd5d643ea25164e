package livechatfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// ControlClient talks to a running sandbox's control endpoints (under
// ControlPrefix): what `lcwh sandbox trigger`, `sandbox env` and
// `check --via-sandbox` send. Its errors are typed so that each command
// words them for its own flags.
type ControlClient struct {
	// Base is the sandbox's base URL, without a trailing slash.
	Base string
	// HTTP sends the requests (from internal/httpclient, so --debug logs them).
	HTTP *http.Client
}

// ControlURLError means Base does not make a request URL.
type ControlURLError struct{ Err error }

func (e *ControlURLError) Error() string { return e.Err.Error() }
func (e *ControlURLError) Unwrap() error { return e.Err }

// ControlStatusError is an answer other than 200. Envelope is the control
// error the sandbox sent, nil when the answer was not one (not a sandbox).
type ControlStatusError struct {
	Status   int
	Envelope *TriggerError
}

func (e *ControlStatusError) Error() string {
	if e.Envelope != nil {
		return "sandbox: " + e.Envelope.Message
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

// NotSandboxError is a 200 whose body is not the control answer expected.
type NotSandboxError struct{ Err error }

func (e *NotSandboxError) Error() string { return e.Err.Error() }
func (e *NotSandboxError) Unwrap() error { return e.Err }

// Call sends in (JSON; nil for none) with method to path under
// ControlPrefix and decodes a 200 answer into out. A connection that got no
// answer is "reach sandbox: …" wrapping the transport error (test it with
// errors.Is(err, syscall.ECONNREFUSED) for a sandbox that is not running).
func (c ControlClient) Call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+ControlPrefix+path, body)
	if err != nil {
		return &ControlURLError{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("reach sandbox: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("read sandbox answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var env struct {
			Error *TriggerError `json:"error"`
		}
		if json.Unmarshal(raw, &env) != nil {
			env.Error = nil
		}
		return &ControlStatusError{Status: resp.StatusCode, Envelope: env.Error}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &NotSandboxError{Err: err}
	}
	return nil
}
