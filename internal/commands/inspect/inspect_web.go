package inspect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/eventview"
	"github.com/lcwh/lcwh/internal/httpclient"
	web "github.com/lcwh/lcwh/internal/inspector"
	"github.com/lcwh/lcwh/internal/render"
)

// checkWeb rejects flag combinations --web does not take, and more than
// one file without it.
func (opts *InspectOptions) checkWeb(cmd *cobra.Command, args []string) error {
	opts.WebAddrSet = cmd.Flags().Changed("web-addr")
	if !opts.Web {
		switch {
		case opts.WebAddrSet || opts.Open:
			return cmdutil.FlagErrorf("--web-addr and --open need --web")
		case len(args) > 1:
			return cmdutil.FlagErrorf("inspect shows one file (or -); to look at several, use --web")
		}
		return nil
	}
	if opts.JSON || opts.Verbose {
		return cmdutil.FlagErrorf("--web cannot be combined with --json or -v")
	}
	for _, a := range args {
		if a == "-" {
			return cmdutil.FlagErrorf("--web reads files, not stdin (-)")
		}
	}
	if _, port, err := net.SplitHostPort(opts.WebAddr); err != nil {
		return cmdutil.FlagErrorf("invalid --web-addr %q: use host:port, e.g. 127.0.0.1:4040", opts.WebAddr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return cmdutil.FlagErrorf("invalid --web-addr %q: the port must be a number from 0 to 65535", opts.WebAddr)
	}
	return nil
}

func addWebFlags(cmd *cobra.Command, opts *InspectOptions) {
	fl := cmd.Flags()
	fl.BoolVar(&opts.Web, "web", false, "Serve the files in the web inspector (see docs/guides/web-inspector.md)")
	fl.StringVar(&opts.WebAddr, "web-addr", web.DefaultAddr, "Address of the web inspector (anything but loopback exposes it)")
	fl.BoolVar(&opts.Open, "open", false, "With --web, open the inspector in the browser ($BROWSER honoured)")
}

func withNoRedirect(o httpclient.Options) httpclient.Options {
	o.NoRedirect = true
	return o
}

// inspectWebRun reads the files into the inspector and serves them until
// Ctrl-C (exit 0).
func inspectWebRun(ctx context.Context, opts *InspectOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	est := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	srv, err := web.New(web.Config{Files: opts.Files, HTTPClient: opts.HTTPClient, Version: opts.Version})
	if err != nil {
		return err
	}
	n, bad, err := loadFiles(srv, opts, est)
	if err != nil {
		return err
	}
	bound, err := srv.Bind(opts.WebAddr, !opts.WebAddrSet)
	if err != nil {
		var pe *web.PortInUseError
		if errors.As(err, &pe) {
			return cmdutil.WithHint(err, "Pick another address with --web-addr (e.g. --web-addr 127.0.0.1:0 for any free port).")
		}
		return err
	}
	if host, _, _ := net.SplitHostPort(opts.WebAddr); !web.IsLoopback(host) {
		fmt.Fprintf(opts.IO.ErrOut, "%s --web-addr %s exposes the inspector beyond this machine\n", est.Warn.Render("!"), bound)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	printWebBanner(opts.IO.ErrOut, est, srv, n, bad)
	if opts.WebReady != nil {
		opts.WebReady(srv.URL())
	}
	if opts.Open && opts.OpenBrowser != nil {
		if err := opts.OpenBrowser(srv.URL()); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "%s could not open a browser (%v): open the URL above yourself\n", est.Warn.Render("!"), err)
		}
	}
	return <-done
}

func printWebBanner(w io.Writer, est render.Styles, srv *web.Server, n, bad int) {
	fmt.Fprintf(w, "%s Serving %d event(s) on %s\n", est.Success.Render("✓"), n, est.Bold.Render(srv.URL()))
	if d := srv.Dropped(); d > 0 {
		fmt.Fprintf(w, "  %s the inspector keeps the last %d events: the first %d are not shown\n", est.Warn.Render("!"), srv.MaxEvents(), d)
	}
	if bad > 0 {
		fmt.Fprintf(w, "  %d line(s) could not be read (named above)\n", bad)
	}
	fmt.Fprintf(w, "  %s\n", est.Muted.Render("Ctrl-C to stop"))
}

// loadFiles reads every file into srv: the events read and the lines
// that held none.
func loadFiles(srv *web.Server, opts *InspectOptions, est render.Styles) (n, bad int, err error) {
	for _, name := range opts.Files {
		f, err := os.Open(name)
		if err != nil {
			return n, bad, err
		}
		m, b, err := loadFile(srv, name, f, opts, est)
		_ = f.Close()
		n, bad = n+m, bad+b
		if err != nil {
			return n, bad, fmt.Errorf("inspect %s: %w", name, err)
		}
	}
	return n, bad, nil
}

func loadFile(srv *web.Server, name string, in io.Reader, opts *InspectOptions, est render.Styles) (n, bad int, err error) {
	ins := &inspector{opts: opts, est: est}
	err = eventlog.Each(eventlog.NewReader(in), func(rec *eventlog.Record) error {
		if len(opts.Actions) > 0 && !slices.Contains(opts.Actions, eventview.FromRecord(rec).Kind) {
			return nil
		}
		srv.AddRecord(rec, name+":"+strconv.Itoa(rec.Line))
		n++
		return nil
	}, func(err error, isBad bool) {
		if !isBad {
			ins.warn("%s: %v (ignored)", name, err)
			return
		}
		bad++
		ins.warn("%s: %v", name, err)
	})
	return n, bad, err
}
