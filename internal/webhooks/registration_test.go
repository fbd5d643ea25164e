package webhooks

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/livechat"
)

func TestParseRegistration(t *testing.T) {
	yes := true
	reg, err := ParseRegistration("3.6", []string{"incoming_chat,chat_deactivated", "incoming_chat"},
		`{"source_type":["my_client"]}`, []string{"only_my_chats=true"}, []string{"chat_properties"})
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, n := range reg.Actions {
		acts = append(acts, n.Action)
	}
	if diff := cmp.Diff([]string{"incoming_chat", "chat_deactivated"}, acts); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	want := &livechat.Filters{SourceType: []string{"my_client"}, OnlyMyChats: &yes}
	if diff := cmp.Diff(want, reg.Filters); diff != "" {
		t.Errorf("filters (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"chat_properties"}, reg.AdditionalData); diff != "" {
		t.Errorf("additional data (-want +got):\n%s", diff)
	}
}

func TestParseRegistrationErrors(t *testing.T) {
	tests := []struct {
		name, version string
		actions       []string
		json          string
		kvs, data     []string
		want, hint    string
	}{
		{name: "unknown action", version: "3.6", actions: []string{"incomig_chat"},
			want: "unknown webhook action \"incomig_chat\" for API version 3.6\n\nDid you mean this?\n\tincoming_chat", hint: `Run "lcwh names" for the list of actions.`},
		{name: "action of another version", version: "3.6", actions: []string{"incoming_customer"}, want: `unknown webhook action "incoming_customer" for API version 3.6`},
		{name: "unknown version", version: "9.9", actions: []string{"incoming_chat"}, want: "lcwh has no action table for API version 9.9", hint: "Use one of [3.5 3.6 3.7]"},
		{name: "filter not allowed", version: "3.6", actions: []string{"incoming_chat"}, kvs: []string{"author_type=agent"}, want: "filter author_type is not allowed for incoming_chat"},
		{name: "bad filter", version: "3.6", actions: []string{"incoming_chat"}, kvs: []string{"nope=1"}, want: `unknown filter "nope"`},
		{name: "bad filters json", version: "3.6", actions: []string{"incoming_chat"}, json: `{"x":1}`, want: "filters JSON"},
		{name: "additional data not allowed", version: "3.6", actions: []string{"agent_deleted"}, data: []string{"chat_properties"}, want: "additional data is not allowed for agent_deleted"},
	}
	for _, tt := range tests {
		_, err := ParseRegistration(tt.version, tt.actions, tt.json, tt.kvs, tt.data)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
			continue
		}
		var ue *UsageError
		var ve *livechat.ValidationError
		switch {
		case tt.hint != "":
			if !errors.As(err, &ue) || !strings.Contains(ue.Hint(), tt.hint) || ue.ExitCode() != 2 {
				t.Errorf("%s: want a UsageError with hint %q, got %#v", tt.name, tt.hint, err)
			}
		case !errors.As(err, &ve) && !errors.As(err, &ue):
			t.Errorf("%s: want a ValidationError or UsageError, got %T", tt.name, err)
		}
	}
}

func TestBuildFilters(t *testing.T) {
	f, err := BuildFilters("", nil)
	if err != nil || f != nil {
		t.Errorf("no filters: %v %v", f, err)
	}
	f, err = BuildFilters(`{"author_type":"customer"}`, []string{"author_type=agent"})
	if err != nil || f.AuthorType != "agent" {
		t.Errorf("--filter applies over --filters: %+v %v", f, err)
	}
}

func TestGenerateSecret(t *testing.T) {
	a, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateSecret()
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if len(a) != 43 || err != nil || len(raw) != 32 || a == b {
		t.Errorf("secrets %q %q: %v", a, b, err)
	}
}

func TestOwner(t *testing.T) {
	if o, err := Owner("C", &livechat.Client{TokenClientID: "T"}); o != "C" || err != nil {
		t.Errorf("flag wins: %q %v", o, err)
	}
	if o, err := Owner("", &livechat.Client{TokenClientID: "T"}); o != "T" || err != nil {
		t.Errorf("token client: %q %v", o, err)
	}
	_, err := Owner("", &livechat.Client{})
	var ue *UsageError
	if !errors.Is(err, ErrNoClientID) || !errors.As(err, &ue) || ue.Hint() != ClientIDHint || ue.ExitCode() != 2 {
		t.Errorf("no client id: %#v", err)
	}
}

func TestSplitList(t *testing.T) {
	if diff := cmp.Diff([]string{"a", "b", "c"}, SplitList([]string{" a, ,b", "c,"})); diff != "" {
		t.Error(diff)
	}
}
