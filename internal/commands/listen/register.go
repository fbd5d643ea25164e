package listen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/lcwh/lcwh/internal/termtext"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/lease"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/ngrok"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/webhooks"
)

// DefaultLeaseTTL is how long a --register lease lasts when its run never
// cleans up and its host cannot tell whether the process is gone (another
// machine): long enough for a working day, short enough that leftovers
// free their slots by the next one.
const DefaultLeaseTTL = 12 * time.Hour

// cleanupTimeout bounds unregistering at exit (the client retries).
const cleanupTimeout = 30 * time.Second

// RegisterOptions are the inputs of `listen --register`.
type RegisterOptions struct {
	APIClient func() (*livechat.Client, error)
	// HTTPClient asks the ngrok agent API (--public-url auto).
	HTTPClient *http.Client
	Hostname   func() (string, error)
	PID        int
	Alive      func(pid int) bool

	Registration webhooks.Registration
	PublicURL    string // an http(s) URL, or "auto"
	NgrokAPI     string
	Type         string
	ClientID     string
	LeaseTTL     time.Duration
	// Secret is generated for this run; the listener verifies it.
	Secret string
}

type registered struct{ id, action string }

// session is one run's registrations and what it must undo at exit.
type session struct {
	ro        *RegisterOptions
	w         io.Writer
	st        render.Styles
	client    *livechat.Client
	owner     string
	host      string
	lease     lease.Lease
	hooks     []registered
	reEnabled bool // license webhooks were disabled and this run enabled them
	now       func() time.Time
}

