// Package listen implements `lcwh listen`: receive webhooks locally, show,
// verify, save and forward them.
package listen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
)

// JSONFields are the fields of each --json line.
const JSONFields = "received_at, family, kind, webhook_id, verified, path, headers, body"

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
	QueueSize          int
	// Register is set by --register: webhooks registered for this run.
	Register *RegisterOptions
}

// NewCmdListen builds `lcwh listen`; runF replaces the run function in tests.
func NewCmdListen(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Config: f.Config, Now: f.Now, Signals: systemSignals}
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

Every valid JSON POST is answered 200 at once and queued; showing, saving and
forwarding happen behind the queue. When the queue is full the listener slows
its answers instead of dropping anything. Not JSON -> 400, other methods -> 405
(GET / answers a health text), a body over --max-body -> 413, and with
--require-secret a missing or wrong secret -> 401.

The family is recognised from the body: LiveChat (action, webhook_id), App
Webhooks (event, applicationID) or monday.com (type, data); anything else is
shown as unknown and still saved and forwarded.

Verification: --secret compares LiveChat's secret_key in constant time,
--client-id checks App Webhooks' clientID, --monday-secret verifies monday's
Authorization JWT (HS256 only, exp honoured). Without them events are shown
as unverified (·), not as failures. Secrets are never printed.

The same body again within 2 minutes (LiveChat retries) is marked duplicate.

--save FILE appends one JSON line per accepted event (verbatim body and
headers, mode 0600) for 'lcwh inspect' and 'lcwh replay'. Ctrl-C (or SIGTERM)
stops accepting, drains the queue, flushes the file, prints a summary and
exits 0; a second Ctrl-C exits 130 at once, saying how many queued events
were not processed.

--json prints one NDJSON object per event on stdout (secret_key and
Authorization redacted), written as events arrive.

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
$ lcwh listen --register incoming_chat,incoming_event --public-url auto
$ lcwh listen --register incoming_chat --public-url https://abc.ngrok.app --client-id "$CLIENT_ID"`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(cmd, maxBody, forwardTo); err != nil {
				return err
			}
			if err := opts.completeRegister(f, cmd, reg); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return listenRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Host, "host", "127.0.0.1", "Address to bind (anything but loopback exposes the listener)")
	fl.StringVarP(&port, "port", "p", "8080", "Port to bind (config listen_port)")
	fl.StringVar(&opts.Path, "path", "", "Accept POSTs on this path only (default: every path)")
	fl.StringVar(&maxBody, "max-body", "10MiB", "Largest accepted body (bytes, or with KiB/MiB)")
	fl.StringArrayVar(&opts.Secrets, "secret", nil, "Accepted LiveChat secret_key (repeatable; env LCWH_SECRET, config secret)")
	fl.StringArrayVar(&opts.ClientIDs, "client-id", nil, "Accepted App Webhooks clientID (repeatable); with --register, the app that owns the webhooks (env LCWH_CLIENT_ID)")
	fl.StringVar(&opts.MondaySecret, "monday-secret", "", "monday.com signing secret for the Authorization JWT (env LCWH_MONDAY_SECRET)")
	fl.BoolVar(&opts.RequireSecret, "require-secret", false, "Answer 401 to events that do not verify")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "Show each body as coloured, indented JSON (secret_key redacted)")
	fl.StringSliceVar(&opts.Print, "print", nil, "Also print: headers (Authorization redacted), body")
	fl.StringSliceVar(&opts.Actions, "actions", nil, "Show and forward only these kinds (comma-separated; all are saved)")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "Show nothing per event (summary only)")
	fl.StringVar(&opts.Save, "save", "", "Append each accepted event as a JSON line to FILE (mode 0600)")
	fl.StringArrayVar(&forwardTo, "forward-to", nil, "Forward events to URL, or kind=URL for one kind (repeatable)")
	fl.IntVar(&opts.ForwardConcurrency, "forward-concurrency", 1, "Forwards in flight at once (1 keeps arrival order)")
	fl.DurationVar(&opts.ForwardTimeout, "forward-timeout", 30*time.Second, "Timeout of each forwarded request")
	reg.add(cmd)
	cmdutil.AddJSONFlag(cmd, &opts.JSON, JSONFields)
	_ = cmd.RegisterFlagCompletionFunc("actions", completeKinds)
	return cmd
}

