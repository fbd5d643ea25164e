package render

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/termtext/termtexttest"
)

const secret = "k3Jd8sLq0vXz4NwP7rTy2uBm"

func plain() Styles { return NewStyles(io.Discard, false) }

func TestEventLine(t *testing.T) {
	p := NewEventPrinter(plain())
	ev := &EventView{
		Time: time.Date(2026, 5, 1, 12, 3, 4, 0, time.UTC), Family: "livechat", Kind: "incoming_event",
		Verify: VerifyOK, Duplicate: true,
		Body: []byte(`{"action":"incoming_event","secret_key":"` + secret + `","payload":{"chat_id":"C1","thread_id":"T1","event":{"author_id":"a@b.c","text":"Hello\nthere"}}}`),
	}
	got := string(p.AppendEvent(nil, ev))
	want := "12:03:04 livechat incoming_event                  ✓ duplicate chat=C1 thread=T1 author=a@b.c \"Hello there\"\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestEventLineFamilies(t *testing.T) {
	p := NewEventPrinter(plain())
	tests := []struct {
		ev   EventView
		want string
	}{
		{EventView{Family: "app", Kind: "payment_activated", Body: []byte(`{"applicationID":"A","licenseID":104,"userID":"u"}`)},
			"--:--:-- app      payment_activated               · app=A license=104 user=u\n"},
		{EventView{Family: "monday", Kind: "install", Body: []byte(`{"type":"install","data":{"account_id":7,"user_email":"x@y","subscription":{"plan_id":"p"}}}`)},
			"--:--:-- monday   install                         · account=7 user=x@y plan=p\n"},
		{EventView{Family: "monday", Kind: "app_subscription_cancellation_revoked_by_user", Verify: VerifyOK, Body: []byte(`{}`)},
			"--:--:-- monday   app_subscriptio…revoked_by_user ✓\n"},
		{EventView{Family: "livechat", Kind: "customer_session_fields_updated", Body: []byte(`{"payload":{"id":"c1","active_chat":{"chat_id":"C1"},"session_fields":[{"a":"1"}]}}`)},
			"--:--:-- livechat customer_session_fields_updated · customer=c1 chat=C1 fields=1\n"},
		{EventView{Family: "livechat", Kind: "routing_status_set", Body: []byte(`{"payload":{"agent_id":"a@b","status":"accepting chats"}}`)},
			"--:--:-- livechat routing_status_set              · agent=a@b status=accepting chats\n"},
		{EventView{Family: "livechat", Kind: "tag_deleted", Body: []byte(`{"payload":{"name":"sales"}}`)},
			"--:--:-- livechat tag_deleted                     · tag=sales\n"},
		{EventView{Family: "livechat", Kind: "chat_access_updated", Body: []byte(`{"payload":{"id":"C3","access":{"group_ids":[4]}}}`)},
			"--:--:-- livechat chat_access_updated             · chat=C3 group=4\n"},
		{EventView{Family: "unknown", Kind: "unknown", Body: []byte(`[1]`)},
			"--:--:-- unknown  unknown                         ·\n"},
		{EventView{Family: "livechat", Kind: "incoming_chat", Verify: VerifyFailed, VerifyNote: "webhook_id \"w\" sent secret_key abc****(24 chars)", Body: []byte(`{"payload":{"chat":{"id":"C9","thread":{"id":"T9"}}}}`)},
			"--:--:-- livechat incoming_chat                   ✗ chat=C9 thread=T9\n  ✗ not verified: webhook_id \"w\" sent secret_key abc****(24 chars)\n"},
		{EventView{Status: 401, Method: "POST", Path: "/x", Reason: "--require-secret: nope", Family: "livechat", Kind: "incoming_chat"},
			"--:--:-- 401 POST /x --require-secret: nope (livechat incoming_chat)\n"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, string(p.AppendEvent(nil, &tt.ev))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.ev.Kind, diff)
		}
	}
}

// TestEventLineColumns: the mark after the kind sits in the same column
// for every kind of the catalog, the longest included.
func TestEventLineColumns(t *testing.T) {
	p := NewEventPrinter(plain())
	for _, k := range catalog.All() {
		ev := EventView{Family: string(k.Family), Kind: k.Name, Body: []byte(`{}`)}
		line := string(p.AppendEvent(nil, &ev))
		before, _, ok := strings.Cut(line, "·")
		if !ok {
			t.Fatalf("%s: no mark in %q", k.Name, line)
		}
		if col := utf8.RuneCountInString(before); col != 50 {
			t.Errorf("%s: mark at column %d, want 50: %q", k.Name, col, line)
		}
	}
}

