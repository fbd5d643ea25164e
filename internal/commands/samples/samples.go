// Package samples implements `lcwh samples`: list the webhook kinds lcwh
// can imitate and print the body `lcwh send-sample` would send for one.
package samples

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
)

// NewCmdSamples builds the `lcwh samples` group.
func NewCmdSamples(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "samples <command>",
		Short: "List webhook kinds and print their sample bodies",
		Long: `Browse the catalog of webhook kinds lcwh can imitate: the 38 LiveChat
license/bot webhooks, the 6 LiveChat App Webhooks and the 12 monday.com app
lifecycle events. Every kind has a realistic sample taken from the platform
documentation; ids, timestamps and webhook_id are fresh in every body.`,
		Example: "$ lcwh samples list\n$ lcwh samples show incoming_chat",
		Args:    cmdutil.SubcommandRequired,
		RunE:    cmdutil.ShowHelp,
	}
	cmd.AddCommand(NewCmdList(f, nil), NewCmdShow(f, nil))
	return cmd
}

// completeKinds offers every kind name with its description.
func completeKinds(_ *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, k := range catalog.All() {
		if strings.HasPrefix(k.Name, prefix) {
			out = append(out, k.Name+"\t"+k.Description)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeFamilies offers the family names.
func completeFamilies(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, f := range catalog.Families() {
		out = append(out, string(f))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
