package webhooks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/lcwh/lcwh/internal/livechat"
)

// knownFilters are the top-level filter keys of configuration-api.md §6.1.
var knownFilters = []string{livechat.FilterAuthorType, livechat.FilterOnlyMyChats, livechat.FilterChatPresence,
	livechat.FilterSourceType, livechat.FilterAgentIDs}

// DecodeFilters reads the filters of a list_webhooks element leniently: the
// filters lcwh knows decode into Filters, and the top-level keys it does not
// know (a filter of another API version, or one LiveChat added) are returned
// in unknown instead of failing. Empty or null raw gives nil filters.
func DecodeFilters(raw json.RawMessage) (f *livechat.Filters, unknown []string, err error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return nil, nil, nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, nil, fmt.Errorf("filters: %w", err)
	}
	for k := range keys {
		if !slices.Contains(knownFilters, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	f = &livechat.Filters{}
	if err := json.Unmarshal(raw, f); err != nil {
		return nil, unknown, fmt.Errorf("filters: %w", err)
	}
	if f.Empty() {
		f = nil
	}
	return f, unknown, nil
}

// sourceWords names the source_type values (configuration-api.md §6.1).
var sourceWords = map[string]string{
	"my_client":     "your app (my_client)",
	"other_clients": "other apps (other_clients)",
	"system":        "LiveChat itself, no client id (system)",
}

// Describe says in plain words what each filter of f lets through, one
// line per filter, for a webhook owned by owner.
func Describe(f *livechat.Filters, owner string) []string {
	if f.Empty() {
		return nil
	}
	var out []string
	switch f.AuthorType {
	case "customer":
		out = append(out, "author_type=customer: only events written by a customer; agents' and bots' messages are not sent")
	case "agent":
		out = append(out, "author_type=agent: only events written by an agent (or bot); customers' messages are not sent")
	case "":
	default:
		out = append(out, fmt.Sprintf("author_type=%s: not a documented value (customer or agent)", f.AuthorType))
	}
	if f.OnlyMyChats != nil {
		if *f.OnlyMyChats {
			out = append(out, fmt.Sprintf("only_my_chats=true: only chats started through your app (chat property source.client_id = %s)", owner))
		} else {
			out = append(out, "only_my_chats=false: chats from any source")
		}
	}
	out = append(out, describePresence(f.ChatPresence)...)
	if len(f.SourceType) > 0 {
		var from []string
		for _, s := range f.SourceType {
			w, ok := sourceWords[s]
			if !ok {
				w = s + " (not a documented value)"
			}
			from = append(from, w)
		}
		out = append(out, fmt.Sprintf("source_type=%s: only when the action comes from %s",
			strings.Join(f.SourceType, ","), strings.Join(from, " or ")))
	}
	if f.AgentIDs != nil {
		out = append(out, fmt.Sprintf("agent_ids=%s: only routing status changes of these agents (the filter's shape is undocumented)",
			strings.Join(f.AgentIDs, ",")))
	}
	return out
}

func describePresence(cp *livechat.ChatPresence) []string {
	if cp == nil {
		return nil
	}
	var out []string
	if u := cp.UserIDs; u != nil {
		if len(u.Values) > 0 {
			out = append(out, fmt.Sprintf("chat_presence.user_ids.values=%s: only chats one of these users is in",
				strings.Join(u.Values, ",")))
		}
		if len(u.ExcludeValues) > 0 {
			out = append(out, fmt.Sprintf("chat_presence.user_ids.exclude_values=%s: no chat any of these users is in",
				strings.Join(u.ExcludeValues, ",")))
		}
	}
	if cp.MyBots != nil {
		if *cp.MyBots {
			out = append(out, "chat_presence.my_bots=true: only chats a bot of your app is in")
		} else {
			out = append(out, "chat_presence.my_bots=false: no restriction on bots")
		}
	}
	return out
}

// kv is one --filter key=value.
type kv struct{ k, v string }

func presenceArgs(cp *livechat.ChatPresence) []kv {
	if cp == nil {
		return nil
	}
	var out []kv
	if u := cp.UserIDs; u != nil && len(u.Values) > 0 {
		out = append(out, kv{FilterUserIDs + ".values", strings.Join(u.Values, ",")})
	}
	if u := cp.UserIDs; u != nil && len(u.ExcludeValues) > 0 {
		out = append(out, kv{FilterUserIDs + ".exclude_values", strings.Join(u.ExcludeValues, ",")})
	}
	if cp.MyBots != nil {
		out = append(out, kv{FilterMyBots, fmt.Sprint(*cp.MyBots)})
	}
	return out
}

// FilterArgs restates f as the key=value pairs `lcwh register --filter`
// takes, leaving out drop: a filter name as Verdict reports it
// (author_type, chat_presence.user_ids, …; "" keeps all).
func FilterArgs(f *livechat.Filters, drop string) []string {
	if f.Empty() {
		return nil
	}
	var all []kv
	if f.AuthorType != "" {
		all = append(all, kv{livechat.FilterAuthorType, f.AuthorType})
	}
	if f.OnlyMyChats != nil {
		all = append(all, kv{livechat.FilterOnlyMyChats, fmt.Sprint(*f.OnlyMyChats)})
	}
	all = append(all, presenceArgs(f.ChatPresence)...)
	if len(f.SourceType) > 0 {
		all = append(all, kv{livechat.FilterSourceType, strings.Join(f.SourceType, ",")})
	}
	if f.AgentIDs != nil {
		all = append(all, kv{livechat.FilterAgentIDs, strings.Join(f.AgentIDs, ",")})
	}
	var out []string
	for _, p := range all {
		if drop != "" && (p.k == drop || strings.HasPrefix(p.k, drop+".")) {
			continue
		}
		out = append(out, p.k+"="+p.v)
	}
	return out
}
