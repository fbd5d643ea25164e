package webhook

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/termtext"
	"github.com/lcwh/lcwh/internal/webhooks"
)

// RegisterOptions are the inputs of `lcwh register`.
type RegisterOptions struct {
	IO        *iostreams.IOStreams
	APIClient func() (*livechat.Client, error)

	Actions        []livechat.WebhookName // validated, in the order given
	Version        string
	URL            string
	Secret         string
	GenerateSecret bool
	Type           string
	ClientID       string
	Description    string
	Filters        *livechat.Filters
	AdditionalData []string
	JSON           bool
}

// registerResult is one action's outcome; also the --json shape.
type registerResult struct {
	Action string `json:"action"`
	ID     string `json:"id,omitempty"`
	Error  string `json:"error,omitempty"`
	err    error
}

// NewCmdRegister builds `lcwh register`.
func NewCmdRegister(f *cmdutil.Factory, runF func(*RegisterOptions) error) *cobra.Command {
	opts := &RegisterOptions{IO: f.IOStreams, APIClient: f.APIClient}
	var (
		actions, filterKVs, addData []string
		filtersJSON                 string
	)
	cmd := &cobra.Command{
		Use:   "register --action A[,B…] --url URL (--secret S | --generate-secret)",
		Short: "Register webhooks for your app with the Configuration API",
		Long: `Register one webhook per action for your app's Client ID (register_webhook).
Everything is checked before any call: the action exists in the API version
(see "lcwh names"), the URL is absolute http(s) and at most 500 characters,
each filter is allowed for the action and well formed, and additional data is
allowed. Several actions are registered one by one and each result is shown.

LiveChat sends the secret key in every delivery as secret_key. Pass your own
with --secret (or LCWH_SECRET / config secret), or let lcwh create one with
--generate-secret: it is printed once, on stdout, so store it right away.

Filters (--filter, repeatable; lists are comma-separated):
  author_type=customer|agent            incoming_event, event_updated
  only_my_chats=true|false              chat actions
  source_type=my_client,other_clients,system
  chat_presence.user_ids.values=ID,…    or chat_presence.user_ids.exclude_values=ID,…
  chat_presence.my_bots=true
  agent_ids=ID,…                        routing_status_set (shape undocumented)
or the whole object with --filters '{"author_type":"customer"}'.

At most 3 webhooks may exist per action per Client ID.`,
		Example: `$ lcwh register --action chat_deactivated --url https://example.com/hook --generate-secret
$ lcwh register --action incoming_chat,incoming_event --url https://example.com/hook --secret "$SECRET" --filter source_type=my_client --additional-data chat_properties
$ lcwh register --action incoming_event --url https://example.com/hook --secret "$SECRET" --filter author_type=customer --json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.resolve(f, cmd); err != nil {
				return err
			}
			if err := opts.complete(actions, filterKVs, filtersJSON, addData, cmd.Flags().Changed("secret")); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return registerRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&actions, "action", nil, "Webhook action(s), comma-separated or repeated (see \"lcwh names\")")
	fl.StringVar(&opts.URL, "url", "", "Destination URL, absolute http(s), at most 500 characters")
	fl.String("secret", "", "Secret key LiveChat sends as secret_key (env LCWH_SECRET, config secret)")
	fl.BoolVar(&opts.GenerateSecret, "generate-secret", false, "Generate a random secret key and print it once")
	fl.StringVar(&opts.Type, "type", livechat.TypeLicense, "Webhook type: license or bot")
	fl.StringVar(&opts.Description, "description", "", "Free-text description")
	fl.StringArrayVar(&filterKVs, "filter", nil, "Filter key=value (repeatable)")
	fl.StringVar(&filtersJSON, "filters", "", "Filters as a JSON object")
	fl.StringSliceVar(&addData, "additional-data", nil, "Additional data: chat_properties, chat_presence_user_ids")
	addClientIDFlag(cmd)
	cmd.MarkFlagsMutuallyExclusive("secret", "generate-secret")
	registerCompletions(cmd, f)
	cmdutil.AddJSONFlag(cmd, &opts.JSON, "webhooks (action, id, error), secret_key (only with --generate-secret)")
	return cmd
}

// registerCompletions completes register's flag values.
func registerCompletions(cmd *cobra.Command, f *cmdutil.Factory) {
	_ = cmd.RegisterFlagCompletionFunc("action", completeActions(f))
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions([]string{"license", "bot"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("additional-data", cobra.FixedCompletions([]string{livechat.DataChatProperties, livechat.DataChatPresenceUserIDs}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("filter", cobra.FixedCompletions([]string{"author_type=", "only_my_chats=", "source_type=", "agent_ids=", "chat_presence.my_bots=", "chat_presence.user_ids.values=", "chat_presence.user_ids.exclude_values="}, cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace))
}

// resolve reads the client id, API version and secret through config
// (flag > env > file).
func (opts *RegisterOptions) resolve(f *cmdutil.Factory, cmd *cobra.Command) error {
	clientID, version, err := resolveSettings(f, cmd)
	if err != nil {
		return err
	}
	opts.ClientID, opts.Version = clientID, version
	cfg, _ := f.Config()
	cfg.BindFlag("secret", cmd.Flags().Lookup("secret"))
	if !opts.GenerateSecret {
		opts.Secret = cfg.Get("secret")
	}
	return nil
}

// complete validates flags into opts; every check the spec allows happens here.
func (opts *RegisterOptions) complete(actions, filterKVs []string, filtersJSON string, addData []string, secretFlag bool) error {
	acts := webhooks.SplitList(actions)
	if len(acts) == 0 {
		return cmdutil.FlagErrorf("--action is required")
	}
	if opts.URL == "" {
		return cmdutil.FlagErrorf("--url is required")
	}
	if opts.Secret == "" && !opts.GenerateSecret {
		return cmdutil.FlagErrorf("a secret key is required: pass --secret, set LCWH_SECRET, or use --generate-secret")
	}
	if opts.GenerateSecret && secretFlag {
		return cmdutil.FlagErrorf("--secret and --generate-secret cannot be used together")
	}
	if opts.Type != livechat.TypeLicense && opts.Type != livechat.TypeBot {
		return cmdutil.FlagErrorf("--type must be license or bot, not %q", opts.Type)
	}
	if err := livechat.ValidateURL(opts.URL); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	reg, err := webhooks.ParseRegistration(opts.Version, acts, filtersJSON, filterKVs, addData)
	if err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	opts.Actions, opts.Filters, opts.AdditionalData = reg.Actions, reg.Filters, reg.AdditionalData
	return nil
}

func registerRun(ctx context.Context, opts *RegisterOptions) error {
	client, owner, err := clientFor(opts.APIClient, opts.ClientID)
	if err != nil {
		return err
	}
	if opts.GenerateSecret {
		if opts.Secret, err = webhooks.GenerateSecret(); err != nil {
			return err
		}
	}
	st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	var results []registerResult
	var firstErr error
	failed := 0
	for _, n := range opts.Actions {
		id, err := client.RegisterWebhook(ctx, livechat.RegisterRequest{
			Action: n.Action, SecretKey: opts.Secret, URL: opts.URL, OwnerClientID: owner, Type: opts.Type,
			Description: opts.Description, AdditionalData: opts.AdditionalData, Filters: opts.Filters,
		})
		r := registerResult{Action: n.Action, ID: id, err: err}
		if err != nil {
			r.Error = err.Error()
			failed++
			if firstErr == nil {
				firstErr = err
			}
			fmt.Fprintf(opts.IO.ErrOut, "%s %s: %s\n", st.StatusFail.Render("✗"), n.Action, termtext.Line(err.Error()))
		} else {
			fmt.Fprintf(opts.IO.ErrOut, "%s Registered %s webhook %s\n", st.Success.Render("✓"), st.Action.Render(n.Action), termtext.Line(id))
		}
		results = append(results, r)
		if errors.Is(err, livechat.ErrAuthentication) || errors.Is(err, livechat.ErrAuthorization) {
			break // every other action would fail the same way
		}
	}
	registered := len(results) - failed
	if err := writeRegistered(opts, results, registered > 0); err != nil {
		return err
	}
	if opts.GenerateSecret && registered > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "%s The generated secret key is shown only this once: store it (e.g. lcwh config set secret …) to verify deliveries.\n", st.Warn.Render("!"))
	}
	switch {
	case failed == 0:
		return nil
	case len(results) == 1 || registered == 0:
		return firstErr
	default:
		return cmdutil.WithHint(fmt.Errorf("register webhook: %d of %d actions failed", failed, len(results)),
			`The others were registered; see "lcwh list".`)
	}
}

// writeRegistered prints the ids (and a generated secret once) on stdout.
func writeRegistered(opts *RegisterOptions, results []registerResult, registered bool) error {
	showSecret := opts.GenerateSecret && registered
	if opts.JSON {
		out := struct {
			Webhooks  []registerResult `json:"webhooks"`
			SecretKey string           `json:"secret_key,omitempty"`
		}{Webhooks: results}
		if showSecret {
			out.SecretKey = opts.Secret
		}
		return cmdutil.WriteJSON(opts.IO.Out, out)
	}
	for _, r := range results {
		if r.err == nil {
			fmt.Fprintf(opts.IO.Out, "%s\t%s\n", termtext.Line(r.ID), r.Action)
		}
	}
	if showSecret {
		fmt.Fprintf(opts.IO.Out, "secret_key\t%s\n", opts.Secret)
	}
	return nil
}