func TestSanitiseEscapes(t *testing.T) {
	body := `{"action":"incoming_event\u001b[2J","payload":{"chat_id":"\u001b]0;pwned\u0007C1","event":{"text":"hi \u001b[31mred\u009b31m \u0085x` + "\u009b" + `"}}}`
	ev := &EventView{Family: "livechat", Kind: "incoming_event\x1b[2J", Body: []byte(body),
		Headers: map[string][]string{"X-Evil": {"a\x1bb"}, "Authorization": {"Bearer " + secret}}}
	for _, color := range []bool{false, true} {
		p := NewEventPrinter(NewStyles(io.Discard, color))
		p.Verbose, p.Headers = true, true
		out := p.AppendEvent(nil, ev)
		// Strip our own colour codes, then no control byte may remain.
		clean := stripSGR(string(out))
		for _, r := range clean {
			if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Errorf("color=%v: control %U in output %q", color, r, clean)
			}
		}
		if strings.Contains(string(out), secret) {
			t.Errorf("secret leaked: %s", out)
		}
	}
}

// stripSGR removes the colour sequences the palette emits (ESC [ digits ; m).
func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j < len(s) && s[j] == 'm' {
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestPrettyJSON(t *testing.T) {
	src := `{"a":[1,-2.5e3,true,false,null,{}],"b":{"c":"d\"e"},"secret_key":"` + secret + `","e":[]}`
	got, err := AppendPrettyJSON(nil, []byte(src), plain(), "secret_key")
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "a": [
    1,
    -2.5e3,
    true,
    false,
    null,
    {}
  ],
  "b": {
    "c": "d\"e"
  },
  "secret_key": "k3J****(24 chars)",
  "e": []
}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{``, `{`, `{"a"}`, `[1,]`, `01`, `"\x"`, "\"\x01\"", `tru`, `{"a":1}x`, `1.`, `-`} {
		if out, err := AppendPrettyJSON([]byte("keep"), []byte(bad), plain(), ""); err == nil || string(out) != "keep" {
			t.Errorf("%q: err %v, out %q", bad, err, out)
		}
	}
}

func TestEventJSON(t *testing.T) {
	ev := &EventView{Time: time.Date(2026, 5, 1, 12, 0, 0, 5, time.UTC), Family: "livechat", Kind: "incoming_chat",
		WebhookID: "w1", Verify: VerifyOK, Path: "/hook",
		Headers: map[string][]string{"Authorization": {"Bearer " + secret}, "Content-Type": {"application/json"}},
		Body:    []byte("{\n\"secret_key\": \"" + secret + "\", \"x\": 1}")}
	got := AppendEventJSON(nil, ev)
	want := `{"received_at":"2026-05-01T12:00:00.000000005Z","family":"livechat","kind":"incoming_chat","webhook_id":"w1","verified":true,"path":"/hook","headers":{"Authorization":"Bearer k3J****(24 chars)","Content-Type":"application/json"},"body":{ "secret_key": "k3J****(24 chars)", "x": 1},"body_ws":{"lf":[1]}}` + "\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !json.Valid(bytes.TrimSpace(got)) {
		t.Errorf("not valid JSON")
	}
	none := AppendEventJSON(nil, &EventView{Family: "unknown", Kind: "unknown", Body: []byte(`[]`)})
	if !bytes.Contains(none, []byte(`"verified":null`)) || !bytes.Contains(none, []byte(`"received_at":null`)) {
		t.Errorf("nulls missing: %s", none)
	}
}

func FuzzPrettyJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\u001b[31m"`, "\"\u009b\x7f\"", `[]`, `{"secret_key":"x"}`, `-0.1e-5`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := AppendPrettyJSON(nil, src, plain(), "secret_key")
		valid := json.Valid(src)
		if valid != (err == nil) {
			t.Fatalf("json.Valid=%v but err=%v for %q", valid, err, src)
		}
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("output not valid JSON: %q", out)
		}
		for _, c := range out {
			if c == 0x1b || c == 0x7f || (c < 0x20 && c != '\n' && c != ' ') {
				t.Fatalf("control byte %#x in %q", c, out)
			}
		}
		termtexttest.AssertSafe(t, "pretty JSON", out)
		// Also exercise the event line on arbitrary bodies.
		p := NewEventPrinter(plain())
		for _, fam := range []string{"livechat", "app", "monday", "unknown"} {
			line := p.AppendEvent(nil, &EventView{Family: fam, Kind: string(src), Body: src})
			termtexttest.AssertSafe(t, "event line", line)
		}
	})
}

