package jsonlimit

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"
)

// jsonMaxDepth is encoding/json's own nesting limit (maxNestingDepth in
// its scanner): at this limit Scan must agree with it on every input.
const jsonMaxDepth = 10000

// checkAgainstEncodingJSON fails unless Scan(b) accepts exactly when
// encoding/json.Valid does, and on a rejection stops where encoding/json
// stops: the same offset (encoding/json counts the offending byte, Scan
// points at it), the same message for an ASCII byte (for a non-ASCII one
// Scan gives the hex value, not a misleading Latin-1 character), and a DepthError
// where encoding/json "exceeded max depth". On shallow input gjson, which
// lcwh used before, must agree too.
func checkAgainstEncodingJSON(t *testing.T, b []byte) {
	t.Helper()
	_, err := Scan(b, jsonMaxDepth, nil)
	if got, want := err == nil, json.Valid(b); got != want {
		t.Fatalf("Scan(%.80q) = %v; encoding/json.Valid = %v", b, err, want)
	}
	if Depth(b, 100) <= 100 {
		if got, want := err == nil, gjson.ValidBytes(b); got != want {
			t.Fatalf("Scan(%.80q) = %v; gjson.ValidBytes = %v", b, err, want)
		}
	}
	if err == nil {
		return
	}
	var raw json.RawMessage
	var jerr *json.SyntaxError
	if !errors.As(json.Unmarshal(b, &raw), &jerr) {
		t.Fatalf("encoding/json gave no SyntaxError for %.80q", b)
	}
	var se *SyntaxError
	var de *DepthError
	switch {
	case errors.As(err, &de):
		if !strings.HasSuffix(jerr.Error(), "exceeded max depth") || jerr.Offset != int64(de.Offset)+1 {
			t.Fatalf("Scan(%.80q) = %v; encoding/json: %v at %d", b, err, jerr, jerr.Offset)
		}
	case errors.As(err, &se):
		want := int64(se.Offset) + 1
		if se.Offset == len(b) {
			want = int64(len(b)) // end of input: encoding/json counts all of it
		}
		if jerr.Offset != want {
			t.Fatalf("Scan(%.80q) = %v; encoding/json: %v at %d", b, err, jerr, jerr.Offset)
		}
		// At the end of input encoding/json sometimes blames a space it
		// feeds itself ("tru": "invalid character ' ' in literal true");
		// Scan always says the input ended.
		if se.Offset < len(b) && b[se.Offset] < utf8.RuneSelf && se.Msg != jerr.Error() {
			t.Fatalf("Scan(%.80q) says %q; encoding/json %q", b, se.Msg, jerr.Error())
		}
		if se.Offset < 0 || se.Offset > len(b) {
			t.Fatalf("offset %d out of range", se.Offset)
		}
	default:
		t.Fatalf("Scan(%.80q) = %T %v, want *SyntaxError or *DepthError", b, err, err)
	}
}

