package webhook

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/lease"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/termtext"
)

// UnregisterOptions are the inputs of `lcwh unregister`.
type UnregisterOptions struct {
	IO        *iostreams.IOStreams
	APIClient func() (*livechat.Client, error)

	// Now, Hostname and Alive decide which leases are stale (--stale).
	Now      func() time.Time
	Hostname func() (string, error)
	Alive    func(pid int) bool

	IDs      []string
	Action   string
	URL      string
	All      bool
	Stale    bool
	Yes      bool
	ClientID string
	JSON     bool
}

type unregisterResult struct {
	ID      string `json:"id"`
	Action  string `json:"action,omitempty"`
	URL     string `json:"url,omitempty"`
	Removed bool   `json:"removed"`
	Error   string `json:"error,omitempty"`
}

// NewCmdUnregister builds `lcwh unregister`.
func NewCmdUnregister(f *cmdutil.Factory, runF func(*UnregisterOptions) error) *cobra.Command {
	opts := &UnregisterOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now, Hostname: os.Hostname, Alive: lease.Alive}
	cmd := &cobra.Command{
		Use:   "unregister (ID… | --action A | --url URL | --stale | --all)",
		Short: "Remove registered webhooks of your app",
		Long: `Remove webhooks of your app's Client ID (unregister_webhook): the ones named
by id, every webhook of an action, every webhook pointing at a URL, the
stale ones left by "lcwh listen --register" runs that ended without cleaning
up (their lease expired or their process is gone), or all.
lcwh first lists what it will remove and asks for confirmation on a terminal;
without a terminal pass --yes. Each removal is reported; the exit status is 1
if any failed.`,
		Example: `$ lcwh unregister pqi8oasdjahuakndw9nsad9na
$ lcwh unregister --action incoming_chat
$ lcwh unregister --stale --yes
$ lcwh unregister --all --yes`,
		Args: func(_ *cobra.Command, args []string) error {
			modes := 0
			for _, on := range []bool{len(args) > 0, opts.Action != "", opts.URL != "", opts.All, opts.Stale} {
				if on {
					modes++
				}
			}
			if modes != 1 {
				return cmdutil.FlagErrorf("name what to remove: webhook IDs, --action, --url, --stale or --all (exactly one)")
			}
			return nil
		},
		ValidArgsFunction: completeWebhookIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			if err := resolveClientID(f, cmd, &opts.ClientID); err != nil {
				return err
			}
			if !opts.Yes && !opts.IO.CanPrompt() {
				return cmdutil.FlagErrorf("--yes is required to unregister webhooks when not running interactively")
			}
			if runF != nil {
				return runF(opts)
			}
			return unregisterRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Action, "action", "", "Remove every webhook of this action")
	fl.StringVar(&opts.URL, "url", "", "Remove every webhook sending to this URL")
	fl.BoolVar(&opts.All, "all", false, "Remove every webhook of the client")
	fl.BoolVar(&opts.Stale, "stale", false, "Remove webhooks of \"lcwh listen --register\" runs that are gone")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Do not ask for confirmation")
	_ = cmd.RegisterFlagCompletionFunc("action", completeActions(f))
	addClientIDFlag(cmd)
	cmdutil.AddJSONFlag(cmd, &opts.JSON, "id, action, url (userinfo redacted), removed, error")
	return cmd
}

func unregisterRun(ctx context.Context, opts *UnregisterOptions) error {
	client, owner, hooks, err := ownedWebhooks(ctx, opts.APIClient, opts.ClientID)
	if err != nil {
		return err
	}
	st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	host := ""
	if opts.Stale {
		if host, err = opts.Hostname(); err != nil {
			return fmt.Errorf("unregister --stale: %w: %w", lease.ErrNoHost, err)
		}
	}
	targets, missing := selectTargets(opts, hooks, host)
	var results []unregisterResult
	for _, id := range missing {
		fmt.Fprintf(opts.IO.ErrOut, "%s %s: no such webhook for client %s\n", st.StatusFail.Render("✗"), termtext.Line(id), termtext.Line(owner))
		results = append(results, unregisterResult{ID: id, Error: "not found"})
	}
	if len(targets) == 0 {
		if len(missing) == 0 {
			fmt.Fprintf(opts.IO.ErrOut, "nothing to unregister for client %s\n", termtext.Line(owner))
		}
		return finishUnregister(opts, results, len(missing))
	}
	if !opts.Yes {
		if err := confirmRemoval(opts, st, owner, targets); err != nil {
			return err
		}
	}
	done, failed, lastErr, err := removeAll(ctx, opts, st, client, owner, targets)
	if err != nil {
		return err
	}
	results = append(results, done...)
	failed += len(missing)
	if failed == 1 && lastErr != nil && len(results) == 1 {
		// One webhook, one failure: show the API's own error and hint.
		if err := writeUnregistered(opts, results); err != nil {
			return err
		}
		return lastErr
	}
	return finishUnregister(opts, results, failed)
}

