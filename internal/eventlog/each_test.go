package eventlog

import (
	"errors"
	"strings"
	"testing"
)

// TestEach: events go to fn, a bad line to skip as bad, a cut last line
// to skip as not bad, and fn's error stops the loop.
func TestEach(t *testing.T) {
	in := `{"action":"incoming_chat"}` + "\n" + `{"broken` + "\n" + `{"action":"incoming_event"}` + "\n" + `{"action":"x`
	var got []string
	var skips []bool
	err := Each(NewReader(strings.NewReader(in)), func(rec *Record) error {
		got = append(got, string(rec.Body))
		return nil
	}, func(err error, bad bool) {
		var le *LineError
		var ie *IncompleteError
		if bad != errors.As(err, &le) || !bad != errors.As(err, &ie) {
			t.Errorf("skip(%v, %v): the wrong kind", err, bad)
		}
		skips = append(skips, bad)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != `{"action":"incoming_chat"}` || got[1] != `{"action":"incoming_event"}` {
		t.Errorf("events %q", got)
	}
	if len(skips) != 2 || !skips[0] || skips[1] {
		t.Errorf("skips %v, want [true false] (a bad line, then a cut last line)", skips)
	}

	stop := errors.New("stop")
	n := 0
	err = Each(NewReader(strings.NewReader(in)), func(*Record) error { n++; return stop }, func(error, bool) {})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn's error: Each returned %v after %d events, want stop after 1", err, n)
	}
}
