package configcmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

// UnsetOptions are the inputs of `lcwh config unset`.
type UnsetOptions struct {
	IO      *iostreams.IOStreams
	Path    string
	Profile string
	Key     string
}

func newCmdUnset(f *cmdutil.Factory, runF func(*UnsetOptions) error) *cobra.Command {
	opts := &UnsetOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "unset KEY",
		Short: "Remove a setting from the config file",
		Long: `Remove a setting from the config file (from the --profile section when one is
given), so it falls back to the next source: environment, top level, default.`,
		Example:           "$ lcwh config unset listen_port\n$ lcwh config unset --profile sandbox api_url",
		Args:              cmdutil.ExactArgs(1, "one KEY"),
		ValidArgsFunction: completeKeys,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Key = args[0]
			var err error
			if opts.Path, opts.Profile, err = fileTarget(f, opts.Key); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return unsetRun(opts)
		},
	}
}

func unsetRun(opts *UnsetOptions) error {
	if err := config.Unset(opts.Path, opts.Profile, opts.Key); err != nil {
		return err
	}
	st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	_, err := fmt.Fprintf(opts.IO.ErrOut, "%s Unset %s in %s\n", st.Success.Render("✓"), opts.Key, opts.Path)
	return err
}