// complete resolves config-backed values and rejects bad flag combinations.
func (opts *Options) complete(cmd *cobra.Command, maxBody string, forwardTo []string) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	// --port is read through config: flag > LCWH_LISTEN_PORT > file > default.
	cfg.BindFlag("listen_port", cmd.Flags().Lookup("port"))
	if opts.Port, err = cfg.Port("listen_port"); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	if !cmd.Flags().Changed("secret") {
		if s := cfg.Get("secret"); s != "" {
			opts.Secrets = []string{s}
		}
	}
	cfg.BindFlag("monday_secret", cmd.Flags().Lookup("monday-secret"))
	opts.MondaySecret = cfg.Get("monday_secret")
	if opts.MaxBody, err = parseSize(maxBody); err != nil {
		return cmdutil.FlagErrorf("invalid --max-body %q: %w", maxBody, err)
	}
	if opts.ForwardTo, err = ParseRoutes(forwardTo); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	if opts.Path != "" && !strings.HasPrefix(opts.Path, "/") {
		opts.Path = "/" + opts.Path
	}
	return opts.validate()
}

func (opts *Options) validate() error {
	for _, p := range opts.Print {
		if p != "headers" && p != "body" {
			return cmdutil.FlagErrorf("invalid --print %q: use headers or body", p)
		}
	}
	if opts.JSON && (opts.Quiet || opts.Verbose) {
		return cmdutil.FlagErrorf("--json cannot be combined with --quiet or -v")
	}
	if opts.RequireSecret && len(opts.Secrets) == 0 && len(opts.ClientIDs) == 0 && opts.MondaySecret == "" {
		return cmdutil.UsageHint(errors.New("--require-secret needs a secret to check"),
			"Pass --secret (or LCWH_SECRET), --client-id or --monday-secret.")
	}
	if opts.ForwardConcurrency < 1 {
		return cmdutil.FlagErrorf("--forward-concurrency must be at least 1")
	}
	return nil
}

func completeKinds(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, k := range catalog.All() {
		out = append(out, k.Name+"\t"+k.Description)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func systemSignals() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	return ch, func() { signal.Stop(ch) }
}

// ParseRoutes parses --forward-to values: URL, or kind=URL.
func ParseRoutes(in []string) ([]listener.Route, error) {
	var out []listener.Route
	for _, v := range in {
		r := listener.Route{URL: v}
		if i := strings.Index(v, "="); i > 0 && !strings.Contains(v[:i], "://") && !strings.Contains(v[:i], "/") {
			r.Kind, r.URL = v[:i], v[i+1:]
			if _, ok := catalog.Lookup(r.Kind); !ok {
				return nil, &catalog.UnknownKindError{Name: r.Kind}
			}
		}
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("invalid --forward-to %q: expected an http(s) URL or kind=URL", v)
		}
		out = append(out, r)
	}
	return out, nil
}

func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"MiB", 1 << 20}, {"KiB", 1 << 10}, {"MB", 1000000}, {"KB", 1000}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suf) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suf)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("expected a positive size such as 1048576 or 10MiB")
	}
	return n * mult, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
	if opts.Save != "" {
		f, err := os.OpenFile(opts.Save, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("open --save file: %w", err)
		}
		defer f.Close()
		return serve(ctx, opts, est, f)
	}
	return serve(ctx, opts, est, nil)
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

