package listen

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/lease"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/ngrok"
	"github.com/lcwh/lcwh/internal/webhooks"
)

// registerFlags are the raw --register flags.
type registerFlags struct {
	actions, filterKVs, addData []string
	filtersJSON, publicURL      string
	typ, ngrokAPI               string
	ttl                         time.Duration
}

func (r *registerFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringSliceVar(&r.actions, "register", nil, "Register webhooks of these actions for this run (comma-separated; needs --public-url)")
	fl.StringVar(&r.publicURL, "public-url", "", "With --register: public URL that reaches this listener, or auto (ngrok agent)")
	fl.StringVar(&r.typ, "type", livechat.TypeLicense, "With --register: webhook type, license or bot")
	fl.StringArrayVar(&r.filterKVs, "filter", nil, "With --register: filter key=value (repeatable, as in lcwh register)")
	fl.StringVar(&r.filtersJSON, "filters", "", "With --register: filters as a JSON object")
	fl.StringSliceVar(&r.addData, "additional-data", nil, "With --register: chat_properties, chat_presence_user_ids")
	fl.DurationVar(&r.ttl, "lease-ttl", DefaultLeaseTTL, "With --register: lease lifetime written in the webhook description")
	fl.StringVar(&r.ngrokAPI, "ngrok-api", ngrok.DefaultAPI, "With --public-url auto: base URL of the ngrok agent API (web_addr)")
	_ = cmd.RegisterFlagCompletionFunc("register", completeActions)
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions([]string{"license", "bot"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("public-url", cobra.FixedCompletions([]string{"auto"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("additional-data", cobra.FixedCompletions([]string{livechat.DataChatProperties, livechat.DataChatPresenceUserIDs}, cobra.ShellCompDirectiveNoFileComp))
}

// check validates the values of the --register flags themselves.
func (r *registerFlags) check() error {
	if r.publicURL == "" {
		return cmdutil.UsageHint(errors.New("--register needs --public-url"),
			"Pass the https URL of a tunnel to this port (e.g. from \"ngrok http PORT\"), --public-url auto to ask a running ngrok agent, or a local URL for lcwh sandbox.")
	}
	if r.publicURL != "auto" {
		if err := livechat.ValidateURL(r.publicURL); err != nil {
			return cmdutil.FlagErrorWrap(err)
		}
	}
	if r.typ != livechat.TypeLicense && r.typ != livechat.TypeBot {
		return cmdutil.FlagErrorf("--type must be license or bot, not %q", r.typ)
	}
	if r.ttl <= 0 {
		return cmdutil.FlagErrorf("--lease-ttl must be positive")
	}
	return nil
}

// completeRegister validates the --register flags into opts.Register, as
// `lcwh register` validates its own, and generates this run's secret.
func (opts *Options) completeRegister(f *cmdutil.Factory, cmd *cobra.Command, r *registerFlags) error {
	fl := cmd.Flags()
	if len(r.actions) == 0 {
		for _, name := range []string{"public-url", "type", "filter", "filters", "additional-data", "lease-ttl", "ngrok-api"} {
			if fl.Changed(name) {
				return cmdutil.FlagErrorf("--%s needs --register", name)
			}
		}
		return nil
	}
	if err := r.check(); err != nil {
		return err
	}
	if len(opts.ClientIDs) > 1 {
		return cmdutil.FlagErrorf("--register takes one --client-id: the app that owns the webhooks")
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	if v := fl.Lookup("api-version"); v != nil {
		cfg.BindFlag("api_version", v)
	}
	version := cfg.Get("api_version")
	if err := config.Validate("api_version", version); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	reg, err := webhooks.ParseRegistration(version, r.actions, r.filtersJSON, r.filterKVs, r.addData)
	if err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	clientID := strings.TrimSpace(cfg.Get("client_id"))
	if len(opts.ClientIDs) == 1 {
		clientID = opts.ClientIDs[0]
	}
	secret, err := webhooks.GenerateSecret()
	if err != nil {
		return err
	}
	opts.Secrets = append(opts.Secrets, secret)
	opts.Register = &RegisterOptions{
		APIClient: f.APIClient, HTTPClient: ngrokClient(f),
		Hostname: os.Hostname, PID: os.Getpid(), Alive: lease.Alive,
		Registration: reg, PublicURL: r.publicURL, NgrokAPI: r.ngrokAPI, Type: r.typ,
		ClientID: clientID, LeaseTTL: r.ttl, Secret: secret,
	}
	return nil
}

// completeActions completes --register with the livechat-family kinds,
// which are the webhook actions (comma lists included).
func completeActions(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	prefix := ""
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		prefix = toComplete[:i+1]
	}
	var out []string
	for _, k := range catalog.ByFamily(catalog.LiveChat) {
		if strings.HasPrefix(prefix+k.Name, toComplete) {
			out = append(out, prefix+k.Name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// ngrokClient asks the local ngrok agent for its tunnels (--public-url auto).
func ngrokClient(f *cmdutil.Factory) *http.Client {
	o := f.HTTPOptions()
	o.Timeout = 5 * time.Second
	return httpclient.New(o)
}
