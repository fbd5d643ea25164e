package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/httpclient"
)

// runner is one run of the suite.
type runner struct {
	o      Options
	client *http.Client
	b      *bodies
	kinds  []catalog.Kind
	count  int64

	mu sync.Mutex
	// timed are the deliveries latency grades: all but parallel's (graded
	// there, under load) and slow-client's (slow on purpose).
	timed []outcome
	// baseOK says which kinds' first delivery was accepted: later checks
	// judge only those, so a kind that fails status-200 fails it once.
	baseOK map[string]bool
	// answeredAny is false when no first delivery was answered in time;
	// the later checks are then skipped (see latency) instead of each
	// waiting out the timeout.
	answeredAny bool
	// gone is the check during which the handler stopped accepting
	// connections; the checks after it are skipped.
	gone ID
}

// Run grades the handler at opts.URL. Its error is for what stops the run
// as a whole (nothing listens at the URL, no sandbox, ctx cancelled); the
// checks' findings are in the Report.
func Run(ctx context.Context, opts Options) (*Report, error) {
	o, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	r := &runner{o: o, kinds: orderKinds(o.Kinds), baseOK: map[string]bool{}}
	c := *o.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 0 // each delivery has its own deadline
	r.client = &c
	r.b = &bodies{gen: catalog.NewGenerator(o.Seed, o.Now), secret: o.Secret, clientID: o.ClientID,
		url: o.URL, now: o.Now, webhookIDs: map[string]string{}}
	if o.MondaySecret != "" {
		r.b.mondaySecret = []byte(o.MondaySecret)
	}
	// One body of each kind now: a broken sample fails here, not mid-run.
	for _, k := range r.kinds {
		if _, err := catalog.NewGenerator(1, o.Now).Body(k, catalog.Params{}); err != nil {
			return nil, fmt.Errorf("sample %s: %w", k.Name, err)
		}
	}
	start := o.Now()
	results := map[ID]Result{}
	if err := r.runRegistration(ctx, results); err != nil {
		return nil, err
	}
	r.b.url = r.o.URL
	if err := r.runBaseline(ctx, results); err != nil {
		return nil, err
	}
	for _, s := range r.steps() {
		if !r.selected(s.id) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		results[s.id] = r.timedCheck(s.id, s.title, func() Result { return r.gate(ctx, s) })
	}
	if r.selected(Latency) {
		results[Latency] = r.timedCheck(Latency, r.latencyTitle(), r.gradeLatency)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.report(results, o.Now().Sub(start)), nil
}

func withDefaults(o Options) (Options, error) {
	if o.Client == nil {
		return o, errors.New("check: Options.Client is nil")
	}
	if o.URL == "" && o.Sandbox == nil {
		return o, errors.New("check: no URL to check")
	}
	if len(o.Kinds) == 0 {
		o.Kinds = DefaultKinds()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = httpclient.Sleep
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	if o.RetryPause <= 0 {
		o.RetryPause = DefaultRetryPause
	}
	if o.SlowChunks <= 0 {
		o.SlowChunks = DefaultSlowChunks
	}
	if o.SlowInterval <= 0 {
		o.SlowInterval = DefaultSlowInterval
	}
	return o, nil
}

// orderKinds puts incoming_chat first: it announces the chat the other
// chat-scoped deliveries belong to (see bodies.relate).
func orderKinds(in []catalog.Kind) []catalog.Kind {
	out := make([]catalog.Kind, 0, len(in))
	for _, k := range in {
		if k.Name == "incoming_chat" {
			out = append(out, k)
		}
	}
	for _, k := range in {
		if k.Name != "incoming_chat" {
			out = append(out, k)
		}
	}
	return out
}

func (r *runner) selected(id ID) bool { return r.o.Run == nil || r.o.Run[id] }

func (r *runner) has(f catalog.Family) bool {
	for _, k := range r.kinds {
		if k.Family == f {
			return true
		}
	}
	return false
}

// rep is the kind that stands for family f in single-delivery variants:
// incoming_event for LiveChat (the busiest webhook), else the first named.
func (r *runner) rep(f catalog.Family) (catalog.Kind, bool) {
	if f == catalog.LiveChat {
		if k, ok := catalog.Lookup("incoming_event"); ok && r.has(f) {
			return k, true
		}
	}
	for _, k := range r.kinds {
		if k.Family == f {
			return k, true
		}
	}
	return catalog.Kind{}, false
}

func (r *runner) emit(e Event) {
	if r.o.Progress != nil {
		e.Deliveries = int(atomic.LoadInt64(&r.count))
		r.o.Progress(e)
	}
}

// timedCheck runs fn as check id, with progress events, its duration and
// its delivery count.
func (r *runner) timedCheck(id ID, title string, fn func() Result) Result {
	r.emit(Event{Check: id, Title: title})
	before := atomic.LoadInt64(&r.count)
	start := r.o.Now()
	res := fn()
	res.ID, res.Title = id, title
	res.DurationMS = ms(r.o.Now().Sub(start))
	res.Deliveries = int(atomic.LoadInt64(&r.count) - before)
	if res.Details == nil {
		res.Details = []string{}
	}
	if res.Status == Pass || res.Status == Skip {
		res.Why, res.Fix = "", ""
	}
	r.emit(Event{Check: id, Title: title, Result: &res})
	return res
}

// step is one check after the baseline.
type step struct {
	id    ID
	title string
	fn    func(context.Context) Result
}

func (r *runner) steps() []step {
	return []step{
		{ForgedSecret, "Rejects forged deliveries", r.forgedSecret},
		{Retry, "Accepts the same webhook again", r.retry},
		{Parallel, fmt.Sprintf("Handles %d deliveries at once", r.o.Parallel), r.parallel},
		{Order, "Copes with out-of-order deliveries", r.order},
		{ForwardCompat, "Ignores new fields and actions", r.forwardCompat},
		{PayloadEdge, "Handles unusual payloads", r.payloadEdge},
		{SlowClient, "Waits for a slowly arriving body", r.slowClient},
	}
}

func (r *runner) latencyTitle() string { return "Answers within " + r.o.Timeout.String() }

// gate skips a check when running it could tell nothing new.
func (r *runner) gate(ctx context.Context, s step) Result {
	switch {
	case !r.answeredAny:
		return skipped(fmt.Sprintf("not run: no first delivery was answered within %s (see latency)", r.o.Timeout))
	case r.gone != "":
		return skipped(fmt.Sprintf("not run: the handler stopped accepting connections during %s", r.gone))
	}
	res := s.fn(ctx)
	return res
}

func skipped(why string) Result { return Result{Status: Skip, Summary: why} }

// record notes outcomes for latency and for the handler going away.
func (r *runner) record(id ID, timed bool, outs ...outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range outs {
		if timed {
			r.timed = append(r.timed, o)
		}
		if o.refused() && r.gone == "" {
			r.gone = id
		}
	}
}

// runBaseline delivers each kind once: what status-200 grades and the
// first figures of latency. Its first delivery also tells whether
// anything listens at all.
func (r *runner) runBaseline(ctx context.Context, results map[ID]Result) error {
	var fatal error
	run := func() Result {
		var outs []outcome
		for i, k := range r.kinds {
			if err := ctx.Err(); err != nil {
				fatal = err
				return Result{}
			}
			o := r.deliver(ctx, r.b.fresh(k))
			if i == 0 && unreachable(o.err) {
				fatal = &UnreachableError{URL: redactURL(r.o.URL), Err: o.err}
				return Result{}
			}
			r.baseOK[k.Name] = o.accepted()
			r.answeredAny = r.answeredAny || o.answered()
			outs = append(outs, o)
		}
		r.record(Status200, true, outs...)
		return r.gradeStatus(outs)
	}
	if !r.selected(Status200) {
		run()
		return fatal
	}
	res := r.timedCheck(Status200, "Answers exactly 200", run)
	if fatal != nil {
		return fatal
	}
	results[Status200] = res
	return nil
}

// report assembles the results in report order; unselected checks are
// listed as skipped so the shape never depends on flags.
func (r *runner) report(results map[ID]Result, took time.Duration) *Report {
	rep := &Report{URL: redactURL(r.o.URL), Deliveries: int(atomic.LoadInt64(&r.count)),
		TimeoutMS: ms(r.o.Timeout), DurationMS: ms(took), Checks: []Result{}, Kinds: []string{}}
	for _, k := range r.kinds {
		rep.Kinds = append(rep.Kinds, k.Name)
	}
	titles := map[ID]string{Registration: registrationTitle, Status200: "Answers exactly 200", Latency: r.latencyTitle()}
	for _, s := range r.steps() {
		titles[s.id] = s.title
	}
	for _, id := range IDs() {
		res, ok := results[id]
		if !ok {
			why := "not selected (--skip / --only)"
			if id == Registration && r.o.Sandbox == nil && r.selected(id) {
				why = "pass --via-sandbox to prove your Configuration API registration against lcwh sandbox"
			}
			res = Result{ID: id, Title: titles[id], Status: Skip, Summary: why, Details: []string{}}
		}
		switch res.Status {
		case Pass:
			rep.Counts.Passed++
		case Warn:
			rep.Counts.Warned++
		case Fail:
			rep.Counts.Failed++
		default:
			rep.Counts.Skipped++
		}
		rep.Checks = append(rep.Checks, res)
	}
	rep.OK = rep.Counts.Failed == 0
	return rep
}

// redactURL hides a password in the URL.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return s
}

// maxDetails caps the detail lines of one check.
const maxDetails = 8

// capDetails keeps the first maxDetails lines and counts the rest.
func capDetails(lines []string) []string {
	if len(lines) <= maxDetails {
		return lines
	}
	return append(lines[:maxDetails:maxDetails], fmt.Sprintf("… and %d more", len(lines)-maxDetails))
}

// latencyStats summarises answered outcomes.
func latencyStats(outs []outcome) *LatencyStats {
	var ds []time.Duration
	for _, o := range outs {
		if o.answered() || o.timedOut && o.status != 0 {
			ds = append(ds, o.latency)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return &LatencyStats{P50: ms(percentile(ds, 50)), P99: ms(percentile(ds, 99)), Max: ms(ds[len(ds)-1])}
}

// percentile is the nearest-rank percentile of sorted ds.
func percentile(ds []time.Duration, p int) time.Duration {
	i := (p*len(ds)+99)/100 - 1
	return ds[min(max(i, 0), len(ds)-1)]
}