// publicURL resolves --public-url: as given, or the ngrok tunnel to port.
func (ro *RegisterOptions) publicURL(ctx context.Context, port int, path string) (string, error) {
	if ro.PublicURL != "auto" {
		return ro.PublicURL, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tunnels, err := ngrok.Tunnels(ctx, ro.HTTPClient, ro.NgrokAPI)
	if errors.Is(err, ngrok.ErrNoAgent) {
		return "", cmdutil.WithHint(fmt.Errorf("--public-url auto: %w", err),
			fmt.Sprintf("Start one with \"ngrok http %d\" in another terminal, or pass --public-url with your tunnel's URL.", port))
	}
	if err != nil {
		return "", fmt.Errorf("--public-url auto: %w", err)
	}
	t, ok := ngrok.ForPort(tunnels, port)
	if !ok {
		var have []string
		for _, t := range tunnels {
			have = append(have, fmt.Sprintf("%s → %s", t.PublicURL, t.Config.Addr))
		}
		list := "none"
		if len(have) > 0 {
			list = strings.Join(have, ", ")
		}
		return "", cmdutil.WithHint(fmt.Errorf("--public-url auto: no https ngrok tunnel points at port %d (tunnels: %s)", port, list),
			fmt.Sprintf("Start one with \"ngrok http %d\", or pass --public-url with your tunnel's URL.", port))
	}
	return strings.TrimRight(t.PublicURL, "/") + path, nil
}

// start enables license webhooks if needed and registers every action.
// On error what was done is kept in s for stop to undo.
func (s *session) start(ctx context.Context, url string, now time.Time) error {
	ro := s.ro
	var err error
	if s.client, err = ro.APIClient(); err != nil {
		return err
	}
	if s.owner, err = webhooks.Owner(ro.ClientID, s.client); err != nil {
		return err
	}
	if s.host, err = ro.Hostname(); err != nil {
		return fmt.Errorf("listen --register: %w: %w", lease.ErrNoHost, err)
	}
	s.lease = lease.New(s.host, ro.PID, now, ro.LeaseTTL)
	// A call that changes something runs to its end even when ctx is
	// cancelled: cut short, its webhook could exist with an id we never
	// read. Cancellation is checked between calls instead.
	call, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if ro.Type == livechat.TypeLicense {
		if err := s.ensureEnabled(call); err != nil {
			return err
		}
	}
	for _, n := range ro.Registration.Actions {
		if err := ctx.Err(); err != nil {
			return err
		}
		id, err := s.client.RegisterWebhook(call, livechat.RegisterRequest{
			Action: n.Action, SecretKey: ro.Secret, URL: url, OwnerClientID: s.owner, Type: ro.Type,
			Description: s.lease.Description(), AdditionalData: ro.Registration.AdditionalData, Filters: ro.Registration.Filters,
		})
		if err != nil {
			return s.explainRegister(call, n.Action, err)
		}
		s.hooks = append(s.hooks, registered{id, n.Action})
		fmt.Fprintf(s.w, "%s Registered %s webhook %s → %s\n", s.st.Success.Render("✓"), s.st.Action.Render(n.Action), termtext.Line(id), termtext.URL(url))
	}
	fmt.Fprintf(s.w, "  lease %s until %s (%q); removed when listen stops\n",
		s.lease.ID, s.lease.Until.Format(time.RFC3339), s.lease.Description())
	fmt.Fprintf(s.w, "  verifying secret_key with a secret generated for this run\n")
	return nil
}

// ensureEnabled turns license webhooks on for this run when they are off.
func (s *session) ensureEnabled(ctx context.Context) error {
	on, err := s.client.LicenseWebhooksState(ctx, s.owner)
	if err != nil {
		return fmt.Errorf("listen --register: %w", err)
	}
	if on {
		return nil
	}
	if err := s.client.EnableLicenseWebhooks(ctx, s.owner); err != nil {
		return fmt.Errorf("listen --register: license webhooks are disabled and enabling them failed: %w", err)
	}
	s.reEnabled = true
	fmt.Fprintf(s.w, "%s Enabled license webhooks of client %s for this run (they were disabled; disabled again at exit)\n",
		s.st.Warn.Render("!"), s.owner)
	return nil
}

// explainRegister adds to a limit_reached error how many of the action's
// slots are held by stale leases.
func (s *session) explainRegister(ctx context.Context, action string, err error) error {
	if !errors.Is(err, livechat.ErrLimitReached) {
		return err
	}
	hooks, lerr := s.client.ListWebhooks(ctx, s.owner)
	if lerr != nil {
		return err
	}
	stale := 0
	for _, h := range hooks {
		if l, ok := lease.Parse(h.Description); ok && h.Action == action {
			if gone, _ := l.Stale(s.host, s.now(), s.ro.Alive); gone {
				stale++
			}
		}
	}
	if stale == 0 {
		return err
	}
	return cmdutil.WithHint(fmt.Errorf("%w: %d of the %s webhooks are stale leases of ended \"lcwh listen --register\" runs", err, stale, action),
		"Remove them with \"lcwh unregister --stale --yes\", then start listen again.")
}

// stop unregisters what start registered and restores the license state.
// It reports each step; the error names what is left and how to remove it.
func (s *session) stop(ctx context.Context) error {
	var left []string
	var firstErr error
	for _, h := range s.hooks {
		if err := s.client.UnregisterWebhook(ctx, h.id, s.owner); err != nil && !errors.Is(err, livechat.ErrNotFound) {
			left = append(left, h.id)
			if firstErr == nil {
				firstErr = err
			}
			fmt.Fprintf(s.w, "%s could not unregister %s webhook %s: %v\n", s.st.StatusFail.Render("✗"), h.action, h.id, err)
			continue
		}
		fmt.Fprintf(s.w, "%s Unregistered %s webhook %s\n", s.st.Success.Render("✓"), s.st.Action.Render(h.action), h.id)
	}
	stateErr := s.restoreState(ctx)
	if len(left) == 0 {
		return stateErr
	}
	hint := fmt.Sprintf("Remove them with:\n  lcwh unregister --client-id %s --yes %s\nor, once this run has exited, with:\n  lcwh unregister --stale --yes",
		s.owner, strings.Join(left, " "))
	if stateErr != nil {
		hint += "\n" + cmdutil.HintOf(stateErr)
	}
	return cmdutil.WithHint(fmt.Errorf("%d webhook(s) registered by this run are still registered (%s): %w",
		len(left), strings.Join(left, ", "), firstErr), hint)
}

func (s *session) restoreState(ctx context.Context) error {
	if !s.reEnabled {
		return nil
	}
	if err := s.client.DisableLicenseWebhooks(ctx, s.owner); err != nil {
		fmt.Fprintf(s.w, "%s could not disable license webhooks of client %s again: %v\n", s.st.StatusFail.Render("✗"), s.owner, err)
		return cmdutil.WithHint(fmt.Errorf("license webhooks of client %s were left enabled: %w", s.owner, err),
			fmt.Sprintf("Restore them with \"lcwh disable --client-id %s\".", s.owner))
	}
	fmt.Fprintf(s.w, "%s Disabled license webhooks of client %s again\n", s.st.Success.Render("✓"), s.owner)
	return nil
}

// watch cancels the returned context when a signal arrives (or parent is
// done); got reports that signal once stop has been called.
func watch(parent context.Context, sigs <-chan os.Signal) (ctx context.Context, stop func() os.Signal) {
	ctx, cancel := context.WithCancel(parent)
	quit := make(chan struct{})
	got := make(chan os.Signal, 1)
	go func() {
		defer close(got)
		select {
		case sig := <-sigs:
			got <- sig
			cancel()
		case <-quit:
		}
	}()
	return ctx, func() os.Signal {
		close(quit)
		sig := <-got
		cancel()
		return sig
	}
}

// cleanup runs stop with a timeout; one more signal abandons it.
func (s *session) cleanup(sigs <-chan os.Signal) error {
	if s == nil || s.client == nil {
		return nil
	}
	base, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	ctx, done := watch(base, sigs)
	err := s.stop(ctx)
	done()
	return err
}

// combine returns the run's error with the cleanup's: the run's exit code
// wins when it has one (130 after a second Ctrl-C), else the cleanup's.
func combine(runErr, cleanupErr error) error {
	switch {
	case cleanupErr == nil:
		return runErr
	case runErr == nil:
		return cleanupErr
	}
	return &cmdutil.ExitError{Code: cmdutil.ExitCodeOf(runErr), Err: fmt.Errorf("%w; %w", runErr, cleanupErr), Hint: cmdutil.HintOf(cleanupErr)}
}
