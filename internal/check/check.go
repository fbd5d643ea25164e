// Package check grades a webhook handler against LiveChat's delivery
// contract (../shared/livechat/webhooks.md §3): answer exactly 200 within
// about 10 s, verify secret_key, and cope with retries, parallel and
// out-of-order deliveries, new fields and actions, large and unusual bodies
// and slow networks.
//
// Each check is a function that makes deliveries through an injected
// *http.Client and returns a typed Result; nothing here writes to a
// terminal. Time comes from Options.Now and every pause from Options.Sleep,
// so tests never wait.
package check

import (
	"context"
	"net/http"
	"time"

	"github.com/lcwh/lcwh/internal/catalog"
)

// ID names one check. The ids are stable: --skip, --only, --json and the
// JUnit test case names use them.
type ID string

// The checks, in report order.
const (
	Registration  ID = "registration"
	Status200     ID = "status-200"
	Latency       ID = "latency"
	ForgedSecret  ID = "forged-secret"
	Retry         ID = "retry"
	Parallel      ID = "parallel"
	Order         ID = "order"
	ForwardCompat ID = "forward-compat"
	PayloadEdge   ID = "payload-edge"
	SlowClient    ID = "slow-client"
)

// IDs lists every check in report order.
func IDs() []ID {
	return []ID{Registration, Status200, Latency, ForgedSecret, Retry, Parallel, Order, ForwardCompat, PayloadEdge, SlowClient}
}

// ParseID validates a --skip or --only value.
func ParseID(s string) (ID, bool) {
	for _, id := range IDs() {
		if string(id) == s {
			return id, true
		}
	}
	return "", false
}

// Status is the grade of one check.
type Status string

// The grades. Only Fail makes the run fail.
const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Defaults of Options, after LiveChat's documented behaviour where there
// is one (webhooks.md §3).
const (
	// DefaultTimeout is how long LiveChat waits for an answer ("about 10 seconds").
	DefaultTimeout = 10 * time.Second
	// DefaultParallel is how many deliveries the parallel check sends at once.
	DefaultParallel = 20
	// WarnLatency is the answer time above which latency warns: far enough
	// below the timeout that a slower day does not cost retries.
	WarnLatency = time.Second
	// DefaultRetryPause is the pause before the retry check's late repeat.
	// LiveChat's own schedule is undocumented ("up to 3 retries within a
	// minute"); a short pause keeps the suite fast.
	DefaultRetryPause = 2 * time.Second
	// DefaultSlowChunks and DefaultSlowInterval shape the slow-client body:
	// sent in this many pieces with this pause between them (~2.7 s).
	DefaultSlowChunks   = 10
	DefaultSlowInterval = 300 * time.Millisecond
	// BigBody is the size of payload-edge's large incoming_chat.
	BigBody = 1 << 20
)

// Options are the inputs of Run.
type Options struct {
	// URL is the handler. With Sandbox set it may be empty: the URL the
	// registrations point at is used.
	URL string
	// Kinds are the webhook kinds to deliver (see DefaultKinds).
	Kinds []catalog.Kind
	// Secret is the secret_key the handler expects in LiveChat bodies;
	// empty sends the samples' own and skips that part of forged-secret.
	Secret string
	// ClientID is the app's Client ID put in App Webhooks bodies (clientID).
	ClientID string
	// MondaySecret signs monday.com deliveries with an HS256 JWT.
	MondaySecret string
	// Header is added to every delivery (-H).
	Header http.Header
	// Parallel is how many deliveries the parallel check sends at once.
	Parallel int
	// Timeout is how long one delivery may take to be answered.
	Timeout time.Duration
	// AcceptsForged turns a 200 to a forged delivery from a failure into a
	// warning, for handlers that answer 200 and silently drop what they refuse.
	AcceptsForged bool
	// Run selects the checks to run; nil runs them all.
	Run map[ID]bool
	// Client makes the deliveries. Build it on NewTransport so slow-client
	// can pace bodies; redirects are never followed whatever it says.
	Client *http.Client
	// Now is the clock that measures latency (time.Now when nil).
	Now func() time.Time
	// Sleep waits between the retry check's repeats and between the pieces
	// of the slow-client body; nil waits for real.
	Sleep func(context.Context, time.Duration) error
	// Seed makes generated bodies reproducible (0: random).
	Seed uint64
	// RetryPause, SlowChunks and SlowInterval default to the constants above.
	RetryPause   time.Duration
	SlowChunks   int
	SlowInterval time.Duration
	// Sandbox, when set, asks a running lcwh sandbox to deliver one kind to
	// the webhooks registered for it (--via-sandbox): the registration check.
	Sandbox func(ctx context.Context, kind string) (*SandboxResult, error)
	// Progress, when set, is told when each check starts and ends. It is
	// called from Run's goroutine only.
	Progress func(Event)
}

// Event is a progress report.
type Event struct {
	Check ID
	Title string
	// Result is nil when the check starts and set when it is done.
	Result *Result
	// Deliveries counts the deliveries made so far in the run.
	Deliveries int
}

// DefaultKinds are what most LiveChat integrations handle, the kinds the
// suite delivers when none are named.
func DefaultKinds() []catalog.Kind {
	var out []catalog.Kind
	for _, n := range []string{"incoming_chat", "incoming_event", "chat_deactivated"} {
		k, _ := catalog.Lookup(n)
		out = append(out, k)
	}
	return out
}

// Result is the grade of one check with what it saw. The JSON field set is
// documented in docs/guides/check-handler.md and pinned by a test.
type Result struct {
	ID      ID     `json:"id"`
	Title   string `json:"title"`
	Status  Status `json:"status"`
	Summary string `json:"summary"`
	// Details are the deliveries that went wrong (or, on skip, why).
	Details []string `json:"details"`
	// Why says what the contract is and what breaks in production; Fix
	// how to meet it. Both are empty when the check passed or was skipped.
	Why string `json:"why"`
	Fix string `json:"fix"`
	// Deliveries counts what the check sent.
	Deliveries int     `json:"deliveries"`
	DurationMS float64 `json:"duration_ms"`
	// Latency is set for latency and parallel.
	Latency *LatencyStats `json:"latency_ms"`
}

// LatencyStats are answer times in milliseconds.
type LatencyStats struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Counts tallies the grades of a report.
type Counts struct {
	Passed  int `json:"passed"`
	Warned  int `json:"warned"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// Report is the outcome of a run: every check in report order, those not
// selected included (as skipped), so its shape never depends on flags.
type Report struct {
	URL        string   `json:"url"`
	Kinds      []string `json:"kinds"`
	OK         bool     `json:"ok"`
	Counts     Counts   `json:"counts"`
	Deliveries int      `json:"deliveries"`
	TimeoutMS  float64  `json:"timeout_ms"`
	DurationMS float64  `json:"duration_ms"`
	Checks     []Result `json:"checks"`
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool { return r.Counts.Failed > 0 }

// Result returns the result of check id.
func (r *Report) Result(id ID) (Result, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Result{}, false
}

// ms rounds a duration to milliseconds with microsecond precision.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
