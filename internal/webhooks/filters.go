package webhooks

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/livechat"
)

// Filter names as Verdict reports them: the top-level filters, and
// chat_presence split into its two independent parts.
const (
	FilterUserIDs = "chat_presence.user_ids"
	FilterMyBots  = "chat_presence.my_bots"
)

// uuidRE recognises customer ids (UUIDs); agent ids are e-mails and bot ids
// 32 hex characters (webhooks.md §5). Used to tell an event author's type.
var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Verdict is whether a webhook's filters let one event through.
type Verdict struct {
	// Match is true when the event would be sent.
	Match bool
	// Filter names the filter that excludes the event ("" when Match):
	// author_type, only_my_chats, chat_presence.user_ids, source_type or agent_ids.
	Filter string
	// Reason says in words why Filter excludes the event.
	Reason string
	// Unevaluated lists filters the body cannot decide; they count as matching.
	Unevaluated []string
}

// Evaluate decides whether a webhook of owner registered with f fires for
// body, as far as the body tells (configuration-api.md §6.1). The sandbox
// decides deliveries with it and `lcwh doctor` explains them with it. A
// filter the body cannot decide is listed in Unevaluated and treated as
// matching:
//
//   - author_type: from payload.event.author_id (a UUID is a customer,
//     anything else an agent or bot; LiveChat decides from the user record).
//   - only_my_chats: the chat's properties source.client_id (from
//     additional_data.chat_properties or payload.chat.properties) equals the
//     owner's client id.
//   - chat_presence.user_ids: the chat's users (additional_data
//     chat_presence_user_ids or payload.chat.users[].id).
//   - source_type: requester.client_id of configuration actions (equal to the
//     owner: my_client; another: other_clients; none: system). Chat actions
//     carry no source: unevaluated.
//   - agent_ids: payload.agent_id of routing_status_set (the filter's shape
//     is undocumented; lcwh assumes a list of agent ids).
//   - chat_presence.my_bots: never evaluated (a body does not say which
//     users are bots of the owner).
func Evaluate(body []byte, owner string, f *livechat.Filters) Verdict {
	if f.Empty() {
		return Verdict{Match: true}
	}
	var v Verdict
	if f.ChatPresence != nil && f.ChatPresence.MyBots != nil {
		v.Unevaluated = append(v.Unevaluated, FilterMyBots)
	}
	checks := []func() check{
		func() check { return authorType(body, f) },
		func() check { return onlyMyChats(body, owner, f) },
		func() check { return chatPresence(body, f) },
		func() check { return sourceType(body, owner, f) },
		func() check { return agentIDs(body, f) },
	}
	for _, c := range checks {
		r := c()
		if r.unevaluated {
			v.Unevaluated = append(v.Unevaluated, r.filter)
			continue
		}
		if r.excludes {
			v.Filter, v.Reason = r.filter, r.reason
			return v
		}
	}
	v.Match = true
	return v
}

// check is one filter's outcome: it excludes the event (with reason), the
// body cannot decide it, or (zero value) it lets the event through.
type check struct {
	filter      string
	excludes    bool
	unevaluated bool
	reason      string
}

func excluded(filter, format string, a ...any) check {
	return check{filter: filter, excludes: true, reason: fmt.Sprintf(format, a...)}
}

func undecided(filter string) check { return check{filter: filter, unevaluated: true} }

func authorType(body []byte, f *livechat.Filters) check {
	if f.AuthorType == "" {
		return check{}
	}
	id := gjson.GetBytes(body, "payload.event.author_id")
	if !id.Exists() {
		return undecided(livechat.FilterAuthorType)
	}
	typ := "agent"
	if uuidRE.MatchString(id.String()) {
		typ = "customer"
	}
	if typ != f.AuthorType {
		return excluded(livechat.FilterAuthorType, "filter author_type=%s: the event's author %s is a %s", f.AuthorType, id.String(), typ)
	}
	return check{}
}

func onlyMyChats(body []byte, owner string, f *livechat.Filters) check {
	if f.OnlyMyChats == nil || !*f.OnlyMyChats {
		return check{}
	}
	src := gjson.GetBytes(body, "additional_data.chat_properties.source.client_id")
	if !src.Exists() {
		src = gjson.GetBytes(body, "payload.chat.properties.source.client_id")
	}
	if !src.Exists() {
		return undecided(livechat.FilterOnlyMyChats)
	}
	if src.String() != owner {
		return excluded(livechat.FilterOnlyMyChats, "filter only_my_chats: the chat's source.client_id is %s, not %s (try --set payload.chat.properties.source.client_id=%s)", src.String(), owner, owner)
	}
	return check{}
}

func chatPresence(body []byte, f *livechat.Filters) check {
	if f.ChatPresence == nil || f.ChatPresence.UserIDs == nil {
		return check{}
	}
	ids := ChatUserIDs(body)
	if ids == nil {
		return undecided(FilterUserIDs)
	}
	u := f.ChatPresence.UserIDs
	anyIn := func(list []string) string {
		for _, id := range list {
			if slices.Contains(ids, id) {
				return id
			}
		}
		return ""
	}
	if len(u.Values) > 0 && anyIn(u.Values) == "" {
		return excluded(FilterUserIDs, "filter chat_presence.user_ids.values: none of them is in the chat (present: %v)", ids)
	}
	if id := anyIn(u.ExcludeValues); id != "" {
		return excluded(FilterUserIDs, "filter chat_presence.user_ids.exclude_values: %s is in the chat", id)
	}
	return check{}
}

// ChatUserIDs are the ids of the users present in an event's chat:
// additional_data.chat_presence_user_ids, else payload.chat.users[].id;
// nil when the body names none.
func ChatUserIDs(body []byte) []string {
	var ids []string
	if v := gjson.GetBytes(body, "additional_data.chat_presence_user_ids"); v.IsArray() {
		for _, x := range v.Array() {
			ids = append(ids, x.String())
		}
		return ids
	}
	if v := gjson.GetBytes(body, "payload.chat.users.#.id"); v.IsArray() && len(v.Array()) > 0 {
		for _, x := range v.Array() {
			ids = append(ids, x.String())
		}
	}
	return ids
}

func sourceType(body []byte, owner string, f *livechat.Filters) check {
	if len(f.SourceType) == 0 {
		return check{}
	}
	req := gjson.GetBytes(body, "requester")
	if !req.Exists() {
		return undecided(livechat.FilterSourceType)
	}
	src := "system"
	if c := req.Get("client_id").String(); c == owner {
		src = "my_client"
	} else if c != "" {
		src = "other_clients"
	}
	if !slices.Contains(f.SourceType, src) {
		return excluded(livechat.FilterSourceType, "filter source_type=%v: the change came from %s (requester.client_id)", f.SourceType, src)
	}
	return check{}
}

func agentIDs(body []byte, f *livechat.Filters) check {
	if f.AgentIDs == nil {
		return check{}
	}
	id := gjson.GetBytes(body, "payload.agent_id")
	if !id.Exists() {
		return undecided(livechat.FilterAgentIDs)
	}
	if !slices.Contains(f.AgentIDs, id.String()) {
		return excluded(livechat.FilterAgentIDs, "filter agent_ids: %s is not listed", id.String())
	}
	return check{}
}
