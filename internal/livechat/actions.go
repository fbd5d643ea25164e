package livechat

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/lcwh/lcwh/internal/termtext"

	"github.com/lcwh/lcwh/internal/suggest"
)

// Filter names (configuration-api.md §6.1, §6.8).
const (
	FilterChatPresence = "chat_presence"
	FilterOnlyMyChats  = "only_my_chats"
	FilterSourceType   = "source_type"
	FilterAuthorType   = "author_type"
	FilterAgentIDs     = "agent_ids"
)

// Additional data values (configuration-api.md §6.1).
const (
	DataChatProperties      = "chat_properties"
	DataChatPresenceUserIDs = "chat_presence_user_ids"
)

// Webhook types.
const (
	TypeLicense = "license"
	TypeBot     = "bot"
)

// DefaultVersion is the stable Configuration API version (configuration-api.md §2).
const DefaultVersion = "3.6"

// MaxURLLength is the documented maximum length of a webhook url.
const MaxURLLength = 500

// MaxWebhooksPerAction is the documented limit per action per client id.
const MaxWebhooksPerAction = 3

// WebhookName is one action with the filters and additional data it accepts,
// as list_webhook_names returns it.
type WebhookName struct {
	Action         string   `json:"action"`
	Filters        []string `json:"filters,omitempty"`
	AdditionalData []string `json:"additional_data,omitempty"`
}

var (
	chatFilters   = []string{FilterChatPresence, FilterOnlyMyChats, FilterSourceType}
	allData       = []string{DataChatProperties, DataChatPresenceUserIDs}
	sourceOnly    = []string{FilterSourceType}
	eventFilters  = []string{FilterChatPresence, FilterAuthorType, FilterOnlyMyChats, FilterSourceType}
	routingFilter = []string{FilterAgentIDs, FilterSourceType}
)

// names36 is the v3.6 table (configuration-api.md §6.8), in the docs' order.
var names36 = []WebhookName{
	{"incoming_chat", chatFilters, allData},
	{"chat_deactivated", chatFilters, allData},
	{"chat_access_updated", chatFilters, allData},
	{"chat_transferred", chatFilters, allData},
	{"user_added_to_chat", chatFilters, allData},
	{"user_removed_from_chat", chatFilters, allData},
	{"incoming_event", eventFilters, allData},
	{"event_deleted", chatFilters, allData},
	{"event_updated", eventFilters, allData},
	{"incoming_rich_message_postback", chatFilters, allData},
	{"chat_properties_updated", chatFilters, allData},
	{"chat_properties_deleted", chatFilters, allData},
	{"thread_properties_updated", chatFilters, allData},
	{"thread_properties_deleted", chatFilters, allData},
	{"event_properties_updated", chatFilters, allData},
	{"event_properties_deleted", chatFilters, allData},
	{"thread_tagged", chatFilters, allData},
	{"thread_untagged", chatFilters, allData},
	{"routing_status_set", routingFilter, allData},
	{"customer_session_fields_updated", []string{FilterChatPresence, FilterSourceType}, allData},
	{"events_marked_as_seen", chatFilters, allData},
	// Configuration webhooks: additional_data is allowed by the parameter
	// rule although there is no chat to take it from (§6.8 footnote).
	{"group_created", sourceOnly, allData},
	{"group_updated", sourceOnly, allData},
	{"group_deleted", sourceOnly, allData},
	{"agent_created", sourceOnly, allData},
	{"agent_updated", sourceOnly, allData},
	{"agent_deleted", sourceOnly, nil},
	{"agent_suspended", sourceOnly, allData},
	{"agent_unsuspended", sourceOnly, allData},
	{"agent_approved", sourceOnly, allData},
	{"bot_created", sourceOnly, allData},
	{"bot_updated", sourceOnly, allData},
	{"bot_deleted", sourceOnly, allData},
	{"auto_accesses_updated", sourceOnly, allData},
	{"tag_created", sourceOnly, allData},
	{"tag_deleted", sourceOnly, allData},
	{"tag_updated", sourceOnly, allData},
	{"thread_summary_set", chatFilters, allData},
}

