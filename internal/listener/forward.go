package listener

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

// forwardHeaders are copied to the app: the content headers, and
// Authorization so a monday app can check its JWT itself.
var forwardHeaders = []string{"Content-Type", "Content-Encoding", "Authorization", "User-Agent"}

// route picks the URL for kind: a kind route first, else the plain one.
func (l *Listener) route(kind string) string {
	def := ""
	for _, r := range l.cfg.Forward {
		if r.Kind == kind {
			return r.URL
		}
		if r.Kind == "" && def == "" {
			def = r.URL
		}
	}
	return def
}

// forwardLoop forwards queued events one at a time; with one worker (the
// default) the app sees them in arrival order.
func (l *Listener) forwardLoop() {
	for ev := range l.fq {
		res := l.forward(ev)
		if res.Err != nil || res.Status < 200 || res.Status > 299 {
			l.forwardErr.Add(1)
		} else {
			l.forwarded.Add(1)
		}
		if l.cfg.Observer != nil {
			l.cfg.Observer.AddForward(res)
		}
		l.drop(ev)
		if l.cfg.Emit {
			l.emit(Item{Forward: res})
		}
	}
}

func (l *Listener) forward(ev *Event) *ForwardResult {
	u := l.route(ev.Kind)
	shown := redactURL(u)
	res := &ForwardResult{Event: ev, URL: shown}
	ctx, cancel := context.WithTimeout(context.Background(), l.cfg.ForwardTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(ev.Body))
	if err != nil {
		res.Err = fmt.Errorf("forward to %s: %w", shown, err)
		return res
	}
	for _, h := range forwardHeaders {
		if v := ev.Header.Values(h); len(v) > 0 {
			req.Header[h] = v
		}
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := l.cfg.HTTPClient.Do(req)
	res.Latency = time.Since(start)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			res.Refused = true
			host := u
			if pu, perr := url.Parse(u); perr == nil {
				host = pu.Host
			}
			res.Err = fmt.Errorf("connection refused: the app does not seem to be running on %s", host)
			return res
		}
		if errors.Is(err, context.DeadlineExceeded) {
			res.Err = fmt.Errorf("no answer within --forward-timeout %s", l.cfg.ForwardTimeout)
			return res
		}
		res.Err = fmt.Errorf("forward to %s: %w", shown, redactURLError(err))
		return res
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	res.Header = resp.Header
	res.Body, _ = io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return res
}

// redactURL hides a password in a URL's userinfo: forward targets are
// printed in results and errors.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// redactURLError keeps net/http's *url.Error from repeating the URL with
// its password: the result already names the redacted URL.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
