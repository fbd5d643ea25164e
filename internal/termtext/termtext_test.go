package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Hostile is a table of texts that try to drive a terminal. Other
// packages' tests run their views over it (see HostileInputs).
var hostile = []struct {
	name, in, clean, line string
}{
	{"clear screen", "a\x1b[2Jb", "ab", "ab"},
	{"sgr colour", "\x1b[31;1mred\x1b[0m", "red", "red"},
	{"osc 8 hyperlink", "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07", "click", "click"},
	{"osc title st", "\x1b]0;pwned\x1b\\ok", "ok", "ok"},
	{"osc unterminated", "\x1b]0;title", "0;title", "0;title"},
	{"dcs", "\x1bP1$r\x1b\\x", "x", "x"},
	{"8-bit csi byte", "\x9b31mred", "\ufffd31mred", "\ufffd31mred"},
	{"c1 csi rune", "\u009b31mred", "red", "red"},
	{"c1 osc rune", "\u009d0;t\u009cok", "ok", "ok"},
	{"c1 other", "a\u0085b\u0084c", "abc", "a bc"},
	{"invalid utf-8", "\xff\xfe ok", "\ufffd\ufffd ok", "\ufffd\ufffd ok"},
	{"cut utf-8", "ok \xe2\x82", "ok \ufffd\ufffd", "ok \ufffd\ufffd"},
	{"bell", "ding\a!", "ding!", "ding!"},
	{"backspace", "abc\b\b\bxyz", "abcxyz", "abcxyz"},
	{"carriage return", "ok\rFAKE", "okFAKE", "ok FAKE"},
	{"crlf", "a\r\nb", "a\nb", "a b"},
	{"del", "a\x7fb", "ab", "ab"},
	{"nul", "a\x00b", "ab", "ab"},
	{"esc charset", "\x1b(Bx\x1b#8y", "xy", "xy"},
	{"esc save cursor", "\x1b7x\x1b8", "x", "x"},
	{"lone esc", "x\x1b", "x", "x"},
	{"esc then newline", "x\x1b\ny", "x\ny", "x y"},
	{"csi broken by newline", "x\x1b[3\ny", "x\ny", "x y"},
	{"tabs and newlines kept", "a\tb\nc", "a\tb\nc", "a b c"},
	{"spaces", "  a   b  ", "  a   b  ", "a b"},
	{"unicode", "héllo 世界 €", "héllo 世界 €", "héllo 世界 €"},
	{"line separator", "a\u2028b", "a\u2028b", "a b"},
}

func TestClean(t *testing.T) {
	for _, tt := range hostile {
		if got := Clean(tt.in); got != tt.clean {
			t.Errorf("%s: Clean(%q) = %q, want %q", tt.name, tt.in, got, tt.clean)
		}
		if got := Line(tt.in); got != tt.line {
			t.Errorf("%s: Line(%q) = %q, want %q", tt.name, tt.in, got, tt.line)
		}
	}
}

func TestAppendLineCuts(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"abcdef", 3, "abc…"},
		{"abc", 3, "abc"},
		{"€€€€", 2, "€€…"},
		{"a  b  c", 3, "a b…"},
		{"\x1b[31m" + strings.Repeat("x", 10), 4, "xxxx…"},
	}
	for _, tt := range tests {
		if got := string(AppendLine([]byte("> "), tt.in, tt.max)); got != "> "+tt.want {
			t.Errorf("AppendLine(%q, %d) = %q, want %q", tt.in, tt.max, got, "> "+tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello", 4, "hell…"},
		{"ab€", 3, "ab…"},   // € is 3 bytes: not split
		{"ab€", 4, "ab…"},   // still inside €
		{"ab€c", 5, "ab€…"}, //
		{"😀x", 3, "…"},      // 4-byte rune, nothing fits
		{"\x80\x80\x80\x80\x80\x80", 4, "\x80\x80\x80\x80…"},
		{"abc", 0, "…"},
	}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.max, Ellipsis); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// assertSafe fails when s holds a byte or rune that drives a terminal.
func assertSafe(t *testing.T, s string, multiline bool) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("invalid UTF-8 in %q", s)
	}
	for _, r := range s {
		if IsControl(r) && (!multiline || (r != '\n' && r != '\t')) {
			t.Fatalf("control %U in %q", r, s)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, tt := range hostile {
		f.Add(tt.in, 5)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		c := Clean(s)
		assertSafe(t, c, true)
		if Clean(c) != c {
			t.Fatalf("Clean not idempotent on %q: %q then %q", s, c, Clean(c))
		}
		l := Line(s)
		assertSafe(t, l, false)
		// Line folds its own white-space set; NBSP and the like stay text.
		if strings.Contains(l, "  ") || strings.TrimFunc(l, isSpace) != l {
			t.Fatalf("Line(%q) = %q keeps runs of space", s, l)
		}
		cut := string(AppendLine(nil, s, limit%200))
		assertSafe(t, cut, false)
		if tr := Truncate(s, limit%200, Ellipsis); utf8.ValidString(s) && !utf8.ValidString(tr) {
			t.Fatalf("Truncate(%q, %d) = %q splits a character", s, limit%200, tr)
		}
	})
}

func BenchmarkAppendLine(b *testing.B) {
	s := "incoming_event chat=PJ0MRSHTDG thread=K600PKZON8 author=jane@example.com \"Hello, I need help with my order ünïcödé\""
	var buf []byte
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		buf = AppendLine(buf[:0], s, 200)
	}
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"https://user:pa55@example.com/hook?x=1": "https://user:xxxxx@example.com/hook?x=1",
		"https://ghp_token@example.com/hook":     "https://xxxxx@example.com/hook",
		"http://127.0.0.1:9000/hook":             "http://127.0.0.1:9000/hook",
		"https://example.com/a@b":                "https://example.com/a@b",
		"mailto:someone@example.com":             "mailto:someone@example.com",
		"not a url":                              "not a url",
		"http://u:p@host/\x7f":                   "http://u:xxxxx@host/\x7f", // does not parse: by hand
		"http://u:p@ho st:bad/":                  "http://u:xxxxx@ho st:bad/",
		"http://a:b@c@host/":                     "http://a:xxxxx@host/",
	}
	for in, want := range tests {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	if got := URL("http://u:secret@host/\x1b[2J"); strings.Contains(got, "secret") || strings.ContainsRune(got, 0x1b) {
		t.Errorf("URL = %q", got)
	}
}
