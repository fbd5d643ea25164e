package check

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/lcwh/lcwh/internal/atomicfile"
	engine "github.com/lcwh/lcwh/internal/check"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/render"
)

func checkRun(ctx context.Context, opts *CheckOptions) error {
	// Ctrl-C stops the run (exit 130); deliveries in flight are cancelled.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	eo := engineOptions(opts)
	if opts.ViaSandbox {
		eo.Sandbox = sandboxTrigger(opts, controlClient(opts))
	}
	prog := newProgress(opts.IO)
	eo.Progress = prog.event
	started := opts.Now()
	rep, err := engine.Run(ctx, eo)
	prog.done()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return cmdutil.ErrCancel
		}
		return err
	}
	if opts.JUnit != "" {
		if err := writeJUnit(opts.JUnit, rep, started); err != nil {
			return err
		}
	}
	if opts.JSON {
		err = cmdutil.WriteJSON(opts.IO.Out, rep)
	} else {
		err = writeReport(opts.IO, rep)
	}
	if err != nil {
		return err
	}
	if !rep.Failed() {
		return nil
	}
	if opts.JSON || !opts.IO.IsStdoutTTY() {
		// The report may be going to a file or jq: say it on stderr too.
		st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
		fmt.Fprintf(opts.IO.ErrOut, "%s %s failed: %s\n", st.Error.Render("✗"),
			checksPhrase(rep.Counts.Failed), strings.Join(failedIDs(rep), ", "))
	}
	return cmdutil.ErrSilent
}

func engineOptions(opts *CheckOptions) engine.Options {
	client := opts.HTTPClient
	if client == nil {
		hc := httpclient.Options{Version: opts.Version, Base: engine.NewTransport(), Timeout: opts.Timeout}
		if opts.Debug {
			hc.Debug = opts.IO.ErrOut
		}
		client = httpclient.New(hc)
	}
	return engine.Options{URL: opts.URL, Kinds: opts.Kinds, Secret: opts.Secret, ClientID: opts.ClientID,
		MondaySecret: opts.MondaySecret, Header: opts.Header, Parallel: opts.Parallel, Timeout: opts.Timeout,
		AcceptsForged: opts.AcceptsForged, Run: opts.Run, Client: client, Now: opts.Now, Sleep: opts.Sleep,
		Seed: opts.Seed}
}

// controlClient talks to the sandbox: through httpclient so --debug shows
// the trigger calls, with room for a delivery's timeout.
func controlClient(opts *CheckOptions) *http.Client {
	if opts.HTTPClient != nil {
		return opts.HTTPClient
	}
	hc := httpclient.Options{Version: opts.Version, Timeout: opts.Timeout + httpclient.DefaultTimeout}
	if opts.Debug {
		hc.Debug = opts.IO.ErrOut
	}
	return httpclient.New(hc)
}

// writeJUnit writes the report as JUnit XML, atomically.
func writeJUnit(path string, rep *engine.Report, started time.Time) error {
	var buf bytes.Buffer
	if err := engine.WriteJUnit(&buf, rep, started); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return cmdutil.WithHint(fmt.Errorf("write --junit %s: %w", path, err), "Check that the directory exists and is writable.")
	}
	return nil
}

func failedIDs(rep *engine.Report) []string {
	var out []string
	for _, c := range rep.Checks {
		if c.Status == engine.Fail {
			out = append(out, string(c.ID))
		}
	}
	return out
}

func checksPhrase(n int) string {
	if n == 1 {
		return "1 check"
	}
	return fmt.Sprintf("%d checks", n)
}
