package listen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/eventview"
	"github.com/lcwh/lcwh/internal/inspector"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
)

// abortWait bounds how long a second Ctrl-C waits for the listener: the
// record sink's current write, then exit (the display is abandoned).
const abortWait = 1500 * time.Millisecond

// displayWait bounds how long a finished drain waits for the display to
// write what it holds; a stdout nobody reads is then abandoned.
const displayWait = 2 * time.Second

// systemSignals delivers Ctrl-C and SIGTERM, and ignores SIGPIPE: a closed
// stdout must come back as EPIPE (display stops, saving goes on) instead
// of killing the process with acknowledged events still in memory.
func systemSignals() (<-chan os.Signal, func()) {
	signal.Ignore(syscall.SIGPIPE)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	return ch, func() { signal.Stop(ch) }
}

// sinks decides where the record of each event is kept before it is
// acknowledged: the --save file, else with --json the stdout stream itself.
type sinks struct {
	record         io.Writer
	recordName     string // for messages: the file, or "stdout"
	encode         func([]byte, *listener.Event) []byte
	stdoutIsRecord bool
}

func chooseSinks(opts *Options, save *os.File) sinks {
	switch {
	case save != nil:
		return sinks{record: save, recordName: opts.Save}
	case opts.JSON:
		return sinks{record: opts.IO.Out, recordName: "stdout", encode: encodeJSONLine, stdoutIsRecord: true}
	}
	return sinks{}
}

// encodeJSONLine is the --json line of an event: without --save it is the
// record, written before the event is acknowledged.
func encodeJSONLine(dst []byte, ev *listener.Event) []byte {
	v := eventview.FromEvent(ev)
	return render.AppendEventJSON(dst, &v)
}

func listenerConfig(opts *Options, sk sinks, hub *inspector.Server) listener.Config {
	cfg := listener.Config{
		Path:               opts.Path,
		MaxBody:            opts.MaxBody,
		Secrets:            opts.Secrets,
		ClientIDs:          opts.ClientIDs,
		RequireSecret:      opts.RequireSecret,
		QueueSize:          opts.QueueSize,
		Save:               sk.record,
		Encode:             sk.encode,
		Fsync:              opts.Fsync,
		Forward:            opts.ForwardTo,
		ForwardConcurrency: opts.ForwardConcurrency,
		ForwardTimeout:     opts.ForwardTimeout,
		HTTPClient:         opts.HTTPClient,
		Actions:            opts.Actions,
		// With --json and no --save the stream is written as the record;
		// nothing is left for the display to print.
		Emit:         printsEvents(opts, sk),
		DrainTimeout: opts.DrainTimeout,
		Now:          opts.Now,
	}
	if opts.MondaySecret != "" {
		cfg.MondaySecret = []byte(opts.MondaySecret)
	}
	// --web shows every event on the page, whatever the terminal shows:
	// the inspector takes each one in the listener's consumer (O(1), never
	// waiting on the page), so a --quiet listener hands nothing over to
	// another goroutine.
	if hub != nil {
		cfg.Observer = hub
	}
	return cfg
}

// printsEvents says whether the display prints events on stdout.
func printsEvents(opts *Options, sk sinks) bool { return !opts.Quiet && !sk.stdoutIsRecord }

