package doctor

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/lcwh/lcwh/internal/livechat"
)

// checkRegistration: the owner's webhooks for the action (or all), the
// 3-per-action limit, and stale leases of ended `listen --register` runs.
func checkRegistration(f *facts) Item {
	const title = "Registration"
	it := newItem(IDRegistration, title)
	o := f.opts
	switch {
	case f.rejected:
		return skipped(IDRegistration, title, f.why())
	case o.ClientID == "":
		it.raise(Fail)
		it.found("no client id: webhooks belong to an app's Client ID, and the login does not name one")
		it.addFix(f.fix.cmd("config", "set", "client_id", "CLIENT_ID"), "or pass --client-id, or set LCWH_CLIENT_ID")
		return it
	case f.listErr != nil:
		it.raise(Fail)
		it.found(fmt.Sprintf("list_webhooks failed: %v", f.listErr))
		if errors.Is(f.listErr, livechat.ErrAuthorization) {
			it.addFix("See credentials: the token's scopes or the client id.")
		}
		return it
	}
	if len(f.relevant) == 0 {
		noneFound(f, &it)
	} else {
		it.found(fmt.Sprintf("%d %s of client %s:", len(f.relevant), plural(len(f.relevant), "webhook", "webhooks"), o.ClientID))
		for _, h := range f.relevant {
			it.found("  " + describeHook(h))
		}
	}
	checkLimit(f, &it)
	return it
}

// noneFound explains an empty selection.
func noneFound(f *facts, it *Item) {
	o := f.opts
	it.raise(Fail)
	what := fmt.Sprintf("no webhook of client %s", o.ClientID)
	if o.Action != "" {
		what += " for " + o.Action
	}
	if o.URL != "" {
		what += " sends to " + o.URL
	}
	it.found(what)
	if others := countByAction(f.all); len(others) > 0 {
		it.found("registered: " + others)
	}
	action := o.Action
	if action == "" {
		action = "ACTION"
	} else if !knownAction(o.Version, action) {
		it.addFix("See version: " + action + " is not an action of this API version.")
		return
	}
	if o.Action != "" && actionCount(f.all, o.Action) >= livechat.MaxWebhooksPerAction {
		// Registering another one would fail with limit_reached.
		it.addFix(freeSlot(f, o.Action))
	}
	it.addFix(f.fix.newRegister(action, o.URL),
		"or, to receive on this machine through ngrok: "+f.fix.listenRegister(action, "auto", nil, ""))
}

// checkLimit reports actions at the 3-per-action limit and stale leases.
func checkLimit(f *facts, it *Item) {
	o := f.opts
	stale := 0
	actions := map[string]bool{}
	for _, h := range f.all {
		if o.Action == "" || h.Action == o.Action {
			actions[h.Action] = true
			if h.stale {
				stale++
			}
		}
	}
	for _, a := range sortedSet(actions) {
		limitOf(f, it, a)
	}
	if stale > 0 {
		it.raise(Warn)
		it.found(fmt.Sprintf("%d %s stale %s of ended \"lcwh listen --register\" runs: LiveChat still delivers to %s and %s a slot",
			stale, plural(stale, "is a", "are"), plural(stale, "lease", "leases"), plural(stale, "its URL", "their URLs"), plural(stale, "it takes", "they take")))
		it.addFix(f.fix.webhookCmd("unregister", "--stale", "--yes"))
	}
}

// limitOf reports action at or near the 3-per-action limit.
func limitOf(f *facts, it *Item, a string) {
	o := f.opts
	n := actionCount(f.all, a)
	switch {
	case n >= livechat.MaxWebhooksPerAction:
		staleHere := 0
		for _, h := range f.all {
			if h.Action == a && h.stale {
				staleHere++
			}
		}
		it.found(fmt.Sprintf("%s: %d of %d webhooks, the limit per action: another registration (also by lcwh listen --register) fails with limit_reached",
			a, n, livechat.MaxWebhooksPerAction))
		if staleHere > 0 || (o.URL != "" && o.Action == a && len(f.relevant) == 0) {
			it.raise(Fail)
		} else {
			it.raise(Warn)
		}
		if staleHere == 0 {
			it.addFix(freeSlot(f, a))
		}
	case n == livechat.MaxWebhooksPerAction-1:
		it.found(fmt.Sprintf("%s: %d of %d webhooks: one more can be registered", a, n, livechat.MaxWebhooksPerAction))
	}
}

// freeSlot says how to make room for one more webhook of action.
func freeSlot(f *facts, action string) string {
	return fmt.Sprintf("Free a slot: see them with %s, then remove one with %s",
		f.fix.webhookCmd("list", "--action", action), f.fix.unregister("ID"))
}

func describeHook(h hook) string {
	s := fmt.Sprintf("%s  %s  %s → %s", h.ID, h.Action, h.Type, h.URL)
	switch {
	case h.lease != nil && h.stale:
		s += fmt.Sprintf("  (stale lease of lcwh listen on %s: %s)", h.lease.Host, h.staleWhy)
	case h.lease != nil:
		s += fmt.Sprintf("  (lease of a running lcwh listen on %s, pid %d)", h.lease.Host, h.lease.PID)
	case h.Description != "":
		s += fmt.Sprintf("  %q", h.Description)
	}
	return s
}

func knownAction(version, action string) bool {
	if version == "" {
		version = livechat.DefaultVersion
	}
	names, _ := livechat.Names(version)
	_, ok := livechat.LookupName(names, action)
	return ok
}

func actionCount(all []hook, action string) int {
	n := 0
	for _, h := range all {
		if h.Action == action {
			n++
		}
	}
	return n
}

// countByAction is "incoming_chat (2), thread_tagged (1)", or "".
func countByAction(all []hook) string {
	n := map[string]int{}
	for _, h := range all {
		n[h.Action]++
	}
	var parts []string
	for _, a := range sortedSet(n) {
		parts = append(parts, fmt.Sprintf("%s (%d)", a, n[a]))
	}
	return strings.Join(parts, ", ")
}

func sortedSet[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
