package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/iostreams"
)

var fixedNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func TestDemo(t *testing.T) {
	io, ts := iostreams.Test()
	err := demoRun(context.Background(), &DemoOptions{IO: io, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(ts.Out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 event lines:\n%s", ts.Out.String())
	}
	for i, fam := range []string{"livechat incoming_event", "app      application_installed", "monday   install"} {
		if !strings.Contains(lines[i], fam) || !strings.Contains(lines[i], "✓") {
			t.Errorf("line %d = %q", i, lines[i])
		}
	}
	if !strings.Contains(ts.ErrOut.String(), "3 events received and verified") {
		t.Errorf("stderr: %s", ts.ErrOut.String())
	}
}
