package listen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// Deliverer posts one webhook body. replay and demo use it; the real one
// is meant to be send-sample's delivery code (internal/sender: 10 s
// per-attempt timeout, retries, refused/timeout errors). Until that package
// is on main, plainDeliverer below stands in: one attempt, no retries.
// TODO(lead): replace plainDeliverer with an adapter over sender.Sender.Deliver.
type Deliverer interface {
	Deliver(ctx context.Context, url string, body []byte, header http.Header) Delivered
}

// Delivered is the outcome of one delivery.
type Delivered struct {
	Status   int
	Attempts int
	Latency  time.Duration
	// RespBody is the start of the response when it was not 2xx.
	RespBody []byte
	Err      error
}

// OK reports a 2xx answer.
func (d Delivered) OK() bool { return d.Err == nil && d.Status >= 200 && d.Status <= 299 }

type plainDeliverer struct {
	client  *http.Client
	timeout time.Duration
}

func newPlainDeliverer(timeout time.Duration) *plainDeliverer {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &plainDeliverer{client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, timeout: timeout}
}

func (p *plainDeliverer) Deliver(ctx context.Context, u string, body []byte, header http.Header) Delivered {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return Delivered{Err: fmt.Errorf("%q is not an http(s) URL", u)}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := p.client.Do(req)
	d := Delivered{Attempts: 1, Latency: time.Since(start)}
	if err != nil {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			host := u
			if pu, perr := url.Parse(u); perr == nil {
				host = pu.Host
			}
			d.Err = fmt.Errorf("connection refused to %s: is the receiver running?", host)
		case errors.Is(err, context.DeadlineExceeded):
			d.Err = fmt.Errorf("no response within %s", p.timeout)
		default:
			d.Err = err
		}
		return d
	}
	defer resp.Body.Close()
	d.Status = resp.StatusCode
	if !d.OK() {
		d.RespBody, _ = io.ReadAll(io.LimitReader(resp.Body, 512))
		d.Err = fmt.Errorf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return d
}
