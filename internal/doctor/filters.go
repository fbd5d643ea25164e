package doctor

import (
	"fmt"
	"strings"

	"github.com/lcwh/lcwh/internal/webhooks"
)

// checkFilters: each webhook's filters in plain words and, with an event,
// whether it would pass them (webhooks.Evaluate, the sandbox's logic).
func checkFilters(f *facts) Item {
	const title = "Filters"
	if why := f.why(); why != "" {
		return skipped(IDFilters, title, why)
	}
	if len(f.relevant) == 0 {
		return skipped(IDFilters, title, "not checked: no webhook to check (see registration)")
	}
	it := newItem(IDFilters, title)
	ev := f.opts.Event
	for _, h := range f.relevant {
		describeFilters(f, &it, h)
		if ev != nil && h.filterErr == nil {
			evaluate(f, &it, h, ev)
		}
	}
	if ev == nil && f.opts.Action != "" && anyFiltered(f.relevant) {
		it.found(fmt.Sprintf("to test an event against them: --sample %s, or --event FILE (a saved event)", f.opts.Action))
	}
	return it
}

func describeFilters(f *facts, it *Item, h hook) {
	switch {
	case h.filterErr != nil:
		it.raise(Warn)
		it.found(fmt.Sprintf("%s: cannot read its filters: %v", h.ID, h.filterErr))
	case h.filters == nil && len(h.unknownFilters) == 0:
		it.found(fmt.Sprintf("%s: no filters: every %s event is sent", h.ID, h.Action))
	default:
		it.found(h.ID + ":")
		for _, line := range webhooks.Describe(h.filters, f.opts.ClientID) {
			it.found("  " + line)
		}
		for _, k := range h.unknownFilters {
			it.found(fmt.Sprintf("  %s: not a filter lcwh knows; not evaluated (see version)", k))
		}
	}
}

func evaluate(f *facts, it *Item, h hook, ev *Event) {
	v := webhooks.Evaluate(ev.Body, f.opts.ClientID, h.filters)
	switch {
	case !v.Match:
		it.raise(Fail)
		it.found(fmt.Sprintf("%s: %s is filtered out: %s", h.ID, ev.Origin, v.Reason))
		it.addFix(fmt.Sprintf("Re-register %s without %s:", h.ID, v.Filter))
		it.addFix(f.fix.replace(h, v.Filter, h.URL)...)
	case len(v.Unevaluated) > 0:
		it.raise(Warn)
		it.found(fmt.Sprintf("%s: %s passes, but it cannot tell %s (treated as passing)",
			h.ID, ev.Origin, strings.Join(v.Unevaluated, ", ")))
	default:
		it.found(fmt.Sprintf("%s: %s passes", h.ID, ev.Origin))
	}
}

func anyFiltered(hs []hook) bool {
	for _, h := range hs {
		if h.filters != nil {
			return true
		}
	}
	return false
}
