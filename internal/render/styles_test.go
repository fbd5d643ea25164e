package render

import (
	"io"
	"strings"
	"testing"
)

func TestStylesNoColorIsPlain(t *testing.T) {
	s := NewStyles(io.Discard, false)
	if got := s.Success.Render("ok"); got != "ok" {
		t.Fatalf("no-colour render = %q, want plain", got)
	}
	if pre, post := Codes(s.Error); pre != "" || post != "" {
		t.Fatalf("no-colour codes = %q %q", pre, post)
	}
}

func TestStylesColor(t *testing.T) {
	s := NewStyles(io.Discard, true)
	got := s.Success.Render("ok")
	if !strings.Contains(got, "\x1b[") || !strings.Contains(got, "ok") {
		t.Fatalf("colour render = %q, want ANSI", got)
	}
	pre, post := Codes(s.Success)
	if pre+"ok"+post != got {
		t.Fatalf("Codes %q+%q do not rebuild %q", pre, post, got)
	}
}
