package lease

import (
	"os"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	l := New("dev box\n", 4242, now, time.Hour)
	d := l.Description()
	got, ok := Parse(d)
	if !ok {
		t.Fatalf("Parse(%q) failed", d)
	}
	if got != l || got.Host != "devbox" || !got.Until.Equal(now.Add(time.Hour)) {
		t.Fatalf("got %+v, want %+v", got, l)
	}
}

func TestParseRejects(t *testing.T) {
	for _, d := range []string{
		"", "my webhook", "lcwh lease abc host pid x until 2026-11-25T12:00:00Z",
		"lcwh lease abc host pid 1 until yesterday", "lcwh lease abc host pid 1",
		"lcwh lease abc host pid -3 until 2026-11-25T12:00:00Z",
	} {
		if _, ok := Parse(d); ok {
			t.Errorf("Parse(%q) accepted", d)
		}
	}
}

func TestStale(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	l := Lease{ID: "a", Host: "me", PID: 10, Until: now.Add(time.Hour)}
	alive := func(int) bool { return true }
	dead := func(int) bool { return false }
	if s, _ := l.Stale("me", now, alive); s {
		t.Error("live lease on this host called stale")
	}
	if s, why := l.Stale("me", now, dead); !s || why == "" {
		t.Error("dead pid on this host not stale")
	}
	if s, _ := l.Stale("other", now, dead); s {
		t.Error("another host's pid judged here")
	}
	if s, _ := l.Stale("other", now.Add(2*time.Hour), alive); !s {
		t.Error("expired lease not stale")
	}
}

func TestAlive(t *testing.T) {
	if !Alive(os.Getpid()) {
		t.Error("this process is not alive")
	}
}

func TestStatZombie(t *testing.T) {
	for line, want := range map[string]bool{
		"4512 (lcwh) Z 1 4512 4512 0 -1": true,
		"4512 (lcwh) S 1 4512 4512 0 -1": false,
		"77 (odd) name) Z 1 2 3":         true,
		"77 (odd) Z name) R 1 2 3":       false,
		"garbage":                        false,
	} {
		if got := statZombie([]byte(line)); got != want {
			t.Errorf("statZombie(%q) = %v, want %v", line, got, want)
		}
	}
}
