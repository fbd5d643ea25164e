package suggest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClosest(t *testing.T) {
	names := []string{"incoming_chat", "incoming_event", "chat_deactivated", "thread_tagged"}
	tests := []struct {
		word string
		max  int
		want []string
	}{
		{"incomng_chat", 3, []string{"incoming_chat"}},
		{"incoming", 3, []string{"incoming_chat", "incoming_event"}},
		{"incoming", 1, []string{"incoming_chat"}},
		{"zzz", 3, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Closest(tt.word, names, tt.max)); diff != "" {
			t.Errorf("Closest(%q) (-want +got):\n%s", tt.word, diff)
		}
	}
}
