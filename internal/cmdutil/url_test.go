package cmdutil

import (
	"errors"
	"strings"
	"testing"
)

func TestParseHTTPURL(t *testing.T) {
	for _, ok := range []string{
		"http://127.0.0.1:8080/webhooks", "https://example.com", "HTTP://127.0.0.1:1/x", "http://127.0.0.1:65535",
		"http://[::1]:8080/w", "http://[::1]/w", "http://me:pw@127.0.0.1:3000/w?a=b", "http://127.0.0.1:/w",
	} {
		u, err := ParseHTTPURL("--url", ok)
		if err != nil || u == nil {
			t.Errorf("ParseHTTPURL(%q) = %v", ok, err)
		}
	}
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:99999/x", `invalid --url "http://127.0.0.1:99999/x": port 99999 is out of range (1-65535)`},
		{"http://127.0.0.1:0/x", "port 0 is out of range (1-65535)"},
		{"http://127.0.0.1:abc/x", `port "abc" is not a number`},
		{"http://[::1]:70000/x", "port 70000 is out of range"},
		{"http://127.0.0.1:-1", `port "-1" is not a number`},
		{"localhost:8080", "not an absolute http(s) URL"},
		{"127.0.0.1:8080/webhooks", "not an absolute http(s) URL"},
		{"ftp://x/y", "not an absolute http(s) URL"},
		{"", "not an absolute http(s) URL"},
		{"http://", "with a host"},
		{"http:///path", "with a host"},
		{"http://:8080/path", "with a host"},
		{"http://me:hunter2@127.0.0.1:abc/x", `"http://me:xxxxx@127.0.0.1:abc/x": port "abc"`},
	}
	for _, tt := range tests {
		_, err := ParseHTTPURL("--url", tt.in)
		var fe *FlagError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseHTTPURL(%q) = %v, want a usage error containing %q", tt.in, err, tt.want)
			continue
		}
		if ExitCodeOf(err) != ExitUsage || !strings.Contains(err.Error(), "e.g. http://127.0.0.1:8080/webhooks") {
			t.Errorf("%q: exit %d, %v", tt.in, ExitCodeOf(err), err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: password printed: %v", tt.in, err)
		}
	}
}
