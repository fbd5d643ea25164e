package sendsample

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/sender"
)

// burstRun sends many deliveries and prints a summary.
func burstRun(ctx context.Context, stop <-chan struct{}, opts *SendSampleOptions, p *plan, s *sender.Sender, bar *iostreams.ProgressLine) error {
	b := sender.Burst{Count: opts.Count, Concurrency: opts.Concurrency, Rate: opts.Rate,
		Duration: opts.Duration, Next: p.next, Stop: stop}
	progress := !opts.JSON && bar.Active()
	var (
		sum sender.Summary
		err error
	)
	if !opts.JSON && !progress {
		// Nothing to show per delivery: skip the channel entirely.
		sum = s.Burst(ctx, b, nil)
	} else {
		ch := make(chan sender.Delivery, 1024)
		done := make(chan sender.Summary, 1)
		go func() { done <- s.Burst(ctx, b, ch) }()
		if opts.JSON {
			err = streamJSON(opts.IO.Out, p, ch)
		} else {
			drawProgress(opts, bar, ch)
		}
		for range ch { // drain after a write error so the burst can finish
		}
		sum = <-done
	}
	if err != nil {
		return err
	}
	if opts.JSON {
		err = cmdutil.WriteNDJSON(opts.IO.Out, map[string]jsonSummary{"summary": toJSONSummary(sum)})
	} else {
		err = writeSummary(opts, sum)
	}
	if err != nil {
		return err
	}
	if sum.Stopped || isStopped(ctx, stop) {
		return cmdutil.ErrCancel
	}
	if sum.Failed == 0 {
		return nil
	}
	fe := fmt.Errorf("%d of %d deliveries failed; first: %w", sum.Failed, sum.Sent, sum.FirstError)
	var refused *sender.RefusedError
	if errors.As(fe, &refused) && opts.URL == DefaultURL {
		return cmdutil.WithHint(fe, `Start a receiver with "lcwh listen", or pass --url.`)
	}
	return fe
}

// streamJSON writes one NDJSON line per delivery, flushing whenever no
// further result is waiting so a slow burst still streams line by line.
func streamJSON(w io.Writer, p *plan, ch <-chan sender.Delivery) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	for d := range ch {
		if err := cmdutil.WriteNDJSON(bw, jsonLine(p.label(d.Index), p.shownURL, d.Result)); err != nil {
			return err
		}
		if len(ch) == 0 {
			if err := bw.Flush(); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// drawProgress redraws a one-line bar on stderr at most ten times a
// second, and erases it at the end.
func drawProgress(opts *SendSampleOptions, bar *iostreams.ProgressLine, ch <-chan sender.Delivery) {
	st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	start := opts.Now()
	var last time.Time
	n, failed := 0, 0
	for d := range ch {
		n++
		if d.Result.Err != nil && !d.Result.Interrupted() {
			failed++
		}
		if now := opts.Now(); now.Sub(last) >= 100*time.Millisecond {
			last = now
			bar.Show(progressLine(st, opts, n, failed, now.Sub(start)))
		}
	}
	bar.Clear()
}

func progressLine(st render.Styles, opts *SendSampleOptions, n, failed int, elapsed time.Duration) string {
	const width = 30
	frac := 0.0
	switch {
	case opts.Count > 0:
		frac = float64(n) / float64(opts.Count)
	case opts.Duration > 0:
		frac = elapsed.Seconds() / opts.Duration.Seconds()
	}
	frac = min(max(frac, 0), 1)
	filled := int(frac * width)
	bar := st.Success.Render(strings.Repeat("█", filled)) + st.Muted.Render(strings.Repeat("░", width-filled))
	rate := 0.0
	if elapsed > 0 {
		rate = float64(n) / elapsed.Seconds()
	}
	line := fmt.Sprintf("%s %d sent  %.0f req/s", bar, n, rate)
	if failed > 0 {
		line += "  " + st.StatusFail.Render(fmt.Sprintf("%d failed", failed))
	}
	return line
}

// jsonSummary is the last NDJSON object of a burst, under "summary".
type jsonSummary struct {
	Sent      int `json:"sent"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	// Interrupted counts deliveries aborted in flight (second Ctrl-C):
	// whether they arrived is unknown. sent = succeeded + failed + interrupted.
	Interrupted int `json:"interrupted"`
	Retried     int `json:"retried"`
	Warned      int `json:"warned"`
	// Stopped is true when Ctrl-C ended the burst early.
	Stopped   bool           `json:"stopped"`
	ElapsedMS float64        `json:"elapsed_ms"`
	ReqPerSec float64        `json:"req_per_sec"`
	Latency   jsonLatency    `json:"latency_ms"`
	Status    map[string]int `json:"status"`
}

type jsonLatency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func toJSONSummary(s sender.Summary) jsonSummary {
	d := func(v time.Duration) float64 { return ms(v.Seconds() * 1000) }
	st := map[string]int{}
	for code, n := range s.Status {
		st[statusKey(code)] = n
	}
	return jsonSummary{Sent: s.Sent, Succeeded: s.Succeeded, Failed: s.Failed, Interrupted: s.Interrupted,
		Retried: s.Retried, Warned: s.Warned, Stopped: s.Stopped, ElapsedMS: d(s.Elapsed), ReqPerSec: float64(int64(s.ReqPerSec*10+0.5)) / 10,
		Latency: jsonLatency{P50: d(s.P50), P90: d(s.P90), P99: d(s.P99), Max: d(s.Max)}, Status: st}
}

// statusKey names a status count; "none" is a delivery that got no response.
func statusKey(code int) string {
	if code == 0 {
		return "none"
	}
	return strconv.Itoa(code)
}

func writeSummary(opts *SendSampleOptions, s sender.Summary) error {
	st := render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled())
	lat := func(v time.Duration) string { return fmtLatency(v.Seconds() * 1000) }
	failed := strconv.Itoa(s.Failed) + " failed"
	if s.Failed > 0 {
		failed = st.StatusFail.Render(failed)
	}
	codes := make([]int, 0, len(s.Status))
	for c := range s.Status {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, st.StatusStyle(c).Render(statusKey(c))+": "+strconv.Itoa(s.Status[c]))
	}
	cut := ""
	if s.Interrupted > 0 {
		cut = ", " + st.Warn.Render(strconv.Itoa(s.Interrupted)+" interrupted (outcome unknown)")
	}
	stopped := ""
	if s.Stopped {
		stopped = " " + st.Muted.Render("(stopped by Ctrl-C)")
	}
	latency := fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s", lat(s.P50), lat(s.P90), lat(s.P99), lat(s.Max))
	if s.Succeeded+s.Failed == 0 {
		latency = st.Muted.Render("none (no delivery completed)")
	}
	_, err := fmt.Fprintf(opts.IO.Out,
		"%s %d in %s (%.0f req/s)%s: %d succeeded, %s%s, %d retried\n%s %s\n%s %s\n",
		st.Bold.Render("Sent"), s.Sent, s.Elapsed.Round(time.Millisecond), s.ReqPerSec, stopped, s.Succeeded, failed, cut,
		s.Retried, st.Bold.Render("Latency"), latency, st.Bold.Render("Status"), strings.Join(parts, "  "))
	if s.Warned > 0 && err == nil {
		warn := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
		fmt.Fprintf(opts.IO.ErrOut, "%s %d deliveries got a 2xx other than 200: LiveChat documents only 200 as success\n",
			warn.Warn.Render("!"), s.Warned)
	}
	return err
}
