// Package sandbox implements `lcwh sandbox`: LiveChat on your laptop. It
// serves, on loopback, the in-repo fake of the Configuration API webhook
// methods and of the accounts (OAuth) server (internal/livechatfake), and
// `lcwh sandbox trigger` makes it deliver catalog samples to the webhooks
// registered in it.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/render"
)

// DefaultPort is where the sandbox listens unless --port says otherwise; it
// is also the port of the default sandbox_url that trigger calls.
const DefaultPort = 8484

// jsonFields is the documented --json field set.
const jsonFields = "api_url, accounts_url, sandbox_url, pat, account_id, client_id, redirect_uris, state_file"

// SandboxOptions are the inputs of `lcwh sandbox`.
type SandboxOptions struct {
	IO *iostreams.IOStreams

	Host      string
	Port      int
	StatePath string
	ReadyFile string
	JSON      bool

	// Listen opens the listener (tests pass 127.0.0.1:0 through it too).
	Listen func(network, addr string) (net.Listener, error)
	// Ready, when set, is called with the base URL once the sandbox serves.
	Ready func(url string)
	// Signals are what end the sandbox (default Ctrl-C and SIGTERM).
	Signals []os.Signal
	// DeliveryLog, when set (--debug), receives the redacted log of the
	// deliveries trigger makes.
	DeliveryLog io.Writer
}

// NewCmdSandbox builds `lcwh sandbox` and its trigger subcommand.
func NewCmdSandbox(f *cmdutil.Factory, runF func(*SandboxOptions) error) *cobra.Command {
	opts := &SandboxOptions{IO: f.IOStreams, Listen: net.Listen, Signals: []os.Signal{os.Interrupt, syscall.SIGTERM}}
	cmd := &cobra.Command{
		Use:   "sandbox [--port P] [--state FILE]",
		Short: "Run a local LiveChat: Configuration API webhooks and OAuth on loopback",
		Long: `Serve, on loopback, a strict stand-in for LiveChat's Configuration API
webhook methods (register, list, unregister, names, enable, disable, state)
and its accounts server (authorize approves at once as the sandbox account,
token with PKCE, refresh, revoke, info). It validates requests and answers
errors as ../shared/livechat describes, so every lcwh webhook command works
against it without a LiveChat account.

On start it prints export lines on stdout (LCWH_API_URL, LCWH_ACCOUNTS_URL,
a working LCWH_PAT, LCWH_CLIENT_ID and LCWH_SANDBOX_URL) and on stderr what
it serves and what to try next. "lcwh sandbox trigger KIND" then makes it
deliver a sample to every webhook registered for that action.

The sandbox account, its PAT and its apps are fixed test identities: the PAT
printed here works only against the sandbox. Client ` + livechatfake.ClientID + ` is a
public app (PKCE) whose redirect URIs are http://localhost:5555/ (the default
of "lcwh auth login") and http://127.0.0.1:8765.

With --state FILE the state (webhooks, tokens, license webhook state) is
saved (atomically, mode 0600) on every change and on exit, and loaded at
start, so it survives a restart. --ready-file FILE writes the export lines
to FILE once the sandbox serves (and removes it on exit): scripts and CI
jobs wait for it. Ctrl-C or SIGTERM stop the sandbox with exit 0.`,
		Example: `$ lcwh sandbox
$ lcwh sandbox --port 0 --ready-file sandbox.env --state sandbox.json
$ lcwh sandbox --json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkHost(opts.Host); err != nil {
				return err
			}
			if opts.Port < 0 || opts.Port > 65535 {
				return cmdutil.FlagErrorf("--port must be 0–65535 (0 picks a free port), not %d", opts.Port)
			}
			opts.DeliveryLog = f.HTTPOptions().Debug
			if runF != nil {
				return runF(opts)
			}
			return sandboxRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&opts.Port, "port", DefaultPort, "Port to listen on (0 picks a free one)")
	fl.StringVar(&opts.Host, "host", "127.0.0.1", "Loopback address to listen on (127.0.0.1, ::1 or localhost)")
	fl.StringVar(&opts.StatePath, "state", "", "Save state to FILE on every change and load it at start")
	fl.StringVar(&opts.ReadyFile, "ready-file", "", "Write the export lines to FILE once serving; removed on exit")
	cmdutil.AddJSONFlag(cmd, &opts.JSON, jsonFields)
	_ = cmd.RegisterFlagCompletionFunc("host", cobra.FixedCompletions([]string{"127.0.0.1", "::1", "localhost"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("port", cobra.NoFileCompletions)
	cmd.AddCommand(NewCmdTrigger(f, nil), NewCmdEnv(f, nil))
	return cmd
}

// checkHost accepts loopback addresses only: the sandbox hands out a fixed
// PAT, so it must never be reachable from the network.
func checkHost(host string) error {
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return cmdutil.FlagErrorf("--host %q is not a loopback address: use 127.0.0.1, ::1 or localhost (the sandbox hands out a fixed PAT)", host)
}

func sandboxRun(ctx context.Context, opts *SandboxOptions) error {
	fake := livechatfake.New()
	fake.DeliveryLog = opts.DeliveryLog
	st, err := openState(opts.StatePath, fake)
	if err != nil {
		return err
	}
	ln, err := opts.Listen("tcp", net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port)))
	if err != nil {
		return listenError(opts, err)
	}
	base := "http://" + urlHost(opts.Host, ln.Addr())
	info := newInfo(base, opts.StatePath)
	if err := announce(opts, info); err != nil {
		_ = ln.Close()
		return err
	}
	warn := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	inner := fake.WithControl()
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inner.ServeHTTP(w, r)
			if err := st.save(); err != nil {
				fmt.Fprintf(opts.IO.ErrOut, "%s %v\n", warn.Warn.Render("!"), err)
			}
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	if len(opts.Signals) > 0 {
		// With no signals NotifyContext would catch them all.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, opts.Signals...)
		defer stop()
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if opts.Ready != nil {
		opts.Ready(base)
	}
	select {
	case err := <-done:
		cleanupReady(opts)
		return fmt.Errorf("serve sandbox: %w", err)
	case <-ctx.Done():
	}
	return shutdown(opts, srv, st, warn)
}

func shutdown(opts *SandboxOptions, srv *http.Server, st *stateFile, warn render.Styles) error {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	cleanupReady(opts)
	if err := st.save(); err != nil {
		return err
	}
	msg := "Sandbox stopped"
	if opts.StatePath != "" {
		msg += "; state saved to " + opts.StatePath
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s %s\n", warn.Success.Render("✓"), msg)
	return nil
}

func cleanupReady(opts *SandboxOptions) {
	if opts.ReadyFile != "" {
		_ = os.Remove(opts.ReadyFile)
	}
}

// listenError explains a failed bind; a busy port names the port and --port.
func listenError(opts *SandboxOptions, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return cmdutil.WithHint(fmt.Errorf("port %d on %s is already in use", opts.Port, opts.Host),
			"Stop what listens there (another lcwh sandbox?), or pass --port with a free port (--port 0 picks one).")
	}
	return fmt.Errorf("listen on %s: %w", net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port)), err)
}

// urlHost is host:port for URLs, keeping "localhost" when that was asked for.
func urlHost(host string, addr net.Addr) string {
	port := strconv.Itoa(addr.(*net.TCPAddr).Port)
	if host == "localhost" {
		return net.JoinHostPort(host, port)
	}
	return net.JoinHostPort(addr.(*net.TCPAddr).IP.String(), port)
}
