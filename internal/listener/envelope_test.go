package listener

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/signature"
)

// classifyGJSON is Classify as it was built on gjson (a ForEach over the
// top-level keys), kept as the reference the one-pass Classify must agree
// with (FuzzClassifyAgreesWithGJSON) and beat (BenchmarkClassify).
func classifyGJSON(body []byte) Envelope {
	var (
		action, event, typ             string
		hasAction, hasEvent, hasApp    bool
		hasType, hasData, hasWebhookID bool
		env                            Envelope
	)
	root := gjson.Parse(bstr(body))
	if !root.IsObject() {
		return Envelope{Family: FamilyUnknown, Kind: "unknown"}
	}
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "action":
			action, hasAction = v.Str, v.Type == gjson.String
		case "webhook_id":
			env.WebhookID, hasWebhookID = v.Str, v.Type == gjson.String
		case "secret_key":
			env.SecretKey, env.HasSecretKey = v.Str, v.Type == gjson.String
		case "event":
			event, hasEvent = v.Str, v.Type == gjson.String
		case "applicationID":
			hasApp = v.Type == gjson.String
		case "clientID":
			env.ClientID = v.Str
		case "type":
			typ, hasType = v.Str, v.Type == gjson.String
		case "data":
			hasData = v.IsObject()
		}
		return true
	})
	switch {
	case hasAction && (hasWebhookID || env.HasSecretKey):
		env.Family, env.Kind = catalog.LiveChat, action
	case hasEvent && hasApp:
		env.Family, env.Kind = catalog.App, event
	case hasType && hasData:
		env.Family, env.Kind = catalog.Monday, typ
	case hasAction:
		env.Family, env.Kind = catalog.LiveChat, action
	default:
		return Envelope{Family: FamilyUnknown, Kind: "unknown"}
	}
	if k, ok := catalog.Lookup(env.Kind); ok && k.Family == env.Family {
		env.Known = true
	}
	return env
}

var classifySeeds = []string{
	`{"action":1,"webhook_id":null}`, `{"type":"x","data":[]}`, `{"secret_key":"\u0000"}`,
	`{"action":"incoming_chat","action":2,"webhook_id":"w"}`, `{"act\u0069on":"incoming_chat","secret_key":"s\"k"}`,
	`{"event":"application_installed","applicationID":"a","clientID":7}`, `{"clientID":"c\ud800","event":"x","applicationID":"y"}`,
	`{"type":"install","data":{"action":"x"},"data":1}`, `{"payload":{"action":"incoming_chat","webhook_id":"w"}}`,
	"{\"action\":\"caf\xe9\",\"webhook_id\":\"\"}", ` [{"action":"x"}] `,
}

// TestCheck: the one pass rejects what readBody rejected (CheckDepth, then
// gjson.ValidBytes) with typed errors, and classifies what it accepts.
func TestCheck(t *testing.T) {
	good := []byte(`{"action":"incoming_chat","webhook_id":"w","secret_key":"k"}`)
	env, err := Check(good, 3)
	if err != nil || env.Family != catalog.LiveChat || env.Kind != "incoming_chat" || env.SecretKey != "k" || !env.HasSecretKey {
		t.Errorf("Check = %+v, %v", env, err)
	}
	var se *jsonlimit.SyntaxError
	if _, err := Check([]byte(`{"action":"incoming_chat",}`), 3); !errors.As(err, &se) || se.Offset != 26 {
		t.Errorf("trailing comma: %v", err)
	}
	var de *jsonlimit.DepthError
	if _, err := Check([]byte(`{"action":"x","a":[[[]]]}`), 3); !errors.As(err, &de) || de.Offset != 20 {
		t.Errorf("too deep: %v", err)
	}
	// Classified from the members before the error.
	if env := Classify([]byte(`{"action":"incoming_chat","webhook_id":"w"} trailing`)); env.Kind != "incoming_chat" || !env.Known {
		t.Errorf("trailing garbage: %+v", env)
	}
}

// TestNotJSONReason: a 400 for a body that is not JSON says what is wrong
// and where, from the same pass that classifies accepted bodies.
func TestNotJSONReason(t *testing.T) {
	r := start(t, Config{Emit: true, MaxDepth: 2}, true)
	for _, tt := range []struct{ body, want string }{
		{`{"action":"incoming_chat",}`, "body is not JSON: invalid character '}' looking for beginning of object key string at byte 26\n"},
		{"{\"a\":\"x\ny\"}", `body is not JSON: invalid character '\n' in string literal at byte 7` + "\n"},
		{`{"a":1`, "body is not JSON: unexpected end of JSON input at byte 6\n"},
		{"", "body is not JSON: empty body\n"},
		{`[[[1]]]`, "body is not accepted: JSON nested deeper than 2 levels (at byte 2)\n"},
	} {
		code, text := post(t, r.url, []byte(tt.body), nil)
		if code != 400 || text != tt.want {
			t.Errorf("POST %q: %d %q, want 400 %q", tt.body, code, text, tt.want)
		}
	}
	r.stop()
}

func FuzzClassifyAgreesWithGJSON(f *testing.F) {
	for _, k := range catalog.All() {
		b, _ := catalog.Sample(k)
		f.Add(b)
	}
	for _, s := range classifySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) || jsonlimit.Depth(body, jsonlimit.MaxDepth) > jsonlimit.MaxDepth {
			return
		}
		got, err := Check(body, jsonlimit.MaxDepth)
		if err != nil {
			t.Fatalf("Check(%q) = %v", body, err)
		}
		got.Secrets = signature.SecretSpans{} // compared in eventview's FuzzRedactionAgrees
		if want := classifyGJSON(body); got != want {
			t.Fatalf("Classify(%q)\n got %+v\nwant %+v (gjson)", body, got, want)
		}
	})
}

func TestClassifyAgreesWithGJSON(t *testing.T) {
	for _, s := range classifySeeds {
		got := Classify([]byte(s))
		got.Secrets = signature.SecretSpans{}
		if want := classifyGJSON([]byte(s)); got != want {
			t.Errorf("Classify(%q)\n got %+v\nwant %+v (gjson)", s, got, want)
		}
	}
}

var envSink Envelope

// BenchmarkClassify: "gjson" is the gjson Classify alone, "gjson+valid"
// what ServeHTTP did per request (CheckDepth, gjson.ValidBytes, then the
// gjson Classify), "onepass" Check, which validates and classifies.
func BenchmarkClassify(b *testing.B) {
	body, err := os.ReadFile("../jsonlimit/testdata/payload.json")
	if err != nil {
		b.Fatal(err)
	}
	compact := new(bytes.Buffer)
	if err := json.Compact(compact, body); err != nil {
		b.Fatal(err)
	}
	for _, in := range []struct {
		name string
		b    []byte
	}{{"pretty", body}, {"compact", compact.Bytes()}} {
		for _, bc := range []struct {
			name string
			fn   func([]byte) Envelope
		}{
			{"gjson", classifyGJSON},
			{"gjson+valid", func(b []byte) Envelope {
				if jsonlimit.CheckDepth(b, jsonlimit.MaxDepth) != nil || !gjson.ValidBytes(b) {
					return Envelope{}
				}
				return classifyGJSON(b)
			}},
			{"onepass", func(b []byte) Envelope { env, _ := Check(b, jsonlimit.MaxDepth); return env }},
		} {
			b.Run(bc.name+"/"+in.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					envSink = bc.fn(in.b)
				}
				if envSink.Kind != "incoming_event" {
					b.Fatalf("classified %+v", envSink)
				}
			})
		}
	}
}
