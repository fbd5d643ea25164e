package webhooks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/livechat"
)

// allFilters sets every filter once (not a valid combination for one
// action, which FilterArgs and Describe do not need).
func allFilters(t *testing.T) *livechat.Filters {
	t.Helper()
	f, err := BuildFilters(`{"author_type":"agent","only_my_chats":true,"source_type":["my_client","system"],`+
		`"chat_presence":{"user_ids":{"exclude_values":["u1","u2"]},"my_bots":true},"agent_ids":["a@b.c"]}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFilterArgsRoundTrip(t *testing.T) {
	f := allFilters(t)
	args := FilterArgs(f, "")
	want := []string{"author_type=agent", "only_my_chats=true", "chat_presence.user_ids.exclude_values=u1,u2",
		"chat_presence.my_bots=true", "source_type=my_client,system", "agent_ids=a@b.c"}
	if diff := cmp.Diff(want, args); diff != "" {
		t.Fatalf("args (-want +got):\n%s", diff)
	}
	back, err := BuildFilters("", args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, back); diff != "" {
		t.Errorf("--filter args do not rebuild the filters (-want +got):\n%s", diff)
	}
	for _, drop := range []string{"author_type", "chat_presence.user_ids", "chat_presence.my_bots", "source_type"} {
		for _, a := range FilterArgs(f, drop) {
			if strings.HasPrefix(a, drop) {
				t.Errorf("drop %s kept %s", drop, a)
			}
		}
		if len(FilterArgs(f, drop)) != len(args)-1 {
			t.Errorf("drop %s removed more than one filter: %v", drop, FilterArgs(f, drop))
		}
	}
	if FilterArgs(nil, "") != nil {
		t.Error("no filters gave args")
	}
}

func TestDescribe(t *testing.T) {
	got := Describe(allFilters(t), "C1")
	want := []string{
		"author_type=agent: only events written by an agent (or bot); customers' messages are not sent",
		"only_my_chats=true: only chats started through your app (chat property source.client_id = C1)",
		"chat_presence.user_ids.exclude_values=u1,u2: no chat any of these users is in",
		"chat_presence.my_bots=true: only chats a bot of your app is in",
		"source_type=my_client,system: only when the action comes from your app (my_client) or LiveChat itself, no client id (system)",
		"agent_ids=a@b.c: only routing status changes of these agents (the filter's shape is undocumented)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if Describe(nil, "C1") != nil {
		t.Error("no filters described")
	}
}

func TestDecodeFilters(t *testing.T) {
	f, unknown, err := DecodeFilters([]byte(`{"author_type":"customer","agent_types":["x"]}`))
	if err != nil || f == nil || f.AuthorType != "customer" || !cmp.Equal(unknown, []string{"agent_types"}) {
		t.Errorf("got %+v %v %v", f, unknown, err)
	}
	for _, raw := range []string{"", "null", "{}"} {
		if f, unknown, err := DecodeFilters([]byte(raw)); f != nil || unknown != nil || err != nil {
			t.Errorf("%q: %+v %v %v", raw, f, unknown, err)
		}
	}
	if _, _, err := DecodeFilters([]byte(`[1]`)); err == nil {
		t.Error("non-object filters accepted")
	}
}
