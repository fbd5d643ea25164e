// Package listen implements `lcwh listen`: receive webhooks locally, show,
// verify, save and forward them.
package listen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/inspector"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/sender"
)

// Options are the inputs of `lcwh listen`.
type Options struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)
	Now    func() time.Time
	// Signals returns the interrupt channel and a stop func (tests inject one).
	Signals func() (<-chan os.Signal, func())
	// Ready is called with the base URL once the port is bound (tests).
	Ready func(baseURL string)

	Host               string
	Port               int
	Path               string
	MaxBody            int64
	Secrets            []string
	ClientIDs          []string
	MondaySecret       string
	RequireSecret      bool
	Verbose            bool
	Print              []string
	Actions            []string
	Quiet              bool
	JSON               bool
	Save               string
	ForwardTo          []listener.Route
	ForwardConcurrency int
	ForwardTimeout     time.Duration
	// HTTPClient forwards (built in complete: internal/httpclient, no
	// redirects followed).
	HTTPClient *http.Client
	QueueSize  int
	// Fsync syncs the --save file before each acknowledgement.
	Fsync bool
	// DrainTimeout bounds the drain after Ctrl-C (tests shorten it).
	DrainTimeout time.Duration
	// Register is set by --register: webhooks registered for this run.
	Register *RegisterOptions

	// Web serves the inspector (--web) on WebAddr; WebAddrSet says the
	// address was given (else a taken default port moves to the next).
	Web        bool
	WebAddr    string
	WebAddrSet bool
	// Open opens the inspector in the browser (--open).
	Open        bool
	OpenBrowser func(string) error
	// WebClient sends the inspector's replays (internal/httpclient).
	WebClient *http.Client
	// Version is lcwh's version (the page and HAR exports show it).
	Version string
	// WebReady is called with the inspector's URL once it serves (tests).
	WebReady func(url string)
}

