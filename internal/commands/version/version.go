// Package version implements `lcwh version`.
package version

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
)

// Options are the inputs of `lcwh version`.
type Options struct {
	IO   *iostreams.IOStreams
	Info build.Info
	JSON bool
}

// NewCmdVersion builds `lcwh version`; runF replaces the run function in tests.
func NewCmdVersion(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Info: f.Build}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build of lcwh",
		Long: `Print lcwh's version, the commit it was built from, the build date, the Go
version and the platform. It never contacts the network: there is no update
check and no telemetry.`,
		Example: "$ lcwh version\n$ lcwh version --json | jq -r .version",
		Args:    cmdutil.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	cmdutil.AddJSONFlag(cmd, &opts.JSON, "version, commit, date, go_version, os, arch")
	return cmd
}

func versionRun(opts *Options) error {
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, opts.Info)
	}
	_, err := io.WriteString(opts.IO.Out, Format(opts.Info))
	return err
}

// Format is the human version text, shared with `lcwh --version`.
func Format(i build.Info) string {
	return fmt.Sprintf("lcwh version %s (commit %s, built %s)\n%s %s/%s\n",
		i.Version, i.ShortCommit(), i.Date, i.GoVersion, i.OS, i.Arch)
}
