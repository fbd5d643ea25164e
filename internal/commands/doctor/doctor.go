// Package doctor implements `lcwh doctor`: why a LiveChat webhook does not
// arrive. The checklist itself is internal/doctor; this package turns flags
// and settings into its Options and prints its Report.
package doctor

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/doctor"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/lease"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/ngrok"
	"github.com/lcwh/lcwh/internal/webhooks"
)

// jsonFields is the documented --json field set.
const jsonFields = "ok, items (id, title, status: ok|warn|fail|skip, found, fix)"

// longHelp is doctor's --help text.
const longHelp = `Run a checklist over your app's webhooks and say, for each item, what was
found and, for every problem, the exact command that fixes it:

  credentials   which login is used, whether LiveChat accepts it, and whether
                its scopes allow the webhook methods
  registration  the webhooks of the client id for --action (or all actions),
                the 3-per-action limit, stale leases of "lcwh listen --register"
  enablement    the license webhooks state (get_license_webhooks_state); for
                bot webhooks, the bot that must exist and accept chats
  filters       each filter in plain words; with --sample KIND or --event FILE,
                whether that event passes them (as the sandbox decides)
  url           absolute https on a host LiveChat can reach (not localhost or a
                private address); an ngrok URL's tunnel still up (ngrok's local
                API); with --probe, one POST of a sample and its answer
  secret        whether the webhooks share one secret_key and whether it is the
                one your handler verifies with (--secret), never printed
  version       api_version against the actions and filters it offers

Each item is ✓ (fine), ✗ (a reason webhooks do not arrive), ! (works, but
look) or - (not checked). doctor only reads: it calls list_webhooks and
get_license_webhooks_state, asks the ngrok agent on this machine, and sends
nothing to your URL unless --probe is given.

--event takes a file saved by "lcwh listen --save" (the last event of the
action is used) or a bare webhook body. When list_webhooks does not return
secret_key (undocumented whether it does), --secret is compared with the
secret lcwh is configured with (LCWH_SECRET / config secret) instead.

Exit status: 0 when nothing is wrong (warnings allowed), 1 when an item
failed, 4 when the login is missing or LiveChat rejects it.`

// DoctorOptions are the inputs of `lcwh doctor`.
type DoctorOptions struct {
	IO               *iostreams.IOStreams
	Config           func() (*config.Config, error)
	CredentialSource func() (*auth.Resolved, error)
	APIClient        func() (*livechat.Client, error)
	Now              func() time.Time
	Hostname         func() (string, error)
	Alive            func(pid int) bool
	// NgrokClient asks the ngrok agent; HTTPClient sends --probe.
	NgrokClient *http.Client
	HTTPClient  *http.Client
	// LocalAPI tells from api_url whether the API runs on this machine
	// (lcwh sandbox), which can deliver to local URLs.
	LocalAPI func(apiURL string) bool

	Action       string
	URL          string
	ClientID     string
	ClientIDFlag bool
	Profile      string
	Version      string
	Secret       string
	// ConfiguredSecret is LCWH_SECRET / config secret (not --secret).
	ConfiguredSecret string
	Sample           string
	Sets             []string
	EventFile        string
	Probe            bool
	NgrokAPI         string
	JSON             bool
}