func serve(ctx context.Context, opts *Options, est render.Styles, save *os.File) error {
	sk := chooseSinks(opts, save)
	web, err := bindWeb(opts, est)
	if err != nil {
		return err
	}
	defer web.stop()
	l := listener.New(listenerConfig(opts, sk, web.hub()))
	bound, hook, err := bindListener(l, opts)
	if err != nil {
		return err
	}
	web.serve(ctx, hook)
	printBanner(opts.IO.ErrOut, est, opts, hook, web)

	status := newStatusWriter(opts.IO.ErrOut)
	sigs, stop := opts.Signals()
	defer stop()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan runResult, 1)
	go func() {
		st, err := l.Run(runCtx)
		done <- runResult{st, err}
	}()
	disp := startDisplay(opts, l)
	r := &runner{opts: opts, est: est, l: l, sk: sk, status: status, cancel: cancel, disp: disp, done: done}
	// Whatever stderr is doing, the last messages get a bounded time: two
	// seconds normally, a moment after a second Ctrl-C.
	defer func() { status.Close(r.closeWait()) }()
	// The listener serves before anything is registered, so the first
	// delivery finds it; events wait in its queue until the display reads them.
	sess, sig, err := startSession(ctx, opts, est, status, bound, sigs)
	if err != nil {
		cancel()
		_, _ = r.wait(sigs, nil)
		return combine(err, sess.cleanup(sigs))
	}
	res, err := r.wait(sigs, sig)
	if err != nil {
		return combine(err, sess.cleanup(sigs))
	}
	printSummary(status, est, res.st, opts.Save)
	return combine(summaryError(res, sk), sess.cleanup(sigs))
}

// bindListener binds the listener's port and returns its address and the
// URL webhooks are posted to.
func bindListener(l *listener.Listener, opts *Options) (net.Addr, string, error) {
	bound, err := l.Bind(net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port)))
	if err != nil {
		var pe *listener.PortInUseError
		if errors.As(err, &pe) {
			return nil, "", cmdutil.WithHint(fmt.Errorf("port %d is already in use on %s", opts.Port, opts.Host),
				"Stop the other program or pick another port with --port (e.g. --port "+strconv.Itoa(opts.Port+1)+"), or --port 0 for any free one.")
		}
		return nil, "", err
	}
	base := "http://" + bound.String()
	if opts.Ready != nil {
		opts.Ready(base)
	}
	path := opts.Path
	if path == "" {
		path = "/"
	}
	return bound, base + path, nil
}

type runResult struct {
	st  listener.Stats
	err error
}

// runner is listen's control loop: signals, sink notices and the end of
// the run, each handled apart from the display, so a stdout that is
// stalled or closed never holds up Ctrl-C or saving.
type runner struct {
	opts     *Options
	est      render.Styles
	l        *listener.Listener
	sk       sinks
	status   *statusWriter
	cancel   func()
	disp     *display
	done     <-chan runResult
	stopping bool
	// forced is set by a second signal: exit promptly.
	forced bool
}

// abortClose is how long a forced exit waits for stderr.
const abortClose = 300 * time.Millisecond

func (r *runner) closeWait() time.Duration {
	if r.forced {
		return abortClose
	}
	return displayWait
}

// wait runs until the listener has drained and the display has written
// what it holds. A first signal starts the drain; a second one aborts:
// exit 130 within abortWait, every acknowledged event already kept.
func (r *runner) wait(sigs <-chan os.Signal, first os.Signal) (runResult, error) {
	if first != nil {
		r.startStop(first)
	}
	displayGone := r.disp.gone
	for {
		select {
		case sig := <-sigs:
			if r.stopping {
				return runResult{}, r.abort()
			}
			r.startStop(sig)
		case n := <-r.l.Notices():
			r.notice(n)
		case <-displayGone:
			displayGone = nil
			r.displayClosed()
		case res := <-r.done:
			r.finishDisplay(sigs)
			return res, nil
		}
	}
}

func (r *runner) startStop(sig os.Signal) {
	r.stopping = true
	r.status.Printf("\n%s (%s): no longer accepting; draining %d event(s)… Ctrl-C again to quit at once\n",
		r.est.Muted.Render("stopping"), sig, r.l.Pending())
	r.cancel()
}

// abort is the second signal: stop at once. The events still held were
// acknowledged after their record was written, so the message says where
// they are rather than that they are lost.
func (r *runner) abort() error {
	r.forced = true
	pending := r.l.Pending()
	r.l.Abort()
	t := time.NewTimer(abortWait)
	defer t.Stop()
	select {
	case <-r.done:
	case <-t.C:
	}
	var msg string
	switch {
	case pending == 0:
		msg = "interrupted"
	case r.sk.record != nil:
		msg = fmt.Sprintf("interrupted: %d event(s) were not shown or forwarded; every acknowledged one is in %s", pending, r.sk.recordName)
	default:
		msg = fmt.Sprintf("interrupted: %d acknowledged event(s) were not shown or forwarded (without --save nothing else keeps them)", pending)
	}
	r.status.Printf("%s %s\n", r.est.Warn.Render("!"), msg)
	// Printed here, not by app.Main: stderr may be the stalled terminal.
	return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: cmdutil.ErrSilent}
}

