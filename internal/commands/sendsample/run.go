package sendsample

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/lcwh/lcwh/internal/termtext"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/sender"
	"github.com/lcwh/lcwh/internal/signature"
)

func sendSampleRun(ctx context.Context, opts *SendSampleOptions) error {
	p, err := buildPlan(opts)
	if err != nil {
		return err
	}
	if opts.DryRun {
		return dryRun(opts, p)
	}
	bar := opts.IO.ProgressLine()
	ctx, stop, done := interrupts(ctx, opts, bar)
	defer done()
	s := sender.New(httpClient(opts), sender.Options{Conns: opts.Concurrency,
		Timeout: opts.Timeout, Retries: opts.Retries, NoRetry: opts.NoRetry || opts.Retries == 0,
		RetryInterval: opts.RetryInterval, Sleep: opts.Sleep, Now: opts.Now, UserAgent: opts.UserAgent,
		// Without --debug the client's layers add nothing the requests
		// lack (the User-Agent is set above), so bursts may use their
		// own connections.
		DirectBursts: opts.HTTPClient == nil && opts.Debug == nil,
	})
	if opts.Count > 0 || opts.Duration > 0 {
		return burstRun(ctx, stop, opts, p, s, bar)
	}
	return singleRun(ctx, stop, opts, p, s)
}

// httpClient is the client every delivery goes through (bursts to plain
// http:// without --debug excepted): internal/httpclient's, with --debug's
// redacting log when asked, over a transport sized for the concurrency.
func httpClient(opts *SendSampleOptions) *http.Client {
	if opts.HTTPClient != nil {
		return opts.HTTPClient
	}
	return httpclient.New(httpclient.Options{Version: opts.Version, Debug: opts.Debug,
		Base: sender.NewTransport(opts.Concurrency)})
}

// interrupts turns Ctrl-C into two stages: the first closes stop (no new
// deliveries or retries; those in flight finish), the second ends ctx
// (abort: those in flight are interrupted). done releases the signals.
// The notices go in place of bar, the burst's progress line.
func interrupts(ctx context.Context, opts *SendSampleOptions, bar *iostreams.ProgressLine) (context.Context, <-chan struct{}, func()) {
	sigs := opts.Interrupts
	release := func() {}
	if sigs == nil {
		ch := make(chan os.Signal, 2)
		signal.Notify(ch, os.Interrupt)
		sigs, release = ch, func() { signal.Stop(ch) }
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := make(chan struct{})
	finished := make(chan struct{})
	warn := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	go func() {
		select {
		case <-sigs:
		case <-finished:
			return
		}
		close(stop)
		bar.Printf("%s stopping: no new deliveries; waiting for those in flight (at most %s). Ctrl-C again to abort them.\n",
			warn.Warn.Render("!"), opts.Timeout)
		select {
		case <-sigs:
			bar.Printf("%s aborting: deliveries in flight count as interrupted (outcome unknown)\n",
				warn.Warn.Render("!"))
			cancel()
		case <-finished:
		}
	}()
	return ctx, stop, func() {
		close(finished)
		release()
		cancel()
	}
}

func isStopped(ctx context.Context, stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return ctx.Err() != nil
	}
}

// singleRun sends each kind once, in order, one line per delivery.
func singleRun(ctx context.Context, stop <-chan struct{}, opts *SendSampleOptions, p *plan, s *sender.Sender) error {
	out := opts.IO.Out
	st := render.NewStyles(out, opts.IO.ColorEnabled())
	warn := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	var failed []error
	for i := range p.size() {
		if isStopped(ctx, stop) {
			return cmdutil.ErrCancel
		}
		req, err := p.next(i, nil)
		if err != nil {
			return err
		}
		res := s.DeliverStop(ctx, stop, req)
		if res.Warning != "" {
			fmt.Fprintf(opts.IO.ErrOut, "%s %s: %s\n", warn.Warn.Render("!"), p.label(i), termtext.Line(res.Warning))
		}
		if opts.JSON {
			err = cmdutil.WriteNDJSON(out, jsonLine(p.label(i), p.shownURL, res))
		} else {
			_, err = io.WriteString(out, humanLine(st, p.label(i), p.shownURL, res))
		}
		if err != nil {
			return err
		}
		if res.Err != nil && !res.Interrupted() {
			failed = append(failed, fmt.Errorf("%s: %w", p.label(i), res.Err))
		}
	}
	if isStopped(ctx, stop) {
		return cmdutil.ErrCancel
	}
	return failure(opts, failed, p.size())
}

