package listen

import (
	"bufio"

	"github.com/lcwh/lcwh/internal/eventview"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
)

// display writes events to stdout in its own goroutine. Lines are buffered
// and flushed whenever no event is waiting, so under load they go out in
// batches. When stdout fails (EPIPE after `| head`, a full disk) display
// stops writing but keeps reading Events, so the listener is never held up
// by a view that is gone. The inspector (--web) is not fed from here: the
// listener hands it every event itself (listener.Observer).
type display struct {
	// gone is closed when a write to stdout failed.
	gone chan struct{}
	// finished is closed once Events was closed and everything written.
	finished chan struct{}
}

func startDisplay(opts *Options, l *listener.Listener) *display {
	d := &display{gone: make(chan struct{}), finished: make(chan struct{})}
	pr := render.NewEventPrinter(render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled()))
	pr.Verbose = opts.Verbose
	for _, p := range opts.Print {
		pr.Headers = pr.Headers || p == "headers"
		pr.Verbose = pr.Verbose || p == "body"
	}
	go d.run(bufio.NewWriterSize(opts.IO.Out, 64<<10), pr, opts.JSON, l.Events())
	return d
}

func (d *display) run(out *bufio.Writer, pr *render.EventPrinter, jsonOut bool, events <-chan listener.Item) {
	defer close(d.finished)
	dead := false
	fail := func(err error) {
		if err != nil && !dead {
			dead = true
			close(d.gone)
		}
	}
	var buf []byte
	for {
		var it listener.Item
		var ok bool
		select {
		case it, ok = <-events:
		default:
			// Nothing waiting: flush now, so every line is out before we
			// block; under load lines go out one write per batch.
			if !dead && out.Buffered() > 0 {
				fail(out.Flush())
			}
			it, ok = <-events
		}
		if !ok {
			break
		}
		if dead {
			it.Done()
			continue
		}
		buf = appendItem(buf[:0], pr, jsonOut, it)
		it.Done() // rendered: the body is no longer needed
		_, err := out.Write(buf)
		fail(err)
	}
	if !dead {
		fail(out.Flush())
	}
}

func appendItem(buf []byte, pr *render.EventPrinter, jsonOut bool, it listener.Item) []byte {
	switch {
	case it.Forward != nil && jsonOut:
		return buf
	case it.Forward != nil:
		return pr.AppendForward(buf, eventview.FromForward(it.Forward))
	case jsonOut && !it.Event.Accepted():
		return buf
	case jsonOut:
		v := eventview.FromEvent(it.Event)
		return render.AppendEventJSON(buf, &v)
	default:
		v := eventview.FromEvent(it.Event)
		return pr.AppendEvent(buf, &v)
	}
}
