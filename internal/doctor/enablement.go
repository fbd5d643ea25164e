package doctor

import (
	"errors"
	"fmt"

	"github.com/lcwh/lcwh/internal/livechat"
)

// checkEnablement: license webhooks on or off for the credential's license
// (get_license_webhooks_state), and for bot webhooks the reminder that a bot
// must exist and accept chats (configuration-api.md §5).
func checkEnablement(f *facts) Item {
	const title = "Enablement"
	if why := f.why(); why != "" {
		return skipped(IDEnablement, title, why)
	}
	it := newItem(IDEnablement, title)
	license, bot := 0, 0
	for _, h := range f.relevant {
		if h.Type == livechat.TypeBot {
			bot++
		} else {
			license++
		}
	}
	owner := f.opts.ClientID
	switch {
	case f.stateErr != nil:
		it.raise(Fail)
		it.found(fmt.Sprintf("get_license_webhooks_state failed: %v", f.stateErr))
		if errors.Is(f.stateErr, livechat.ErrAuthorization) {
			it.addFix("See credentials: the token needs " + scopeStateRO + " (included in " + scopeStateRW + ").")
		}
	case !f.enabled && (license > 0 || bot == 0):
		it.raise(Fail)
		it.found(fmt.Sprintf("license webhooks of client %s are disabled on your license: LiveChat sends none of them", owner))
		it.addFix(f.fix.webhookCmd("enable"), "Changes take up to 2 minutes to reach deliveries.")
	case !f.enabled:
		it.raise(Warn)
		it.found(fmt.Sprintf("license webhooks of client %s are disabled on your license; whether that also stops bot webhooks is undocumented", owner))
		it.addFix(f.fix.webhookCmd("enable"))
	default:
		it.found(fmt.Sprintf("license webhooks of client %s are enabled on your license", owner))
		if license > 0 {
			it.found("LiveChat sends them only to licenses where your app is installed (lcwh cannot check that)")
		}
	}
	if bot > 0 {
		it.raise(Warn)
		it.found(fmt.Sprintf("%d bot %s: LiveChat sends %s only for chats a bot of client %s is in, which lcwh cannot check",
			bot, plural(bot, "webhook", "webhooks"), plural(bot, "it", "them"), owner))
		it.addFix("Create a bot owned by client "+owner+" (Configuration API create_bot) and set its routing status to accepting chats (Agent Chat API set_routing_status).",
			"Changes take up to 2 minutes to reach deliveries.")
	}
	return it
}
