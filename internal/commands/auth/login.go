package auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/credstore"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/oauth"
	"github.com/lcwh/lcwh/internal/render"
)

// EnvClientSecret holds a server-side app's client secret.
const EnvClientSecret = "LCWH_CLIENT_SECRET" //nolint:gosec // G101: the name of a variable, not its value

// LoginOptions are the inputs of `lcwh auth login`.
type LoginOptions struct {
	IO          *iostreams.IOStreams
	Config      func() (*config.Config, error)
	Credentials func() (credstore.Store, error)
	OpenBrowser func(url string) error
	LookupEnv   func(string) (string, bool)
	HTTPClient  *http.Client
	Now         func() time.Time

	WithPAT          bool
	ClientID         string
	RedirectURI      string
	NoBrowser        bool
	WithClientSecret bool
	Timeout          time.Duration
}

// NewCmdLogin builds `lcwh auth login`.
func NewCmdLogin(f *cmdutil.Factory, runF func(*LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{
		IO:          f.IOStreams,
		Config:      f.Config,
		Credentials: f.Credentials,
		OpenBrowser: f.OpenBrowser,
		LookupEnv:   f.LookupEnv,
		Now:         f.Now,
	}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to LiveChat with a Personal Access Token or OAuth",
		Long: `Log in to LiveChat and store the login for the --profile.

With --with-pat, read a Personal Access Token as ACCOUNT_ID:TOKEN from stdin
(typed without echo on a terminal; the console's Base64 string works too). It is
checked against the accounts server (GET /v2/accounts/me) before it is stored.

With --client-id (or the client_id setting), log in with OAuth: lcwh opens the
browser at the LiveChat accounts server (authorization code, PKCE S256, state)
and receives the redirect on --redirect-uri, which must equal, exactly, a
redirect URI whitelisted for the app in Developer Console (scheme, host and
port; localhost and 127.0.0.1 differ). Before it opens the browser, lcwh asks
the accounts server once whether it takes the client id and redirect URI, and
fails at once (exit 4) naming the URI to whitelist when it does not. It then
waits up to --timeout for the redirect. $BROWSER, when set, is the command
that opens the URL. The app needs the scopes
webhooks.configuration:rw and webhooks.state:rw.

Server-side apps also need their client secret: pass --with-client-secret and
give it on stdin, or set LCWH_CLIENT_SECRET. It is never taken as a flag value.`,
		Example: `$ echo "$ACCOUNT_ID:$PAT" | lcwh auth login --with-pat
$ lcwh auth login --with-pat            # prompts on a terminal
$ lcwh auth login --client-id 0123456789abcdef
$ lcwh auth login --client-id 0123456789abcdef --redirect-uri http://127.0.0.1:8765/callback --no-browser
$ lcwh auth login --client-id 0123456789abcdef --with-client-secret < secret.txt`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.complete(cmd, f); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.WithPAT, "with-pat", false, "Read a Personal Access Token as ACCOUNT_ID:TOKEN from stdin")
	fl.StringVar(&opts.ClientID, "client-id", "", "OAuth client id of your LiveChat app (default: the client_id setting)")
	fl.StringVar(&opts.RedirectURI, "redirect-uri", oauth.DefaultRedirectURI, "Loopback redirect URI, exactly as whitelisted for the app")
	fl.BoolVar(&opts.NoBrowser, "no-browser", false, "Print the login URL instead of opening a browser")
	fl.BoolVar(&opts.WithClientSecret, "with-client-secret", false, "Read the client secret of a server-side app from stdin")
	fl.DurationVar(&opts.Timeout, "timeout", oauth.DefaultLoginTimeout, "How long to wait for the browser's redirect")
	_ = cmd.RegisterFlagCompletionFunc("client-id", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("redirect-uri", cobra.NoFileCompletions)
	return cmd
}

// complete checks the flags, takes the client id from the settings when
// --client-id is not given, and builds the accounts server's client.
func (opts *LoginOptions) complete(cmd *cobra.Command, f *cmdutil.Factory) error {
	if opts.WithPAT {
		for _, name := range []string{"client-id", "redirect-uri", "no-browser", "with-client-secret"} {
			if cmd.Flags().Changed(name) {
				return cmdutil.FlagErrorf("--with-pat cannot be combined with --%s", name)
			}
		}
	} else if opts.ClientID == "" {
		cfg, err := opts.Config()
		if err != nil {
			return err
		}
		opts.ClientID = cfg.Get("client_id")
		if opts.ClientID == "" {
			return cmdutil.FlagErrorf("say how to log in: --with-pat (Personal Access Token on stdin) or --client-id ID (OAuth in the browser)")
		}
	}
	if opts.Timeout <= 0 {
		return cmdutil.FlagErrorf("--timeout must be positive")
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = accountsClient(f)
	}
	return nil
}

func loginRun(ctx context.Context, opts *LoginOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	accountsURL, err := cfg.Checked("accounts_url")
	if err != nil {
		return err
	}
	store, err := opts.Credentials()
	if err != nil {
		return err
	}
	var rec *credstore.Record
	if opts.WithPAT {
		rec, err = loginPAT(ctx, opts, accountsURL)
	} else {
		rec, err = loginOAuth(ctx, opts, accountsURL)
	}
	if err != nil {
		return err
	}
	if err := store.Set(cfg.Profile(), rec); err != nil {
		return fmt.Errorf("store login: %w", err)
	}
	st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	w := opts.IO.ErrOut
	who := "account " + rec.AccountID
	if rec.AccountID == "" {
		who = "LiveChat"
	}
	how := "a Personal Access Token"
	if rec.Method == string(auth.MethodOAuth) {
		how = "OAuth (client " + rec.ClientID + ")"
	}
	fmt.Fprintf(w, "%s Logged in as %s with %s\n", st.Success.Render("✓"), who, how)
	fmt.Fprintf(w, "  Stored in %s for profile %s\n", storeName(rec.Store, opts.LookupEnv), profileName(cfg.Profile()))
	if rec.Method == string(auth.MethodOAuth) {
		if miss := oauth.MissingScopes(rec.Scopes, oauth.RequiredScopes); len(miss) > 0 {
			fmt.Fprintf(w, "%s The token lacks scopes the webhook commands need: %s. Add them to the app in Developer Console and log in again.\n",
				st.Warn.Render("!"), strings.Join(miss, ", "))
		}
	}
	return nil
}

// storeName describes where a backend keeps the login.
func storeName(backend string, lookupEnv func(string) (string, bool)) string {
	switch backend {
	case credstore.BackendKeyring:
		return "the OS keychain"
	case credstore.BackendFile:
		return credstore.FilePath(config.Dir(lookupEnv)) + " (mode 0600)"
	}
	return backend
}

func profileName(p string) string {
	if p == "" {
		return "default"
	}
	return p
}

// readSecret reads one secret from stdin, prompting without echo on a terminal.
func readSecret(io *iostreams.IOStreams, prompt string) (string, error) {
	if io.IsStdinTTY() {
		fmt.Fprint(io.ErrOut, prompt)
		defer fmt.Fprintln(io.ErrOut)
	}
	s, err := io.ReadPassword()
	if err != nil {
		return "", fmt.Errorf("read stdin: %w", err)
	}
	return strings.TrimSpace(s), nil
}

func loginPAT(ctx context.Context, opts *LoginOptions, accountsURL string) (*credstore.Record, error) {
	if !opts.IO.IsStdinTTY() && opts.IO.In == nil {
		return nil, cmdutil.FlagErrorf("--with-pat reads ACCOUNT_ID:TOKEN from stdin")
	}
	s, err := readSecret(opts.IO, "Paste your Personal Access Token as ACCOUNT_ID:TOKEN: ")
	if err != nil {
		return nil, err
	}
	if s == "" {
		return nil, cmdutil.FlagErrorf("--with-pat read nothing from stdin; pipe ACCOUNT_ID:TOKEN into it")
	}
	p, err := auth.ParsePATInput(s)
	if err != nil {
		return nil, cmdutil.FlagErrorWrap(err)
	}
	me, err := auth.CheckPAT(ctx, opts.HTTPClient, accountsURL, p)
	if err != nil {
		return nil, err
	}
	if me.AccountUnchecked {
		st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
		fmt.Fprintf(opts.IO.ErrOut, "%s %s\n", st.Warn.Render("!"),
			"The token is valid but may not read the account (scope accounts--my:ro); stored without checking its account id.")
	}
	return &credstore.Record{
		Method:      string(auth.MethodPAT),
		AccountID:   p.AccountID,
		AccessToken: p.Token,
		Region:      credstore.RegionOf(p.Token),
	}, nil
}

func loginOAuth(ctx context.Context, opts *LoginOptions, accountsURL string) (*credstore.Record, error) {
	secret := ""
	if opts.WithClientSecret {
		s, err := readSecret(opts.IO, "Client secret: ")
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, cmdutil.FlagErrorf("--with-client-secret read nothing from stdin")
		}
		secret = s
	} else if v, ok := opts.LookupEnv(EnvClientSecret); ok {
		secret = strings.TrimSpace(v)
	}
	if _, _, err := oauth.ListenAddr(opts.RedirectURI); err != nil {
		return nil, cmdutil.FlagErrorWrap(fmt.Errorf("--redirect-uri: %w", err))
	}
	app := oauth.App{AccountsURL: accountsURL, ClientID: opts.ClientID, ClientSecret: secret, RedirectURI: opts.RedirectURI}
	st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	lo := oauth.LoginOptions{
		App:        app,
		HTTPClient: opts.HTTPClient,
		Timeout:    opts.Timeout,
		ShowURL: func(u string) {
			w := opts.IO.ErrOut
			if opts.NoBrowser {
				fmt.Fprintf(w, "Open this URL in a browser to log in to LiveChat:\n\n  %s\n\n", u)
			} else {
				fmt.Fprintf(w, "Opening the browser to log in to LiveChat. If it does not open, visit:\n  %s\n", st.Muted.Render(u))
			}
			fmt.Fprintf(w, "Waiting up to %s for the redirect to %s (--timeout; Ctrl-C stops).\n", oauth.ShortDuration(opts.Timeout), opts.RedirectURI)
			fmt.Fprintf(w, "%s\n", st.Muted.Render("If the browser shows a LiveChat error such as invalid_redirect_uri instead, whitelist "+
				opts.RedirectURI+" for app "+opts.ClientID+" in Developer Console (Apps > your app > Authorization) and run this again."))
		},
	}
	if !opts.NoBrowser {
		lo.OpenBrowser = func(u string) error {
			if err := opts.OpenBrowser(u); err != nil {
				fmt.Fprintf(opts.IO.ErrOut, "%s Could not open a browser (%v); open the URL above yourself.\n", st.Warn.Render("!"), err)
			}
			return nil
		}
	}
	// oauth's errors carry their exit codes and hints.
	tok, err := oauth.Login(ctx, lo)
	if err != nil {
		return nil, err
	}
	rec := &credstore.Record{Method: string(auth.MethodOAuth), ClientID: opts.ClientID, ClientSecret: secret}
	auth.UpdateRecord(rec, tok)
	return rec, nil
}