// NewCmdListen builds `lcwh listen`; runF replaces the run function in tests.
//
//nolint:funlen // Long and Example are 78 of its lines; STYLE §9 lets NewCmdX run longer for help text only.
func NewCmdListen(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Config: f.Config, Now: f.Now, Signals: systemSignals,
		OpenBrowser: f.OpenBrowser, Version: f.Build.Version}
	var (
		port      string
		forwardTo []string
		maxBody   string
	)
	reg := &registerFlags{}
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Receive webhooks locally: verify, show, save and forward them",
		Long: `Start a local HTTP receiver for webhooks. Point LiveChat (through a tunnel),
'lcwh send-sample' or 'lcwh replay' at it.

A request is answered 200 only once the event is kept: with --save after its
line is in the file (write(2) returned; with --fsync after the file is
synced too), with --json and no --save after its line is written to stdout,
otherwise once it is queued. Many requests share one write under load. So an
event answered 200 is never lost: not when stdout is closed or stalled, not
when lcwh is killed. Showing and forwarding happen behind a queue of 1024
events and 64 MiB of bodies; when it is full answers slow down instead of
anything being dropped. The whole story: docs/guides/listen-guarantees.md.

Answers: not JSON -> 400, nested deeper than 1000 levels -> 400, other
methods -> 405 (GET / answers a health text), a body over --max-body -> 413,
with --require-secret a missing or wrong secret -> 401, and 503 when the
event's line could not be saved (LiveChat retries anything but 200). A
request must arrive within 30 s (headers within 10 s); keep-alive
connections idle for 2 minutes are closed.

When saving fails (a full disk, /dev/full) listen says so at once on stderr,
answers 503 (no partial line is left: the file is cut back to its last whole
line), and resumes saving and 200s by itself once writes succeed again; the
summary and the exit status (1) say how many events were refused.

The family is recognised from the body: LiveChat (action, webhook_id), App
Webhooks (event, applicationID) or monday.com (type, data); anything else is
shown as unknown and still saved and forwarded.

Verification: --secret compares LiveChat's secret_key in constant time,
--client-id checks App Webhooks' clientID, --monday-secret verifies monday's
Authorization JWT (HS256 only, exp honoured). Without them events are shown
as unverified (·), not as failures. Secrets are never printed.

The same body again within 2 minutes (LiveChat retries) is marked duplicate;
the index remembers the last 100,000 bodies at most.

--save FILE appends one JSON line per accepted event (the exact body bytes
and headers, mode 0600) for 'lcwh inspect' and 'lcwh replay'; the format is
in docs/guides/json-reference.md. --json prints one NDJSON object per event
on stdout (secret_key, clientID and Authorization redacted).

Ctrl-C (or SIGTERM) stops accepting, drains the queue (30 s at most), prints
a summary and exits 0. A second Ctrl-C exits 130 at once (within 2 s): the
events still queued were acknowledged after they were saved, so they are in
the --save file; they were only not shown or forwarded. If stdout is closed
(| head) events are no longer shown but still saved; with --json and no
--save, a closed stdout ends the run. --port 0 picks a free port.

--web serves the web inspector on --web-addr (default 127.0.0.1:4040, the
next free port when that one is taken): a page that lists the events live,
shows each whole (headers, body, why it verified or not, the app's answer),
replays them with LiveChat's delivery rules and exports them. Its URL, with
this run's token, is printed; --open opens it. The page keeps the last
10,000 events (the --save file keeps them all). It works with --quiet and
--json too, and costs nothing without --web. See docs/guides/web-inspector.md.

Temporary webhooks (--register): with --register A[,B…] --public-url URL,
listen registers one webhook per action to URL (register_webhook, validated
as "lcwh register" does; --client-id, --type, --filter, --filters and
--additional-data as there) with a secret key generated for this run, which
it then verifies. URL is the public side of a tunnel to this port, or a local
URL when the API is "lcwh sandbox". --public-url auto asks a running ngrok
agent (GET http://127.0.0.1:4040/api/tunnels, --ngrok-api to change) for the
https tunnel whose address is this port, and appends --path. Each webhook's
description is a lease:
  lcwh lease <id> <host> pid <pid> until <RFC 3339 time>
(--lease-ttl, default 12h). For --type license, disabled license webhooks
are enabled for the run and disabled again at exit.
At exit (Ctrl-C, SIGTERM, or a fatal error) listen drains the queue, then
unregisters every webhook it registered and says so. A second Ctrl-C stops
draining (exit 130) but still unregisters; a third abandons that too. When
webhooks cannot be removed (network gone, API error) their ids and the
command that removes them are printed and the exit status is 1 (or 130
after a second Ctrl-C). Leftovers of runs that were killed are removed by
"lcwh unregister --stale --yes" once their process is gone or their lease
has expired. A Ctrl-C while registering exits 130 after cleaning up.`,
		Example: `$ lcwh listen
$ lcwh listen --port 9000 --path /webhooks --secret "$SECRET" --save events.jsonl
$ lcwh listen --forward-to http://localhost:3000/webhooks
$ lcwh listen --forward-to incoming_chat=http://localhost:3000/chats --forward-to http://localhost:3000/other
$ lcwh listen --json | jq -r .kind
$ lcwh listen --web --open --save events.jsonl
$ lcwh listen --register incoming_chat,incoming_event --public-url auto
$ lcwh listen --register incoming_chat --public-url https://abc.ngrok.app --client-id "$CLIENT_ID"`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.complete(cmd, maxBody, forwardTo); err != nil {
				return err
			}
			if err := opts.completeRegister(f, cmd, reg); err != nil {
				return err
			}
			if len(opts.ForwardTo) > 0 {
				opts.HTTPClient = forwardClient(f.HTTPOptions(), opts.ForwardTimeout)
			}
			if err := opts.completeWeb(cmd); err != nil {
				return err
			}
			if opts.Web {
				opts.WebClient = forwardClient(f.HTTPOptions(), sender.DefaultTimeout)
			}
			if runF != nil {
				return runF(opts)
			}
			return listenRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Host, "host", "127.0.0.1", "Address to bind (anything but loopback exposes the listener)")
	fl.StringVarP(&port, "port", "p", "8080", "Port to bind, 0 for any free one (config listen_port)")
	fl.StringVar(&opts.Path, "path", "", "Accept POSTs on this path only (default: every path)")
	fl.StringVar(&maxBody, "max-body", "10MiB", "Largest accepted body (bytes, or with KiB/MiB)")
	fl.StringArrayVar(&opts.Secrets, "secret", nil, "Accepted LiveChat secret_key (repeatable; env LCWH_SECRET, config secret)")
	fl.StringArrayVar(&opts.ClientIDs, "client-id", nil, "Accepted App Webhooks clientID (repeatable); with --register, the app that owns the webhooks (env LCWH_CLIENT_ID)")
	fl.StringVar(&opts.MondaySecret, "monday-secret", "", "monday.com signing secret for the Authorization JWT (env LCWH_MONDAY_SECRET)")
	fl.BoolVar(&opts.RequireSecret, "require-secret", false, "Answer 401 to events that do not verify")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "Show each body as coloured, indented JSON (secret_key and clientID redacted)")
	fl.StringSliceVar(&opts.Print, "print", nil, "Also print: headers (Authorization redacted), body")
	fl.StringSliceVar(&opts.Actions, "actions", nil, "Show and forward only these kinds (comma-separated; all are saved)")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "Show nothing per event (summary only)")
	fl.StringVar(&opts.Save, "save", "", "Append each accepted event as a JSON line to FILE (mode 0600)")
	fl.StringArrayVar(&forwardTo, "forward-to", nil, "Forward events to URL, or kind=URL for one kind (repeatable)")
	fl.IntVar(&opts.ForwardConcurrency, "forward-concurrency", 1, "Forwards in flight at once (1 keeps arrival order)")
	fl.DurationVar(&opts.ForwardTimeout, "forward-timeout", 30*time.Second, "Timeout of each forwarded request")
	fl.BoolVar(&opts.Fsync, "fsync", false, "Sync --save to disk before each answer: survives power loss, costs about a third of the throughput (docs/guides/listen-guarantees.md)")
	fl.BoolVar(&opts.Web, "web", false, "Serve the web inspector: the events live in a browser page (see docs/guides/web-inspector.md)")
	fl.StringVar(&opts.WebAddr, "web-addr", inspector.DefaultAddr, "Address of the web inspector (anything but loopback exposes it); a taken default port moves to the next free one")
	fl.BoolVar(&opts.Open, "open", false, "With --web, open the inspector in the browser ($BROWSER honoured)")
	reg.add(cmd)
	cmdutil.AddJSONFlag(cmd, &opts.JSON, render.EventJSONFields)
	_ = cmd.RegisterFlagCompletionFunc("actions", cmdutil.CompleteKinds)
	return cmd
}

