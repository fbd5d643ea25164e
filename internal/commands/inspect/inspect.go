// Package inspect implements `lcwh inspect`: saved webhook events (a
// --save file, a --json stream, bare bodies) shown the way listen shows them.
package inspect

import (
	"bufio"
	"fmt"
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/eventview"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/render"
)

// InspectOptions are the inputs of `lcwh inspect`.
type InspectOptions struct {
	IO      *iostreams.IOStreams
	File    string
	Color   string
	Verbose bool
	Actions []string
	JSON    bool

	// Web serves the files in the web inspector (--web) on WebAddr.
	Web         bool
	WebAddr     string
	WebAddrSet  bool
	Open        bool
	Files       []string
	OpenBrowser func(string) error
	HTTPClient  *http.Client
	Version     string
	// WebReady is called with the inspector's URL once it serves (tests).
	WebReady func(url string)
}

// NewCmdInspect builds `lcwh inspect`.
func NewCmdInspect(f *cmdutil.Factory, runF func(*InspectOptions) error) *cobra.Command {
	opts := &InspectOptions{IO: f.IOStreams, OpenBrowser: f.OpenBrowser, Version: f.Build.Version}
	cmd := &cobra.Command{
		Use:   "inspect FILE|- | --web FILE...",
		Short: "Show saved webhook events the way listen shows them",
		Long: `Render a file written by 'lcwh listen --save' (or a stream on stdin with -)
exactly as 'lcwh listen' shows events. Files of every --save format version are
read, and so are 'lcwh listen --json' streams, plain JSON documents
(pretty-printed or not) and JSON lines holding bare webhook bodies.

A line that holds no readable event (not valid JSON, nested deeper than 1000
levels, a record without a body) or a record whose body is not JSON is
reported on stderr with its line number and the rest still renders; the exit
status is then 1. A last line cut off mid-write (the listener stopped while
saving it, so it never acknowledged that event) is noted and ignored.

--web serves the events of one or more files in the web inspector (the page
of 'lcwh listen --web', without the live feed) on --web-addr (default
127.0.0.1:4040, the next free port when taken) until Ctrl-C: list, filters,
details, replay to a URL, exports, compare. It keeps the last 10,000 events
of the files. See docs/guides/web-inspector.md.`,
		Example: `$ lcwh inspect events.jsonl
$ lcwh inspect -v --actions incoming_event events.jsonl
$ cat body.json | lcwh inspect -v -
$ lcwh inspect --json events.jsonl | jq -r .kind
$ lcwh inspect --web --open monday.jsonl events.jsonl`,
		Args: cmdutil.MinimumArgs(1, "a file (or - for stdin), or with --web one or more files"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File, opts.Files = args[0], args
			if err := opts.checkWeb(cmd, args); err != nil {
				return err
			}
			switch opts.Color {
			case "auto", "always", "never":
			default:
				return cmdutil.FlagErrorf("invalid --color %q: use auto, always or never", opts.Color)
			}
			if opts.JSON && opts.Verbose {
				return cmdutil.FlagErrorf("--json cannot be combined with -v")
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Web {
				opts.HTTPClient = httpclient.New(withNoRedirect(f.HTTPOptions()))
				return inspectWebRun(cmd.Context(), opts)
			}
			return inspectRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Color, "color", "auto", "Colour the output: auto, always or never")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "Show each body as coloured, indented JSON (secret_key and clientID redacted)")
	fl.StringSliceVar(&opts.Actions, "actions", nil, "Show only these kinds (comma-separated)")
	addWebFlags(cmd, opts)
	cmdutil.AddJSONFlag(cmd, &opts.JSON, render.EventJSONFields)
	_ = cmd.RegisterFlagCompletionFunc("actions", cmdutil.CompleteKinds)
	_ = cmd.RegisterFlagCompletionFunc("color", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func inspectRun(opts *InspectOptions) error {
	in := opts.IO.In
	if opts.File != "-" {
		f, err := os.Open(opts.File)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	ins := newInspector(opts)
	err := ins.run(eventlog.NewReader(in))
	if ferr := ins.out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("inspect %s: %w", opts.File, err)
	}
	if ins.shown == 0 && ins.bad == 0 && opts.IO.IsStderrTTY() {
		fmt.Fprintln(opts.IO.ErrOut, "no events")
	}
	if ins.bad > 0 {
		return cmdutil.ErrSilent
	}
	return nil
}

// inspector renders what the reader yields and counts the bad lines.
type inspector struct {
	opts       *InspectOptions
	pr         *render.EventPrinter
	est        render.Styles
	out        *bufio.Writer
	actions    map[string]bool
	buf        []byte
	bad, shown int
}

func newInspector(opts *InspectOptions) *inspector {
	color := opts.IO.ColorEnabled()
	switch opts.Color {
	case "always":
		color = true
	case "never":
		color = false
	}
	ins := &inspector{opts: opts, pr: render.NewEventPrinter(render.NewStyles(opts.IO.Out, color)),
		est: render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr()), out: bufio.NewWriterSize(opts.IO.Out, 256<<10)}
	ins.pr.Verbose = opts.Verbose
	if len(opts.Actions) > 0 {
		ins.actions = map[string]bool{}
		for _, a := range opts.Actions {
			ins.actions[a] = true
		}
	}
	return ins
}

func (ins *inspector) warn(format string, a ...any) {
	fmt.Fprintf(ins.opts.IO.ErrOut, "%s %s\n", ins.est.Warn.Render("!"), render.Sanitise(fmt.Sprintf(format, a...)))
}

// run reads to the end. Bad lines are counted from the reader's typed
// results (never from the rendered text, which is the payload's).
func (ins *inspector) run(r *eventlog.Reader) error {
	return eventlog.Each(r, func(rec *eventlog.Record) error {
		if !rec.BodyValid {
			ins.bad++
			if derr := jsonlimit.CheckDepth(rec.Body, jsonlimit.MaxDepth); derr != nil {
				ins.warn("line %d: body: %v", rec.Line, derr)
			} else {
				ins.warn("line %d: body is not valid JSON", rec.Line)
			}
		}
		return ins.show(rec)
	}, func(err error, bad bool) {
		if !bad {
			ins.warn("%v (ignored)", err)
			return
		}
		ins.bad++
		ins.warn("%v", err)
	})
}

func (ins *inspector) show(rec *eventlog.Record) error {
	ev := eventview.FromRecord(rec)
	if ins.actions != nil && !ins.actions[ev.Kind] {
		return nil
	}
	if ins.opts.JSON {
		ins.buf = render.AppendEventJSON(ins.buf[:0], &ev)
	} else {
		ins.buf = ins.pr.AppendEvent(ins.buf[:0], &ev)
	}
	ins.shown++
	_, err := ins.out.Write(ins.buf)
	return err
}
