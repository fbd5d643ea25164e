// Package doctor explains why a LiveChat webhook does not arrive. It runs a
// checklist over what the Configuration API and the local machine can tell
// (the credential and its scopes, the registrations of a client id, the
// license webhooks state, the filters against a sample event, the URL, the
// secret and the API version) and returns, for each item, what it found and
// the exact command that fixes each problem.
//
// It only reads: the API it is given is the read-only API interface, so the
// engine cannot register, unregister, enable or disable anything. The one
// request it makes to something else than LiveChat or the local ngrok agent
// is the probe delivery, and only when asked (Options.Probe). It holds no
// terminal code: the command renders its Report.
package doctor

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lcwh/lcwh/internal/lease"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/webhooks"
)

// Status is the outcome of one checklist item.
type Status string

// The statuses, as --json prints them.
const (
	// OK: nothing wrong found (✓).
	OK Status = "ok"
	// Warn: works, but something deserves attention or cannot be checked (!).
	Warn Status = "warn"
	// Fail: a reason webhooks do not arrive (✗).
	Fail Status = "fail"
	// Skip: not checked, because an earlier item failed or nothing applies (-).
	Skip Status = "skip"
)

// Item ids, stable (they are --json values).
const (
	IDCredentials  = "credentials"
	IDRegistration = "registration"
	IDEnablement   = "enablement"
	IDFilters      = "filters"
	IDURL          = "url"
	IDSecret       = "secret"
	IDVersion      = "version"
)

// Item is one checklist entry.
type Item struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	// Found says what the check saw, one line each.
	Found []string `json:"found"`
	// Fix lists what to do about a problem, in order: shell commands
	// (starting with "lcwh ", "export " or "ngrok ") or short instructions.
	Fix []string `json:"fix"`
}

// Report is the checklist's result.
type Report struct {
	Items []Item `json:"items"`
	// AuthFailed is true when the credential is missing or LiveChat
	// rejected it (the command exits 4).
	AuthFailed bool `json:"-"`
}

// Failed reports whether any item failed.
func (r Report) Failed() bool {
	for _, it := range r.Items {
		if it.Status == Fail {
			return true
		}
	}
	return false
}

// API is the part of the Configuration API doctor uses: reads only.
// *livechat.Client implements it.
type API interface {
	ListWebhooks(ctx context.Context, ownerClientID string) ([]livechat.Webhook, error)
	LicenseWebhooksState(ctx context.Context, ownerClientID string) (bool, error)
}

// Credential describes the login in use, without its token.
type Credential struct {
	Method    string // "pat" or "oauth"
	Source    string // "env LCWH_PAT", "keyring" or "file"
	AccountID string
	// ClientID is the OAuth token's client id ("" for a PAT).
	ClientID string
	// Scopes are the OAuth token's scopes; nil for a PAT (not reported).
	Scopes []string
}

// Event is the event the filters are tested with.
type Event struct {
	Body []byte
	// Origin names it in the report: "the incoming_event sample", "events.jsonl line 3".
	Origin string
}

// Options are the checklist's inputs and dependencies.
type Options struct {
	// Action limits the checks to one action ("" = all).
	Action string
	// URL limits the checks to webhooks sending there, and is checked even
	// when none does.
	URL string
	// ClientID is the owner whose webhooks are checked ("" = none known).
	ClientID string
	// ClientIDFlag is set when ClientID came from --client-id: fixes then
	// repeat it.
	ClientIDFlag bool
	// Profile, when set, is repeated in every fix (--profile).
	Profile string
	// Version is the Configuration API version in use.
	Version string
	// Secret is --secret: the secret the user's handler verifies with.
	Secret string
	// ConfiguredSecret is the secret lcwh is configured with (LCWH_SECRET
	// or the config's secret).
	ConfiguredSecret string
	// Event, when set, is tested against the filters of Action's webhooks.
	Event *Event
	// Probe allows one POST of a sample to each URL.
	Probe bool
	// LocalAPI is true when api_url is on loopback (lcwh sandbox): local
	// webhook URLs are then reachable.
	LocalAPI bool
	// NgrokAPI is the base URL of the ngrok agent API.
	NgrokAPI string

	// Credential is the login in use; CredentialErr why there is none.
	Credential    *Credential
	CredentialErr error
	// API answers the Configuration API reads (nil without a credential).
	API API
	// NgrokClient asks the local ngrok agent; HTTPClient sends the probe.
	NgrokClient *http.Client
	HTTPClient  *http.Client
	// Now, Hostname and Alive decide which leases are stale.
	Now      func() time.Time
	Hostname func() (string, error)
	Alive    func(pid int) bool
}

