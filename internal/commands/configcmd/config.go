// Package configcmd implements `lcwh config` and its subcommands.
package configcmd

import (
	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
)

// NewCmdConfig builds `lcwh config`.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Read and change lcwh settings",
		Long: `Read and change lcwh's settings. A setting resolves from, in order: its
command-line flag, its LCWH_<KEY> environment variable, the config file
(the --profile section first, then the top level), and the default.
Run "lcwh help environment" for every key and variable.`,
		Example: `$ lcwh config list
$ lcwh config set client_id 0123456789abcdef
$ lcwh config set --profile staging api_url http://127.0.0.1:8765
$ lcwh config get api_url`,
		Args: cmdutil.SubcommandRequired,
		RunE: cmdutil.ShowHelp,
	}
	cmd.AddCommand(
		newCmdGet(f, nil),
		newCmdSet(f, nil),
		newCmdUnset(f, nil),
		newCmdList(f, nil),
		newCmdPath(f),
	)
	return cmd
}

// completeKeys completes the first argument with the known config keys.
func completeKeys(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, k := range config.Keys() {
		out = append(out, k.Name+"\t"+k.Description)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// checkKey rejects unknown keys before anything is read or written.
func checkKey(name string) error {
	if _, ok := config.Lookup(name); !ok {
		return &config.UnknownKeyError{Name: name}
	}
	return nil
}
