package summary

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/catalog"
)

// TestEveryKindHasASummary: every sample of the catalog shows at least one
// field, so no kind's line is blank after its kind.
func TestEveryKindHasASummary(t *testing.T) {
	for _, k := range catalog.All() {
		body, err := catalog.Sample(k)
		if err != nil {
			t.Fatal(err)
		}
		s := Of(string(k.Family), k.Name, body)
		if len(s.Fields()) == 0 {
			t.Errorf("%s: no summary fields", k.Name)
		}
	}
}

func TestOf(t *testing.T) {
	sample := func(name string) []byte {
		t.Helper()
		k, ok := catalog.Lookup(name)
		if !ok {
			t.Fatalf("no kind %s", name)
		}
		b, err := catalog.Sample(k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		family, kind string
		body         []byte
		want         string
	}{
		{"livechat", "routing_status_set", sample("routing_status_set"), `agent=smith@example.com status=accepting chats`},
		{"livechat", "tag_created", sample("tag_created"), `tag=pricing_question group=0 author=smith@example.com`},
		{"livechat", "tag_deleted", sample("tag_deleted"), `tag=pricing_question`},
		{"livechat", "thread_tagged", sample("thread_tagged"), `chat=PJ0MRSHTDG thread=K600PKZON8 tag=sales`},
		{"livechat", "customer_session_fields_updated", sample("customer_session_fields_updated"),
			`customer=b7eff798-f8df-4364-8059-649c35c9ed0c chat=PJ0MRSHTDG fields=3`},
		{"livechat", "auto_accesses_updated", sample("auto_accesses_updated"),
			`accesses=2 first=a2710c4680fa15700ae046940a11a329 status=updated`},
		{"livechat", "incoming_event", []byte(`{"payload":{"chat_id":"C1","event":{"author_id":"a","text":"hi \"you\""}}}`), `chat=C1 author=a "hi \"you\""`},
		{"livechat", "future_kind", []byte(`{"payload":{"chat_id":"C1"}}`), `chat=C1`},
		{"app", "payment_collected", []byte(`{"applicationID":"A","licenseID":104130623}`), `app=A license=104130623`},
		{"monday", "install", []byte(`{"data":{"account_id":7,"user_id":2}}`), `account=7 user=2`},
		{"unknown", "unknown", []byte(`{"a":1}`), ``},
		{"livechat", "incoming_event", nil, ``},
		{"livechat", "incoming_event", []byte(`not json`), ``},
	}
	for _, tt := range tests {
		s := Of(tt.family, tt.kind, tt.body)
		if diff := cmp.Diff(tt.want, s.String()); diff != "" {
			t.Errorf("%s/%s (-want +got):\n%s", tt.family, tt.kind, diff)
		}
	}
}

func TestOfDoesNotAllocate(t *testing.T) {
	body := []byte(`{"action":"incoming_event","payload":{"chat_id":"C1","thread_id":"T1","event":{"author_id":"a","text":"hello"}}}`)
	n := testing.AllocsPerRun(100, func() { _ = Of("livechat", "incoming_event", body) })
	if n != 0 {
		t.Errorf("Of allocates %.0f times, want 0", n)
	}
}
