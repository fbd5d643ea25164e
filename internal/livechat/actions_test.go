package livechat

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSetFilterAndValidate(t *testing.T) {
	f := &Filters{}
	for _, kv := range []string{"author_type=customer", "only_my_chats=false", "source_type=my_client,other_clients",
		"chat_presence.user_ids.exclude_values=a,b", "chat_presence.my_bots=true"} {
		if err := SetFilter(f, kv); err != nil {
			t.Fatal(err)
		}
	}
	no, yes := false, true
	want := &Filters{AuthorType: "customer", OnlyMyChats: &no, SourceType: []string{"my_client", "other_clients"},
		ChatPresence: &ChatPresence{UserIDs: &UserIDs{ExcludeValues: []string{"a", "b"}}, MyBots: &yes}}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Error(diff)
	}
	names, _ := Names("3.6")
	ev, _ := LookupName(names, "incoming_event")
	if err := ValidateFilters(ev, f); err != nil {
		t.Errorf("incoming_event: %v", err)
	}
	chat, _ := LookupName(names, "incoming_chat")
	if err := ValidateFilters(chat, f); err == nil || !strings.Contains(err.Error(), "author_type is not allowed for incoming_chat") {
		t.Errorf("incoming_chat: %v", err)
	}
	bad := []struct{ kv, want string }{
		{"author_type=bot", "customer or agent"},
		{"source_type=others", "my_client, other_clients, system"},
		{"chat_presence.user_ids.values=x", "exactly one"},
	}
	for _, b := range bad {
		g := &Filters{}
		_ = SetFilter(g, "chat_presence.user_ids.exclude_values=y")
		if b.kv != "chat_presence.user_ids.values=x" {
			g = &Filters{}
		}
		if err := SetFilter(g, b.kv); err != nil {
			t.Fatal(err)
		}
		if err := ValidateFilters(ev, g); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: %v", b.kv, err)
		}
	}
	if err := SetFilter(&Filters{}, "nope=1"); err == nil {
		t.Error("unknown filter accepted")
	}
	if err := SetFilter(&Filters{}, "only_my_chats=yes"); err == nil {
		t.Error("bad bool accepted")
	}
}

func TestValidateAdditionalDataAndURL(t *testing.T) {
	names, _ := Names("3.6")
	ad, _ := LookupName(names, "agent_deleted")
	if err := ValidateAdditionalData(ad, []string{"chat_properties"}); err == nil {
		t.Error("agent_deleted accepted additional data")
	}
	old, _ := Names("3.5")
	if _, ok := LookupName(old, "incoming_customer"); !ok {
		t.Error("3.5 lacks incoming_customer")
	}
	if _, ok := LookupName(old, "thread_summary_set"); ok {
		t.Error("3.5 has thread_summary_set")
	}
	for _, u := range []string{"ftp://x", "/relative", "https://" + strings.Repeat("a", 500), "http://x:99999/", "http://x:0/", "http://:80/"} {
		if ValidateURL(u) == nil {
			t.Errorf("url %q accepted", u)
		}
	}
	if err := ValidateURL("http://myservice.com/webhooks"); err != nil {
		t.Error(err)
	}
	if _, err := ParseFilters(`{"author_type":"agent","bogus":1}`); err == nil {
		t.Error("unknown key accepted")
	}
}
