package jsonstr

import (
	"encoding/json"
	"testing"
)

func TestAppend(t *testing.T) {
	tests := map[string]string{
		"plain":          `"plain"`,
		`q"b\`:           `"q\"b\\"`,
		"nl\n\t\r":       `"nl\n\t\r"`,
		"\x1b[31mred":    `"\u001b[31mred"`,
		"del\x7f":        `"del\u007f"`,
		"csi\u009b2J":    `"csi\u009b2J"`,
		"é and \u00a0ok": "\"é and \u00a0ok\"",
	}
	for in, want := range tests {
		got := string(Append(nil, in))
		if got != want {
			t.Errorf("Append(%q) = %s, want %s", in, got, want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil || back != in {
			t.Errorf("%s does not decode back to %q: %q, %v", got, in, back, err)
		}
	}
}

func FuzzAppend(f *testing.F) {
	f.Add("a\x1b\u009b\"\\")
	f.Fuzz(func(t *testing.T, s string) {
		out := Append(nil, s)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON %q", out)
		}
		for _, c := range out {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("raw control byte in %q", out)
			}
		}
	})
}
