package doctor

import (
	"fmt"
	"strings"

	"github.com/lcwh/lcwh/internal/livechat"
)

// stages are the lifecycle stages of the versions in the docs snapshot
// (configuration-api.md §2).
var stages = map[string]string{"3.5": "legacy", "3.6": "stable", "3.7": "dev preview"}

// checkVersion: api_version against the actions and filters it offers.
// The spec documents no filter renamed between 3.5 and 3.6 (its version
// table lists actions added and removed); a renamed or newer filter would
// show as one the version's action table does not allow, which is what
// is checked.
func checkVersion(f *facts) Item {
	it := newItem(IDVersion, "Version")
	v := f.opts.Version
	if v == "" {
		v = livechat.DefaultVersion
	}
	names, ok := livechat.Names(v)
	if !ok {
		it.raise(Fail)
		it.found("lcwh has no action table for API version " + v)
		it.addFix(f.fix.cmd("config", "set", "api_version", livechat.DefaultVersion))
		return it
	}
	it.found(fmt.Sprintf("API version %s (%s)", v, stages[v]))
	switch stages[v] {
	case "legacy":
		it.raise(Warn)
		it.found(v + " is legacy: critical fixes only, then deprecated; " + livechat.DefaultVersion + " is stable")
		it.addFix(f.fix.cmd("config", "set", "api_version", livechat.DefaultVersion))
	case "dev preview":
		it.raise(Warn)
		it.found(v + " is a dev preview: not public, access granted on request by LiveChat")
		it.addFix(f.fix.cmd("config", "set", "api_version", livechat.DefaultVersion))
	}
	if a := f.opts.Action; a != "" {
		checkActionVersion(f, &it, names, v, a)
	}
	for _, h := range f.relevant {
		checkHookVersion(&it, names, v, h)
	}
	return it
}

func checkActionVersion(f *facts, it *Item, names []livechat.WebhookName, v, action string) {
	if _, ok := livechat.LookupName(names, action); ok {
		it.found(fmt.Sprintf("%s is an action of %s", action, v))
		return
	}
	it.raise(Fail)
	msg := fmt.Sprintf("%s is not an action of API %s", action, v)
	for _, other := range livechat.Versions() {
		if on, _ := livechat.Names(other); other != v {
			if _, ok := livechat.LookupName(on, action); ok {
				msg += fmt.Sprintf("; it is one of %s", other)
				it.addFix(f.fix.cmd("config", "set", "api_version", other))
				break
			}
		}
	}
	if s := livechat.SuggestAction(names, action); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, ", ") + "?"
	}
	it.found(msg)
	it.addFix(f.fix.cmd("names"))
}

func checkHookVersion(it *Item, names []livechat.WebhookName, v string, h hook) {
	n, ok := livechat.LookupName(names, h.Action)
	if !ok {
		it.raise(Warn)
		it.found(fmt.Sprintf("%s is for %s, which API %s does not offer: LiveChat may not send it", h.ID, h.Action, v))
		return
	}
	for _, k := range h.unknownFilters {
		it.raise(Warn)
		it.found(fmt.Sprintf("%s has filter %s, which lcwh does not know (configuration-api.md §6.1): a filter of another version?", h.ID, k))
	}
	if h.filters != nil {
		if err := livechat.ValidateFilters(n, h.filters); err != nil {
			it.raise(Warn)
			it.found(fmt.Sprintf("%s: %v in API %s", h.ID, err, v))
		}
	}
}
