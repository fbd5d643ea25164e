package check

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
)

// judged returns the kinds whose first delivery was accepted, and a note
// for each of the others: later checks grade only the former.
func (r *runner) judged() ([]catalog.Kind, []string) {
	var ok []catalog.Kind
	var notes []string
	for _, k := range r.kinds {
		if r.baseOK[k.Name] {
			ok = append(ok, k)
		} else {
			notes = append(notes, k.Name+": not graded, its first delivery was refused (see status-200)")
		}
	}
	return ok, notes
}

// refusals are detail lines for the outcomes not accepted.
func (r *runner) refusals(outs []outcome) []string {
	var out []string
	for _, o := range outs {
		if !o.accepted() {
			out = append(out, o.label+": "+o.describe(r.o.Timeout))
		}
	}
	return out
}

// grade fails when any outcome was not accepted, else passes with ok.
func (r *runner) grade(outs []outcome, notes []string, why, fix, ok string) Result {
	bad := r.refusals(outs)
	res := Result{Why: why, Fix: fix, Details: capDetails(append(bad, notes...))}
	if len(bad) > 0 {
		res.Status = Fail
		res.Summary = fmt.Sprintf("%d of %d deliveries refused", len(bad), len(outs))
		return res
	}
	res.Status, res.Summary = Pass, ok
	return res
}

// retry is retry: each kind's body delivered again at once and after a
// pause is accepted, and so is a new event that carries the same
// webhook_id (LiveChat sends one webhook_id per registration).
func (r *runner) retry(ctx context.Context) Result {
	kinds, notes := r.judged()
	if len(kinds) == 0 {
		return Result{Status: Skip, Summary: "not graded: every first delivery was refused (see status-200)", Details: notes}
	}
	origs := make([]delivery, len(kinds))
	var outs []outcome
	for i, k := range kinds {
		origs[i] = r.b.fresh(k)
		outs = append(outs, r.deliver(ctx, origs[i]))
		again := origs[i]
		again.label = k.Name + " repeated at once"
		outs = append(outs, r.deliver(ctx, again))
	}
	if err := r.o.Sleep(ctx, r.o.RetryPause); err != nil {
		return Result{}
	}
	var sameID []outcome
	for i, k := range kinds {
		late := origs[i]
		late.label = fmt.Sprintf("%s repeated after %s", k.Name, r.o.RetryPause)
		outs = append(outs, r.deliver(ctx, late))
		if k.Family != catalog.LiveChat {
			continue
		}
		next := r.b.fresh(k)
		next.label = k.Name + " (a new event with the same webhook_id)"
		next.body = set(next.body, "webhook_id", gjson.GetBytes(origs[i].body, "webhook_id").String())
		o := r.deliver(ctx, next)
		sameID = append(sameID, o)
		outs = append(outs, o)
	}
	r.record(Retry, true, outs...)
	res := r.grade(outs, notes, whyRetry, fixRetry,
		fmt.Sprintf("%s accepted: each kind again at once, after %s, and a new event with the same webhook_id", plural(len(outs), "delivery"), r.o.RetryPause))
	if res.Status == Fail && len(sameID) > 0 && len(r.refusals(sameID)) == len(sameID) {
		res.Summary += "; a new event carrying a webhook_id seen before was refused too: webhook_id names the registration, not the delivery"
	}
	return res
}

// parallel is parallel: Options.Parallel fresh deliveries, cycling through
// the kinds, started at the same instant, all accepted in time.
func (r *runner) parallel(ctx context.Context) Result {
	kinds, notes := r.judged()
	if len(kinds) == 0 {
		return Result{Status: Skip, Summary: "not graded: every first delivery was refused (see status-200)", Details: notes}
	}
	n := r.o.Parallel
	ds := make([]delivery, n)
	for i := range ds {
		ds[i] = r.b.fresh(kinds[i%len(kinds)])
	}
	outs := make([]outcome, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range ds {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			outs[i] = r.deliver(ctx, ds[i])
		}(i)
	}
	close(start)
	wg.Wait()
	r.record(Parallel, false, outs...)
	res := Result{Why: whyParallel, Fix: fixParallel, Latency: latencyStats(outs)}
	bad := groupRefusals(r, outs)
	res.Details = capDetails(append(bad.lines, notes...))
	if bad.n > 0 {
		res.Status = Fail
		res.Summary = fmt.Sprintf("%d of %d deliveries sent at once were refused or not answered in time", bad.n, n)
		return res
	}
	// The figures stay in Latency: under load they vary from run to run.
	res.Status = Pass
	res.Summary = fmt.Sprintf("all %d answered in time", n)
	return res
}

type grouped struct {
	n     int
	lines []string
}

// groupRefusals counts identical refusals: "7× incoming_event: answered 503".
func groupRefusals(r *runner, outs []outcome) grouped {
	counts := map[string]int{}
	for _, line := range r.refusals(outs) {
		counts[line]++
	}
	var g grouped
	for line, c := range counts {
		g.n += c
		if c > 1 {
			line = fmt.Sprintf("%d× %s", c, line)
		}
		g.lines = append(g.lines, line)
	}
	sort.Strings(g.lines)
	return g
}

// order is order: an incoming_event before its chat's incoming_chat, and
// an incoming_event after its chat's chat_deactivated, are accepted.
func (r *runner) order(ctx context.Context) Result {
	if !r.has(catalog.LiveChat) {
		return skipped("only LiveChat webhooks have an order to test")
	}
	ev, _ := catalog.Lookup("incoming_event")
	deact, _ := catalog.Lookup("chat_deactivated")
	chatX, x := r.b.newChat("incoming_chat after an event of its chat")
	chatY, y := r.b.newChat("incoming_chat")
	seq := []delivery{
		r.b.freshIn(ev, x, "incoming_event before its chat's incoming_chat"),
		chatX,
		chatY,
		r.b.freshIn(deact, y, "chat_deactivated"),
		r.b.freshIn(ev, y, "incoming_event after its chat's chat_deactivated"),
	}
	var outs []outcome
	for _, d := range seq {
		outs = append(outs, r.deliver(ctx, d))
	}
	r.record(Order, true, outs...)
	return r.grade(outs, nil, whyOrder, fixOrder,
		"an event before its incoming_chat and an event after chat_deactivated were accepted")
}
