// Package root assembles the lcwh command tree: persistent flags, command
// groups, help topics and the --version template.
package root

import (
	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	authcmd "github.com/lcwh/lcwh/internal/commands/auth"
	checkcmd "github.com/lcwh/lcwh/internal/commands/check"
	"github.com/lcwh/lcwh/internal/commands/completion"
	"github.com/lcwh/lcwh/internal/commands/configcmd"
	"github.com/lcwh/lcwh/internal/commands/demo"
	"github.com/lcwh/lcwh/internal/commands/doctor"
	"github.com/lcwh/lcwh/internal/commands/inspect"
	"github.com/lcwh/lcwh/internal/commands/listen"
	"github.com/lcwh/lcwh/internal/commands/replay"
	"github.com/lcwh/lcwh/internal/commands/samples"
	"github.com/lcwh/lcwh/internal/commands/sandbox"
	"github.com/lcwh/lcwh/internal/commands/sendsample"
	"github.com/lcwh/lcwh/internal/commands/version"
	"github.com/lcwh/lcwh/internal/commands/webhook"
)

// Command group ids.
const (
	GroupWebhooks = "webhooks"
	GroupLocal    = "local"
	GroupAuth     = "auth"
	GroupConfig   = "config"
)

// NewCmdRoot builds the whole command tree around f.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	var noColor bool
	cmd := &cobra.Command{
		Use:   "lcwh",
		Short: "Build, test and manage LiveChat webhooks from your terminal",
		Long: `lcwh is the command-line companion for developers who wire LiveChat webhooks
into their own services. It fires realistic samples of every webhook kind,
receives and verifies webhooks locally, and manages Configuration API
webhooks for your LiveChat app.`,
		Example: `$ lcwh demo
$ lcwh listen --secret my-secret --save events.jsonl
$ lcwh send-sample --all --secret my-secret
$ lcwh register --action incoming_chat --url https://example.com/hooks --generate-secret
$ lcwh help environment`,
		Version:       f.Build.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cmdutil.UnknownCommandError(cmd, args[0])
			}
			return nil
		},
		RunE: cmdutil.ShowHelp,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if noColor {
				f.IOStreams.SetColorDisabled(true)
			}
			return validateFlags(cmd)
		},
	}
	cmd.SetVersionTemplate(version.Format(f.Build))
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.UsageHint(err, "Run '"+c.CommandPath()+" --help' for usage.")
	})

	pf := cmd.PersistentFlags()
	pf.StringVar(&f.ConfigOptions.Path, "config", "", "Config file (default $XDG_CONFIG_HOME/lcwh/config.yaml; env LCWH_CONFIG)")
	pf.StringVar(&f.ConfigOptions.Profile, "profile", "", "Configuration profile to use (env LCWH_PROFILE)")
	pf.BoolVar(&noColor, "no-color", false, "Disable colour and styling (also NO_COLOR)")
	// Declared here so cobra does not add its -v shorthand, which listen's -v needs.
	cmd.Flags().Bool("version", false, "Print the lcwh version")
	pf.BoolVar(f.Debug, "debug", false, "Log HTTP requests and responses on stderr, secrets redacted")
	_ = cmd.RegisterFlagCompletionFunc("profile", completeProfiles(f))

	addCommands(cmd, f)
	return cmd
}

// addCommands adds every command to root in its help group, and the help topics.
func addCommands(cmd *cobra.Command, f *cmdutil.Factory) {
	byGroup := map[string][]*cobra.Command{}
	add := func(group string, cmds ...*cobra.Command) { byGroup[group] = append(byGroup[group], cmds...) }
	add(GroupLocal, samples.NewCmdSamples(f), sendsample.NewCmdSendSample(f, nil))
	add(GroupLocal, checkcmd.NewCmdCheck(f, nil))
	add(GroupLocal, sandbox.NewCmdSandbox(f, nil))
	add(GroupLocal, listen.NewCmdListen(f, nil), inspect.NewCmdInspect(f, nil),
		replay.NewCmdReplay(f, nil), demo.NewCmdDemo(f, nil))
	add(GroupWebhooks,
		webhook.NewCmdRegister(f, nil), webhook.NewCmdList(f, nil), webhook.NewCmdUnregister(f, nil),
		webhook.NewCmdNames(f, nil), webhook.NewCmdEnable(f, nil), webhook.NewCmdDisable(f, nil),
		webhook.NewCmdState(f, nil), doctor.NewCmdDoctor(f, nil))
	add(GroupAuth, authcmd.NewCmdAuth(f))
	add(GroupConfig,
		configcmd.NewCmdConfig(f),
		version.NewCmdVersion(f, nil),
		completion.NewCmdCompletion(f),
	)
	// Only groups that hold a command are shown, always in this order.
	for _, g := range []struct{ id, title string }{
		{GroupWebhooks, "Webhooks:"}, {GroupLocal, "Local development:"},
		{GroupAuth, "Authentication:"}, {GroupConfig, "Configuration:"},
	} {
		if len(byGroup[g.id]) == 0 {
			continue
		}
		cmd.AddGroup(&cobra.Group{ID: g.id, Title: g.title})
		for _, c := range byGroup[g.id] {
			c.GroupID = g.id
			cmd.AddCommand(c)
		}
	}
	cmd.SetHelpCommandGroupID(GroupConfig)
	cmd.SetCompletionCommandGroupID(GroupConfig)
	cmd.AddCommand(newHelpTopics()...)
}

// validateFlags runs cobra's checks of required flags and flag groups
// (MarkFlagRequired, MarkFlagsMutuallyExclusive, …) before cobra does, so
// that their errors are usage errors: exit 2 and the --help hint. Cobra
// runs the same checks after this hook and returns plain errors (exit 1).
func validateFlags(cmd *cobra.Command) error {
	if err := cmd.ValidateRequiredFlags(); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	if err := cmd.ValidateFlagGroups(); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	return nil
}

func completeProfiles(f *cmdutil.Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return cfg.Profiles(), cobra.ShellCompDirectiveNoFileComp
	}
}
