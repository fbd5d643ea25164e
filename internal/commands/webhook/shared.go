// Package webhook implements the Configuration API commands: register,
// list, unregister, names, enable, disable and state.
package webhook

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/termtext"
	"github.com/lcwh/lcwh/internal/webhooks"
)

// addClientIDFlag adds --client-id.
func addClientIDFlag(cmd *cobra.Command) {
	cmd.Flags().String("client-id", "", "Client ID of the app that owns the webhooks (env LCWH_CLIENT_ID, config client_id)")
	_ = cmd.RegisterFlagCompletionFunc("client-id", cobra.NoFileCompletions)
}

// resolveSettings loads the config with --client-id bound and returns the
// client id and API version it resolves to.
func resolveSettings(f *cmdutil.Factory, cmd *cobra.Command) (clientID, version string, err error) {
	cfg, err := f.Config()
	if err != nil {
		return "", "", err
	}
	cfg.BindFlag("client_id", cmd.Flags().Lookup("client-id"))
	if fl := cmd.Flags().Lookup("api-version"); fl != nil {
		cfg.BindFlag("api_version", fl)
	}
	version = cfg.Get("api_version")
	if err := config.Validate("api_version", version); err != nil {
		return "", "", cmdutil.FlagErrorWrap(err)
	}
	return strings.TrimSpace(cfg.Get("client_id")), version, nil
}

// resolveClientID resolves --client-id (or LCWH_CLIENT_ID, or the
// config's client_id) into *clientID.
func resolveClientID(f *cmdutil.Factory, cmd *cobra.Command, clientID *string) error {
	id, _, err := resolveSettings(f, cmd)
	if err != nil {
		return err
	}
	*clientID = id
	return nil
}

// ownedWebhooks builds the API client, settles the owner (see clientFor)
// and lists the owner's webhooks (list_webhooks).
func ownedWebhooks(ctx context.Context, newClient func() (*livechat.Client, error), clientID string) (*livechat.Client, string, []livechat.Webhook, error) {
	client, owner, err := clientFor(newClient, clientID)
	if err != nil {
		return nil, "", nil, err
	}
	hooks, err := client.ListWebhooks(ctx, owner)
	if err != nil {
		return nil, "", nil, explain(err)
	}
	return client, owner, hooks, nil
}

// clientFor builds the API client and settles whose webhooks a command
// manages: --client-id (or its env/config), else the OAuth token's client.
func clientFor(newClient func() (*livechat.Client, error), clientID string) (*livechat.Client, string, error) {
	client, err := newClient()
	if err != nil {
		return nil, "", err
	}
	owner, err := webhooks.Owner(clientID, client)
	if err != nil {
		return nil, "", err
	}
	return client, owner, nil
}

// explain turns client errors into what app.Main prints: API errors keep
// their hint and exit code; a missing owner with a PAT is a usage error.
func explain(err error) error {
	if errors.Is(err, livechat.ErrOwnerRequired) {
		return cmdutil.UsageHint(err, webhooks.ClientIDHint)
	}
	return err
}

// actionNames returns the actions of version for validation and completion.
func actionNames(version string) []livechat.WebhookName {
	names, ok := livechat.Names(version)
	if !ok {
		names, _ = livechat.Names(livechat.DefaultVersion)
	}
	return names
}

// completeActions completes --action values (comma lists included).
func completeActions(f *cmdutil.Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		version := livechat.DefaultVersion
		if cfg, err := f.Config(); err == nil && cfg.Get("api_version") != "" {
			version = cfg.Get("api_version")
		}
		prefix := ""
		if i := strings.LastIndex(toComplete, ","); i >= 0 {
			prefix = toComplete[:i+1]
		}
		var out []string
		for _, n := range actionNames(version) {
			if strings.HasPrefix(prefix+n.Action, toComplete) {
				out = append(out, prefix+n.Action)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// completeWebhookIDs completes ids from list_webhooks.
func completeWebhookIDs(f *cmdutil.Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		var clientID string
		if err := resolveClientID(f, cmd, &clientID); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		_, _, hooks, err := ownedWebhooks(ctx, f.APIClient, clientID)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, h := range hooks {
			if strings.HasPrefix(h.ID, toComplete) {
				out = append(out, termtext.Line(h.ID)+"\t"+termtext.Line(h.Action)+" → "+termtext.URL(h.URL))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// confirm asks a yes/no question on stderr and reads the answer from in.
func confirm(in io.Reader, errOut io.Writer, question string) (bool, error) {
	fmt.Fprintf(errOut, "%s [y/N] ", question)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}