func (r *runner) notice(n listener.Notice) {
	st := r.est
	switch n.Kind {
	case listener.SaveFailed:
		r.status.Printf("%s saving to %s failed: %v\n  %d event(s) saved so far; new events are answered 503, so LiveChat retries them.\n  Free disk space or fix the file: saving and 200s resume by themselves.\n",
			st.Error.Render("✗"), r.sk.recordName, n.Err, n.Saved)
	case listener.SaveResumed:
		r.status.Printf("%s saving to %s works again (%d saved; %d refused with 503 meanwhile)\n",
			st.Success.Render("✓"), r.sk.recordName, n.Saved, n.Refused)
	case listener.SinkClosed:
		if r.sk.stdoutIsRecord {
			if !r.stopping {
				r.status.Printf("%s stdout was closed: with --json and no --save it is where events are kept, so listen stops (%d event(s) written)\n",
					st.Warn.Render("!"), n.Saved)
				r.stopping = true
				r.cancel()
			}
			return
		}
		r.status.Printf("%s %s was closed: %v; new events are answered 503\n", st.Error.Render("✗"), r.sk.recordName, n.Err)
	}
}

func (r *runner) displayClosed() {
	if r.sk.record != nil {
		r.status.Printf("%s stdout was closed: events are no longer shown; still saving to %s\n", r.est.Warn.Render("!"), r.sk.recordName)
		return
	}
	r.status.Printf("%s stdout was closed: events are no longer shown (add --save FILE to keep them)\n", r.est.Warn.Render("!"))
}

// finishDisplay gives the display a bounded time to write what it holds;
// a signal meanwhile ends the wait too.
func (r *runner) finishDisplay(sigs <-chan os.Signal) {
	t := time.NewTimer(displayWait)
	defer t.Stop()
	select {
	case <-r.disp.finished:
	case <-t.C:
		r.status.Printf("%s stdout is not being read: the last events were not shown\n", r.est.Warn.Render("!"))
	case <-sigs:
		r.forced = true // everything was processed; only the display is cut short
	}
}

// summaryError turns what went wrong during the run into the exit status.
func summaryError(res runResult, sk sinks) error {
	if res.err != nil {
		return res.err
	}
	if res.st.Refused > 0 && !sk.stdoutIsRecord {
		return cmdutil.WithHint(fmt.Errorf("%d event(s) were answered 503 because saving to %s failed", res.st.Refused, sk.recordName),
			"LiveChat retries deliveries that are not answered 200; check the disk (df -h) and the file.")
	}
	return nil
}

// startSession registers the --register webhooks (nil session without
// --register). A signal meanwhile abandons registering (ErrCancel); what
// was registered is still in the session for cleanup. A signal that comes
// once all is registered is returned for the run loop to handle.
func startSession(ctx context.Context, opts *Options, est render.Styles, w io.Writer, bound net.Addr, sigs <-chan os.Signal) (*session, os.Signal, error) {
	if opts.Register == nil {
		return nil, nil, nil
	}
	s := &session{ro: opts.Register, w: w, st: est, now: opts.Now}
	port := bound.(*net.TCPAddr).Port
	wctx, stopWatch := watch(ctx, sigs)
	u, err := opts.Register.publicURL(wctx, port, opts.Path)
	if err == nil {
		err = s.start(wctx, u, s.now())
	}
	sig := stopWatch()
	switch {
	case err == nil:
		return s, sig, nil
	case sig != nil:
		fmt.Fprintf(w, "\n%s (%s) while registering\n", est.Muted.Render("stopping"), sig)
		return s, nil, cmdutil.ErrCancel
	case ctx.Err() != nil:
		return s, nil, cmdutil.ErrCancel
	}
	return s, nil, err
}
