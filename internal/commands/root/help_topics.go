package root

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/config"
)

// extraEnv documents variables that are not configuration keys.
var extraEnv = [][2]string{
	{"LCWH_CONFIG", "Path of the config file (same as --config)."},
	{"LCWH_PROFILE", "Profile to use from the config file (same as --profile)."},
	{"LCWH_PAT", "Personal Access Token as ACCOUNT_ID:TOKEN; wins over any stored login."},
	{"LCWH_CLIENT_SECRET", "Client secret of a server-side OAuth app, for lcwh auth login."},
	{"BROWSER", "Command lcwh auth login runs to open the login URL."},
	{"NO_COLOR", "Any non-empty value turns colour off (https://no-color.org)."},
	{"CLICOLOR_FORCE", "Any value but 0 forces colour even when output is not a terminal."},
	{"XDG_CONFIG_HOME", "Base directory of the config file (default ~/.config)."},
}

func newHelpTopics() []*cobra.Command {
	return []*cobra.Command{
		{
			Use:   "environment",
			Short: "Environment variables lcwh reads",
			Long:  environmentHelp(),
		},
		{
			Use:   "exit-codes",
			Short: "Exit codes and what they mean",
			Long: `lcwh exits with:

  0    success (also listen stopped with Ctrl-C after draining its queue)
  1    failure: a request, delivery, file or server answer went wrong
  2    usage: unknown command or flag, bad argument, unknown config key
  4    authentication missing or rejected: run "lcwh auth login", or set LCWH_PAT
  130  interrupted (Ctrl-C before the work could finish cleanly)

Errors print on stderr as "error: <what went wrong>" followed by how to fix it.`,
		},
	}
}

// EnvironmentHelp lists every LCWH_* variable; docs are generated from it.
func environmentHelp() string {
	var b strings.Builder
	b.WriteString("Settings resolve in this order: command-line flag, LCWH_<KEY> environment\n")
	b.WriteString("variable, config file (the --profile section, then the top level), default.\n\n")
	b.WriteString("Configuration keys and their variables:\n\n")
	for _, k := range config.Keys() {
		def := k.Default
		if def == "" {
			def = "none"
		}
		fmt.Fprintf(&b, "  %-22s %s (default: %s)\n", k.Env(), k.Description, def)
	}
	b.WriteString("\nOther variables:\n\n")
	for _, e := range extraEnv {
		fmt.Fprintf(&b, "  %-22s %s\n", e[0], e[1])
	}
	return strings.TrimRight(b.String(), "\n")
}
