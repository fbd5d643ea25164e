package configcmd

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
)

func newCmdPath(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "path",
		Short: "Print the path of the config file",
		Long: `Print the path of the config file lcwh reads and writes: --config, else
LCWH_CONFIG, else $XDG_CONFIG_HOME/lcwh/config.yaml (~/.config/lcwh/config.yaml).
The file need not exist yet; "lcwh config set" creates it. A path that is a
directory is an error (exit 1).`,
		Example: "$ lcwh config path\n$ $EDITOR \"$(lcwh config path)\"",
		Args:    cmdutil.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			p := configPath(f)
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				return &config.FileError{Path: p, Err: config.ErrIsDirectory}
			}
			if _, err := fmt.Fprintln(f.IOStreams.Out, p); err != nil {
				return err
			}
			if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) && f.IOStreams.IsStderrTTY() {
				fmt.Fprintln(f.IOStreams.ErrOut, "(does not exist yet; \"lcwh config set\" creates it)")
			}
			return nil
		},
	}
}
