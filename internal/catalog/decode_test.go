package catalog

import (
	"strings"
	"testing"

	"github.com/tidwall/sjson"
)

func TestEverySampleDecodesIntoItsTypes(t *testing.T) {
	g := NewGenerator(3, fixedNow)
	for _, k := range All() {
		t.Run(k.Name, func(t *testing.T) {
			sample, err := Sample(k)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := DecodeBody(k, sample); err != nil {
				t.Errorf("sample: %v", err)
			}
			body, err := g.Body(k, Params{Secret: "s3cret"})
			if err != nil {
				t.Fatal(err)
			}
			d, err := DecodeBody(k, body)
			if err != nil {
				t.Fatalf("generated body: %v\n%s", err, body)
			}
			if k.Family != Monday && d.Payload == nil {
				t.Error("no payload decoded")
			}
		})
	}
}

// TestGeneratedBodiesDecodeForManySeeds: fresh ids never break the typed
// decoding (e.g. a token that stops looking like the sample's).
func TestGeneratedBodiesDecodeForManySeeds(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		g := NewGenerator(seed, fixedNow)
		for _, k := range All() {
			body, err := g.Body(k, Params{Secret: "s"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := DecodeBody(k, body); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
	}
}

func TestDecodeBodyRejects(t *testing.T) {
	k, _ := Lookup("incoming_chat")
	sample, _ := Sample(k)
	set := func(path, raw string) []byte {
		b, err := sjson.SetRawBytes(append([]byte(nil), sample...), path, []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	del := func(path string) []byte {
		b, err := sjson.DeleteBytes(append([]byte(nil), sample...), path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"unknown envelope field", set("extra", "1"), `unknown field "extra"`},
		{"unknown payload field", set("payload.chat.colour", `"red"`), `unknown field "colour"`},
		{"unknown user field", set("payload.chat.users.1.shoe_size", `42`), `unknown field "shoe_size"`},
		{"unknown event field", set("payload.chat.thread.events.0.mood", `"ok"`), `unknown field "mood"`},
		{"missing thread id", del("payload.chat.thread.id"), "payload.chat.thread.id: required"},
		{"missing active", del("payload.chat.thread.active"), "payload.chat.thread.active: required"},
		{"missing user visibility", del("payload.chat.users.1.visibility"), "payload.chat.users[1].visibility: required"},
		{"unknown user type", set("payload.chat.users.0.type", `"robot"`), `unknown user type "robot"`},
		{"unknown event type", set("payload.chat.thread.events.0.type", `"poem"`), `unknown event type "poem"`},
		{"wrong action", set("action", `"incoming_event"`), `action is "incoming_event"`},
		{"missing webhook_id", del("webhook_id"), "webhook_id: required"},
		{"trailing data", append(append([]byte(nil), sample...), "{}"...), "trailing data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeBody(k, tt.body)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDeletedEventStubAndFullForm(t *testing.T) {
	k, _ := Lookup("incoming_event")
	stub := `{"webhook_id":"26e64d70532c70c550ee5257ec4ea628","secret_key":"x","action":"incoming_event",` +
		`"organization_id":"8a7f5c3e-2b1d-4e6f-9a8b-7c6d5e4f3a2b","additional_data":{},` +
		`"payload":{"chat_id":"PJ0MRSHTDG","thread_id":"K600PKZON8","event":{"id":"K600PKZON8_2",` +
		`"type":"message","deleted":true,"created_at":"2025-06-03T10:15:04.902000Z","visibility":"all"}}}`
	d, err := DecodeBody(k, []byte(stub))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Payload.(*EventPayload).Event.Value.(*DeletedEvent); !ok {
		t.Errorf("stub decoded as %T, want *DeletedEvent", d.Payload.(*EventPayload).Event.Value)
	}
	full := strings.Replace(stub, `"deleted":true`, `"deleted":true,"author_id":"smith@example.com","text":"hi"`, 1)
	d, err = DecodeBody(k, []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := d.Payload.(*EventPayload).Event.Value.(*MessageEvent); !ok || !m.Deleted {
		t.Errorf("full deleted event decoded as %#v", d.Payload.(*EventPayload).Event.Value)
	}
}

func FuzzDecodeBody(f *testing.F) {
	for _, k := range All() {
		s, _ := Sample(k)
		f.Add(k.Name, s)
	}
	f.Add("incoming_event", []byte(`{"payload":{"event":{"type":"filled_form","fields":[{"answer":1}]}}}`))
	f.Add("incoming_chat", []byte(`{"payload":{"chat":{"users":[{"type":"agent"}]}}}`))
	f.Fuzz(func(t *testing.T, name string, body []byte) {
		k, ok := Lookup(name)
		if !ok {
			return
		}
		d, err := DecodeBody(k, body)
		if err == nil && d == nil {
			t.Fatal("nil result without error")
		}
	})
}
