package auth

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
)

// TokenOptions are the inputs of `lcwh auth token`.
type TokenOptions struct {
	IO               *iostreams.IOStreams
	CredentialSource func() (*auth.Resolved, error)
}

// NewCmdToken builds `lcwh auth token`.
func NewCmdToken(f *cmdutil.Factory, runF func(*TokenOptions) error) *cobra.Command {
	opts := &TokenOptions{IO: f.IOStreams, CredentialSource: f.CredentialSource}
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print the access token lcwh uses",
		Long: `Print the raw access token of the current login on stdout, refreshing an
expired OAuth token first. For a Personal Access Token it prints
ACCOUNT_ID:TOKEN, the form LCWH_PAT takes. This is the only command that prints
a token: keep its output out of logs.`,
		Example: `$ curl -H "Authorization: Bearer $(lcwh auth token)" https://api.livechatinc.com/v3.6/configuration/action/list_webhooks
$ export LCWH_PAT="$(lcwh auth token --profile pat)"`,
		Args: cmdutil.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return tokenRun(opts)
		},
	}
	return cmd
}

func tokenRun(opts *TokenOptions) error {
	r, err := opts.CredentialSource()
	if err != nil {
		return authError(err)
	}
	tok, err := r.AccessToken()
	if err != nil {
		return authError(err)
	}
	_, err = fmt.Fprintln(opts.IO.Out, tok)
	return err
}
