// Package livechat is a client for the webhook methods of the LiveChat
// Configuration API (../shared/livechat/configuration-api.md): every call is
// POST {BaseURL}/v{Version}/configuration/action/<method> with a JSON body.
package livechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lcwh/lcwh/internal/httpclient"
)

// DefaultBaseURL is the production API host.
const DefaultBaseURL = "https://api.livechatinc.com"

// MaxRetries is how many times a rate-limited or failed call is retried.
const MaxRetries = 3

// maxBody caps how much of a response lcwh reads.
const maxBody = 4 << 20

// Client calls the Configuration API. HTTP carries the credential (see
// internal/httpclient and auth.Transport); Client only shapes requests and
// decodes answers.
type Client struct {
	BaseURL string
	Version string
	HTTP    *http.Client

	// Bearer is true when HTTP authenticates with an OAuth token: then
	// owner_client_id may be omitted for enable/disable/state. With a PAT
	// it is required (configuration-api.md §3).
	Bearer bool
	// Region is sent as X-Region when set (the credential's region prefix).
	Region string
	// Sleep waits between retries; nil sleeps for real. Tests inject it.
	Sleep func(ctx context.Context, d time.Duration) error
	// TokenClientID is the OAuth token's client id, the default owner
	// when no --client-id is given ("" for a PAT).
	TokenClientID string
	// Warn receives the Legacy/Deprecation notices, once per client.
	Warn func(msg string)

	mu     sync.Mutex
	warned bool
}

func (c *Client) url(method string) string {
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	v := c.Version
	if v == "" {
		v = DefaultVersion
	}
	return base + "/v" + v + "/configuration/action/" + method
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return httpclient.Sleep(ctx, d)
}

// retryable says whether a failed attempt may be repeated. A 429 or a
// too_many_requests envelope was not executed. 502/503/504 mean the
// request did not reach the method. A 500 may have run it: retrying a
// register_webhook then could create a duplicate, so only the other
// methods, which are reads or idempotent, retry on 500.
func retryable(method string, status int, typ string) bool {
	switch {
	case status == http.StatusTooManyRequests || typ == "too_many_requests":
		return true
	case status == http.StatusBadGateway, status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		return true
	case status >= 500 || typ == "internal":
		return method != "register_webhook"
	}
	return false
}

// backoff is the wait before retry n (0-based): Retry-After when the
// server sent one (seconds or an HTTP date, capped at 60 s), else
// exponential from 500 ms with jitter.
func backoff(n int, retryAfter string, now time.Time) time.Duration {
	if retryAfter != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && s >= 0 {
			return min(time.Duration(s)*time.Second, 60*time.Second)
		}
		if t, err := http.ParseTime(retryAfter); err == nil {
			return min(max(t.Sub(now), 0), 60*time.Second)
		}
	}
	d := 500 * time.Millisecond << n
	return d + time.Duration(rand.Int64N(int64(d/2)+1)) //nolint:gosec // G404: jitter spreads retries; nothing depends on it being unpredictable
}

// call POSTs in to method and decodes the success body into out (nil
// ignores it). action, when set, is carried into errors for hints.
func (c *Client) call(ctx context.Context, method, action string, in, out any) error {
	body := []byte("{}")
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encode request: %w", method, err)
		}
		body = b
	}
	region := c.currentRegion()
	regionRetried := false
	for attempt := 0; ; attempt++ {
		status, hdr, resp, err := c.post(ctx, method, body, region)
		if err != nil {
			return err
		}
		c.noticeLifecycle(hdr)
		if status == http.StatusOK {
			return decodeSuccess(method, hdr, resp, out)
		}
		env, ok := DecodeEnvelope(resp)
		if ok && env.Type == "misdirected_request" {
			r, _ := env.Data["region"].(string)
			if r != "" && !regionRetried {
				regionRetried = true
				region = r
				c.setRegion(r)
				attempt--
				continue
			}
		}
		if attempt < MaxRetries && retryable(method, status, env.Type) {
			if err := c.sleep(ctx, backoff(attempt, hdr.Get("Retry-After"), time.Now())); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
			continue
		}
		if !ok {
			return &ResponseError{Method: method, Status: status, ContentType: hdr.Get("Content-Type"), Snippet: snippet(resp)}
		}
		ae := &APIError{Method: method, Status: status, Type: env.Type, Message: env.Message, Action: action}
		if r, ok := env.Data["region"].(string); ok {
			ae.Region = r
		}
		return ae
	}
}

// decodeSuccess decodes a 200's body into out (nil ignores it); a body
// that is empty or not the JSON expected is a ResponseError.
func decodeSuccess(method string, hdr http.Header, resp []byte, out any) error {
	if out == nil {
		return nil
	}
	if len(bytes.TrimSpace(resp)) == 0 {
		return &ResponseError{Method: method, Status: http.StatusOK, ContentType: hdr.Get("Content-Type"), Snippet: "empty body"}
	}
	if err := json.Unmarshal(resp, out); err != nil {
		return &ResponseError{Method: method, Status: http.StatusOK, ContentType: hdr.Get("Content-Type"), Snippet: snippet(resp)}
	}
	return nil
}

func (c *Client) post(ctx context.Context, method string, body []byte, region string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(method), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	// X-API-Version is documented for the Agent Chat API only; the version
	// in the path is what the Configuration API reads. Sending the same
	// value as the path is harmless under either reading.
	if c.Version != "" {
		req.Header.Set("X-API-Version", c.Version)
	}
	if region != "" {
		req.Header.Set("X-Region", region)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		var te interface{ Timeout() bool }
		if errors.As(err, &te) && te.Timeout() {
			return 0, nil, nil, fmt.Errorf("%s: the LiveChat API did not answer in time: %w", method, err)
		}
		return 0, nil, nil, fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s: read response: %w", method, err)
	}
	return resp.StatusCode, resp.Header, b, nil
}

// httpClient is c.HTTP, or when nil a plain client from httpclient (so
// even then lcwh's timeouts and User-Agent apply), built once.
func (c *Client) httpClient() *http.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.HTTP == nil {
		c.HTTP = httpclient.New(httpclient.Options{})
	}
	return c.HTTP
}

func (c *Client) currentRegion() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Region
}

func (c *Client) setRegion(r string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Region = r
}

func (c *Client) noticeLifecycle(h http.Header) {
	if c.Warn == nil {
		return
	}
	msg := ""
	// The dates come from the server: shown as one short line, no controls.
	if d := shown(h.Get("Deprecation"), 80); d != "" {
		msg = fmt.Sprintf("Configuration API v%s is deprecated and will be decommissioned on %s; set api_version to a stable version", c.version(), d)
	} else if d := shown(h.Get("Legacy"), 80); d != "" {
		msg = fmt.Sprintf("Configuration API v%s is in its legacy stage until %s; consider api_version %s", c.version(), d, DefaultVersion)
	}
	if msg == "" {
		return
	}
	c.mu.Lock()
	done := c.warned
	c.warned = true
	c.mu.Unlock()
	if !done {
		c.Warn(msg)
	}
}

func (c *Client) version() string {
	if c.Version == "" {
		return DefaultVersion
	}
	return c.Version
}
