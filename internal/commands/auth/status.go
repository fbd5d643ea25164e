package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/oauth"
	"github.com/lcwh/lcwh/internal/render"
)

// StatusOptions are the inputs of `lcwh auth status`.
type StatusOptions struct {
	IO               *iostreams.IOStreams
	Config           func() (*config.Config, error)
	CredentialSource func() (*auth.Resolved, error)
	Now              func() time.Time

	JSON bool
}

// statusJSON is the --json output; tokens are never part of it.
type statusJSON struct {
	Profile       string     `json:"profile"`
	Method        string     `json:"method"`
	Store         string     `json:"store"`
	AccountID     string     `json:"account_id"`
	ClientID      string     `json:"client_id"`
	ExpiresAt     *time.Time `json:"expires_at"`
	Scopes        []string   `json:"scopes"`
	MissingScopes []string   `json:"missing_scopes"`
}

// NewCmdStatus builds `lcwh auth status`.
func NewCmdStatus(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IOStreams, Config: f.Config, CredentialSource: f.CredentialSource, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show which LiveChat login lcwh uses",
		Long: `Show the credential lcwh uses for the --profile: its method (pat or oauth),
account, client id, where it is stored, when its access token expires and its
scopes, with a warning naming any scope the webhook commands need
(webhooks.configuration:rw, webhooks.state:rw) that the token lacks. Personal
Access Tokens do not report their scopes. Tokens are never printed.`,
		Example: `$ lcwh auth status
$ lcwh auth status --profile staging --json`,
		Args: cmdutil.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return statusRun(opts)
		},
	}
	cmdutil.AddJSONFlag(cmd, &opts.JSON, "profile, method, store, account_id, client_id, expires_at, scopes, missing_scopes")
	return cmd
}

func statusRun(opts *StatusOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	r, err := opts.CredentialSource()
	if err != nil {
		return authError(err)
	}
	out := newStatusJSON(cfg.Profile(), r)
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, out)
	}
	printStatus(opts, r.Method, out)
	return nil
}

// newStatusJSON is the --json object of a resolved credential; lists are
// never null.
func newStatusJSON(profile string, r *auth.Resolved) statusJSON {
	rec := r.Record
	out := statusJSON{
		Profile:   profileName(profile),
		Method:    string(r.Method),
		Store:     r.Source,
		AccountID: rec.AccountID,
		ClientID:  rec.ClientID,
		Scopes:    rec.Scopes,
	}
	if !rec.Expiry.IsZero() {
		e := rec.Expiry.UTC()
		out.ExpiresAt = &e
	}
	if r.Method == auth.MethodOAuth {
		out.MissingScopes = oauth.MissingScopes(rec.Scopes, oauth.RequiredScopes)
	}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	if out.MissingScopes == nil {
		out.MissingScopes = []string{}
	}
	return out
}

// printStatus is the login for people: rows on stdout, missing scopes
// warned on stderr.
func printStatus(opts *StatusOptions, method auth.Method, out statusJSON) {
	st := render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled())
	w := opts.IO.Out
	row := func(k, v string) { fmt.Fprintf(w, "  %-11s %s\n", k+":", v) }
	fmt.Fprintf(w, "Logged in to LiveChat (profile %s)\n", out.Profile)
	row("Method", map[auth.Method]string{auth.MethodPAT: "Personal Access Token (pat)", auth.MethodOAuth: "OAuth (oauth)"}[method])
	row("Account", orDash(out.AccountID))
	if method == auth.MethodOAuth {
		row("Client ID", orDash(out.ClientID))
	}
	row("Store", out.Store)
	if out.ExpiresAt != nil {
		now := opts.Now()
		when := out.ExpiresAt.Format(time.RFC3339)
		if d := out.ExpiresAt.Sub(now); d > 0 {
			when += " (in " + d.Round(time.Minute).String() + ")"
		} else {
			when += " (expired; refreshed on next use)"
		}
		row("Expires", when)
	}
	switch {
	case len(out.Scopes) > 0:
		row("Scopes", strings.Join(out.Scopes, ", "))
	case method == auth.MethodPAT:
		row("Scopes", st.Muted.Render("not reported for Personal Access Tokens"))
	default:
		row("Scopes", "-")
	}
	if len(out.MissingScopes) > 0 {
		es := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
		fmt.Fprintf(opts.IO.ErrOut, "%s Missing scopes the webhook commands need: %s\n", es.Warn.Render("!"), strings.Join(out.MissingScopes, ", "))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
