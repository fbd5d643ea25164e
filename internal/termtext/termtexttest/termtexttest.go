// Package termtexttest holds the hostile texts every view of lcwh is
// tested with, and the check that nothing able to drive a terminal came
// out the other side.
package termtexttest

import (
	"regexp"
	"testing"
	"unicode/utf8"
)

// Case is one hostile text.
type Case struct{ Name, Text string }

// Hostile returns texts that try to drive a terminal: the ones issue #11
// names (clear screen, an OSC 8 hyperlink, a raw 8-bit CSI byte, 0xff, C1
// CSI as UTF-8, BEL, backspace, CR) and a few more.
func Hostile() []Case {
	return []Case{
		{"clear screen", "\x1b[2J\x1b[H"},
		{"osc 8 hyperlink", "\x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07"},
		{"osc title", "\x1b]0;owned\x1b\\"},
		{"8-bit csi byte", "\x9b31m8bit"},
		{"byte 0xff", "\xff\xfe"},
		{"c1 csi rune", "\u009b2J"},
		{"bell", "ding\a"},
		{"backspace", "abc\b\b\b"},
		{"carriage return", "ok\rFAKE"},
		{"del and nul", "\x7f\x00"},
		{"sgr", "\x1b[31;1mred"},
	}
}

// Joined is every Hostile text, in order, separated by spaces.
func Joined() string {
	s := ""
	for _, c := range Hostile() {
		s += c.Text + " "
	}
	return s
}

// AssertSafe fails t when out holds invalid UTF-8 or a control character
// other than newline and tab: C0 (ESC, BEL, BS, CR…), DEL or C1.
func AssertSafe(t testing.TB, what string, out []byte) {
	t.Helper()
	if !utf8.Valid(out) {
		t.Errorf("%s: invalid UTF-8 reached the output: %q", what, out)
		return
	}
	for _, r := range string(out) {
		if r == '\n' || r == '\t' {
			continue
		}
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			t.Errorf("%s: control %U reached the output: %q", what, r, out)
			return
		}
	}
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// StripSGR removes colour sequences (ESC [ digits ; m), what lcwh's own
// palette writes, so coloured output can be checked with AssertSafe. A
// hostile SGR is removed too: check the colourless output as well.
func StripSGR(b []byte) []byte { return sgr.ReplaceAll(b, nil) }
