package cmdutil

import (
	"errors"
	"fmt"
	"testing"
)

type coded struct{}

func (coded) Error() string { return "coded" }
func (coded) ExitCode() int { return 4 }
func (coded) Hint() string  { return "log in" }

func TestExitCodeOf(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("x"), 1},
		{FlagErrorf("bad %s", "flag"), 2},
		{fmt.Errorf("wrap: %w", FlagErrorf("bad")), 2},
		{AuthError(errors.New("no token"), "log in"), 4},
		{UsageHint(errors.New("u"), "h"), 2},
		{fmt.Errorf("x: %w", ErrCancel), 130},
		{ErrSilent, 1},
		{fmt.Errorf("w: %w", coded{}), 4},
	}
	for _, tt := range tests {
		if got := ExitCodeOf(tt.err); got != tt.want {
			t.Errorf("ExitCodeOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestHintOf(t *testing.T) {
	if got := HintOf(fmt.Errorf("a: %w", WithHint(errors.New("b"), "do c"))); got != "do c" {
		t.Errorf("HintOf = %q", got)
	}
	if got := HintOf(fmt.Errorf("a: %w", coded{})); got != "log in" {
		t.Errorf("HintOf = %q", got)
	}
	if got := HintOf(errors.New("plain")); got != "" {
		t.Errorf("HintOf plain = %q", got)
	}
}
