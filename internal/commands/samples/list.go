package samples

import (
	"fmt"

	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

// ListOptions are the inputs of `lcwh samples list`.
type ListOptions struct {
	IO     *iostreams.IOStreams
	Family catalog.Family // "" for every family
	JSON   bool
}

// NewCmdList builds `lcwh samples list`; runF replaces the run function in tests.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams}
	var family string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every webhook kind lcwh has a sample for",
		Long: `List the webhook kinds in the catalog with their family and a one-line
description, in the order of the platform documentation.

Families: livechat (license/bot webhooks, LiveChat API v3.6), app (LiveChat
App Webhooks: installs and payments), monday (monday.com app lifecycle).

On a terminal the list is a table; piped, it is tab-separated (name, family,
description) with no header.`,
		Example: "$ lcwh samples list\n$ lcwh samples list --family app\n$ lcwh samples list --json | jq -r '.[].name'",
		Args:    cmdutil.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if family != "" {
				fam, err := catalog.ParseFamily(family)
				if err != nil {
					return cmdutil.FlagErrorWrap(fmt.Errorf("--family: %w", err))
				}
				opts.Family = fam
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	cmd.Flags().StringVar(&family, "family", "", "Only list kinds of one family: livechat, app or monday")
	_ = cmd.RegisterFlagCompletionFunc("family", completeFamilies)
	cmdutil.AddJSONFlag(cmd, &opts.JSON, "name, family, description")
	return cmd
}

func listRun(opts *ListOptions) error {
	kinds := catalog.All()
	if opts.Family != "" {
		kinds = catalog.ByFamily(opts.Family)
	}
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, kinds)
	}
	st := render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled())
	t := render.NewTable(opts.IO.Out, st, opts.IO.IsStdoutTTY(), opts.IO.TerminalWidth())
	t.Header("NAME", "FAMILY", "DESCRIPTION")
	for _, k := range kinds {
		t.Row(render.Plain(k.Name), render.Styled(string(k.Family), familyStyle(st, k.Family)), render.Plain(k.Description))
	}
	return t.Render()
}

func familyStyle(s render.Styles, f catalog.Family) lipgloss.Style {
	switch f {
	case catalog.LiveChat:
		return s.FamilyLiveChat
	case catalog.App:
		return s.FamilyApp
	case catalog.Monday:
		return s.FamilyMonday
	}
	return s.FamilyUnknown
}
