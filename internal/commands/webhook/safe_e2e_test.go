package webhook_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/livechatfake/livechatfaketest"
	"github.com/lcwh/lcwh/internal/termtext/termtexttest"
)

// jsonRaw quotes s as a hostile server would: C0 as \u escapes, every other
// byte raw (invalid UTF-8, DEL and C1 included).
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

// TestAPIErrorTextIsTerminalSafe: an API error message, a non-envelope
// body and a content type full of terminal controls reach stderr through
// app's error printing and the per-action ✗ lines without a control.
func TestAPIErrorTextIsTerminalSafe(t *testing.T) {
	for _, c := range termtexttest.Hostile() {
		for _, tty := range []bool{false, true} {
			e := newEnv(t)
			e.tty = tty
			faults := []livechatfaketest.Fault{
				{Path: "list_webhooks", Status: 400, Body: `{"error":{"type":"validation` + strings.Trim(jsonRaw(c.Text), `"`) + `","message":` + jsonRaw("bad "+c.Text) + `}}`},
				// 400, not 5xx: a 5xx is retried and the retry would succeed.
				{Path: "list_webhooks", Status: 400, ContentType: "text/html\u009b2J", Body: "<h1>" + c.Text + "</h1>"},
			}
			for i, f := range faults {
				e.fake.Inject(f)
				code, out, errOut := e.run("", "list")
				if code != 1 {
					t.Errorf("%s: fault %d: list exit %d\n%s", c.Name, i, code, errOut)
				}
				termtexttest.AssertSafe(t, c.Name+": list stdout", termtexttest.StripSGR([]byte(out)))
				termtexttest.AssertSafe(t, c.Name+": list stderr", termtexttest.StripSGR([]byte(errOut)))
			}
			e.fake.Inject(livechatfaketest.Fault{Path: "register_webhook", Status: 400,
				Body: `{"error":{"type":"validation","message":` + jsonRaw("nope "+c.Text) + `}}`})
			_, out, errOut := e.run("", "register", "--action", "incoming_chat,incoming_event", "--url", "https://example.com/h", "--secret", "s")
			if !strings.Contains(string(termtexttest.StripSGR([]byte(errOut))), "✗ incoming_chat: register_webhook: nope") {
				t.Errorf("%s: no ✗ line:\n%s", c.Name, errOut)
			}
			termtexttest.AssertSafe(t, c.Name+": register stdout", termtexttest.StripSGR([]byte(out)))
			termtexttest.AssertSafe(t, c.Name+": register stderr", termtexttest.StripSGR([]byte(errOut)))
		}
	}
}

// TestWebhookListIsTerminalSafe: webhooks whose fields are full of
// terminal controls (as a hostile or broken API could return) print
// cleanly in the table, the TSV and the unregister confirmation.
func TestWebhookListIsTerminalSafe(t *testing.T) {
	e := newEnv(t)
	joined := termtexttest.Joined()
	e.fake.State(func(s *livechatfake.State) {
		s.Webhooks[client] = append(s.Webhooks[client], &livechatfake.Webhook{ID: "evil" + joined,
			RegisterRequest: livechat.RegisterRequest{Action: "incoming_chat" + joined, URL: "https://u:pa55word@example.com/" + joined,
				OwnerClientID: client, Type: "license" + joined, Description: joined}})
	})
	for _, tty := range []bool{false, true} {
		e.tty = tty
		for _, args := range [][]string{{"list"}, {"unregister", "--all"}} {
			_, out, errOut := e.run("n\n", args...)
			termtexttest.AssertSafe(t, fmt.Sprintf("%v tty=%v stdout", args, tty), termtexttest.StripSGR([]byte(out)))
			termtexttest.AssertSafe(t, fmt.Sprintf("%v tty=%v stderr", args, tty), termtexttest.StripSGR([]byte(errOut)))
		}
	}
}

// TestWebhookURLPasswordsHidden: a webhook URL registered with userinfo is
// shown without the password in list (table, TSV, --json) and unregister
// (confirmation and --json).
func TestWebhookURLPasswordsHidden(t *testing.T) {
	e := newEnv(t)
	u := "https://hook:pa55word@example.com/h"
	if code, _, errOut := e.run("", "register", "--action", "incoming_chat", "--url", u, "--secret", "s"); code != 0 {
		t.Fatalf("register: %d %s", code, errOut)
	}
	if h := e.fake.Webhooks(client); len(h) != 1 || h[0].URL != u {
		t.Fatalf("the API must get the URL as given: %+v", h)
	}
	runs := [][]string{{"list"}, {"list", "--json"}, {"unregister", "--all"}, {"unregister", "--url", u, "--yes", "--json"}}
	for _, tty := range []bool{true, false} {
		e.tty = tty
		for _, args := range runs {
			_, out, errOut := e.run("n\n", args...)
			if strings.Contains(out+errOut, "pa55word") {
				t.Errorf("%v tty=%v shows the password:\n%s%s", args, tty, out, errOut)
			}
		}
		if tty {
			// Re-register for the non-TTY round.
			e.run("", "register", "--action", "incoming_chat", "--url", u, "--secret", "s")
		}
	}
	if h := e.fake.Webhooks(client); len(h) != 0 {
		t.Errorf("unregister --url with the real URL did not match: %+v", h)
	}
}
