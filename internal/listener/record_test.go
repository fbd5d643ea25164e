package listener

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/eventlog"
)

func TestAppendRecord(t *testing.T) {
	ev := &Event{ReceivedAt: fixedNow, Method: "POST", Path: "/p", Status: http.StatusOK,
		Body:         []byte(`{"action":"x"}`),
		Header:       http.Header{"Content-Type": {"application/json"}, "X-Two": {"a", "b"}},
		Verification: Verified}
	want := `{"v":3,"received_at":"2026-05-01T12:00:00Z","method":"POST","path":"/p","verified":true,"headers":{"Content-Type":"application/json","X-Two":"a, b"},"body":{"action":"x"}}` + "\n"
	if diff := cmp.Diff(want, string(AppendRecord(nil, ev))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	ev.Verification = Failed
	ev.Body = []byte("{\r\n  \"action\": \"x\"\r\n}\r\n")
	want = `{"v":3,"received_at":"2026-05-01T12:00:00Z","method":"POST","path":"/p","verified":false,"headers":{"Content-Type":"application/json","X-Two":"a, b"},"body":{    "action": "x"  },"body_b64":"ew0KICAiYWN0aW9uIjogIngiDQp9DQo="}` + "\n"
	if diff := cmp.Diff(want, string(AppendRecord(nil, ev))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	ev.Verification = Unverified
	if rec := AppendRecord(nil, ev); !bytes.Contains(rec, []byte(`"verified":null`)) {
		t.Errorf("unverified: %s", rec)
	}
}

// TestAppendRecordExactBodies: the bodies that came back altered from the
// old format (trailing newline, CRLF, leading whitespace, invalid UTF-8)
// read back byte for byte, from lines that are valid UTF-8 and JSON.
func TestAppendRecordExactBodies(t *testing.T) {
	bodies := []string{
		"{\"action\":\"incoming_chat\"}\n",
		"{\r\n  \"action\": \"incoming_chat\"\r\n}\r\n",
		"   {\"action\":\"incoming_chat\"}",
		"\t{\"action\":\"incoming_chat\"} \t",
		"{\"action\":\"incoming_chat\",\"text\":\"caf\xe9\xff\"}",
		`{"action":"incoming_chat"}`,
	}
	var file []byte
	for _, b := range bodies {
		line := AppendRecord(nil, &Event{ReceivedAt: fixedNow, Method: "POST", Path: "/", Status: http.StatusOK, Body: []byte(b)})
		if !utf8.Valid(line) || !json.Valid(line) {
			t.Fatalf("line not valid UTF-8 JSON: %q", line)
		}
		file = append(file, line...)
	}
	r := eventlog.NewReader(bytes.NewReader(file))
	for i := 0; ; i++ {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			if i != len(bodies) {
				t.Fatalf("read %d records, want %d", i, len(bodies))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if string(rec.Body) != bodies[i] {
			t.Errorf("body %d = %q, want %q", i, rec.Body, bodies[i])
		}
	}
}

// TestAppendRecordUncheckedBodies: a body the handler did not accept (so
// not known to be JSON) is still written as a valid line. (An accepted body
// is never nested deeper than MaxDepth: readBody answers 400, TestNesting.)
func TestAppendRecordUncheckedBodies(t *testing.T) {
	for _, ev := range []*Event{
		{Body: []byte("not json\n"), Status: http.StatusBadRequest},
		{Body: []byte(strings.Repeat("[", 1001) + strings.Repeat("]", 1001)), Status: http.StatusBadRequest},
	} {
		line := AppendRecord(nil, ev)
		if !json.Valid(line) || !bytes.Contains(line, []byte(`"body":null,"body_b64":`)) {
			t.Errorf("%.40q: %.200s", ev.Body, line)
		}
	}
}

func BenchmarkAppendRecord(b *testing.B) {
	ev := &Event{ReceivedAt: fixedNow, Method: "POST", Path: "/webhooks", Status: http.StatusOK,
		Header: http.Header{"Content-Type": {"application/json"}, "User-Agent": {"LiveChat-Webhooks/1"}}}
	for _, bc := range []struct{ name, body string }{
		{"compact", `{"webhook_id":"w","secret_key":"k3Jd8sLq0vXz4NwP7rTy2uBm","action":"incoming_event","payload":{"chat_id":"PJ0MRSHTDG","event":{"text":"hello"}}}`},
		{"pretty", "{\n  \"webhook_id\": \"w\",\n  \"action\": \"incoming_event\",\n  \"payload\": {\n    \"chat_id\": \"PJ0MRSHTDG\"\n  }\n}\n"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ev.Body = []byte(bc.body)
			dst := make([]byte, 0, 4096)
			b.ReportAllocs()
			for b.Loop() {
				dst = AppendRecord(dst[:0], ev)
			}
		})
	}
}
