package catalog

import (
	"fmt"
	"strings"

	"github.com/lcwh/lcwh/internal/suggest"
)

// Family groups webhook kinds by who sends them and how their body looks.
type Family string

// The three families lcwh knows.
const (
	// LiveChat license/bot webhooks (webhooks.md): snake_case envelope with action.
	LiveChat Family = "livechat"
	// LiveChat App Webhooks (app-webhooks.md): camelCase envelope with event.
	App Family = "app"
	// monday.com app lifecycle webhooks (monday-lifecycle.md): {"type","data"}.
	Monday Family = "monday"
)

// Families lists the families in display order.
func Families() []Family { return []Family{LiveChat, App, Monday} }

// ParseFamily validates a --family value.
func ParseFamily(s string) (Family, error) {
	for _, f := range Families() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown family %q: use livechat, app or monday", s)
}

// Kind is one webhook kind, named exactly as the platform names it.
type Kind struct {
	Name        string `json:"name"`
	Family      Family `json:"family"`
	Description string `json:"description"`
}

// file is where the kind's sample is embedded.
func (k Kind) file() string { return "samples/" + string(k.Family) + "/" + k.Name + ".json" }

// kinds is the catalog, in the order of the spec's tables:
// webhooks.md §4 (38), app-webhooks.md §4 (6), monday-lifecycle.md §3 (12).
var kinds = []Kind{
	{"incoming_chat", LiveChat, "A chat arrived with a new thread (new chat or new thread in an existing one)"},
	{"chat_deactivated", LiveChat, "A chat was deactivated (its thread closed)"},
	{"chat_access_updated", LiveChat, "The groups that can access a chat changed"},
	{"chat_transferred", LiveChat, "A chat was transferred to another agent or group"},
	{"user_added_to_chat", LiveChat, "An agent, bot or customer joined a chat"},
	{"user_removed_from_chat", LiveChat, "A user left or was removed from a chat"},
	{"incoming_event", LiveChat, "A new event (message, file, rich message…) was posted in a chat"},
	{"event_deleted", LiveChat, "An event was deleted from a thread"},
	{"event_updated", LiveChat, "An event was edited"},
	{"incoming_rich_message_postback", LiveChat, "A user clicked a button in a rich message"},
	{"chat_properties_updated", LiveChat, "Chat properties were set or changed"},
	{"chat_properties_deleted", LiveChat, "Chat properties were deleted"},
	{"thread_properties_updated", LiveChat, "Thread properties were set or changed"},
	{"thread_properties_deleted", LiveChat, "Thread properties were deleted"},
	{"event_properties_updated", LiveChat, "Event properties were set or changed"},
	{"event_properties_deleted", LiveChat, "Event properties were deleted"},
	{"thread_tagged", LiveChat, "A tag was added to a thread"},
	{"thread_untagged", LiveChat, "A tag was removed from a thread"},
	{"routing_status_set", LiveChat, "An agent's or bot's routing status changed"},
	{"customer_session_fields_updated", LiveChat, "A customer's session fields were updated"},
	{"agent_created", LiveChat, "An agent account was created"},
	{"agent_approved", LiveChat, "An agent account was approved"},
	{"agent_updated", LiveChat, "An agent account was updated"},
	{"agent_suspended", LiveChat, "An agent was suspended"},
	{"agent_unsuspended", LiveChat, "An agent was unsuspended"},
	{"agent_deleted", LiveChat, "An agent was deleted"},
	{"auto_accesses_updated", LiveChat, "Auto access rules changed (payload is an array)"},
	{"bot_created", LiveChat, "A bot was created"},
	{"bot_updated", LiveChat, "A bot was updated"},
	{"bot_deleted", LiveChat, "A bot was deleted"},
	{"group_created", LiveChat, "A group was created"},
	{"group_updated", LiveChat, "A group was updated"},
	{"group_deleted", LiveChat, "A group was deleted"},
	{"tag_created", LiveChat, "A tag was created"},
	{"tag_deleted", LiveChat, "A tag was deleted"},
	{"tag_updated", LiveChat, "A tag was updated"},
	{"events_marked_as_seen", LiveChat, "A user marked events as seen"},
	{"thread_summary_set", LiveChat, "An AI summary was set on a thread"},

	{"application_installed", App, "Your app was installed on a LiveChat license"},
	{"application_uninstalled", App, "Your app was uninstalled from a license"},
	{"payment_trialstarted", App, "A payment was scheduled and its trial began"},
	{"payment_activated", App, "A payment process was initiated"},
	{"payment_collected", App, "A payment was collected"},
	{"payment_cancelled", App, "A payment was cancelled"},

	{"install", Monday, "A user installed your monday.com app"},
	{"uninstall", Monday, "A user uninstalled your monday.com app"},
	{"app_subscription_created", Monday, "A user bought a plan"},
	{"app_subscription_changed", Monday, "A paying subscription was upgraded or downgraded"},
	{"app_subscription_renewed", Monday, "A subscription renewed"},
	{"app_subscription_cancelled_by_user", Monday, "A user cancelled; the plan runs until the period ends"},
	{"app_subscription_cancelled", Monday, "A subscription ended after a cancellation"},
	{"app_subscription_cancellation_revoked_by_user", Monday, "A user undid a cancellation"},
	{"app_subscription_renewal_attempt_failed", Monday, "The first renewal attempt failed"},
	{"app_subscription_renewal_failed", Monday, "The final renewal attempt failed"},
	{"app_trial_subscription_started", Monday, "A user started an app trial"},
	{"app_trial_subscription_ended", Monday, "An app trial ended"},
}

// All returns every kind in catalog order.
func All() []Kind { return append([]Kind(nil), kinds...) }

// ByFamily returns the kinds of one family, in catalog order.
func ByFamily(f Family) []Kind {
	var out []Kind
	for _, k := range kinds {
		if k.Family == f {
			out = append(out, k)
		}
	}
	return out
}

// Lookup finds a kind by its exact name.
func Lookup(name string) (Kind, bool) {
	for _, k := range kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// Suggest returns the kinds whose names are close to name, for "did you mean".
func Suggest(name string) []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name
	}
	return suggest.Closest(name, names, 5)
}

// UnknownKindError names a kind the catalog does not have.
type UnknownKindError struct{ Name string }

func (e *UnknownKindError) Error() string {
	msg := fmt.Sprintf("unknown webhook kind %q", e.Name)
	if s := Suggest(e.Name); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return msg
}

// Hint points at the list of kinds.
func (e *UnknownKindError) Hint() string { return "Run 'lcwh samples list' to see every kind." }

// ExitCode makes an unknown kind a usage error.
func (e *UnknownKindError) ExitCode() int { return 2 }

// DocsURL is the page of LiveChat's developer docs that describes k, with
// the anchor of its section; empty for the families whose pages lcwh does
// not link. The spec (../shared/livechat) gives no URLs: the page is the
// public docs' webhooks reference, and the anchor follows how those docs
// link their own sections (the name with hyphens for underscores).
func (k Kind) DocsURL() string {
	if k.Family != LiveChat {
		return ""
	}
	return "https://platform.text.com/docs/management/webhooks#" + strings.ReplaceAll(k.Name, "_", "-")
}
