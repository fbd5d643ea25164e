package jsonstr

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestAppend(t *testing.T) {
	tests := map[string]string{
		"plain":             `"plain"`,
		`q"b\`:              `"q\"b\\"`,
		"nl\n\t\r":          `"nl\n\t\r"`,
		"\x1b[31mred":       `"\u001b[31mred"`,
		"del\x7f":           `"del\u007f"`,
		"csi\u009b2J":       `"csi\u009b2J"`,
		"nel\u0085st\u009c": `"nel\u0085st\u009c"`,
		"é and \u00a0ok":    "\"é and \u00a0ok\"",
		"bell\a bs\b":       `"bell\u0007 bs\u0008"`,
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

// Invalid UTF-8 cannot be carried by a JSON string: each bad byte becomes
// \ufffd, which is what encoding/json decodes invalid input to as well.
func TestAppendInvalidUTF8(t *testing.T) {
	tests := map[string]string{
		"8-bit csi \x9b31m": `"8-bit csi \ufffd31m"`,
		"\xff\xfe":          `"\ufffd\ufffd"`,
		"cut \xe2\x82":      `"cut \ufffd\ufffd"`,
		"ok €\xc2":          `"ok €\ufffd"`,
	}
	for in, want := range tests {
		got := Append(nil, in)
		if string(got) != want {
			t.Errorf("Append(%q) = %s, want %s", in, got, want)
		}
		var back, std string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(in)
		_ = json.Unmarshal(b, &std)
		if back != std {
			t.Errorf("%q decodes to %q, encoding/json's form to %q", in, back, std)
		}
	}
}

func FuzzAppend(f *testing.F) {
	f.Add("a\x1b\u009b\"\\")
	f.Add("\x9b\xff\xc2")
	f.Fuzz(func(t *testing.T, s string) {
		out := Append(nil, s)
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("invalid JSON or UTF-8 %q", out)
		}
		for _, r := range string(out) {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
				t.Fatalf("raw control %U in %q", r, out)
			}
		}
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		// Each invalid byte is one U+FFFD, as ranging over a string yields.
		if want := string([]rune(s)); back != want {
			t.Fatalf("%q round-trips to %q, want %q", s, back, want)
		}
	})
}

func TestAppendNeutral(t *testing.T) {
	src := "{\"a\":\"x\x7fy\u009b2J\u0085 é \xff\",\"b\":[1,\"\u00a0\"]}"
	got := string(AppendNeutral([]byte("> "), []byte(src)))
	want := `> {"a":"x\u007fy\u009b2J\u0085 é \ufffd","b":[1,"` + "\u00a0" + `"]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func FuzzAppendNeutral(f *testing.F) {
	f.Add([]byte("{\"a\":\"\u009b\x7f\xff\"}"))
	f.Add([]byte(`[1,"é",{"k":null}]`))
	f.Fuzz(func(t *testing.T, src []byte) {
		if !json.Valid(src) {
			return
		}
		out := AppendNeutral(nil, src)
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("%q became %q", src, out)
		}
		for _, r := range string(out) {
			if r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Fatalf("raw control %U in %q", r, out)
			}
		}
		var a, b any
		_ = json.Unmarshal(src, &a)
		_ = json.Unmarshal(out, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%q decodes to %v, %q to %v", src, a, out, b)
		}
	})
}