// hook is one registered webhook with what doctor derived from it.
type hook struct {
	livechat.Webhook
	filters        *livechat.Filters
	unknownFilters []string
	filterErr      error
	lease          *lease.Lease
	stale          bool
	staleWhy       string
}

// facts is what the API calls returned, shared by the items.
type facts struct {
	opts *Options
	fix  fixer

	// rejected: the credential is missing or was rejected.
	rejected bool
	all      []hook // every webhook of the owner
	relevant []hook // those of Action and URL
	listErr  error
	listed   bool
	enabled  bool
	stateErr error
	stated   bool
}

// Run runs the checklist. It never returns an error: every failure is an item.
func Run(ctx context.Context, opts Options) Report {
	f := gather(ctx, &opts)
	items := []Item{
		checkCredentials(f),
		checkRegistration(f),
		checkEnablement(f),
		checkFilters(f),
		checkURL(ctx, f),
		checkSecret(f),
		checkVersion(f),
	}
	return Report{Items: items, AuthFailed: f.rejected}
}

// gather makes the API calls: list_webhooks and get_license_webhooks_state.
func gather(ctx context.Context, opts *Options) *facts {
	f := &facts{opts: opts, fix: newFixer(opts)}
	if opts.CredentialErr != nil || opts.API == nil {
		f.rejected = true
		return f
	}
	if opts.ClientID == "" {
		return f
	}
	hooks, err := opts.API.ListWebhooks(ctx, opts.ClientID)
	f.listed, f.listErr = err == nil, err
	if rejected(err) {
		f.rejected = true
		return f
	}
	f.classify(hooks)
	f.enabled, f.stateErr = opts.API.LicenseWebhooksState(ctx, opts.ClientID)
	f.stated = f.stateErr == nil
	if rejected(f.stateErr) {
		f.rejected = true
	}
	return f
}

// classify decodes filters and leases and picks the relevant webhooks.
func (f *facts) classify(list []livechat.Webhook) {
	host := ""
	if f.opts.Hostname != nil {
		host, _ = f.opts.Hostname()
	}
	now := time.Now()
	if f.opts.Now != nil {
		now = f.opts.Now()
	}
	alive := f.opts.Alive
	if alive == nil {
		alive = func(int) bool { return true }
	}
	for _, w := range list {
		h := hook{Webhook: w}
		h.filters, h.unknownFilters, h.filterErr = webhooks.DecodeFilters(w.Filters)
		if l, ok := lease.Parse(w.Description); ok {
			h.lease = &l
			h.stale, h.staleWhy = l.Stale(host, now, alive)
		}
		f.all = append(f.all, h)
		if (f.opts.Action == "" || w.Action == f.opts.Action) && (f.opts.URL == "" || w.URL == f.opts.URL) {
			f.relevant = append(f.relevant, h)
		}
	}
}

// rejected reports whether err means the credential is missing or was
// refused: LiveChat's authentication error, or any error whose exit code
// is the authentication one (an OAuth login that cannot be refreshed).
func rejected(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, livechat.ErrAuthentication) {
		return true
	}
	var c interface{ ExitCode() int }
	return errors.As(err, &c) && c.ExitCode() == 4
}

// skipped is an item that could not run.
func skipped(id, title, why string) Item {
	return Item{ID: id, Title: title, Status: Skip, Found: []string{why}, Fix: []string{}}
}

// newItem starts an item as OK with empty lists (so --json prints [] not null).
func newItem(id, title string) Item {
	return Item{ID: id, Title: title, Status: OK, Found: []string{}, Fix: []string{}}
}

// raise sets the status to s when s is worse.
func (it *Item) raise(s Status) {
	rank := map[Status]int{Skip: 0, OK: 1, Warn: 2, Fail: 3}
	if rank[s] > rank[it.Status] {
		it.Status = s
	}
}

func (it *Item) found(lines ...string) { it.Found = append(it.Found, lines...) }

// addFix appends fix lines, once each.
func (it *Item) addFix(lines ...string) {
	for _, l := range lines {
		dup := false
		for _, have := range it.Fix {
			dup = dup || have == l
		}
		if !dup {
			it.Fix = append(it.Fix, l)
		}
	}
}

// why is the reason an item that needs the API cannot run, or "".
func (f *facts) why() string {
	switch {
	case f.rejected:
		return "not checked: needs a working login (see credentials)"
	case f.opts.ClientID == "":
		return "not checked: no client id (see registration)"
	case !f.listed:
		return "not checked: list_webhooks failed (see registration)"
	}
	return ""
}
