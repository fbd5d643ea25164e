// Package replay implements `lcwh replay`: events saved by listen --save
// re-sent to a URL with send-sample's delivery.
package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/sender"
	"github.com/lcwh/lcwh/internal/termtext"
)

// ReplayJSONFields are the fields of each replay --json line.
const ReplayJSONFields = "index, kind, url, status, attempts, latency_ms, ok, error"

// ReplayOptions are the inputs of `lcwh replay`.
type ReplayOptions struct {
	IO *iostreams.IOStreams
	// HTTPClient replaces the sender's tuned client (tests); nil builds one.
	HTTPClient *http.Client
	// Sleep replaces the pause between retries (tests).
	Sleep func(ctx context.Context, d time.Duration) error

	File          string
	To            string
	Actions       []string
	Index         int
	JSON          bool
	Timeout       time.Duration
	Retries       int
	RetryInterval time.Duration
	NoRetry       bool
}

// NewCmdReplay builds `lcwh replay`.
func NewCmdReplay(f *cmdutil.Factory, runF func(*ReplayOptions) error) *cobra.Command {
	opts := &ReplayOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "replay FILE",
		Short: "Re-send saved webhook events to a URL",
		Long: `Re-send events saved by 'lcwh listen --save FILE' to --to URL, in file
order, with the body bytes exactly as they arrived and their Content-Type,
Content-Encoding and Authorization (monday.com) headers. Pick all events,
those of some kinds (--actions) or one event (--index N, 1-based, in the
order inspect shows). Files of every --save format version replay; an
'lcwh listen --json' stream does too, with a warning: it holds secret_key and
Authorization redacted, so those requests are not the ones that arrived.

Delivery is send-sample's: a --timeout per attempt (default 10s), success
only on a 2xx (LiveChat documents 200), redirects not followed, and on
failure up to --retries more attempts of the identical body (pauses of 5s,
15s, 40s by default). Each delivery is shown with its status, attempts and
latency (--json: one NDJSON object per delivery); the exit status is 1 when
any delivery failed, 130 when interrupted.`,
		Example: `$ lcwh replay events.jsonl --to http://localhost:3000/webhooks
$ lcwh replay events.jsonl --to http://localhost:3000/webhooks --actions incoming_chat
$ lcwh replay events.jsonl --to http://localhost:3000/webhooks --index 3 --json`,
		Args: cmdutil.ExactArgs(1, "a file saved by lcwh listen --save"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if opts.To == "" {
				return cmdutil.FlagErrorf("--to URL is required")
			}
			if _, err := cmdutil.ParseHTTPURL("--to", opts.To); err != nil {
				return err
			}
			switch {
			case opts.Index < 0:
				return cmdutil.FlagErrorf("--index must be 1 or more")
			case opts.Retries < 0:
				return cmdutil.FlagErrorf("--retries must be 0 or more, got %d", opts.Retries)
			case opts.RetryInterval <= 0:
				return cmdutil.FlagErrorf("--retry-interval must be positive, got %s", opts.RetryInterval)
			}
			if runF != nil {
				return runF(opts)
			}
			return replayRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.To, "to", "", "URL to send the events to (required)")
	fl.StringSliceVar(&opts.Actions, "actions", nil, "Replay only these kinds (comma-separated)")
	fl.IntVar(&opts.Index, "index", 0, "Replay only the Nth event of the file (1-based)")
	fl.DurationVar(&opts.Timeout, "timeout", sender.DefaultTimeout, "Timeout of one attempt")
	fl.IntVar(&opts.Retries, "retries", sender.DefaultRetries, "Attempts after a failed one")
	fl.DurationVar(&opts.RetryInterval, "retry-interval", sender.DefaultRetryInterval, "First pause before a retry (later pauses are 3x and 8x it)")
	fl.BoolVar(&opts.NoRetry, "no-retry", false, "Make a single attempt per delivery")
	cmdutil.AddJSONFlag(cmd, &opts.JSON, ReplayJSONFields)
	_ = cmd.RegisterFlagCompletionFunc("actions", cmdutil.CompleteKinds)
	return cmd
}

// savedEvent is one replayable event read from a --save file.
type savedEvent struct {
	index  int
	kind   string
	body   []byte
	header http.Header
}

// replayHeaders are the saved headers sent again. A `listen --json` line
// holds Authorization redacted, so only the others are sent from it.
var replayHeaders = []string{"Content-Type", "Content-Encoding", "Authorization"}

func savedFrom(rec *eventlog.Record) savedEvent {
	ev := savedEvent{body: rec.Body, header: http.Header{}, kind: listener.Classify(rec.Body).Kind}
	for _, h := range replayHeaders {
		if h == "Authorization" && rec.Form == eventlog.FormStream {
			continue
		}
		if vs := rec.Header[h]; len(vs) > 0 {
			ev.header.Set(h, vs[0])
		}
	}
	return ev
}

func replayRun(ctx context.Context, opts *ReplayOptions) error {
	f, err := os.Open(opts.File)
	if err != nil {
		return err
	}
	defer f.Close()
	est := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	events, n, bad, err := loadSaved(f, opts, est)
	if err != nil {
		return err
	}
	if opts.Index > n {
		return cmdutil.FlagErrorf("--index %d: %s holds %d event(s)", opts.Index, opts.File, n)
	}
	if len(events) == 0 {
		if opts.IO.IsStderrTTY() {
			fmt.Fprintln(opts.IO.ErrOut, "no events to replay")
		}
		return nil
	}
	// Ctrl-C cancels the delivery in flight and stops (exit 130).
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	failed, err := deliverAll(ctx, opts, events, est)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "replayed %d event(s) to %s: %d delivered, %d failed\n",
		len(events), termtext.URL(opts.To), len(events)-len(failed), len(failed))
	switch {
	case len(failed) == 1 && len(events) == 1:
		return failed[0]
	case len(failed) > 0:
		return fmt.Errorf("%d of %d deliveries failed; first: %w", len(failed), len(events), failed[0])
	case bad > 0:
		return cmdutil.ErrSilent
	}
	return nil
}

