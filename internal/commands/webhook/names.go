package webhook

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/render"
)

// NamesOptions are the inputs of `lcwh names`.
type NamesOptions struct {
	IO              *iostreams.IOStreams
	PublicAPIClient func() (*livechat.Client, error)

	Version string
	Offline bool
	JSON    bool
}

// NewCmdNames builds `lcwh names`.
func NewCmdNames(f *cmdutil.Factory, runF func(*NamesOptions) error) *cobra.Command {
	opts := &NamesOptions{IO: f.IOStreams, PublicAPIClient: f.PublicAPIClient}
	cmd := &cobra.Command{
		Use:   "names",
		Short: "List webhook actions with their filters and additional data",
		Long: `List the webhook actions of a Configuration API version with the filters and
additional data each accepts (list_webhook_names, which needs no login).
--offline prints lcwh's built-in table for 3.5, 3.6 or 3.7 instead, the one
"lcwh register" validates against.`,
		Example: `$ lcwh names
$ lcwh names --api-version 3.5
$ lcwh names --offline --json | jq -r '.[].action'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, version, err := resolveSettings(f, cmd)
			if err != nil {
				return err
			}
			opts.Version = version
			if runF != nil {
				return runF(opts)
			}
			return namesRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().String("api-version", "", "Configuration API version (default 3.6; env LCWH_API_VERSION)")
	_ = cmd.RegisterFlagCompletionFunc("api-version", cobra.FixedCompletions(livechat.Versions(), cobra.ShellCompDirectiveNoFileComp))
	cmd.Flags().BoolVar(&opts.Offline, "offline", false, "Print lcwh's built-in table without calling the API")
	cmdutil.AddJSONFlag(cmd, &opts.JSON, "action, filters, additional_data")
	return cmd
}

func namesRun(ctx context.Context, opts *NamesOptions) error {
	var names []livechat.WebhookName
	if opts.Offline {
		n, ok := livechat.Names(opts.Version)
		if !ok {
			return cmdutil.UsageHint(fmt.Errorf("lcwh has no built-in table for API version %s", opts.Version),
				"Known versions: "+strings.Join(livechat.Versions(), ", ")+"; drop --offline to ask the API.")
		}
		names = n
	} else {
		client, err := opts.PublicAPIClient()
		if err != nil {
			return err
		}
		if names, err = client.ListWebhookNames(ctx, opts.Version); err != nil {
			return err
		}
	}
	if opts.JSON {
		if names == nil {
			names = []livechat.WebhookName{}
		}
		return cmdutil.WriteJSON(opts.IO.Out, names)
	}
	dash := func(l []string) string {
		if len(l) == 0 {
			return "-"
		}
		return strings.Join(l, ",")
	}
	st := render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled())
	t := render.NewTable(opts.IO.Out, st, opts.IO.IsStdoutTTY(), opts.IO.TerminalWidth())
	t.Header("ACTION", "FILTERS", "ADDITIONAL DATA")
	for _, n := range names {
		t.Row(render.Styled(n.Action, st.Action), render.Plain(dash(n.Filters)), render.Plain(dash(n.AdditionalData)))
	}
	return t.Render()
}
