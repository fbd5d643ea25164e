package webhooks

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/livechat"
)

func TestEvaluate(t *testing.T) {
	yes := true
	cfgBody := []byte(`{"action":"agent_created","requester":{"client_id":"mine"},"payload":{}}`)
	sysBody := []byte(`{"action":"agent_created","requester":{"user_id":"a@b.c"},"payload":{}}`)
	routing := []byte(`{"action":"routing_status_set","payload":{"agent_id":"smith@example.com"}}`)
	chat := []byte(`{"payload":{"chat":{"users":[{"id":"u1"}],"properties":{"source":{"client_id":"other"}}}}}`)
	customerMsg := []byte(`{"payload":{"event":{"author_id":"b7eff798-f8df-4364-8059-649c35c9ed0c"}}}`)
	agentMsg := []byte(`{"payload":{"event":{"author_id":"smith@example.com"}}}`)
	presence := []byte(`{"additional_data":{"chat_presence_user_ids":["u2"]},"payload":{"chat":{"users":[{"id":"u1"}]}}}`)
	tests := []struct {
		name   string
		body   []byte
		f      *livechat.Filters
		match  bool
		filter string
		uneval []string
	}{
		{"no filters", chat, nil, true, "", nil},
		{"source my_client", cfgBody, &livechat.Filters{SourceType: []string{"my_client"}}, true, "", nil},
		{"source other_clients misses", cfgBody, &livechat.Filters{SourceType: []string{"other_clients"}}, false, "source_type", nil},
		{"source system", sysBody, &livechat.Filters{SourceType: []string{"system"}}, true, "", nil},
		{"source on chat action", chat, &livechat.Filters{SourceType: []string{"system"}}, true, "", []string{"source_type"}},
		{"agent listed", routing, &livechat.Filters{AgentIDs: []string{"smith@example.com"}}, true, "", nil},
		{"agent not listed", routing, &livechat.Filters{AgentIDs: []string{"x@example.com"}}, false, "agent_ids", nil},
		{"only my chats misses", chat, &livechat.Filters{OnlyMyChats: &yes}, false, "only_my_chats", nil},
		{"presence values", chat, &livechat.Filters{ChatPresence: &livechat.ChatPresence{UserIDs: &livechat.UserIDs{Values: []string{"u1"}}}}, true, "", nil},
		{"presence exclude", chat, &livechat.Filters{ChatPresence: &livechat.ChatPresence{UserIDs: &livechat.UserIDs{ExcludeValues: []string{"u1"}}}}, false, "chat_presence.user_ids", nil},
		{"presence from additional data", presence, &livechat.Filters{ChatPresence: &livechat.ChatPresence{UserIDs: &livechat.UserIDs{Values: []string{"u1"}}}}, false, "chat_presence.user_ids", nil},
		{"my bots never evaluated", chat, &livechat.Filters{ChatPresence: &livechat.ChatPresence{MyBots: &yes}}, true, "", []string{"chat_presence.my_bots"}},
		{"author without event", chat, &livechat.Filters{AuthorType: "agent"}, true, "", []string{"author_type"}},
		{"customer message, agent filter", customerMsg, &livechat.Filters{AuthorType: "agent"}, false, "author_type", nil},
		{"customer message, customer filter", customerMsg, &livechat.Filters{AuthorType: "customer"}, true, "", nil},
		{"agent message, customer filter", agentMsg, &livechat.Filters{AuthorType: "customer"}, false, "author_type", nil},
	}
	for _, tt := range tests {
		v := Evaluate(tt.body, "mine", tt.f)
		if v.Match != tt.match || v.Filter != tt.filter || !cmp.Equal(v.Unevaluated, tt.uneval) || (!v.Match && v.Reason == "") {
			t.Errorf("%s: %+v, want match=%v filter=%q uneval=%v", tt.name, v, tt.match, tt.filter, tt.uneval)
		}
	}
}
