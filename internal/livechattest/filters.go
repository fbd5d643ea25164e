package livechattest

import (
	"fmt"
	"regexp"
	"slices"
	"sort"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/livechat"
)

// uuidRE recognises customer ids (UUIDs); agent ids are e-mails and bot ids
// 32 hex characters (webhooks.md §5). Used to tell an event author's type.
var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// evalFilters decides whether a webhook registered with f fires for body,
// as far as the body tells (configuration-api.md §6.1). A filter the body
// cannot decide is listed in unevaluated and treated as matching:
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
//   - chat_presence.my_bots: never evaluated (the sandbox has no bots).
func evalFilters(body []byte, owner string, f *livechat.Filters) (match bool, why string, unevaluated []string) {
	if f.Empty() {
		return true, "", nil
	}
	checks := []func() (bool, string, string){
		func() (bool, string, string) { return authorType(body, f) },
		func() (bool, string, string) { return onlyMyChats(body, owner, f) },
		func() (bool, string, string) { return chatPresence(body, f) },
		func() (bool, string, string) { return sourceType(body, owner, f) },
		func() (bool, string, string) { return agentIDs(body, f) },
	}
	if f.ChatPresence != nil && f.ChatPresence.MyBots != nil {
		unevaluated = append(unevaluated, "chat_presence.my_bots")
	}
	for _, c := range checks {
		ok, reason, uneval := c()
		if uneval != "" {
			unevaluated = append(unevaluated, uneval)
			continue
		}
		if !ok {
			return false, reason, unevaluated
		}
	}
	return true, "", unevaluated
}

func authorType(body []byte, f *livechat.Filters) (bool, string, string) {
	if f.AuthorType == "" {
		return true, "", ""
	}
	id := gjson.GetBytes(body, "payload.event.author_id")
	if !id.Exists() {
		return true, "", livechat.FilterAuthorType
	}
	typ := "agent"
	if uuidRE.MatchString(id.String()) {
		typ = "customer"
	}
	if typ != f.AuthorType {
		return false, fmt.Sprintf("filter author_type=%s: the event's author %s is a %s", f.AuthorType, id.String(), typ), ""
	}
	return true, "", ""
}

func onlyMyChats(body []byte, owner string, f *livechat.Filters) (bool, string, string) {
	if f.OnlyMyChats == nil || !*f.OnlyMyChats {
		return true, "", ""
	}
	src := gjson.GetBytes(body, "additional_data.chat_properties.source.client_id")
	if !src.Exists() {
		src = gjson.GetBytes(body, "payload.chat.properties.source.client_id")
	}
	if !src.Exists() {
		return true, "", livechat.FilterOnlyMyChats
	}
	if src.String() != owner {
		return false, fmt.Sprintf("filter only_my_chats: the chat's source.client_id is %s, not %s (try --set payload.chat.properties.source.client_id=%s)", src.String(), owner, owner), ""
	}
	return true, "", ""
}

func chatPresence(body []byte, f *livechat.Filters) (bool, string, string) {
	if f.ChatPresence == nil || f.ChatPresence.UserIDs == nil {
		return true, "", ""
	}
	ids := chatUserIDs(body)
	if ids == nil {
		return true, "", "chat_presence.user_ids"
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
		return false, fmt.Sprintf("filter chat_presence.user_ids.values: none of them is in the chat (present: %v)", ids), ""
	}
	if id := anyIn(u.ExcludeValues); id != "" {
		return false, fmt.Sprintf("filter chat_presence.user_ids.exclude_values: %s is in the chat", id), ""
	}
	return true, "", ""
}

func sourceType(body []byte, owner string, f *livechat.Filters) (bool, string, string) {
	if len(f.SourceType) == 0 {
		return true, "", ""
	}
	req := gjson.GetBytes(body, "requester")
	if !req.Exists() {
		return true, "", livechat.FilterSourceType
	}
	src := "system"
	if c := req.Get("client_id").String(); c == owner {
		src = "my_client"
	} else if c != "" {
		src = "other_clients"
	}
	if !slices.Contains(f.SourceType, src) {
		return false, fmt.Sprintf("filter source_type=%v: the change came from %s (requester.client_id)", f.SourceType, src), ""
	}
	return true, "", ""
}

func agentIDs(body []byte, f *livechat.Filters) (bool, string, string) {
	if f.AgentIDs == nil {
		return true, "", ""
	}
	id := gjson.GetBytes(body, "payload.agent_id")
	if !id.Exists() {
		return true, "", livechat.FilterAgentIDs
	}
	if !slices.Contains(f.AgentIDs, id.String()) {
		return false, fmt.Sprintf("filter agent_ids: %s is not listed", id.String()), ""
	}
	return true, "", ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
