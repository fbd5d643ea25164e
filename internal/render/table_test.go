package render

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTableTTYAligned(t *testing.T) {
	var b strings.Builder
	st := NewStyles(io.Discard, true)
	tb := NewTable(&b, st, true, 0)
	tb.Header("KEY", "VALUE")
	tb.Row(Styled("a", st.Action), Plain("1"))
	tb.Row(Plain("longer"), Styled("two", st.Muted))
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	plain := stripANSI(b.String())
	want := "KEY     VALUE\na       1\nlonger  two\n"
	if diff := cmp.Diff(want, plain); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.Contains(b.String(), "\x1b[") {
		t.Errorf("no colour on a colour table")
	}
}

func TestTablePipedIsTSV(t *testing.T) {
	var b strings.Builder
	tb := NewTable(&b, NewStyles(io.Discard, false), false, 0)
	tb.Header("KEY", "VALUE")
	tb.Row(Plain("a"), Plain("x\ty"))
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "a\tx y\n" {
		t.Errorf("got %q", got)
	}
}

func TestTableTruncatesLastColumn(t *testing.T) {
	var b strings.Builder
	tb := NewTable(&b, NewStyles(io.Discard, false), true, 20)
	tb.Row(Plain("id"), Plain("a very long description that does not fit"))
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "id  a very long des…\n" {
		t.Errorf("got %q", got)
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