// failure turns failed deliveries into the command's error (exit 1).
func failure(opts *SendSampleOptions, failed []error, total int) error {
	if len(failed) == 0 {
		return nil
	}
	err := failed[0]
	if len(failed) > 1 || total > 1 {
		err = fmt.Errorf("%d of %d deliveries failed; first: %w", len(failed), total, failed[0])
	}
	var refused *sender.RefusedError
	if errors.As(err, &refused) && opts.URL == DefaultURL {
		return cmdutil.WithHint(err, `Start a receiver with "lcwh listen", or pass --url.`)
	}
	return err
}

// jsonDelivery is the pinned NDJSON shape of one delivery.
type jsonDelivery struct {
	Name      string  `json:"name"`
	URL       string  `json:"url"`
	Status    int     `json:"status"`
	Attempts  int     `json:"attempts"`
	LatencyMS float64 `json:"latency_ms"`
	OK        bool    `json:"ok"`
	// Interrupted: aborted in flight (second Ctrl-C), outcome unknown.
	Interrupted bool   `json:"interrupted"`
	Error       string `json:"error"`
}

func jsonLine(name, url string, res sender.Result) jsonDelivery {
	d := jsonDelivery{Name: name, URL: url, Status: res.Status, Attempts: res.Attempts,
		LatencyMS: ms(res.Latency.Seconds() * 1000), OK: res.OK(), Interrupted: res.Interrupted()}
	if res.Err != nil {
		d.Error = res.Err.Error()
	}
	return d
}

// ms rounds milliseconds to microsecond precision.
func ms(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

func humanLine(st render.Styles, name, url string, res sender.Result) string {
	var b strings.Builder
	mark, status := st.Success.Render("✓"), st.StatusStyle(res.Status).Render(fmt.Sprint(res.Status))
	switch {
	case res.Interrupted():
		mark = st.Warn.Render("?")
	case res.Err != nil:
		mark = st.Error.Render("✗")
	case res.Warning != "":
		mark = st.Warn.Render("!")
	}
	if res.Status == 0 {
		status = st.StatusFail.Render("---")
	}
	attempts := "1 attempt"
	if res.Attempts != 1 {
		attempts = fmt.Sprintf("%d attempts", res.Attempts)
	}
	fmt.Fprintf(&b, "%s %s  %s  %s  %s  %s", mark, st.Action.Render(name), status, attempts,
		st.Muted.Render(fmtLatency(res.Latency.Seconds()*1000)), termtext.URL(url))
	if res.Err != nil {
		b.WriteString("  " + termtext.Line(res.Err.Error()))
	}
	if res.Status != 0 && res.Status != http.StatusOK && len(res.RespBody) > 0 {
		b.WriteString("  " + st.Muted.Render("response: "+string(termtext.AppendLine(nil, string(res.RespBody), 120))))
	}
	b.WriteByte('\n')
	return b.String()
}

func fmtLatency(msec float64) string {
	if msec >= 1000 {
		return fmt.Sprintf("%.2fs", msec/1000)
	}
	return fmt.Sprintf("%.1fms", msec)
}

// cut keeps a response body to one short line.
// dryRun prints each request that would be sent, Authorization redacted.
func dryRun(opts *SendSampleOptions, p *plan) error {
	out := opts.IO.Out
	for i := range p.size() {
		req, err := p.next(i, nil)
		if err != nil {
			return cmdutil.FlagErrorWrap(err)
		}
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "POST %s\n", p.shownURL)
		keys := make([]string, 0, len(req.Header))
		for k := range req.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range req.Header[k] {
				if k == "Authorization" {
					v = signature.Redact(v)
				}
				fmt.Fprintf(out, "%s: %s\n", k, v)
			}
		}
		body := req.Body
		if p.secret != "" {
			// A preview is for eyes: the caller's secret stays hidden. The
			// sample's own documented secret (no --secret) is shown as is.
			if pretty, err := render.AppendPrettyJSON(nil, body, render.NewStyles(out, false), render.SecretKeys...); err == nil {
				body = pretty
			}
		}
		fmt.Fprintf(out, "\n%s\n", body)
	}
	if opts.Count > 0 || opts.Duration > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "dry run: a burst would send bodies like these (fresh ids each), nothing was sent\n")
	}
	return nil
}
