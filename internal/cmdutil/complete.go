package cmdutil

import (
	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
)

// CompleteKinds completes a webhook kind of any family (a flag such as
// --actions), each with its description; never a file name.
func CompleteKinds(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	out := make([]string, 0, len(catalog.All()))
	for _, k := range catalog.All() {
		out = append(out, k.Name+"\t"+k.Description)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