// Names returns the actions of an API version (3.5, 3.6, 3.7), or false for
// a version lcwh has no table for. 3.7 equals 3.6; 3.5 lacks event_deleted
// and thread_summary_set and has incoming_customer (configuration-api.md §2).
func Names(version string) ([]WebhookName, bool) {
	switch version {
	case "3.6", "3.7":
		return clone(names36), true
	case "3.5":
		var out []WebhookName
		for _, n := range names36 {
			if n.Action == "event_deleted" || n.Action == "thread_summary_set" {
				continue
			}
			out = append(out, n)
			if n.Action == "incoming_chat" {
				out = append(out, WebhookName{"incoming_customer", sourceOnly, nil})
			}
		}
		return clone(out), true
	}
	return nil, false
}

// Versions lists the versions Names knows.
func Versions() []string { return []string{"3.5", "3.6", "3.7"} }

func clone(in []WebhookName) []WebhookName {
	out := make([]WebhookName, len(in))
	for i, n := range in {
		out[i] = WebhookName{n.Action, append([]string(nil), n.Filters...), append([]string(nil), n.AdditionalData...)}
		if len(n.AdditionalData) == 0 {
			out[i].AdditionalData = nil
		}
	}
	return out
}

// LookupName finds action in names.
func LookupName(names []WebhookName, action string) (WebhookName, bool) {
	for _, n := range names {
		if n.Action == action {
			return n, true
		}
	}
	return WebhookName{}, false
}

// SuggestAction returns up to three actions close to a mistyped one.
func SuggestAction(names []WebhookName, action string) []string {
	actions := make([]string, len(names))
	for i, n := range names {
		actions[i] = n.Action
	}
	return suggest.Closest(action, actions, 3)
}

// Filters are register_webhook's filters (configuration-api.md §6.1).
type Filters struct {
	AuthorType   string        `json:"author_type,omitempty"`
	OnlyMyChats  *bool         `json:"only_my_chats,omitempty"`
	ChatPresence *ChatPresence `json:"chat_presence,omitempty"`
	SourceType   []string      `json:"source_type,omitempty"`
	// AgentIDs is listed for routing_status_set only; its shape is
	// undocumented (configuration-api.md §6.1). lcwh assumes a list of agent ids.
	AgentIDs []string `json:"agent_ids,omitempty"`
}

// ChatPresence is filters.chat_presence.
type ChatPresence struct {
	UserIDs *UserIDs `json:"user_ids,omitempty"`
	MyBots  *bool    `json:"my_bots,omitempty"`
}

// UserIDs holds exactly one of Values and ExcludeValues.
type UserIDs struct {
	Values        []string `json:"values,omitempty"`
	ExcludeValues []string `json:"exclude_values,omitempty"`
}

// Empty reports whether no filter is set.
func (f *Filters) Empty() bool {
	return f == nil || (f.AuthorType == "" && f.OnlyMyChats == nil && f.ChatPresence == nil &&
		len(f.SourceType) == 0 && len(f.AgentIDs) == 0)
}

// Keys lists the top-level filters that are set.
func (f *Filters) Keys() []string {
	if f == nil {
		return nil
	}
	var k []string
	if f.AuthorType != "" {
		k = append(k, FilterAuthorType)
	}
	if f.OnlyMyChats != nil {
		k = append(k, FilterOnlyMyChats)
	}
	if f.ChatPresence != nil {
		k = append(k, FilterChatPresence)
	}
	if f.SourceType != nil {
		k = append(k, FilterSourceType)
	}
	if f.AgentIDs != nil {
		k = append(k, FilterAgentIDs)
	}
	return k
}

// ValidationError is a request lcwh refuses to send because the spec says
// the API would reject it.
type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return e.Msg }

func invalid(format string, a ...any) error { return &ValidationError{Msg: fmt.Sprintf(format, a...)} }

// ValidateFilters checks f against what name accepts and the value rules of §6.8.
func ValidateFilters(name WebhookName, f *Filters) error {
	if f == nil {
		return nil
	}
	for _, k := range f.Keys() {
		if !contains(name.Filters, k) {
			allowed := "none"
			if len(name.Filters) > 0 {
				allowed = strings.Join(name.Filters, ", ")
			}
			return invalid("filter %s is not allowed for %s (allowed: %s)", k, name.Action, allowed)
		}
	}
	if f.AuthorType != "" && f.AuthorType != "customer" && f.AuthorType != "agent" {
		return invalid("filter author_type must be customer or agent, not %q", f.AuthorType)
	}
	if err := validateSourceType(f.SourceType); err != nil {
		return err
	}
	return validateChatPresence(f.ChatPresence)
}

