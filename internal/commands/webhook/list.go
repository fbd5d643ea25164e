package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/signature"
	"github.com/lcwh/lcwh/internal/termtext"
)

// ListOptions are the inputs of `lcwh list`.
type ListOptions struct {
	IO        *iostreams.IOStreams
	APIClient func() (*livechat.Client, error)

	Action   string
	ClientID string
	JSON     bool
}

// NewCmdList builds `lcwh list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, APIClient: f.APIClient}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the webhooks registered for your app",
		Long: `List the webhooks registered for your app's Client ID (list_webhooks).
On a terminal it prints a table of id, action, type, url, description and
filters; piped, tab-separated lines without a header; with --json, the API's
objects. A secret_key, if LiveChat returns one, is shown redacted, and so
is the password (or a lone user name) in a webhook URL.`,
		Example: `$ lcwh list
$ lcwh list --action incoming_chat
$ lcwh list --json | jq -r '.[].id'`,
		Aliases: []string{"ls"},
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := resolveClientID(f, cmd, &opts.ClientID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Action, "action", "", "Only webhooks for this action")
	_ = cmd.RegisterFlagCompletionFunc("action", completeActions(f))
	addClientIDFlag(cmd)
	cmdutil.AddJSONFlag(cmd, &opts.JSON, "id, url (userinfo redacted), description, action, filters, owner_client_id, type, additional_data, secret_key (redacted)")
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	_, owner, hooks, err := ownedWebhooks(ctx, opts.APIClient, opts.ClientID)
	if err != nil {
		return err
	}
	shown := []livechat.Webhook{}
	for _, h := range hooks {
		if opts.Action == "" || h.Action == opts.Action {
			if h.SecretKey != "" {
				h.SecretKey = signature.Redact(h.SecretKey)
			}
			h.URL = termtext.RedactURL(h.URL)
			shown = append(shown, h)
		}
	}
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, shown)
	}
	if len(shown) == 0 {
		if opts.IO.IsStderrTTY() {
			what := "no webhooks registered"
			if opts.Action != "" {
				what = "no " + opts.Action + " webhooks registered"
			}
			fmt.Fprintf(opts.IO.ErrOut, "%s for client %s\n", termtext.Line(what), termtext.Line(owner))
		}
		return nil
	}
	return printWebhooks(opts.IO, shown)
}

// printWebhooks writes a table on a terminal and TSV otherwise.
func printWebhooks(ios *iostreams.IOStreams, hooks []livechat.Webhook) error {
	st := render.NewStyles(ios.Out, ios.ColorEnabled())
	t := render.NewTable(ios.Out, st, ios.IsStdoutTTY(), ios.TerminalWidth())
	t.Header("ID", "ACTION", "TYPE", "URL", "DESCRIPTION", "FILTERS")
	for _, h := range hooks {
		t.Row(render.Plain(h.ID), render.Styled(h.Action, st.Action), render.Plain(h.Type), render.Plain(h.URL),
			render.Plain(tsvSafe(h.Description)), render.Plain(compactFilters(h.Filters)))
	}
	return t.Render()
}

func compactFilters(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" || string(t) == "{}" {
		return "-"
	}
	var b bytes.Buffer
	if err := json.Compact(&b, t); err != nil {
		return string(t)
	}
	return b.String()
}

func tsvSafe(s string) string {
	if s == "" {
		return "-"
	}
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
