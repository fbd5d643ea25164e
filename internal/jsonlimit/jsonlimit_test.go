package jsonlimit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestCheckDepth(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		in     string
		max    int
		ok     bool
		offset int
	}{
		{``, 1, true, 0},
		{`1`, 0, true, 0},
		{`[]`, 0, false, 0},
		{`[]`, 1, true, 0},
		{`{"a":[{"b":[]}]}`, 4, true, 0},
		{`{"a":[{"b":[]}]}`, 3, false, 11},
		{`[[],[],[[]]]`, 3, true, 0},
		{`[[],[],[[]]]`, 2, false, 8},
		{deep(MaxDepth), MaxDepth, true, 0},
		{deep(MaxDepth + 1), MaxDepth, false, MaxDepth},
		// Brackets inside strings do not count, escaped quotes do not end them.
		{`["[[[[", "\"[[[[", "\\", "{{"]`, 1, true, 0},
		{`["\\\"[[[["]`, 1, true, 0},
		{`["\\\\"[[]`, 2, false, 8},
		// Unterminated string: nothing after it counts.
		{`["[[[[`, 1, true, 0},
	}
	for _, tt := range tests {
		err := CheckDepth([]byte(tt.in), tt.max)
		var de *DepthError
		switch {
		case tt.ok && err != nil:
			t.Errorf("CheckDepth(%.40q, %d) = %v, want nil", tt.in, tt.max, err)
		case !tt.ok && !errors.As(err, &de):
			t.Errorf("CheckDepth(%.40q, %d) = %v, want a DepthError", tt.in, tt.max, err)
		case !tt.ok && (de.Max != tt.max || de.Offset != tt.offset):
			t.Errorf("CheckDepth(%.40q, %d) = %+v, want offset %d", tt.in, tt.max, de, tt.offset)
		}
	}
	err := CheckDepth([]byte(`[[[`), 2)
	if got, want := err.Error(), "JSON nested deeper than 2 levels (at byte 2)"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

// TestCheckDepthHugeInput is the attack the limit exists for: 10 MiB of
// "[" is refused in one iterative pass (gjson.Valid alone would recurse
// ten million frames deep).
func TestCheckDepthHugeInput(t *testing.T) {
	b := bytes.Repeat([]byte("["), 10<<20)
	if err := CheckDepth(b, MaxDepth); err == nil {
		t.Fatal("10 MiB of [ accepted")
	}
	if Valid(b, MaxDepth) {
		t.Fatal("Valid accepted 10 MiB of [")
	}
	// Deep but within a larger limit: still one pass, no recursion.
	if err := CheckDepth(b, len(b)); err != nil {
		t.Fatalf("depth within limit refused: %v", err)
	}
}

func TestValid(t *testing.T) {
	for in, want := range map[string]bool{
		` {"a": [1, 2]} `:      true, //nolint:gocritic // mapKey: the spaces around the value are the case
		`{"a":`:                false,
		`[1,]`:                 false,
		"\xef\xbb\xbf{}":       false, // a BOM is not JSON
		`"\u00e9"`:             true,
		`[[[[[[[[[[]]]]]]]]]]`: false, // deeper than the 5 below
	} {
		if got := Valid([]byte(in), 5); got != want {
			t.Errorf("Valid(%q) = %v, want %v", in, got, want)
		}
	}
}

// refDepth is the nesting depth by encoding/json's tokenizer (iterative).
func refDepth(b []byte) (int, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	d, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return deepest, true
		}
		if err != nil {
			return 0, false
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			d++
			deepest = max(deepest, d)
		case json.Delim(']'), json.Delim('}'):
			d--
		}
	}
}

// FuzzCheckDepth is the differential test against encoding/json: on every
// valid document the depth found is the tokenizer's, and CheckDepth agrees
// with it at every limit around it.
func FuzzCheckDepth(f *testing.F) {
	f.Add([]byte(`{"a":[{"b":"[\"]"}],"c":"\\"}`))
	f.Add([]byte(`[[[["\\\\\"["]]]]`))
	if b, err := os.ReadFile("testdata/payload.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, _ := depth(b, len(b)+1)
		if !json.Valid(b) {
			// Only the promise that matters on bad input: no panic, and a
			// limit below what was found is reported.
			if got > 0 && CheckDepth(b, got-1) == nil {
				t.Fatalf("depth %d found but limit %d passes", got, got-1)
			}
			return
		}
		want, ok := refDepth(b)
		if !ok {
			return // a stream of several values: json.Valid said one; skip
		}
		if got != want {
			t.Fatalf("depth(%q) = %d, encoding/json says %d", b, got, want)
		}
		if CheckDepth(b, want) != nil || (want > 0 && CheckDepth(b, want-1) == nil) {
			t.Fatalf("CheckDepth disagrees at depth %d for %q", want, b)
		}
	})
}

var sink error

func BenchmarkCheckDepth(b *testing.B) {
	body, err := os.ReadFile("testdata/payload.json")
	if err != nil {
		b.Fatal(err)
	}
	compact := new(bytes.Buffer)
	if err := json.Compact(compact, body); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		in   []byte
	}{{"pretty", body}, {"compact", compact.Bytes()}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				sink = CheckDepth(bc.in, MaxDepth)
			}
		})
	}
}

func TestDepth(t *testing.T) {
	for _, tt := range []struct {
		in         string
		limit, out int
	}{{`[[],[[]]]`, 10, 3}, {`[[],[[]]]`, 2, 3}, {`[[],[[]]]`, 1, 2}, {`"[["`, 5, 0}, {``, 5, 0}} {
		if got := Depth([]byte(tt.in), tt.limit); got != tt.out {
			t.Errorf("Depth(%q, %d) = %d, want %d", tt.in, tt.limit, got, tt.out)
		}
	}
}