// deliverAll sends the events in order, one line (or JSON object) each on
// stdout, and returns the failed deliveries. A stdout that fails, or
// Ctrl-C (cmdutil.ErrCancel), stops it.
func deliverAll(ctx context.Context, opts *ReplayOptions, events []savedEvent, est render.Styles) ([]error, error) {
	s := sender.New(opts.HTTPClient, sender.Options{Timeout: opts.Timeout, Retries: opts.Retries,
		NoRetry: opts.NoRetry || opts.Retries == 0, RetryInterval: opts.RetryInterval, Sleep: opts.Sleep})
	st := render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled())
	var failed []error
	for _, ev := range events {
		res := s.Deliver(ctx, sender.Request{URL: opts.To, Body: ev.body, Header: ev.header})
		if res.Warning != "" {
			fmt.Fprintf(opts.IO.ErrOut, "%s #%d: %s\n", est.Warn.Render("!"), ev.index, res.Warning)
		}
		var werr error
		if opts.JSON {
			werr = writeReplayJSON(opts.IO.Out, ev, termtext.RedactURL(opts.To), res)
		} else {
			_, werr = io.WriteString(opts.IO.Out, replayLine(st, ev, res))
		}
		if werr != nil {
			return nil, werr
		}
		if res.Err != nil {
			if errors.Is(res.Err, context.Canceled) || ctx.Err() != nil {
				return nil, cmdutil.ErrCancel
			}
			failed = append(failed, fmt.Errorf("event #%d (%s): %w", ev.index, render.Sanitise(ev.kind), res.Err))
		}
	}
	return failed, nil
}

func replayLine(st render.Styles, ev savedEvent, res sender.Result) string {
	mark := st.Success.Render("✓")
	if !res.OK() {
		mark = st.Error.Render("✗")
	}
	status := "---"
	if res.Status != 0 {
		status = st.StatusStyle(res.Status).Render(strconv.Itoa(res.Status))
	}
	attempts := "1 attempt"
	if res.Attempts != 1 {
		attempts = strconv.Itoa(res.Attempts) + " attempts"
	}
	line := fmt.Sprintf("%s #%d %s → %s  %s  %s", mark, ev.index, st.Action.Render(render.Sanitise(ev.kind)), status,
		attempts, st.Muted.Render(fmt.Sprintf("%.1fms", float64(res.Latency.Microseconds())/1000)))
	if res.Err != nil {
		line += "  " + render.Sanitise(res.Err.Error())
	}
	if len(res.RespBody) > 0 && res.Status != http.StatusOK {
		line += "\n    " + render.Sanitise(string(bytes.TrimSpace(res.RespBody)))
	}
	return line + "\n"
}

func writeReplayJSON(w io.Writer, ev savedEvent, to string, res sender.Result) error {
	type line struct {
		Index     int     `json:"index"`
		Kind      string  `json:"kind"`
		URL       string  `json:"url"`
		Status    int     `json:"status"`
		Attempts  int     `json:"attempts"`
		LatencyMS float64 `json:"latency_ms"`
		OK        bool    `json:"ok"`
		Error     string  `json:"error"`
	}
	l := line{Index: ev.index, Kind: ev.kind, URL: to, Status: res.Status, Attempts: res.Attempts,
		LatencyMS: float64(res.Latency.Microseconds()) / 1000, OK: res.OK()}
	if res.Err != nil {
		l.Error = res.Err.Error()
	}
	return cmdutil.WriteNDJSON(w, l)
}

// loadSaved reads the events to replay; n counts every readable event,
// bad the lines skipped.
func loadSaved(f io.Reader, opts *ReplayOptions, est render.Styles) (events []savedEvent, n, bad int, err error) {
	actions := map[string]bool{}
	for _, a := range opts.Actions {
		actions[a] = true
	}
	warn := func(format string, a ...any) {
		fmt.Fprintf(opts.IO.ErrOut, "%s "+format+"\n", append([]any{est.Warn.Render("!")}, a...)...)
	}
	warnedStream := false
	err = eventlog.Each(eventlog.NewReader(f), func(rec *eventlog.Record) error {
		if rec.Form == eventlog.FormStream && !warnedStream {
			warnedStream = true
			warn("line %d: a 'listen --json' line: its secret_key and Authorization were redacted when it was "+
				"written, so what is sent is not the request that arrived (replay a --save file for that)", rec.Line)
		}
		n++
		if (opts.Index > 0 && n != opts.Index) || (len(actions) > 0 && !actions[listener.Classify(rec.Body).Kind]) {
			return nil
		}
		ev := savedFrom(rec)
		ev.index = n
		events = append(events, ev)
		return nil
	}, func(err error, isBad bool) {
		if isBad {
			bad++
			warn("%s (skipped)", render.Sanitise(err.Error()))
			return
		}
		warn("%s (skipped)", err)
	})
	if err != nil {
		return nil, n, bad, fmt.Errorf("read %s: %w", opts.File, err)
	}
	return events, n, bad, nil
}
