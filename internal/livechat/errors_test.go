package livechat

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lcwh/lcwh/internal/termtext/termtexttest"
)

func TestDecodeEnvelope(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
		typ  string
	}{
		{`{"error":{"type":"misdirected_request","message":"Wrong region","data":{"region":"dal"}}}`, true, "misdirected_request"},
		{`{"error":{"type":"validation","message":"` + "`id`" + ` is required"}}`, true, "validation"},
		{`{"error":"invalid_grant"}`, false, ""},
		{`{"error":{}}`, false, ""},
		{`[]`, false, ""},
		{`<html>`, false, ""},
		{``, false, ""},
	}
	for _, tt := range tests {
		e, ok := DecodeEnvelope([]byte(tt.body))
		if ok != tt.ok || e.Type != tt.typ {
			t.Errorf("DecodeEnvelope(%s) = %+v, %v", tt.body, e, ok)
		}
	}
}

func FuzzErrorEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"error":{"type":"misdirected_request","message":"Wrong region","data":{"region":"dal"}}}`,
		`{"error":{"type":"limit_reached","message":"Limit reached"}}`,
		`{"error":{"type":"authentication"}}`, `{"error":null}`, `<html>502</html>`, "\x00\xff", `{"error":{"type":1}}`,
	} {
		f.Add([]byte(s), 400)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		e, ok := DecodeEnvelope(body)
		if ok && e.Type == "" {
			t.Fatal("ok with empty type")
		}
		var err error
		if ok {
			err = &APIError{Method: "list_webhooks", Status: status, Type: e.Type, Message: e.Message}
		} else {
			err = &ResponseError{Method: "list_webhooks", Status: status, Snippet: snippet(body)}
		}
		msg := err.Error()
		termtexttest.AssertSafe(t, "error message", []byte(msg))
		if strings.ContainsAny(msg, "\n\t") {
			t.Fatalf("message is not one line: %q", msg)
		}
		if len(msg) > 600 {
			t.Fatalf("message of %d bytes", len(msg))
		}
		if !ok && !errors.Is(err, ErrBadResponse) {
			t.Fatal("not ErrBadResponse")
		}
		_ = cmdHint(err)
	})
}

func cmdHint(err error) string {
	if h, ok := err.(interface{ Hint() string }); ok {
		return h.Hint()
	}
	return ""
}

// TestErrorTextIsSafe runs the hostile table through every error that
// carries server text: API error messages and types, non-envelope bodies
// and content types.
func TestErrorTextIsSafe(t *testing.T) {
	for _, c := range termtexttest.Hostile() {
		long := strings.Repeat("€", 200) + c.Text
		errs := []error{
			&APIError{Method: "list_webhooks", Status: 400, Type: "validation" + c.Text, Message: "bad " + c.Text},
			&APIError{Method: "list_webhooks", Status: 400, Type: c.Text},
			&APIError{Method: "list_webhooks", Status: 400, Type: "validation", Message: long},
			&ResponseError{Method: "list_webhooks", Status: 502, ContentType: "text/html" + c.Text, Snippet: snippet([]byte(long))},
			&ResponseError{Method: "list_webhooks", Status: 502, Snippet: snippet([]byte("<h1>" + c.Text + "</h1>"))},
		}
		for _, err := range errs {
			termtexttest.AssertSafe(t, c.Name, []byte(err.Error()))
		}
	}
	// Cut at a character boundary, not in the middle of €.
	e := &APIError{Method: "m", Status: 400, Type: "validation", Message: strings.Repeat("€", 200)}
	if msg := e.Error(); !strings.Contains(msg, "€…") || !utf8.ValidString(msg) {
		t.Errorf("cut message %q", msg)
	}
}

func TestSnippetStripsControl(t *testing.T) {
	got := snippet([]byte("a\x1b[31mb\nc" + strings.Repeat("x", 300)))
	if strings.ContainsAny(got, "\x1b\n") || len(got) > 130 {
		t.Errorf("snippet = %q", got)
	}
}