// validateSourceType checks source_type: at least one value, each known.
func validateSourceType(st []string) error {
	if st != nil && len(st) == 0 {
		return invalid("filter source_type needs at least one of my_client, other_clients, system")
	}
	for _, s := range st {
		if s != "my_client" && s != "other_clients" && s != "system" {
			return invalid("filter source_type values are my_client, other_clients, system, not %q", s)
		}
	}
	return nil
}

// validateChatPresence checks chat_presence: user_ids or my_bots, and
// user_ids with exactly one of its lists.
func validateChatPresence(cp *ChatPresence) error {
	if cp == nil {
		return nil
	}
	if cp.UserIDs == nil && cp.MyBots == nil {
		return invalid("filter chat_presence needs user_ids or my_bots")
	}
	if u := cp.UserIDs; u != nil {
		if (len(u.Values) > 0) == (len(u.ExcludeValues) > 0) {
			return invalid("filter chat_presence.user_ids needs exactly one of values and exclude_values")
		}
	}
	return nil
}

// ValidateAdditionalData checks items against what name accepts.
func ValidateAdditionalData(name WebhookName, items []string) error {
	for _, d := range items {
		if d != DataChatProperties && d != DataChatPresenceUserIDs {
			return invalid("additional data values are chat_properties, chat_presence_user_ids, not %q", d)
		}
		if !contains(name.AdditionalData, d) {
			return invalid("additional data is not allowed for %s", name.Action)
		}
	}
	return nil
}

// ValidateURL checks a webhook url: absolute http(s), at most 500 characters.
func ValidateURL(s string) error {
	if len(s) > MaxURLLength {
		return invalid("url is %d characters long; LiveChat accepts at most %d", len(s), MaxURLLength)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return invalid("url must be an absolute http:// or https:// URL, not %q", termtext.URL(s))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return invalid("url %q has port %s; a port is 1-65535", termtext.URL(s), p)
		}
	}
	return nil
}

// ParseFilters decodes a --filters JSON object strictly: unknown keys fail.
func ParseFilters(s string) (*Filters, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var f Filters
	if err := dec.Decode(&f); err != nil {
		return nil, invalid("filters JSON: %v", err)
	}
	if dec.More() {
		return nil, invalid("filters JSON: trailing data after the object")
	}
	return &f, nil
}

// SetFilter applies one "key=value" (or "a.b.c=value") to f. Lists are
// comma-separated; booleans are true/false.
func SetFilter(f *Filters, kv string) error {
	key, val, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return invalid("filter %q must look like key=value", kv)
	}
	list := func() []string { return filterList(val) }
	boolean := func() (*bool, error) { return filterBool(key, val) }
	presence := func() *ChatPresence {
		if f.ChatPresence == nil {
			f.ChatPresence = &ChatPresence{}
		}
		return f.ChatPresence
	}
	switch key {
	case FilterAuthorType:
		f.AuthorType = val
	case FilterOnlyMyChats:
		b, err := boolean()
		if err != nil {
			return err
		}
		f.OnlyMyChats = b
	case FilterSourceType:
		f.SourceType = list()
	case FilterAgentIDs:
		f.AgentIDs = list()
	case "chat_presence.my_bots":
		b, err := boolean()
		if err != nil {
			return err
		}
		presence().MyBots = b
	case "chat_presence.user_ids.values", "chat_presence.user_ids.exclude_values":
		cp := presence()
		if cp.UserIDs == nil {
			cp.UserIDs = &UserIDs{}
		}
		if strings.HasSuffix(key, ".exclude_values") {
			cp.UserIDs.ExcludeValues = list()
		} else {
			cp.UserIDs.Values = list()
		}
	default:
		return invalid("unknown filter %q (known: author_type, only_my_chats, source_type, agent_ids, chat_presence.my_bots, chat_presence.user_ids.values, chat_presence.user_ids.exclude_values)", key)
	}
	return nil
}

// filterList is a comma-separated filter value: trimmed, empty items
// dropped, never nil.
func filterList(val string) []string {
	out := []string{}
	for _, p := range strings.Split(val, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// filterBool is a true/false filter value.
func filterBool(key, val string) (*bool, error) {
	switch val {
	case "true":
		b := true
		return &b, nil
	case "false":
		b := false
		return &b, nil
	}
	return nil, invalid("filter %s must be true or false, not %q", key, val)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