func printBanner(w io.Writer, st render.Styles, opts *Options, u string) {
	where := "(POST to any path)"
	if opts.Path != "" {
		where = "(POST to " + opts.Path + " only)"
	}
	fmt.Fprintf(w, "%s Listening on %s %s\n", st.Success.Render("✓"), st.Bold.Render(u), where)
	var checks []string
	if len(opts.Secrets) > 0 {
		checks = append(checks, fmt.Sprintf("secret_key (%d secret(s))", len(opts.Secrets)))
	}
	if len(opts.ClientIDs) > 0 {
		checks = append(checks, "clientID")
	}
	if opts.MondaySecret != "" {
		checks = append(checks, "monday JWT")
	}
	if len(checks) > 0 {
		fmt.Fprintf(w, "  verifying %s\n", strings.Join(checks, ", "))
	} else {
		fmt.Fprintf(w, "  %s\n", st.Muted.Render("no secret given: events show as unverified (·); pass --secret to check secret_key"))
	}
	if opts.Save != "" {
		fmt.Fprintf(w, "  saving to %s\n", opts.Save)
	}
	for _, r := range opts.ForwardTo {
		if r.Kind != "" {
			fmt.Fprintf(w, "  forwarding %s to %s\n", r.Kind, r.URL)
		} else {
			fmt.Fprintf(w, "  forwarding to %s\n", r.URL)
		}
	}
	if opts.Register == nil {
		// With --register the secret is this run's own: send-sample would not verify.
		try := "lcwh send-sample --all --url " + u
		if len(opts.Secrets) > 0 {
			// The secret itself is never echoed; the user knows which one they passed.
			try += " --secret <your secret>"
		}
		fmt.Fprintf(w, "  try: %s\n", st.Command.Render(try))
	}
	fmt.Fprintf(w, "  %s\n", st.Muted.Render("Ctrl-C to stop"))
}

func printSummary(w io.Writer, st render.Styles, s listener.Stats, save string) {
	fmt.Fprintf(w, "%s received %d event(s): %d verified, %d failed verification, %d duplicate(s), %d rejected\n",
		st.Success.Render("✓"), s.Received, s.Verified, s.Failed, s.Duplicates, s.Rejected)
	if len(s.ByKind) > 0 {
		kinds := make([]string, 0, len(s.ByKind))
		for k := range s.ByKind {
			kinds = append(kinds, k)
		}
		sort.Slice(kinds, func(i, j int) bool {
			if s.ByKind[kinds[i]] != s.ByKind[kinds[j]] {
				return s.ByKind[kinds[i]] > s.ByKind[kinds[j]]
			}
			return kinds[i] < kinds[j]
		})
		parts := make([]string, 0, len(kinds))
		for _, k := range kinds {
			parts = append(parts, fmt.Sprintf("%s %d", render.Sanitise(k), s.ByKind[k]))
		}
		if len(parts) > 12 {
			parts = append(parts[:12], fmt.Sprintf("… %d more kinds", len(parts)-12))
		}
		fmt.Fprintf(w, "  by kind: %s\n", strings.Join(parts, ", "))
	}
	if s.Forwarded+s.ForwardErr > 0 {
		fmt.Fprintf(w, "  forwarded %d, failed %d\n", s.Forwarded, s.ForwardErr)
	}
	if save != "" {
		fmt.Fprintf(w, "  saved to %s\n", save)
	}
}

// View converts a listener event for the renderer.
func View(ev *listener.Event) render.EventView {
	v := render.EventView{
		Time:       ev.ReceivedAt,
		Family:     string(ev.Family),
		Kind:       ev.Kind,
		Known:      ev.Known,
		WebhookID:  ev.WebhookID,
		VerifyNote: ev.VerifyNote,
		Duplicate:  ev.Duplicate,
		Status:     ev.Status,
		Reason:     ev.Reason,
		Method:     ev.Method,
		Path:       ev.Path,
		Headers:    ev.Header,
		Body:       ev.Body,
		BodyValid:  ev.Accepted(),
	}
	switch ev.Verification {
	case listener.Verified:
		v.Verify = render.VerifyOK
	case listener.Failed:
		v.Verify = render.VerifyFailed
	}
	return v
}

func forwardView(f *listener.ForwardResult) *render.Forward {
	v := &render.Forward{Kind: f.Event.Kind, URL: f.URL, Status: f.Status, Latency: f.Latency, Body: f.Body}
	if f.Err != nil {
		v.Err = f.Err.Error()
	}
	return v
}
