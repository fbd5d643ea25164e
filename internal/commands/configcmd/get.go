package configcmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
)

// GetOptions are the inputs of `lcwh config get`.
type GetOptions struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)
	Key    string
}

func newCmdGet(f *cmdutil.Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Config: f.Config}
	return &cobra.Command{
		Use:   "get KEY",
		Short: "Print the resolved value of a setting",
		Long: `Print the value a setting resolves to right now: from its flag, its LCWH_<KEY>
environment variable, the config file or the default. Use "lcwh config list"
to see where each value comes from.`,
		Example:           "$ lcwh config get api_url\n$ LCWH_API_URL=http://127.0.0.1:8765 lcwh config get api_url",
		Args:              cmdutil.ExactArgs(1, "one KEY"),
		ValidArgsFunction: completeKeys,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Key = args[0]
			if err := checkKey(opts.Key); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return getRun(opts)
		},
	}
}

func getRun(opts *GetOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(opts.IO.Out, cfg.Get(opts.Key))
	return err
}
