package cmdutil

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/lcwh/lcwh/internal/termtext/termtexttest"
)

// TestWriteJSONIsTerminalSafe: --json output of server text carries no
// raw control, yet decodes to exactly what was encoded.
func TestWriteJSONIsTerminalSafe(t *testing.T) {
	for _, c := range termtexttest.Hostile() {
		v := map[string]any{"url": "https://h/" + c.Text, "list": []string{c.Text}}
		for _, write := range []func(*bytes.Buffer, any) error{
			func(b *bytes.Buffer, v any) error { return WriteJSON(b, v) },
			func(b *bytes.Buffer, v any) error { return WriteNDJSON(b, v) },
		} {
			var b bytes.Buffer
			if err := write(&b, v); err != nil {
				t.Fatal(err)
			}
			termtexttest.AssertSafe(t, c.Name, b.Bytes())
			var back, want map[string]any
			std, _ := json.Marshal(v)
			_ = json.Unmarshal(std, &want)
			if err := json.Unmarshal(b.Bytes(), &back); err != nil || !equalJSON(back, want) {
				t.Errorf("%s: %s decodes to %v, want %v (%v)", c.Name, b.Bytes(), back, want, err)
			}
		}
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
