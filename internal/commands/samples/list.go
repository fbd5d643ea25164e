package samples

import (
	"bytes"
	"fmt"
	"strings"
	"text/tabwriter"

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
		RunE: func(cmd *cobra.Command, args []string) error {
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
	if !opts.IO.IsStdoutTTY() {
		var b strings.Builder
		for _, k := range kinds {
			fmt.Fprintf(&b, "%s\t%s\t%s\n", k.Name, k.Family, k.Description)
		}
		_, err := fmt.Fprint(opts.IO.Out, b.String())
		return err
	}
	_, err := opts.IO.Out.Write(table(kinds, render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled()), opts.IO.TerminalWidth()))
	return err
}

// table lays the kinds out with text/tabwriter on plain text, then styles
// the header and family cells in place, so escape codes never skew the
// column widths. Descriptions are cut to fit width.
func table(kinds []catalog.Kind, s render.Styles, width int) []byte {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tFAMILY\tDESCRIPTION")
	for _, k := range kinds {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", k.Name, k.Family, k.Description)
	}
	_ = tw.Flush()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	famAt := strings.Index(lines[0], "FAMILY")
	descAt := strings.Index(lines[0], "DESCRIPTION")
	var out strings.Builder
	// Codes, not Render: lipgloss underlines rune by rune, which would
	// wrap every letter of a header in its own escape sequence.
	pre, post := render.Codes(s.Header)
	for _, h := range []string{"NAME", "FAMILY", "DESCRIPTION"} {
		lines[0] = strings.Replace(lines[0], h, pre+h+post, 1)
	}
	out.WriteString(lines[0] + "\n")
	for i, k := range kinds {
		line := lines[i+1]
		desc := truncate(line[descAt:], width-descAt)
		fam := string(k.Family)
		out.WriteString(line[:famAt] + familyStyle(s, k.Family).Render(fam) + line[famAt+len(fam):descAt] + desc + "\n")
	}
	return []byte(out.String())
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

// truncate cuts s to at most n runes, ending in "…" when cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if n <= 0 || len(r) <= n {
		return s
	}
	if n == 1 {
		return "…"
	}
	return string(r[:n-1]) + "…"
}