// trickyJSON is every edge the JSON grammar has, valid or not.
var trickyJSON = []string{
	// empty and whitespace
	"", " ", "\t\r\n ", "\v1", "\f1", "\u00a01", " 1 ", "\n[\n]\n", "\x00", "1\x00", "[1]\x00",
	// literals
	"true", "false", "null", "tru", "truex", "True", "nul", "nulll", "fals", "falsE", "t", "[true,false,null]", "[nul]",
	// numbers
	"0", "-0", "-", "--1", "+1", "01", "-01", "00", "1.", "1.5", ".5", "-.5", "1.e5", "1e", "1e+", "1e-", "1E5", "1e05",
	"1e+5", "1e-5", "1E+05", "1ee5", "1e5.5", "1.5e", "0.0", "0x10", "1_000", "Infinity", "-Infinity", "NaN",
	"1e99999999999999999999", "-1e-99999999999999999999", "123456789012345678901234567890", "[-]", "[1.]", "[-,1]",
	"1 2", "[1 2]", "[0 1]",
	// strings
	`""`, `"a"`, `"`, `"abc`, `"\"`, `"\\"`, `"\\\"`, `"\/"`, `"\b\f\n\r\t"`, `"\a"`, `"\x41"`, `"\'"`, `"\u"`, `"\u0"`,
	`"\u00"`, `"\u000"`, `"\u0000"`, `"\u00e9"`, `"\u00E9"`, `"\u00g9"`, `"\U00e9"`, `"\ud800"`, `"\udc00"`,
	`"\ud83d\ude00"`, `"\ud83d\u0041"`, `"\ude00\ud83d"`, `"\ud83d"`, "\"\t\"", "\"\n\"", "\"\x00\"", "\"\x1f\"",
	"\"\x7f\"", "\"\xff\"", "\"\xc3\xa9\"", "\"\xc3\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\xff", "\"a\"\"b\"",
	`"a"x`, `"0123456789abcdefghij"`, `"01234567\"89abcdef"`, `"0123456\\"`, "\"0123456789\x01abc\"", `'a'`,
	// arrays and objects
	"[]", "[", "]", "[1,]", "[,1]", "[,]", "[1,,2]", "[[]]", "[[]", "[]]", "[}", "{]", "{}", "{", "}", `{"a"}`, `{"a":}`,
	`{"a":1}`, `{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{"a"::1}`, `{"a":1 "b":2}`, `{"a":1,"a":2}`, `{1:1}`, `{a:1}`, `{'a':1}`,
	`{"a":[1,{"b":null}],"c":{}}`, `{"":""}`, `{"a":1}}`, `{"a":1}{}`, `[1]]`, "{\"a\"\n:\n1\n}", `{"a\"b":"c\\"}`,
	// BOM and other prefixes
	"\xef\xbb\xbf{}", "\xef\xbb\xbf", "{}\xef\xbb\xbf", "//c\n1", "/*c*/1", "1//c",
}

func TestScanAgreesWithEncodingJSON(t *testing.T) {
	deep := func(n int, open, end string) string { return strings.Repeat(open, n) + strings.Repeat(end, n) }
	cases := append([]string{}, trickyJSON...)
	cases = append(cases,
		deep(jsonMaxDepth, "[", "]"), deep(jsonMaxDepth+1, "[", "]"),
		deep(jsonMaxDepth, `{"a":`, "}"), deep(jsonMaxDepth+1, `{"a":`, "}"),
		deep(jsonMaxDepth-1, "[", "]")+"]", strings.Repeat("[", jsonMaxDepth),
		strings.Repeat("[", 10<<20), strings.Repeat(" ", 1<<16)+"1", `"`+strings.Repeat("x", 1<<16)+`"`,
	)
	if b, err := os.ReadFile("testdata/payload.json"); err == nil {
		cases = append(cases, string(b), string(b[:len(b)/2]), string(b)+"x")
	}
	for _, c := range cases {
		checkAgainstEncodingJSON(t, []byte(c))
	}
	// Every prefix of a document with each kind of token fails where
	// encoding/json does; so does the document with any one byte changed.
	doc := []byte(`{"s":"a\"\\\/\u00e9\ud83d\ude00","n":[-0.5e+3,0,12,1E-2],"t":true,"f":false,"z":null,"o":{"":[{}]}}`)
	for i := range doc {
		checkAgainstEncodingJSON(t, doc[:i])
		for _, c := range []byte{'"', '\\', ',', ':', ']', '}', '0', 'e', ' ', 0, 0xff} {
			mut := bytes.Clone(doc)
			mut[i] = c
			checkAgainstEncodingJSON(t, mut)
		}
	}
}

func TestScanErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{``, "unexpected end of JSON input at byte 0"},
		{`  `, "unexpected end of JSON input at byte 2"},
		{`{nope`, "invalid character 'n' looking for beginning of object key string at byte 1"},
		{`{"a":1,}`, "invalid character '}' looking for beginning of object key string at byte 7"},
		{`[1,]`, "invalid character ']' looking for beginning of value at byte 3"},
		{"\xef\xbb\xbf{}", "invalid character byte 0xef looking for beginning of value at byte 0"},
		{"{\"a\":\"x\ny\"}", `invalid character '\n' in string literal at byte 7`},
		{`"\x"`, "invalid character 'x' in string escape code at byte 2"},
		{`"\u12g4"`, `invalid character 'g' in \u hexadecimal character escape at byte 5`},
		{`01`, "invalid character '1' after top-level value at byte 1"},
		{`-x`, "invalid character 'x' in numeric literal at byte 1"},
		{`1.x`, "invalid character 'x' after decimal point in numeric literal at byte 2"},
		{`1e+x`, "invalid character 'x' in exponent of numeric literal at byte 3"},
		{`[trux]`, "invalid character 'x' in literal true (expecting 'e') at byte 4"},
		{`{"a" 1}`, "invalid character '1' after object key at byte 5"},
		{`{"a":1 "b":2}`, `invalid character '"' after object key:value pair at byte 7`},
		{`[1 2]`, "invalid character '2' after array element at byte 3"},
		{`{"a":1}x`, "invalid character 'x' after top-level value at byte 7"},
		{`{"a":[1`, "unexpected end of JSON input at byte 7"},
	}
	for _, tt := range tests {
		_, err := Scan([]byte(tt.in), MaxDepth, nil)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Scan(%q) = %v, want a SyntaxError", tt.in, err)
			continue
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("Scan(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestScanDepth: the limit and the offset are CheckDepth's.
func TestScanDepth(t *testing.T) {
	deep := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	for _, tt := range []struct {
		in    []byte
		limit int
	}{
		{deep(MaxDepth), MaxDepth}, {deep(MaxDepth + 1), MaxDepth}, {[]byte(`[]`), 0}, {[]byte(`1`), 0},
		{[]byte(`{"a":[{"b":[]}]}`), 3}, {[]byte(`{"a":[{"b":[]}]}`), 4}, {[]byte(`[[],[],[[]]]`), 2},
		{[]byte(`["[[[[", "\"[[[[", "\\", "{{"]`), 1}, {deep(5000), 4999}, {deep(5000), 5000},
		{bytes.Repeat([]byte("["), 10<<20), MaxDepth},
	} {
		_, err := Scan(tt.in, tt.limit, nil)
		want := CheckDepth(tt.in, tt.limit)
		var de *DepthError
		if want == nil {
			if err != nil {
				t.Errorf("Scan(%.20q, %d) = %v, want nil", tt.in, tt.limit, err)
			}
			continue
		}
		if !errors.As(err, &de) || err.Error() != want.Error() {
			t.Errorf("Scan(%.20q, %d) = %v, want %v", tt.in, tt.limit, err, want)
		}
	}
	// Deeper than the container stack on the caller's stack (1024 levels).
	if !Valid(deep(100000), 100000) || Valid(deep(100001), 100000) {
		t.Error("deep nesting within a large limit")
	}
}

// classifyKeys are the top-level members listener.Classify reads.
var classifyKeys = []string{"action", "webhook_id", "secret_key", "event", "applicationID", "clientID", "type", "data"}

func members(keys ...string) []Member {
	m := make([]Member, len(keys))
	for i, k := range keys {
		m[i].Key = k
	}
	return m
}

func TestScanMembers(t *testing.T) {
	type got struct {
		Kind Kind
		Str  string
	}
	tests := []struct {
		in   string
		top  Kind
		want map[string]got
	}{
		{`{"action":"incoming_chat","webhook_id":"w","data":{"a":{"action":"x"}},"type":[1]}`, Object, map[string]got{
			"action": {String, "incoming_chat"}, "webhook_id": {String, "w"}, "data": {Object, ""}, "type": {Array, ""}}},
		// Nested members never count; the last of duplicates wins.
		{`{"x":{"action":"a"},"action":"b","action":7}`, Object, map[string]got{"action": {Number, ""}}},
		{`{"action":7,"action":"b"}`, Object, map[string]got{"action": {String, "b"}}},
		{`{"event":true,"clientID":null,"type":false}`, Object, map[string]got{"event": {True, ""}, "clientID": {Null, ""}, "type": {False, ""}}},
		// Escaped keys and values are unescaped.
		{`{"act\u0069on":"a\"b\\c\/\u00e9\ud83d\ude00\ud800x\n","secret_key":"k"}`, Object, map[string]got{
			"action": {String, "a\"b\\c/é😀\uFFFDx\n"}, "secret_key": {String, "k"}}},
		{"{\"secret_key\":\"caf\xe9\"}", Object, map[string]got{"secret_key": {String, "caf\xe9"}}},
		{`[{"action":"a"}]`, Array, nil},
		{`"action"`, String, nil},
		{` {} `, Object, nil},
		// On an error the members before it are kept.
		{`{"action":"a","webhook_id":"w"`, Object, map[string]got{"action": {String, "a"}, "webhook_id": {String, "w"}}},
		{`{"action":"a","webhook_id":"w`, Object, map[string]got{"action": {String, "a"}}},
	}
	for _, tt := range tests {
		top := members(classifyKeys...)
		kind, _ := Scan([]byte(tt.in), MaxDepth, top)
		if kind != tt.top {
			t.Errorf("Scan(%q) kind %v, want %v", tt.in, kind, tt.top)
		}
		have := map[string]got{}
		for _, m := range top {
			if m.Kind != Absent {
				have[m.Key] = got{m.Kind, string(m.Str)}
			}
		}
		if tt.want == nil {
			tt.want = map[string]got{}
		}
		if diff := cmp.Diff(tt.want, have); diff != "" {
			t.Errorf("Scan(%q) members (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestScanAllocatesNothing: validating and reading members without escapes
// costs no allocation (the reason Scan exists, BenchmarkValid).
func TestScanAllocatesNothing(t *testing.T) {
	body, err := os.ReadFile("testdata/payload.json")
	if err != nil {
		t.Fatal(err)
	}
	top := members(classifyKeys...)
	if n := testing.AllocsPerRun(100, func() { _, _ = Scan(body, MaxDepth, top) }); n != 0 {
		t.Errorf("Scan allocates %v times", n)
	}
	if top[0].Kind != String || string(top[0].Str) != "incoming_event" {
		t.Errorf("action = %v %q", top[0].Kind, top[0].Str)
	}
	esc := []byte(`{"act\u0069on":"incoming_event"}`)
	if n := testing.AllocsPerRun(100, func() { _, _ = Scan(esc, MaxDepth, top) }); n != 0 {
		t.Errorf("Scan of an escaped key allocates %v times", n)
	}
}

func FuzzValidAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range trickyJSON {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("testdata/payload.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkAgainstEncodingJSON(t, b)
		// Below encoding/json's limit the depth error is CheckDepth's.
		for _, limit := range []int{0, 1, 3} {
			_, err := Scan(b, limit, nil)
			var de *DepthError
			if errors.As(err, &de) {
				if want := CheckDepth(b, limit); want == nil || want.Error() != err.Error() {
					t.Fatalf("Scan(%q, %d) = %v, CheckDepth %v", b, limit, err, want)
				}
			}
			if err == nil && (!json.Valid(b) || CheckDepth(b, limit) != nil) {
				t.Fatalf("Scan(%q, %d) accepted", b, limit)
			}
		}
	})
}

// gjsonKind is r's type as a Kind.
func gjsonKind(r gjson.Result) Kind {
	switch r.Type {
	case gjson.Null:
		return Null
	case gjson.False:
		return False
	case gjson.True:
		return True
	case gjson.Number:
		return Number
	case gjson.String:
		return String
	case gjson.JSON:
		if r.IsArray() {
			return Array
		}
		return Object
	}
	return Absent
}

// FuzzTopAgreesWithGJSON: on valid JSON, each member Scan reports is what
// gjson finds: gjson.GetBytes where the key occurs once, and the last of
// duplicates as gjson's ForEach (what Classify was built on) sees it.
func FuzzTopAgreesWithGJSON(f *testing.F) {
	f.Add([]byte(`{"action":"incoming_chat","webhook_id":"w","secret_key":"s\u00e9","data":{}}`))
	f.Add([]byte(`{"action":1,"action":"\ud83d\ude00","type":"x","type":[],"clientID":"\ud800"}`))
	f.Add([]byte(`{"k\u0065y":"\"\\\/\b\f\n\r\t","":"","a.b":"c","applicationID":"x\ud800\udbff"}`))
	if b, err := os.ReadFile("testdata/payload.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) || Depth(b, 100) > 100 {
			return
		}
		keys := append([]string{}, classifyKeys...)
		// Also ask for the document's own keys, whatever their bytes.
		count := map[string]int{}
		last := map[string]gjson.Result{}
		root := gjson.ParseBytes(b)
		root.ForEach(func(k, v gjson.Result) bool {
			if count[k.Str] == 0 && len(keys) < len(classifyKeys)+4 && !slices.Contains(keys, k.Str) {
				keys = append(keys, k.Str)
			}
			count[k.Str]++
			last[k.Str] = v
			return true
		})
		top := members(keys...)
		kind, err := Scan(b, MaxDepth, top)
		if err != nil {
			t.Fatalf("Scan(%q) = %v", b, err)
		}
		if want := gjsonKind(root); kind != want {
			t.Fatalf("kind %v, gjson %v for %q", kind, want, b)
		}
		for _, m := range top {
			v, ok := last[m.Key]
			if !root.IsObject() {
				ok = false
			}
			wantKind, wantStr := Absent, ""
			if ok {
				wantKind, wantStr = gjsonKind(v), v.Str
			}
			if m.Kind != wantKind || string(m.Str) != wantStr {
				t.Fatalf("member %q = %v %q, gjson ForEach %v %q in %q", m.Key, m.Kind, m.Str, wantKind, wantStr, b)
			}
			wantCount := 0
			if root.IsObject() {
				wantCount = count[m.Key]
			}
			if m.Count != wantCount {
				t.Fatalf("member %q counted %d times, gjson ForEach %d in %q", m.Key, m.Count, wantCount, b)
			}
			if m.Kind == String && (m.At != v.Index || string(b[m.At:m.End]) != v.Raw) {
				t.Fatalf("member %q at [%d:%d] %q, gjson ForEach at %d %q in %q", m.Key, m.At, m.End, b[m.At:m.End], v.Index, v.Raw, b)
			}
			if m.Kind != String && (m.At != 0 || m.End != 0) {
				t.Fatalf("member %q of kind %v has a span [%d:%d]", m.Key, m.Kind, m.At, m.End)
			}
			if count[m.Key] == 1 && gjson.Escape(m.Key) == m.Key && m.Key != "" {
				g := gjson.GetBytes(b, m.Key)
				if gjsonKind(g) != m.Kind || g.Str != string(m.Str) {
					t.Fatalf("member %q = %v %q, gjson.GetBytes %v %q in %q", m.Key, m.Kind, m.Str, gjsonKind(g), g.Str, b)
				}
			}
		}
	})
}

// BenchmarkValid compares what the listener did per request before Scan
// (CheckDepth, then gjson.ValidBytes: two passes, gjson recursive) with
// the one pass, on bench/recv.sh's payload as sent (pretty) and compacted;
// "onepass+members" also reads Classify's top-level members.
func BenchmarkValid(b *testing.B) {
	body, err := os.ReadFile("testdata/payload.json")
	if err != nil {
		b.Fatal(err)
	}
	compact := new(bytes.Buffer)
	if err := json.Compact(compact, body); err != nil {
		b.Fatal(err)
	}
	top := members(classifyKeys...)
	var ok bool
	for _, in := range []struct {
		name string
		b    []byte
	}{{"pretty", body}, {"compact", compact.Bytes()}} {
		for _, bc := range []struct {
			name string
			fn   func([]byte) bool
		}{
			{"gjson+CheckDepth", func(b []byte) bool { return CheckDepth(b, MaxDepth) == nil && gjson.ValidBytes(b) }},
			{"onepass", func(b []byte) bool { return Valid(b, MaxDepth) }},
			{"onepass+members", func(b []byte) bool { _, err := Scan(b, MaxDepth, top); return err == nil }},
		} {
			b.Run(bc.name+"/"+in.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(in.b)))
				for b.Loop() {
					ok = bc.fn(in.b)
				}
				if !ok {
					b.Fatal("not valid")
				}
			})
		}
	}
}
