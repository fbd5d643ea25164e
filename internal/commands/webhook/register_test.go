package webhook

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechat"
)

func testFactory(t *testing.T) *cmdutil.Factory {
	t.Helper()
	ios, _ := iostreams.Test()
	dir := t.TempDir()
	for _, k := range []string{"LCWH_CLIENT_ID", "LCWH_SECRET", "LCWH_API_VERSION"} {
		t.Setenv(k, "")
	}
	env := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": dir}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	f := &cmdutil.Factory{IOStreams: ios, LookupEnv: lookup, ConfigOptions: &config.Options{LookupEnv: lookup}}
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) { return config.Load(*f.ConfigOptions) })
	return f
}

func TestNewCmdRegister(t *testing.T) {
	yes := true
	tests := []struct {
		argv    string
		want    RegisterOptions
		actions []string
	}{
		{
			argv:    "--action incoming_chat,chat_deactivated --action incoming_chat --url https://e.com --secret s --client-id C --filter only_my_chats=true --additional-data chat_properties --description d",
			want:    RegisterOptions{Version: "3.6", URL: "https://e.com", Secret: "s", Type: "license", ClientID: "C", Description: "d", Filters: &livechat.Filters{OnlyMyChats: &yes}, AdditionalData: []string{"chat_properties"}},
			actions: []string{"incoming_chat", "chat_deactivated"},
		},
		{
			argv:    "--action routing_status_set --url http://e.com --generate-secret --type bot --filters {\"agent_ids\":[\"a\"]}",
			want:    RegisterOptions{Version: "3.6", URL: "http://e.com", GenerateSecret: true, Type: "bot", Filters: &livechat.Filters{AgentIDs: []string{"a"}}},
			actions: []string{"routing_status_set"},
		},
	}
	for _, tt := range tests {
		var got *RegisterOptions
		cmd := NewCmdRegister(testFactory(t), func(o *RegisterOptions) error { got = o; return nil })
		cmd.SetArgs(splitArgs(tt.argv))
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%s: %v", tt.argv, err)
		}
		var acts []string
		for _, a := range got.Actions {
			acts = append(acts, a.Action)
		}
		if diff := cmp.Diff(tt.actions, acts); diff != "" {
			t.Errorf("actions: %s", diff)
		}
		got.IO, got.APIClient, got.Actions = nil, nil, nil
		if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(RegisterOptions{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.argv, diff)
		}
	}
}

// splitArgs splits on spaces (test argv contain none inside values).
func splitArgs(s string) []string {
	var out []string
	cur := ""
	for _, r := range s {
		if r == ' ' {
			if cur != "" {
				out = append(out, cur)
			}
			cur = ""
			continue
		}
		cur += string(r)
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
