package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/credstore"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/oauth"
	"github.com/lcwh/lcwh/internal/render"
)

// LogoutOptions are the inputs of `lcwh auth logout`.
type LogoutOptions struct {
	IO          *iostreams.IOStreams
	Config      func() (*config.Config, error)
	Credentials func() (credstore.Store, error)
	LookupEnv   func(string) (string, bool)
	HTTPClient  *http.Client
}

// NewCmdLogout builds `lcwh auth logout`.
func NewCmdLogout(f *cmdutil.Factory, runF func(*LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{IO: f.IOStreams, Config: f.Config, Credentials: f.Credentials, LookupEnv: f.LookupEnv}
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Revoke and delete the stored LiveChat login",
		Long: `Revoke the --profile's OAuth token at the accounts server (DELETE /v2/token)
and delete the stored login. A Personal Access Token is only deleted from lcwh;
revoke it in Developer Console. LCWH_PAT in the environment is not affected.`,
		Example: `$ lcwh auth logout
$ lcwh auth logout --profile staging`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.HTTPClient == nil {
				opts.HTTPClient = accountsClient(f)
			}
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(cmd.Context(), opts)
		},
	}
	return cmd
}

// notLoggedIn is the error of a logout that finds no stored login (exit
// 4, saying whether LCWH_PAT is what lcwh uses) or cannot read it.
func notLoggedIn(opts *LogoutOptions, profile string, err error) error {
	if !errors.Is(err, credstore.ErrNotFound) {
		return fmt.Errorf("read stored login: %w", err)
	}
	hint := auth.NoCredentialHint
	if v, ok := opts.LookupEnv(auth.EnvPAT); ok && v != "" {
		hint = "Only LCWH_PAT is set: unset it to stop using it."
	}
	return cmdutil.AuthError(fmt.Errorf("no stored login for profile %s", profileName(profile)), hint)
}

// revoke revokes an OAuth login at the accounts server; a PAT can only be
// revoked in Developer Console. A failed revocation is a warning: the
// login is deleted locally anyway.
func revoke(ctx context.Context, opts *LogoutOptions, cfg *config.Config, rec *credstore.Record) (bool, error) {
	if rec.Method != string(auth.MethodOAuth) {
		return false, nil
	}
	accountsURL, err := cfg.Checked("accounts_url")
	if err != nil {
		return false, err
	}
	tok := rec.RefreshToken // revokes the access and refresh token pair
	if tok == "" {
		tok = rec.AccessToken
	}
	if err := oauth.Revoke(ctx, opts.HTTPClient, accountsURL, tok); err != nil {
		st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
		fmt.Fprintf(opts.IO.ErrOut, "%s Could not revoke the token (%v); deleting it locally anyway.\n", st.Warn.Render("!"), err)
		return false, nil
	}
	return true, nil
}

func logoutRun(ctx context.Context, opts *LogoutOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	store, err := opts.Credentials()
	if err != nil {
		return err
	}
	profile := cfg.Profile()
	st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	w := opts.IO.ErrOut
	rec, err := store.Get(profile)
	if err != nil {
		return notLoggedIn(opts, profile, err)
	}
	revoked, err := revoke(ctx, opts, cfg, rec)
	if err != nil {
		return err
	}
	if err := store.Delete(profile); err != nil {
		return fmt.Errorf("delete stored login: %w", err)
	}
	who := rec.AccountID
	if who == "" {
		who = "LiveChat"
	}
	fmt.Fprintf(w, "%s Logged out of account %s (profile %s)\n", st.Success.Render("✓"), who, profileName(profile))
	switch {
	case revoked:
		fmt.Fprintln(w, "  The token was revoked at the accounts server.")
	case rec.Method == string(auth.MethodPAT):
		fmt.Fprintln(w, "  The Personal Access Token still works until you revoke it in Developer Console.")
	}
	if v, ok := opts.LookupEnv(auth.EnvPAT); ok && v != "" {
		fmt.Fprintf(w, "%s LCWH_PAT is still set in the environment and will be used.\n", st.Warn.Render("!"))
	}
	return nil
}
