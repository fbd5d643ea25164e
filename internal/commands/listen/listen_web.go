package listen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/inspector"
	"github.com/lcwh/lcwh/internal/render"
)

// webServer is the inspector of --web; the listener hands it each event
// itself (listener.Observer).
type webServer struct {
	srv    *inspector.Server
	done   chan error
	served bool
}

// bindWeb binds the inspector (nil without --web); it is bound before the
// listener, so nothing is left bound when one of the two cannot be.
func bindWeb(opts *Options, est render.Styles) (*webServer, error) {
	if !opts.Web {
		return nil, nil
	}
	srv, err := inspector.New(inspector.Config{
		Live:       true,
		Routes:     opts.ForwardTo,
		Checks:     inspector.Checks{Secrets: len(opts.Secrets), ClientIDs: len(opts.ClientIDs), Monday: opts.MondaySecret != ""},
		HTTPClient: opts.WebClient,
		Version:    opts.Version,
		Now:        opts.Now,
	})
	if err != nil {
		return nil, err
	}
	bound, err := srv.Bind(opts.WebAddr, !opts.WebAddrSet)
	if err != nil {
		var pe *inspector.PortInUseError
		if errors.As(err, &pe) {
			return nil, cmdutil.WithHint(err, "Pick another address with --web-addr (e.g. --web-addr 127.0.0.1:0 for any free port).")
		}
		return nil, err
	}
	warnExposed(opts.IO.ErrOut, est, opts.WebAddr, bound)
	return &webServer{srv: srv, done: make(chan error, 1)}, nil
}

// warnExposed warns when --web-addr is not a loopback address.
func warnExposed(w io.Writer, est render.Styles, addr string, bound net.Addr) {
	host, _, _ := net.SplitHostPort(addr)
	if !inspector.IsLoopback(host) {
		fmt.Fprintf(w, "%s --web-addr %s exposes the inspector (events, secrets, replay) beyond this machine; anyone who can reach it and has the URL's token can use it\n",
			est.Warn.Render("!"), bound)
	}
}

// serve starts answering; listenURL is shown on the page.
func (w *webServer) serve(ctx context.Context, listenURL string) {
	if w == nil {
		return
	}
	w.srv.SetListenURL(listenURL)
	w.served = true
	go func() { w.done <- w.srv.Serve(ctx) }()
}

// announce prints the inspector's URL and opens it with --open.
func (w *webServer) announce(out io.Writer, est render.Styles, opts *Options) {
	if w == nil {
		return
	}
	u := w.srv.URL()
	fmt.Fprintf(out, "  inspector: %s %s\n", est.Bold.Render(u), est.Muted.Render(fmt.Sprintf("(keeps the last %d events)", w.srv.MaxEvents())))
	if opts.WebReady != nil {
		opts.WebReady(u)
	}
	if opts.Open && opts.OpenBrowser != nil {
		if err := opts.OpenBrowser(u); err != nil {
			fmt.Fprintf(out, "%s could not open a browser (%v): open the URL above yourself\n", est.Warn.Render("!"), err)
		}
	}
}

// stop closes the inspector once listen is done.
func (w *webServer) stop() {
	if w == nil {
		return
	}
	w.srv.Close()
	if w.served {
		<-w.done //nolint:errcheck // nil after Close: the inspector has nothing more to say
	}
}

// hub is what the listener hands events to (nil without --web).
func (w *webServer) hub() *inspector.Server {
	if w == nil {
		return nil
	}
	return w.srv
}
