package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/termtext/termtexttest"
)

// jsonRaw quotes s as a JSON string the way a hostile sender would: C0
// controls as \u escapes (JSON forbids them raw), every other byte raw,
// invalid UTF-8, DEL and C1 included.
func jsonRaw(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hostileEvent carries each hostile text in every field a view shows:
// kind, headline fields, message text, header names and values, and
// string keys and values of the body.
func hostileEvent(text string) *EventView {
	q := jsonRaw(text)
	body := `{"action":` + q + `,"webhook_id":` + q + `,` + q + `:` + q + `,"payload":{"chat_id":` + q +
		`,"thread_id":` + q + `,"event":{"author_id":` + q + `,"text":` + q + `}}}`
	return &EventView{
		Time: time.Date(2026, 5, 1, 12, 3, 4, 0, time.UTC), Family: "livechat", Kind: "incoming_event" + text,
		Verify: VerifyFailed, VerifyNote: "webhook_id " + text, Method: "POST", Path: "/hook" + text,
		Headers: map[string][]string{"X-Evil" + text: {text}, "User-Agent": {"lcwh " + text}},
		Body:    []byte(body),
	}
}

// TestHostileTextInEveryView runs the hostile table through each view of
// the renderer, plain and coloured: no terminal control may come out.
func TestHostileTextInEveryView(t *testing.T) {
	for _, c := range termtexttest.Hostile() {
		for _, color := range []bool{false, true} {
			name := fmt.Sprintf("%s/color=%v", c.Name, color)
			st := NewStyles(io.Discard, color)
			p := NewEventPrinter(st)
			p.Verbose, p.Headers = true, true
			ev := hostileEvent(c.Text)
			views := map[string][]byte{
				"event line, -v body, --print headers": p.AppendEvent(nil, ev),
				"rejected event line": p.AppendEvent(nil, &EventView{Status: 401, Method: "POST" + c.Text, Path: "/x" + c.Text,
					Reason: "bad " + c.Text, Family: "livechat", Kind: "k" + c.Text}),
				"forward line": p.AppendForward(nil, &Forward{Kind: "incoming_chat" + c.Text, URL: "http://u:pw@h/" + c.Text,
					Status: 500, Body: []byte("oops " + c.Text)}),
				"forward error": p.AppendForward(nil, &Forward{Err: "dial " + c.Text}),
			}
			pretty, err := AppendPrettyJSON(nil, ev.Body, st, SecretKeys...)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			views["pretty JSON"] = pretty
			for _, tty := range []bool{true, false} {
				var b bytes.Buffer
				tb := NewTable(&b, st, tty, 40)
				tb.Header("ID", "URL")
				tb.Row(Plain("id"+c.Text), Styled("http://h/"+c.Text, st.Action))
				if err := tb.Render(); err != nil {
					t.Fatal(err)
				}
				views[fmt.Sprintf("table tty=%v", tty)] = b.Bytes()
			}
			for view, out := range views {
				if color {
					out = termtexttest.StripSGR(out)
				}
				termtexttest.AssertSafe(t, name+": "+view, out)
				if bytes.Contains(out, []byte(":pw@")) {
					t.Errorf("%s: %s shows a URL password: %q", name, view, out)
				}
			}
		}
	}
}

// TestHostileGolden pins what the event views show for the whole hostile
// table (go test ./internal/render -update rewrites it).
func TestHostileGolden(t *testing.T) {
	for _, color := range []bool{false, true} {
		p := NewEventPrinter(NewStyles(io.Discard, color))
		p.Verbose, p.Headers = true, true
		var out []byte
		for _, c := range termtexttest.Hostile() {
			out = append(out, "# "+c.Name+"\n"...)
			out = p.AppendEvent(out, hostileEvent(c.Text))
		}
		name := "hostile_plain.golden"
		if color {
			name = "hostile_color.golden"
		}
		golden(t, name, out)
	}
}