// removeAll unregisters the targets one by one, each reported on stderr,
// and counts the failures. A rejected credential stops it (stop): every
// later call would fail the same way.
func removeAll(ctx context.Context, opts *UnregisterOptions, st render.Styles, client *livechat.Client, owner string,
	targets []unregisterResult) (done []unregisterResult, failed int, lastErr, stop error) {
	for _, t := range targets {
		err := client.UnregisterWebhook(ctx, t.ID, owner)
		if err != nil {
			failed++
			lastErr = err
			t.Error = err.Error()
			fmt.Fprintf(opts.IO.ErrOut, "%s %s: %s\n", st.StatusFail.Render("✗"), termtext.Line(t.ID), termtext.Line(err.Error()))
		} else {
			t.Removed = true
			fmt.Fprintf(opts.IO.ErrOut, "%s Unregistered %s webhook %s\n", st.Success.Render("✓"), st.Action.Render(termtext.Line(t.Action)), termtext.Line(t.ID))
		}
		done = append(done, t)
		if errors.Is(err, livechat.ErrAuthentication) {
			return done, failed, lastErr, err
		}
	}
	return done, failed, lastErr, nil
}

// confirmRemoval lists targets on stderr and asks; no means ErrCancel.
func confirmRemoval(opts *UnregisterOptions, st render.Styles, owner string, targets []unregisterResult) error {
	fmt.Fprintf(opts.IO.ErrOut, "These webhooks of client %s will be removed:\n", termtext.Line(owner))
	for _, t := range targets {
		fmt.Fprintf(opts.IO.ErrOut, "  %s  %s  %s\n", termtext.Line(t.ID), st.Action.Render(termtext.Line(t.Action)), termtext.URL(t.URL))
	}
	ok, err := confirm(opts.IO.In, opts.IO.ErrOut, fmt.Sprintf("Remove %d webhook(s)?", len(targets)))
	if err != nil {
		return err
	}
	if !ok {
		return cmdutil.ErrCancel
	}
	return nil
}

// selectTargets picks the webhooks opts names; ids not registered are missing.
func selectTargets(opts *UnregisterOptions, hooks []livechat.Webhook, host string) (targets []unregisterResult, missing []string) {
	stale := func(h livechat.Webhook) bool {
		l, ok := lease.Parse(h.Description)
		if !ok {
			return false
		}
		s, _ := l.Stale(host, opts.Now(), opts.Alive)
		return s
	}
	if len(opts.IDs) == 0 {
		for _, h := range hooks {
			if opts.All || (opts.Action != "" && h.Action == opts.Action) || (opts.URL != "" && h.URL == opts.URL) || (opts.Stale && stale(h)) {
				targets = append(targets, unregisterResult{ID: h.ID, Action: h.Action, URL: termtext.RedactURL(h.URL)})
			}
		}
		return targets, nil
	}
	byID := map[string]livechat.Webhook{}
	for _, h := range hooks {
		byID[h.ID] = h
	}
	seen := map[string]bool{}
	for _, id := range opts.IDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		if h, ok := byID[id]; ok {
			targets = append(targets, unregisterResult{ID: h.ID, Action: h.Action, URL: termtext.RedactURL(h.URL)})
		} else {
			missing = append(missing, id)
		}
	}
	return targets, missing
}

func writeUnregistered(opts *UnregisterOptions, results []unregisterResult) error {
	if opts.JSON {
		if results == nil {
			results = []unregisterResult{}
		}
		return cmdutil.WriteJSON(opts.IO.Out, results)
	}
	for _, r := range results {
		if r.Removed {
			fmt.Fprintln(opts.IO.Out, termtext.Line(r.ID))
		}
	}
	return nil
}

func finishUnregister(opts *UnregisterOptions, results []unregisterResult, failed int) error {
	if err := writeUnregistered(opts, results); err != nil {
		return err
	}
	if failed > 0 {
		return cmdutil.WithHint(fmt.Errorf("unregister: %d of %d webhooks could not be removed", failed, len(results)),
			`See "lcwh list" for what is registered now.`)
	}
	return nil
}
