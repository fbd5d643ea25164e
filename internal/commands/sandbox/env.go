package sandbox

import (
	"context"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechatfake"
)

// EnvOptions are the inputs of `lcwh sandbox env`.
type EnvOptions struct {
	IO         *iostreams.IOStreams
	HTTPClient *http.Client

	SandboxURL string
	JSON       bool
}

// NewCmdEnv builds `lcwh sandbox env`.
func NewCmdEnv(f *cmdutil.Factory, runF func(*EnvOptions) error) *cobra.Command {
	opts := &EnvOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Print the export lines that point lcwh at a running sandbox",
		Long: `Ask a running sandbox how to reach it and print the same export lines it
printed at start (LCWH_API_URL, LCWH_ACCOUNTS_URL, LCWH_PAT, LCWH_CLIENT_ID,
LCWH_SANDBOX_URL), for eval in another shell. Exit 1 when no sandbox answers.`,
		Example: `$ eval "$(lcwh sandbox env)"
$ lcwh sandbox env --sandbox http://127.0.0.1:9999 --json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, err := resolveSandboxURL(f, cmd)
			if err != nil {
				return err
			}
			opts.SandboxURL = u
			if opts.HTTPClient == nil {
				opts.HTTPClient = controlHTTPClient(f, 0)
			}
			if runF != nil {
				return runF(opts)
			}
			return envRun(cmd.Context(), opts)
		},
	}
	addSandboxFlag(cmd)
	cmdutil.AddJSONFlag(cmd, &opts.JSON, "ok, webhooks, "+jsonFields)
	return cmd
}

func envRun(ctx context.Context, opts *EnvOptions) error {
	var h livechatfake.Health
	if err := (controlClient{base: opts.SandboxURL, http: opts.HTTPClient}).call(ctx, http.MethodGet, "health", nil, &h); err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, h)
	}
	_, err := fmt.Fprint(opts.IO.Out, h.Exports())
	return err
}