// NewCmdDoctor builds `lcwh doctor`.
func NewCmdDoctor(f *cmdutil.Factory, runF func(*DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{IO: f.IOStreams, Config: f.Config, CredentialSource: f.CredentialSource, APIClient: f.APIClient,
		Now: f.Now, Hostname: os.Hostname, Alive: lease.Alive, LocalAPI: loopbackURL}
	cmd := &cobra.Command{
		Use:   "doctor [--action A] [--url U] [--client-id ID]",
		Short: "Explain why a webhook does not arrive",
		Long:  longHelp,
		Example: `$ lcwh doctor
$ lcwh doctor --action incoming_event --sample incoming_event
$ lcwh doctor --action incoming_event --event events.jsonl --secret "$SECRET"
$ lcwh doctor --url https://example.com/hooks --probe
$ lcwh doctor --json | jq -r '.items[] | select(.status == "fail") | .fix[]'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.complete(f, cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return doctorRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Action, "action", "", "Check the webhooks of this action (default: all)")
	fl.StringVar(&opts.URL, "url", "", "Check the webhooks sending to this URL, and the URL itself")
	fl.String("client-id", "", "Client ID of the app that owns the webhooks (env LCWH_CLIENT_ID, config client_id)")
	fl.StringVar(&opts.Sample, "sample", "", "Test the filters with a fresh sample of this kind (implies --action)")
	fl.StringArrayVar(&opts.Sets, "set", nil, "With --sample: override a sample field, path=value (repeatable)")
	fl.StringVar(&opts.EventFile, "event", "", "Test the filters with this event: a --save file or a webhook body (- for stdin)")
	fl.StringVar(&opts.Secret, "secret", "", "The secret your handler verifies with, to compare (never printed)")
	fl.BoolVar(&opts.Probe, "probe", false, "POST one sample to each URL and report the answer")
	fl.StringVar(&opts.NgrokAPI, "ngrok-api", ngrok.DefaultAPI, "Base URL of the ngrok agent API (web_addr)")
	cmdutil.AddJSONFlag(cmd, &opts.JSON, jsonFields)
	_ = cmd.RegisterFlagCompletionFunc("action", completeKinds)
	_ = cmd.RegisterFlagCompletionFunc("sample", completeKinds)
	for _, name := range []string{"url", "client-id", "set", "secret", "ngrok-api"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
	return cmd
}

// complete reads settings and flags into opts and rejects bad combinations.
func (opts *DoctorOptions) complete(f *cmdutil.Factory, cmd *cobra.Command) error {
	// Checked here rather than with cobra's flag groups, whose error is
	// not a usage error (exit 1 instead of 2).
	if opts.Sample != "" && opts.EventFile != "" {
		return cmdutil.FlagErrorf("--sample and --event cannot be used together: test one event")
	}
	if len(opts.Sets) > 0 && opts.Sample == "" {
		return cmdutil.FlagErrorf("--set needs --sample")
	}
	if err := opts.completeSample(); err != nil {
		return err
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	fl := cmd.Flags().Lookup("client-id")
	cfg.BindFlag("client_id", fl)
	opts.ClientID = strings.TrimSpace(cfg.Get("client_id"))
	opts.ClientIDFlag = fl.Changed
	opts.Version = cfg.Get("api_version")
	if err := config.Validate("api_version", opts.Version); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	// Not bound to --secret: the configured secret is compared with it.
	opts.ConfiguredSecret = cfg.Get("secret")
	if f.ConfigOptions != nil {
		opts.Profile = f.ConfigOptions.Profile
	}
	if opts.NgrokClient == nil || opts.HTTPClient == nil {
		hopts := httpclient.Options{Version: f.Build.Version}
		if f.Debug != nil && *f.Debug {
			hopts.Debug = opts.IO.ErrOut
		}
		probe := hopts
		hopts.Timeout = 5 * time.Second
		opts.NgrokClient, opts.HTTPClient = httpclient.New(hopts), httpclient.New(probe)
	}
	return nil
}

// completeSample checks --sample and --set; --sample implies --action.
func (opts *DoctorOptions) completeSample() error {
	if opts.Sample == "" {
		return nil
	}
	k, ok := catalog.Lookup(opts.Sample)
	if !ok {
		return &catalog.UnknownKindError{Name: opts.Sample}
	}
	if k.Family != catalog.LiveChat {
		return cmdutil.FlagErrorf("--sample %s is a %s webhook, not one registered through the Configuration API", k.Name, k.Family)
	}
	if _, err := catalog.ParseSets(opts.Sets); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	switch opts.Action {
	case "":
		opts.Action = k.Name
	case k.Name:
	default:
		return cmdutil.FlagErrorf("--sample %s is not an event of --action %s", k.Name, opts.Action)
	}
	return nil
}

func completeKinds(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, k := range catalog.ByFamily(catalog.LiveChat) {
		if strings.HasPrefix(k.Name, toComplete) {
			out = append(out, k.Name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// loopbackURL reports whether u's host is this machine.
func loopbackURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	h := p.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func doctorRun(ctx context.Context, opts *DoctorOptions) error {
	ev, err := opts.event()
	if err != nil {
		return err
	}
	d := doctor.Options{
		Action: opts.Action, URL: opts.URL, ClientIDFlag: opts.ClientIDFlag, Profile: opts.Profile,
		Version: opts.Version, Secret: opts.Secret, ConfiguredSecret: opts.ConfiguredSecret, Event: ev,
		Probe: opts.Probe, NgrokAPI: opts.NgrokAPI, NgrokClient: opts.NgrokClient, HTTPClient: opts.HTTPClient,
		Now: opts.Now, Hostname: opts.Hostname, Alive: opts.Alive,
	}
	if err := opts.connect(&d); err != nil {
		return err
	}
	report := doctor.Run(ctx, d)
	if opts.JSON {
		out := struct {
			OK    bool          `json:"ok"`
			Items []doctor.Item `json:"items"`
		}{OK: !report.Failed(), Items: report.Items}
		if err := cmdutil.WriteJSON(opts.IO.Out, out); err != nil {
			return err
		}
	} else if err := writeReport(opts.IO, opts, d.ClientID, report); err != nil {
		return err
	}
	switch {
	case report.AuthFailed:
		return &cmdutil.ExitError{Code: cmdutil.ExitAuth, Err: cmdutil.ErrSilent}
	case report.Failed():
		return cmdutil.ErrSilent
	}
	return nil
}

// connect resolves the credential, the API client and the owner into d.
// A missing or unusable credential is not an error here: it is the first
// item's finding.
func (opts *DoctorOptions) connect(d *doctor.Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	if api, err := cfg.URL("api_url"); err == nil && opts.LocalAPI != nil {
		d.LocalAPI = opts.LocalAPI(api)
	}
	r, err := opts.CredentialSource()
	if err != nil {
		d.CredentialErr = err
		return nil
	}
	d.Credential = &doctor.Credential{Method: string(r.Method), Source: r.Source}
	if rec := r.Record; rec != nil {
		d.Credential.AccountID, d.Credential.ClientID = rec.AccountID, rec.ClientID
		if r.Method == auth.MethodOAuth {
			d.Credential.Scopes = rec.Scopes
		}
	}
	client, err := opts.APIClient()
	if err != nil {
		d.CredentialErr = err
		return nil
	}
	d.API = client
	owner, err := webhooks.Owner(opts.ClientID, client)
	if err != nil && !errors.Is(err, webhooks.ErrNoClientID) {
		return err
	}
	d.ClientID = owner
	return nil
}