// TestEventJSONExactBytes: a body that is not exact JSON gets body_ws or
// body_b64 for its bytes (secret_key still redacted); every line is valid
// UTF-8 and JSON, whatever the payload's strings hold.
func TestEventJSONExactBytes(t *testing.T) {
	exact := AppendEventJSON(nil, &EventView{Kind: "x", Body: []byte(`{"secret_key":"` + secret + `"}`), BodyValid: true})
	if bytes.Contains(exact, []byte("body_b64")) || bytes.Contains(exact, []byte("body_ws")) {
		t.Errorf("body_b64 or body_ws on an exact body: %s", exact)
	}
	body := "{\"secret_key\":\"" + secret + "\",\"action\":\"\xff\"}\r\n"
	ev := &EventView{Kind: "\xff", WebhookID: "w\xfe", Path: "/\xff", Body: []byte(body),
		Headers: map[string][]string{"X-A": {"caf\xe9"}}}
	got := AppendEventJSON(nil, ev)
	if !utf8.Valid(got) || !json.Valid(got) {
		t.Fatalf("not valid UTF-8 JSON: %q", got)
	}
	var v struct {
		Body    map[string]string `json:"body"`
		BodyB64 []byte            `json:"body_b64"`
	}
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(body, secret, "k3J****(24 chars)", 1)
	if string(v.BodyB64) != want || v.Body["action"] != "\uFFFD" {
		t.Errorf("body_b64 %q, want %q; body %v", v.BodyB64, want, v.Body)
	}
	if bytes.Contains(got, []byte(secret)) || bytes.Contains(v.BodyB64, []byte(secret)) {
		t.Errorf("secret in --json line")
	}
	// A pretty body: body_ws, its offsets into the redacted readable form
	// (the redacted secret is shorter, so offsets after it move), so the
	// line reads back as the redacted exact bytes.
	for _, body := range []string{
		"{\n  \"secret_key\": \"" + secret + "\",\r\n  \"clientID\": \"" + secret + "\",\n  \"action\": \"incoming_chat\",\n  \"x\": [1,\n 2]\n}\n",
		"\t{\"clientID\":\"" + secret + "\",\n\"secret_key\":\"" + secret + "\",\n\"action\":\"incoming_chat\"}  ",
	} {
		got := AppendEventJSON(nil, &EventView{Kind: "incoming_chat", Family: "livechat", Time: time.Unix(1, 0), Body: []byte(body), BodyValid: true})
		if !bytes.Contains(got, []byte(`,"body_ws":{`)) || bytes.Contains(got, []byte("body_b64")) || bytes.Contains(got, []byte(secret)) {
			t.Errorf("--json line of a pretty body: %s", got)
		}
		rec, err := eventlog.NewReader(bytes.NewReader(got)).Next()
		if want := strings.ReplaceAll(body, secret, "k3J****(24 chars)"); err != nil || string(rec.Body) != want {
			t.Errorf("read back: %v\n got %q\nwant %q", err, rec.Body, want)
		}
	}
	// A body that is not JSON stays null, with no bytes that could hide a secret.
	if got := AppendEventJSON(nil, &EventView{Body: []byte("secret_key=" + secret)}); !bytes.Contains(got, []byte(`"body":null}`)) {
		t.Errorf("non-JSON body: %s", got)
	}
}

// TestEventJSONFields pins the documented --json field set to the members
// AppendEventJSON writes, in order: adding one is fine, renaming or
// removing one breaks users' scripts.
func TestEventJSONFields(t *testing.T) {
	// A documented field "a or b (…)" is either member at that place.
	var want [][]string
	for _, f := range strings.Split(EventJSONFields, ", ") {
		f, _, _ = strings.Cut(f, " (")
		want = append(want, strings.Split(f, " or "))
	}
	seen := map[string]bool{}
	for _, body := range []string{"{}\n", "{\"action\":\"incoming_chat\"}\n"} { // body_b64, body_ws
		line := AppendEventJSON(nil, &EventView{Kind: "x", Body: []byte(body)})
		dec := json.NewDecoder(bytes.NewReader(line))
		var got []string
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, tok.(string))
			seen[tok.(string)] = true
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatal(err)
			}
		}
		ok := len(got) == len(want)
		for i := 0; ok && i < len(got); i++ {
			ok = slices.Contains(want[i], got[i])
		}
		if !ok {
			t.Errorf("body %q: fields %v, documented %v", body, got, want)
		}
	}
	for _, alt := range want {
		for _, f := range alt {
			if !seen[f] {
				t.Errorf("documented field %s never written", f)
			}
		}
	}
}

// TestClientIDRedactedInEveryView: App Webhooks' clientID is the proof of
// origin of that family, so -v and --json show it redacted like secret_key.
func TestClientIDRedactedInEveryView(t *testing.T) {
	const id = "9cbf3a968289727cb3cdfe83ab1d9836"
	body := []byte(`{"event":"application_installed","applicationID":"a","clientID":"` + id + `","secret_key":"k3Jd8sLq0vXz4NwP7rTy2uBm","n":1}`)
	ev := &EventView{Family: "app", Kind: "application_installed", Body: body, BodyValid: true}
	js := string(AppendEventJSON(nil, ev))
	pr := NewEventPrinter(plain())
	pr.Verbose = true
	pretty := string(pr.AppendEvent(nil, ev))
	for name, out := range map[string]string{"--json": js, "-v": pretty} {
		if strings.Contains(out, id) || strings.Contains(out, "k3Jd8sLq0vXz4NwP7rTy2uBm") {
			t.Errorf("%s shows a secret:\n%s", name, out)
		}
		if !strings.Contains(out, `9cb****(32 chars)`) || !strings.Contains(out, `"n": 1`) && !strings.Contains(out, `"n":1`) {
			t.Errorf("%s lost the redacted value or the rest of the body:\n%s", name, out)
		}
	}
}
