// Package auth implements `lcwh auth` and its subcommands: login (Personal
// Access Token or OAuth in the browser), status, logout and token.
package auth

import (
	"errors"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/oauth"
)

// NewCmdAuth builds `lcwh auth`.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "Log in to LiveChat and manage the stored login",
		Long: `Log in to LiveChat with a Personal Access Token or with OAuth in the browser,
show the login, print its token, or log out. Logins are kept per --profile in the
OS keychain, or in a 0600 credentials.json next to the config when there is no
keychain or credential_store is "file". LCWH_PAT=ACCOUNT_ID:TOKEN in the
environment overrides any stored login.`,
		Example: `$ echo "$ACCOUNT_ID:$PAT" | lcwh auth login --with-pat
$ lcwh auth login --client-id 0123456789abcdef
$ lcwh auth status`,
		Args: cmdutil.SubcommandRequired,
		RunE: cmdutil.ShowHelp,
	}
	cmd.AddCommand(
		NewCmdLogin(f, nil),
		NewCmdStatus(f, nil),
		NewCmdLogout(f, nil),
		NewCmdToken(f, nil),
	)
	return cmd
}

// reloginHint is what to do about an expired, revoked or rejected login.
const reloginHint = `Run "lcwh auth login" again, or set LCWH_PAT.`

// authError gives credential problems exit code 4 and a hint.
func authError(err error) error {
	switch {
	case errors.Is(err, auth.ErrNoCredential):
		return cmdutil.AuthError(err, auth.NoCredentialHint)
	case errors.Is(err, oauth.ErrLoginExpired), errors.Is(err, auth.ErrRejected):
		return cmdutil.AuthError(err, reloginHint)
	}
	return err
}

// accountsClient is the client for the accounts server: from
// internal/httpclient like every other, so --debug logs it (redacted).
// Call it when the command runs, after flags are parsed.
func accountsClient(f *cmdutil.Factory) *http.Client { return httpclient.New(f.HTTPOptions()) }
