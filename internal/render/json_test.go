package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lcwh/lcwh/internal/catalog"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/render -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got: %q\nwant: %q", name, got, want)
	}
}

func TestJSONGolden(t *testing.T) {
	src, err := os.ReadFile("testdata/json_input.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		color bool
	}{
		{"json_color.golden", true},
		{"json_plain.golden", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := AppendPrettyJSON(nil, src, NewStyles(io.Discard, tt.color), "")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, append(out, '\n'))
		})
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// checkAgainstStdlib asserts the no-colour output equals encoding/json's
// and the coloured output differs from it only by escape codes.
func checkAgainstStdlib(t *testing.T, src []byte) {
	t.Helper()
	src = bytes.TrimRight(src, " \t\r\n")
	var want bytes.Buffer
	if err := json.Indent(&want, src, "", "  "); err != nil {
		t.Fatal(err)
	}
	plain, err := AppendPrettyJSON(nil, src, NewStyles(io.Discard, false), "")
	if err != nil {
		t.Fatalf("valid JSON rejected: %v", err)
	}
	if !bytes.Equal(plain, want.Bytes()) {
		t.Fatalf("plain output differs from json.Indent:\n got %q\nwant %q", plain, want.Bytes())
	}
	coloured, _ := AppendPrettyJSON(nil, src, NewStyles(io.Discard, true), "")
	if got := ansi.ReplaceAll(coloured, nil); !bytes.Equal(got, plain) {
		t.Fatalf("colour output without codes differs from plain:\n got %q\nwant %q", got, plain)
	}
}

func TestJSONMatchesStdlibOnEverySample(t *testing.T) {
	for _, k := range catalog.All() {
		src, err := catalog.Sample(k)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstStdlib(t, src)
	}
}

// TestJSONContainers: empty objects and arrays (with space inside) print
// as encoding/json prints them; nesting past maxJSONDepth is refused.
func TestJSONContainers(t *testing.T) {
	for _, src := range []string{`{}`, `[ ]`, `{ "a": {}, "b": [ ], "c": [{}, [], {"d": [ [] ]}] }`, `[[[[[]]]]]`} {
		checkAgainstStdlib(t, []byte(src))
	}
	st := NewStyles(io.Discard, false)
	for _, open := range []string{"[", `{"a":`} {
		deep := []byte(strings.Repeat(open, maxJSONDepth+1))
		if _, err := AppendPrettyJSON(nil, deep, st, ""); err == nil || !strings.Contains(err.Error(), "nesting deeper than 512") {
			t.Errorf("%s×%d: err = %v", open, maxJSONDepth+1, err)
		}
	}
}

func TestJSONInvalid(t *testing.T) {
	st := NewStyles(io.Discard, true)
	for _, src := range []string{``, `{`, `{"a"}`, `{"a":}`, `[1,]`, `"abc`, `tru`, `{"a":1}x`, `[1 2]`, `-`, "\"a\x01\"", `{1:2}`} {
		dst := []byte("keep")
		out, err := AppendPrettyJSON(dst, []byte(src), st, "")
		if err == nil {
			t.Errorf("%q: no error, got %q", src, out)
		}
		if string(out) != "keep" {
			t.Errorf("%q: dst changed to %q", src, out)
		}
	}
}

func TestJSONAppendsToDst(t *testing.T) {
	out, err := AppendPrettyJSON([]byte("> "), []byte(`[1]`), NewStyles(io.Discard, false), "")
	if err != nil || string(out) != "> [\n  1\n]" {
		t.Fatalf("got %q, %v", out, err)
	}
}

func FuzzJSON(f *testing.F) {
	for _, k := range catalog.All() {
		src, _ := catalog.Sample(k)
		f.Add(src)
	}
	f.Add([]byte(`{"a":[1,{"b":null}],"c":"\u00e9\\"}`))
	f.Add([]byte(`[[[[[]]]]]`))
	f.Fuzz(func(t *testing.T, src []byte) {
		// DEL, C1 controls and invalid UTF-8 are neutralised on purpose, so
		// json.Indent differs there.
		if json.Valid(src) && utf8.Valid(src) && !hasDelOrC1(src) {
			checkAgainstStdlib(t, src)
			return
		}
		_, _ = AppendPrettyJSON(nil, src, NewStyles(io.Discard, true), "")
	})
}

func hasDelOrC1(b []byte) bool {
	for _, r := range string(b) {
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return true
		}
	}
	return false
}

func BenchmarkJSONAppendIndent(b *testing.B) {
	k, _ := catalog.Lookup("incoming_chat")
	src, _ := catalog.Sample(k)
	var compact bytes.Buffer
	_ = json.Compact(&compact, src)
	st := NewStyles(io.Discard, true)
	var buf []byte
	b.SetBytes(int64(compact.Len()))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = AppendPrettyJSON(buf[:0], compact.Bytes(), st, "")
		if err != nil {
			b.Fatal(err)
		}
	}
}
