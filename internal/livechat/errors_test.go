package livechat

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
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
		if !ok {
			if !utf8.ValidString(msg) || strings.ContainsAny(msg, "\n\r\x1b") {
				t.Fatalf("unsafe message %q", msg)
			}
			if !errors.Is(err, ErrBadResponse) {
				t.Fatal("not ErrBadResponse")
			}
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

func TestSnippetStripsControl(t *testing.T) {
	got := snippet([]byte("a\x1b[31mb\nc" + strings.Repeat("x", 300)))
	if strings.ContainsAny(got, "\x1b\n") || len(got) > 130 {
		t.Errorf("snippet = %q", got)
	}
}