func listenRun(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	errOut := opts.IO.ErrOut
	est := render.NewStyles(errOut, opts.IO.ColorEnabledErr())
	if !isLoopback(opts.Host) {
		fmt.Fprintf(errOut, "%s listening on %s exposes the listener beyond this machine; anyone who can reach it can post events\n",
			est.Warn.Render("!"), opts.Host)
	}
	for _, a := range opts.Actions {
		if _, ok := catalog.Lookup(a); !ok {
			fmt.Fprintf(errOut, "%s --actions: %q is not a kind lcwh knows; it will still match events of that name\n", est.Warn.Render("!"), a)
		}
	}
	// The live heap is small (a bounded queue of bodies); trading a little
	// memory for less GC work keeps the listener fast under bursts.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	if opts.Save == "" {
		return serve(ctx, opts, est, nil)
	}
	f, err := openSave(opts.Save, errOut, est)
	if err != nil {
		return err
	}
	defer f.Close()
	return serve(ctx, opts, est, f)
}

// openSave opens the --save file for appending (0600). A file that does not
// end with a line break (a run killed in the middle of a write: that event
// was never acknowledged) is continued on a new line, so the next record is
// whole.
func openSave(path string, errOut io.Writer, est render.Styles) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, cmdutil.UsageHint(fmt.Errorf("--save %s is a directory", path), "Name a file, e.g. --save "+filepath.Join(path, "events.jsonl")+".")
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open --save file: %w", err)
	}
	// A device such as /dev/full (or a file that cannot be read back) has
	// no last line to look at.
	if fi, serr := f.Stat(); serr == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
		if err := continueOnNewLine(f, fi.Size(), path, errOut, est); err != nil {
			_ = f.Close()
			return nil, err
		}
	}
	return f, nil
}

func continueOnNewLine(f *os.File, size int64, path string, errOut io.Writer, est render.Styles) error {
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil || last[0] == '\n' {
		return nil //nolint:nilerr // unreadable: appending is still safe
	}
	if _, err := f.Write([]byte{'\n'}); err != nil {
		return fmt.Errorf("open --save file: %w", err)
	}
	fmt.Fprintf(errOut, "%s %s did not end with a line break (a run was killed while writing?); continuing on a new line\n", est.Warn.Render("!"), path)
	return nil
}

// forwardClient is the client for --forward-to: built by internal/httpclient
// (so --debug logs it), bounded by --forward-timeout, and never following
// redirects: LiveChat does not follow them either, so the app must answer
// the URL it was given.
func forwardClient(o httpclient.Options, timeout time.Duration) *http.Client {
	o.Timeout, o.NoRedirect = timeout, true
	return httpclient.New(o)
}
