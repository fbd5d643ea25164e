// Package completion implements `lcwh completion`.
package completion

import (
	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
)

// NewCmdCompletion builds `lcwh completion SHELL`.
func NewCmdCompletion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script",
		Long: `Print a completion script for your shell. Completion covers commands, flags,
sample kinds, webhook actions, config keys and profile names.

  bash:        source <(lcwh completion bash)
               (or save it to /etc/bash_completion.d/lcwh)
  zsh:         lcwh completion zsh > "${fpath[1]}/_lcwh"
  fish:        lcwh completion fish > ~/.config/fish/completions/lcwh.fish
  powershell:  lcwh completion powershell | Out-String | Invoke-Expression`,
		Example:   "$ lcwh completion bash > /etc/bash_completion.d/lcwh\n$ lcwh completion zsh > \"${fpath[1]}/_lcwh\"",
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.FlagErrorf("name one shell: bash, zsh, fish or powershell")
			}
			return cobra.OnlyValidArgs(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := f.IOStreams.Out
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			default:
				return root.GenPowerShellCompletionWithDesc(out)
			}
		},
	}
}
