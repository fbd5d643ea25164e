package listen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
)

func systemSignals() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	return ch, func() { signal.Stop(ch) }
}

func listenerConfig(opts *Options, save io.Writer) listener.Config {
	cfg := listener.Config{
		Path:               opts.Path,
		MaxBody:            opts.MaxBody,
		Secrets:            opts.Secrets,
		ClientIDs:          opts.ClientIDs,
		RequireSecret:      opts.RequireSecret,
		QueueSize:          opts.QueueSize,
		Save:               save,
		Forward:            opts.ForwardTo,
		ForwardConcurrency: opts.ForwardConcurrency,
		ForwardTimeout:     opts.ForwardTimeout,
		Actions:            opts.Actions,
		Emit:               !opts.Quiet,
		Now:                opts.Now,
	}
	if opts.MondaySecret != "" {
		cfg.MondaySecret = []byte(opts.MondaySecret)
	}
	return cfg
}

func serve(ctx context.Context, opts *Options, est render.Styles, save *os.File) error {
	var w io.Writer
	if save != nil {
		w = save
	}
	l := listener.New(listenerConfig(opts, w))
	bound, err := l.Bind(net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port)))
	if err != nil {
		var pe *listener.PortInUseError
		if errors.As(err, &pe) {
			return cmdutil.WithHint(fmt.Errorf("port %d is already in use on %s", opts.Port, opts.Host),
				"Stop the other program or pick another port with --port (e.g. --port "+strconv.Itoa(opts.Port+1)+").")
		}
		return err
	}
	base := "http://" + bound.String()
	if opts.Ready != nil {
		opts.Ready(base)
	}
	path := opts.Path
	if path == "" {
		path = "/"
	}
	printBanner(opts.IO.ErrOut, est, opts, base+path)

	sigs, stop := opts.Signals()
	defer stop()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		st  listener.Stats
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := l.Run(runCtx)
		done <- result{st, err}
	}()
	// The listener serves before anything is registered, so the first
	// delivery finds it; events wait in its queue until pump reads them.
	sess, sig, err := startSession(ctx, opts, est, bound, sigs)
	if err != nil {
		cancel()
		_ = pump(opts, est, l, sigs, cancel, nil)
		<-done
		return combine(err, sess.cleanup(sigs))
	}
	if err := pump(opts, est, l, sigs, cancel, sig); err != nil {
		return combine(err, sess.cleanup(sigs))
	}
	res := <-done
	printSummary(opts.IO.ErrOut, est, res.st, opts.Save)
	return combine(res.err, sess.cleanup(sigs))
}

// startSession registers the --register webhooks (nil session without
// --register). A signal meanwhile abandons registering (ErrCancel); what
// was registered is still in the session for cleanup. A signal that comes
// once all is registered is returned for pump to handle.
func startSession(ctx context.Context, opts *Options, est render.Styles, bound net.Addr, sigs <-chan os.Signal) (*session, os.Signal, error) {
	if opts.Register == nil {
		return nil, nil, nil
	}
	s := &session{ro: opts.Register, w: opts.IO.ErrOut, st: est, now: opts.Now}
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
		fmt.Fprintf(opts.IO.ErrOut, "\n%s (%s) while registering\n", est.Muted.Render("stopping"), sig)
		return s, nil, cmdutil.ErrCancel
	case ctx.Err() != nil:
		return s, nil, cmdutil.ErrCancel
	}
	return s, nil, err
}

// pump prints what comes out of the listener until it has drained. The
// first signal starts the drain; a second one returns exit 130 at once.
func pump(opts *Options, est render.Styles, l *listener.Listener, sigs <-chan os.Signal, cancel func(), first os.Signal) error {
	out := bufio.NewWriterSize(opts.IO.Out, 64<<10)
	pr := render.NewEventPrinter(render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled()))
	pr.Verbose = opts.Verbose
	for _, p := range opts.Print {
		pr.Headers = pr.Headers || p == "headers"
		pr.Verbose = pr.Verbose || p == "body"
	}
	stopping := false
	onSignal := func(sig os.Signal) error {
		_ = out.Flush()
		if stopping {
			return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted,
				Err: fmt.Errorf("interrupted: %d queued event(s) were not processed", l.Queued())}
		}
		stopping = true
		fmt.Fprintf(opts.IO.ErrOut, "\n%s (%s): no longer accepting; draining %d queued event(s)… Ctrl-C again to quit at once\n",
			est.Muted.Render("stopping"), sig, l.Queued())
		cancel()
		return nil
	}
	if first != nil {
		_ = onSignal(first) // the first signal never fails
	}
	var buf []byte
	events := l.Events()
	for {
		var it listener.Item
		var ok bool
		select {
		case it, ok = <-events:
		case sig := <-sigs:
			if err := onSignal(sig); err != nil {
				return err
			}
			continue
		default:
			// Nothing else waiting: flush now, so every line (NDJSON too)
			// is out before we wait. Under load lines go out in batches,
			// one write per batch instead of one per event.
			if err := out.Flush(); err != nil {
				cancel() // stdout is gone (closed pipe): stop, but still drain and save
			}
			select {
			case it, ok = <-events:
			case sig := <-sigs:
				if err := onSignal(sig); err != nil {
					return err
				}
				continue
			}
		}
		if !ok {
			break
		}
		buf = appendItem(buf[:0], pr, opts.JSON, it)
		if _, err := out.Write(buf); err != nil {
			cancel()
		}
	}
	if err := out.Flush(); err != nil && !errors.Is(err, syscall.EPIPE) {
		fmt.Fprintf(opts.IO.ErrOut, "%s writing events: %v\n", est.Warn.Render("!"), err)
	}
	return nil
}

func appendItem(buf []byte, pr *render.EventPrinter, jsonOut bool, it listener.Item) []byte {
	switch {
	case it.Forward != nil && jsonOut:
		return buf
	case it.Forward != nil:
		return pr.AppendForward(buf, forwardView(it.Forward))
	case jsonOut && !it.Event.Accepted():
		return buf
	case jsonOut:
		v := View(it.Event)
		return render.AppendEventJSON(buf, &v)
	default:
		v := View(it.Event)
		return pr.AppendEvent(buf, &v)
	}
}
