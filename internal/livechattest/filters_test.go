package livechattest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/livechat"
)

func TestEvalFilters(t *testing.T) {
	yes := true
	cfgBody := []byte(`{"action":"agent_created","requester":{"client_id":"mine"},"payload":{}}`)
	sysBody := []byte(`{"action":"agent_created","requester":{"user_id":"a@b.c"},"payload":{}}`)
	routing := []byte(`{"action":"routing_status_set","payload":{"agent_id":"smith@example.com"}}`)
	chat := []byte(`{"payload":{"chat":{"users":[{"id":"u1"}],"properties":{"source":{"client_id":"other"}}}}}`)
	tests := []struct {
		name   string
		body   []byte
		f      *livechat.Filters
		match  bool
		uneval []string
	}{
		{"no filters", chat, nil, true, nil},
		{"source my_client", cfgBody, &livechat.Filters{SourceType: []string{"my_client"}}, true, nil},
		{"source other_clients misses", cfgBody, &livechat.Filters{SourceType: []string{"other_clients"}}, false, nil},
		{"source system", sysBody, &livechat.Filters{SourceType: []string{"system"}}, true, nil},
		{"source on chat action", chat, &livechat.Filters{SourceType: []string{"system"}}, true, []string{"source_type"}},
		{"agent listed", routing, &livechat.Filters{AgentIDs: []string{"smith@example.com"}}, true, nil},
		{"agent not listed", routing, &livechat.Filters{AgentIDs: []string{"x@example.com"}}, false, nil},
		{"only my chats misses", chat, &livechat.Filters{OnlyMyChats: &yes}, false, nil},
		{"presence values", chat, &livechat.Filters{ChatPresence: &livechat.ChatPresence{UserIDs: &livechat.UserIDs{Values: []string{"u1"}}}}, true, nil},
		{"presence exclude", chat, &livechat.Filters{ChatPresence: &livechat.ChatPresence{UserIDs: &livechat.UserIDs{ExcludeValues: []string{"u1"}}}}, false, nil},
		{"my bots never evaluated", chat, &livechat.Filters{ChatPresence: &livechat.ChatPresence{MyBots: &yes}}, true, []string{"chat_presence.my_bots"}},
		{"author without event", chat, &livechat.Filters{AuthorType: "agent"}, true, []string{"author_type"}},
	}
	for _, tt := range tests {
		match, why, uneval := evalFilters(tt.body, "mine", tt.f)
		if match != tt.match || !cmp.Equal(uneval, tt.uneval) || (!match && why == "") {
			t.Errorf("%s: match=%v why=%q uneval=%v, want %v %v", tt.name, match, why, uneval, tt.match, tt.uneval)
		}
	}
}

func TestDurationJSON(t *testing.T) {
	var r TriggerRequest
	if err := r.Timeout.UnmarshalJSON([]byte(`"1.5s"`)); err != nil || r.Timeout != Duration(1500e6) {
		t.Errorf("%v %v", r.Timeout, err)
	}
	if err := r.Timeout.UnmarshalJSON([]byte(`2000`)); err != nil || r.Timeout != 2000 {
		t.Errorf("%v %v", r.Timeout, err)
	}
	if b, _ := Duration(1500e6).MarshalJSON(); string(b) != `"1.5s"` {
		t.Errorf("%s", b)
	}
	if err := r.Timeout.UnmarshalJSON([]byte(`"soon"`)); err == nil {
		t.Error("bad duration accepted")
	}
}
