package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// SubcommandRequired is the Args of a command that only groups others: it
// turns `lcwh config nosuch` into a usage error with cobra's suggestions
// instead of silently printing help.
func SubcommandRequired(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return UnknownCommandError(cmd, args[0])
}

// UnknownCommandError builds the exit-2 error for an unknown subcommand,
// with "did you mean" suggestions.
func UnknownCommandError(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return UsageHint(fmt.Errorf("%s", msg), fmt.Sprintf("Run '%s --help' for the list of commands.", cmd.CommandPath()))
}

// ShowHelp is the RunE of a grouping command run without a subcommand.
func ShowHelp(cmd *cobra.Command, _ []string) error { return cmd.Help() }

// ExactArgs is cobra.ExactArgs as a usage error that says what is expected.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return FlagErrorf("%s: expected %s, got %d argument(s)", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}

// NoArgs is cobra.NoArgs as a usage error.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return FlagErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// MinimumArgs is cobra.MinimumNArgs as a usage error that says what is expected.
func MinimumArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return FlagErrorf("%s: expected %s, got %d argument(s)", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}
