package eventlog

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/jsonlimit"
)

var at = time.Date(2026, 5, 1, 12, 0, 0, 123000000, time.UTC)

// checkLine fails unless line is one newline-terminated line of valid
// UTF-8 and valid JSON (what Python's json and jq demand of JSONL).
func checkLine(t *testing.T, line []byte) {
	t.Helper()
	if len(line) == 0 || line[len(line)-1] != '\n' || bytes.Count(line, []byte("\n")) != 1 {
		t.Fatalf("not one line: %.200q", line)
	}
	if !utf8.Valid(line) {
		t.Fatalf("not valid UTF-8: %.200q", line)
	}
	if !json.Valid(line) {
		t.Fatalf("not valid JSON: %.200q", line)
	}
}

// readAll reads every result of in.
func readAll(t *testing.T, in []byte) (recs []*Record, errs []error) {
	t.Helper()
	r := NewReader(bytes.NewReader(in))
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return recs, errs
		}
		if err != nil {
			var le *LineError
			var ie *IncompleteError
			if !errors.As(err, &le) && !errors.As(err, &ie) {
				t.Fatalf("untyped error %v", err)
			}
			errs = append(errs, err)
			continue
		}
		recs = append(recs, rec)
	}
}

func roundTrip(t *testing.T, rec *Record) *Record {
	t.Helper()
	line := Append(nil, rec)
	checkLine(t, line)
	recs, errs := readAll(t, line)
	if len(errs) != 0 || len(recs) != 1 {
		t.Fatalf("read back %d records, errors %v, from %.300q", len(recs), errs, line)
	}
	return recs[0]
}

func tenMiBBody() string {
	var b strings.Builder
	b.WriteString(`{"action":"incoming_event","webhook_id":"big","payload":{"text":"`)
	for b.Len() < 10<<20-3 {
		b.WriteString("lorem ipsum ")
	}
	b.WriteString("\"}}\n")
	return b.String()
}

// TestBodyRoundTrip is the exact-bytes promise: every body comes back from
// Append → Reader byte for byte, as raw JSON when that is exact, else
// through body_ws or body_b64 beside a readable body, whichever form the
// size rule picks.
func TestBodyRoundTrip(t *testing.T) {
	tenMiB := tenMiBBody()
	tenMiBLines := "[\n" + strings.Repeat("\"lorem ipsum dolor sit amet\",\n", 10<<20/30) + "0\n]\n"
	tenMiBBreaks := "[" + strings.Repeat("\n", 10<<20) + "]"
	payload, err := os.ReadFile("testdata/payload.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body string
		form       string // raw, ws or b64
		readable   string
		valid      bool
	}{
		{"compact", `{"action":"incoming_chat","webhook_id":"w"}`, "raw", `{"action":"incoming_chat","webhook_id":"w"}`, true},
		{"scalar", `42`, "raw", `42`, true},
		{"trailing LF", "{\"action\":\"incoming_chat\"}\n", "ws", `{"action":"incoming_chat"}`, true},
		{"CRLF pretty", "{\r\n  \"action\": \"incoming_chat\"\r\n}\r\n", "ws", `{    "action": "incoming_chat"  }`, true},
		{"mixed CR and LF", "\n\r{\"action\":\r\"incoming_chat\",\n\"b\"\n\r:\r\n[2 ,\n\r3]}\r\r\n", "ws", `{"action": "incoming_chat", "b"  :  [2 ,  3]}`, true},
		{"leading spaces", `   {"action":"incoming_chat"}`, "ws", `{"action":"incoming_chat"}`, true},
		{"trailing spaces and tabs", "{\"action\":\"x\"} \t \t", "ws", `{"action":"x"}`, true},
		{"leading and trailing tabs", "\t\t{\"action\":\"incoming_chat\"}\t", "ws", `{"action":"incoming_chat"}`, true},
		{"leading tab, short", "\t[1,2]", "b64", `[1,2]`, true}, // body_ws (24 bytes) > body_b64 (22)
		{"trailing spaces, many", "1" + strings.Repeat(" ", 30), "ws", `1`, true},
		{"trailing LFs, many", "1" + strings.Repeat("\n", 30), "b64", `1`, true}, // two bytes each in a string
		{"pretty payload", string(payload), "ws", strings.TrimSpace(strings.ReplaceAll(string(payload), "\n", " ")), true},
		{"pretty payload, no trailing LF", strings.TrimSpace(string(payload)), "ws", strings.TrimSpace(strings.ReplaceAll(string(payload), "\n", " ")), true},
		{"newlines inside arrays, short", "[\n\n[\n\n]]", "b64", `[  [  ]]`, true},
		{"newlines inside arrays, 1000", "[" + strings.Repeat("\n", 1000) + "]", "b64", "[" + strings.Repeat(" ", 1000) + "]", true},
		{"invalid UTF-8", "{\"action\":\"incoming_event\",\"text\":\"caf\xe9 \xff\xfe!\"}", "b64", "{\"action\":\"incoming_event\",\"text\":\"caf\uFFFD \uFFFD!\"}", true},
		{"invalid UTF-8, pretty", "{\n\"text\": \"caf\xe9\"\n}\n", "b64", "{ \"text\": \"caf\uFFFD\" }", true},
		{"truncated rune", "{\"action\":\"x\",\"t\":\"\xe2\x82\"}", "b64", "{\"action\":\"x\",\"t\":\"\uFFFD\"}", true},
		{"UTF-8 BOM", "\xef\xbb\xbf{\"action\":\"incoming_chat\"}", "b64", `{"action":"incoming_chat"}`, false},
		{"BOM then pretty", "\xef\xbb\xbf{\n \"action\": \"x\"\n}\n", "b64", `{  "action": "x" }`, false},
		{"BOM only", "\xef\xbb\xbf", "b64", `null`, false},
		{"not JSON", "action=incoming_chat&x=1", "b64", `null`, false},
		{"not JSON, trailing LF", "action=incoming_chat\n", "b64", `null`, false},
		{"invalid UTF-8, not JSON", "\xff\xfe\x00\x01", "b64", `null`, false},
		{"empty", "", "b64", `null`, false},
		{"only whitespace", " \r\n", "b64", `null`, false},
		{"raw DEL and C1 controls", "{\"a\":\"\x7f\xc2\x9b[31m\"}", "raw", "{\"a\":\"\x7f\xc2\x9b[31m\"}", true},
		{"raw DEL and C1 controls, pretty", "{\"a\":\n\"\x7f\xc2\x9b[31m\"}\n", "ws", "{\"a\": \"\x7f\xc2\x9b[31m\"}", true},
		{"escapes kept", `{"a":"\u00e9\n\"\\\/"}`, "raw", `{"a":"\u00e9\n\"\\\/"}`, true},
		{"member named body_ws", "{\"a\":1,\"body_ws\":{\"lf\":[0]}}\n", "ws", `{"a":1,"body_ws":{"lf":[0]}}`, true},
		{"deeper than MaxDepth", strings.Repeat("[", jsonlimit.MaxDepth+1) + strings.Repeat("]", jsonlimit.MaxDepth+1), "b64", `null`, false},
		{"at MaxDepth", strings.Repeat("[", jsonlimit.MaxDepth) + strings.Repeat("]", jsonlimit.MaxDepth), "raw", strings.Repeat("[", jsonlimit.MaxDepth) + strings.Repeat("]", jsonlimit.MaxDepth), true},
		{"at MaxDepth, pretty", strings.Repeat("[\n", jsonlimit.MaxDepth) + strings.Repeat("]", jsonlimit.MaxDepth), "b64", strings.Repeat("[ ", jsonlimit.MaxDepth) + strings.Repeat("]", jsonlimit.MaxDepth), true},
		{"10 MiB with trailing LF", tenMiB, "ws", strings.TrimSuffix(tenMiB, "\n"), true},
		{"10 MiB exact", strings.TrimSuffix(tenMiB, "\n"), "raw", strings.TrimSuffix(tenMiB, "\n"), true},
		{"10 MiB pretty", tenMiBLines, "ws", strings.TrimSpace(strings.ReplaceAll(tenMiBLines, "\n", " ")), true},
		{"10 MiB of newlines inside an array", tenMiBBreaks, "b64", "[" + strings.Repeat(" ", 10<<20) + "]", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, trusted := range []bool{false, true} {
				if trusted && (!tt.valid || len(tt.body) > 1<<20) {
					continue // BodyValid may only be set for valid JSON; 10 MiB once is enough
				}
				rec := &Record{ReceivedAt: at, Method: "POST", Path: "/hooks", Body: []byte(tt.body), BodyValid: trusted}
				line := Append(nil, rec)
				res := gjson.GetManyBytes(line, "v", "body", "body_b64", "body_ws")
				if res[0].Raw != "3" {
					t.Errorf("v = %s", res[0].Raw)
				}
				if got := res[1].Raw; got != tt.readable {
					t.Errorf("readable body = %.100q, want %.100q", got, tt.readable)
				}
				form := "raw"
				switch {
				case res[2].Exists() && res[3].Exists():
					t.Errorf("both body_b64 and body_ws")
				case res[2].Exists():
					form = "b64"
				case res[3].Exists():
					form = "ws"
					checkWSLine(t, line, []byte(tt.body))
				}
				if form != tt.form {
					t.Errorf("form %s, want %s", form, tt.form)
				}
				// The size rule: never longer than body_b64 would be.
				if b64 := appendB64(nil, []byte(tt.body), tt.valid); form != "raw" && len(AppendBody(nil, []byte(tt.body), false)) > len(b64) {
					t.Errorf("body form %s is longer than body_b64's %d bytes", form, len(b64))
				}
				got := roundTrip(t, rec)
				if !bytes.Equal(got.Body, []byte(tt.body)) {
					t.Fatalf("body came back %.100q, want %.100q", got.Body, tt.body)
				}
				if got.BodyValid != tt.valid || got.Form != FormRecord || !got.Exact() {
					t.Errorf("BodyValid %v Form %v, want valid %v", got.BodyValid, got.Form, tt.valid)
				}
			}
		})
	}
}

// checkWSLine checks a body_ws line without the package's reader: the
// bytes between `"body":` and `,"body_ws":` are gjson's Raw of body (the
// readable form is trimmed, so Raw is all of them), and putting back the
// descriptor's whitespace, decoded with encoding/json, at the offsets into
// those bytes gives body.
func checkWSLine(t *testing.T, line, body []byte) {
	t.Helper()
	from := bytes.Index(line, []byte(`,"body":`)) + len(`,"body":`)
	to := bytes.LastIndex(line, []byte(`,"body_ws":`))
	if from < len(`,"body":`) || to < from {
		t.Fatalf("no body, body_ws in %.200q", line)
	}
	written := line[from:to]
	if raw := gjson.GetBytes(line, "body").Raw; raw != string(written) {
		t.Fatalf("gjson's Raw of body %.80q is not the bytes written %.80q", raw, written)
	}
	var ws struct {
		Lead, Trail string
		LF, CR      []int
	}
	if err := json.Unmarshal([]byte(gjson.GetBytes(line, "body_ws").Raw), &ws); err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), written...)
	for _, o := range ws.LF {
		out[o] = '\n'
	}
	for _, o := range ws.CR {
		out[o] = '\r'
	}
	out = append(append([]byte(ws.Lead), out...), ws.Trail...)
	if !bytes.Equal(out, body) {
		t.Fatalf("restored by hand %.100q, want %.100q", out, body)
	}
}

// TestJQBodyActionOnEveryLine: the readable body lets `jq .body.action`
// work on every line, exact or not.
func TestJQBodyActionOnEveryLine(t *testing.T) {
	for _, body := range []string{
		`{"action":"incoming_chat"}`,
		"{\n  \"action\": \"incoming_chat\"\n}\n",
		"\xef\xbb\xbf{\"action\":\"incoming_chat\"}",
		"{\"action\":\"incoming_chat\",\"t\":\"\xff\"}",
	} {
		line := Append(nil, &Record{Body: []byte(body)})
		var v struct {
			Body struct {
				Action string `json:"action"`
			} `json:"body"`
		}
		if err := json.Unmarshal(line, &v); err != nil || v.Body.Action != "incoming_chat" {
			t.Errorf("%q: .body.action = %q (%v)", body, v.Body.Action, err)
		}
	}
}

func TestAppendRecordLine(t *testing.T) {
	rec := &Record{ReceivedAt: at, Method: "POST", Path: "/hooks", Verify: VerifyOK,
		Header: map[string][]string{"Content-Type": {"application/json"}, "X-Two": {"a", "b"}},
		Body:   []byte(`{"action":"incoming_chat"}`)}
	want := `{"v":3,"received_at":"2026-05-01T12:00:00.123Z","method":"POST","path":"/hooks","verified":true,"headers":{"Content-Type":"application/json","X-Two":"a, b"},"body":{"action":"incoming_chat"}}` + "\n"
	if diff := cmp.Diff(want, string(Append(nil, rec))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	rec.Body = []byte("{\"action\":\"incoming_chat\"}\n")
	rec.Verify = VerifyFailed
	want = `{"v":3,"received_at":"2026-05-01T12:00:00.123Z","method":"POST","path":"/hooks","verified":false,"headers":{"Content-Type":"application/json","X-Two":"a, b"},"body":{"action":"incoming_chat"},"body_ws":{"trail":"\n"}}` + "\n"
	if diff := cmp.Diff(want, string(Append(nil, rec))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	rec.Body = []byte(" \t{\r\n\"action\": \"incoming_chat\",\n\"x\": [1,\r2]\r\n}\r\n")
	want = `{"v":3,"received_at":"2026-05-01T12:00:00.123Z","method":"POST","path":"/hooks","verified":false,"headers":{"Content-Type":"application/json","X-Two":"a, b"},"body":{  "action": "incoming_chat", "x": [1, 2]  },"body_ws":{"lead":" \t","lf":[2,29,42],"cr":[1,38,41],"trail":"\r\n"}}` + "\n"
	if diff := cmp.Diff(want, string(Append(nil, rec))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	rec.Body = []byte("{\"action\":\"caf\xe9\"}\n")
	want = `{"v":3,"received_at":"2026-05-01T12:00:00.123Z","method":"POST","path":"/hooks","verified":false,"headers":{"Content-Type":"application/json","X-Two":"a, b"},"body":{"action":"caf\ufffd"},"body_b64":"eyJhY3Rpb24iOiJjYWbpIn0K"}` + "\n"
	if diff := cmp.Diff(want, strings.ReplaceAll(string(Append(nil, rec)), "\uFFFD", `\ufffd`)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Append appends: what dst held stays.
	if got := Append([]byte("x"), rec); !bytes.HasPrefix(got, []byte(`x{"v":3,`)) {
		t.Errorf("Append dropped dst: %.20q", got)
	}
}

// TestHeadersRoundTrip: header values are kept exactly, through
// headers_b64 when they are not valid UTF-8; names and the method and path
// get U+FFFD for bad bytes.
func TestHeadersRoundTrip(t *testing.T) {
	h := map[string][]string{
		"Content-Type":  {"application/json"},
		"Authorization": {"Bearer tok\xff\xfe"},
		"X-Latin1":      {"caf\xe9"},
		"X-Two":         {"a", "b\x80"},
		"X-Control":     {"a\x1b[31mb\x7f"},
	}
	rec := &Record{ReceivedAt: at, Method: "P\xffST", Path: "/h%ff/\xff", Header: h, Body: []byte(`{}`)}
	line := Append(nil, rec)
	if !bytes.Contains(line, []byte(`"headers_b64":{"Authorization":"`+base64.StdEncoding.EncodeToString([]byte("Bearer tok\xff\xfe"))+`"`)) {
		t.Errorf("no headers_b64 for Authorization: %s", line)
	}
	got := roundTrip(t, rec)
	want := map[string][]string{
		"Content-Type":  {"application/json"},
		"Authorization": {"Bearer tok\xff\xfe"},
		"X-Latin1":      {"caf\xe9"},
		"X-Two":         {"a, b\x80"},
		"X-Control":     {"a\x1b[31mb\x7f"},
	}
	if diff := cmp.Diff(want, got.Header); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if got.Method != "P\uFFFDST" || got.Path != "/h%ff/\uFFFD" {
		t.Errorf("method %q path %q", got.Method, got.Path)
	}
	// Valid UTF-8 values need no headers_b64.
	if line := Append(nil, &Record{Header: map[string][]string{"X": {"é"}}}); bytes.Contains(line, []byte("headers_b64")) {
		t.Errorf("headers_b64 for valid UTF-8: %s", line)
	}
}

// TestFieldsAsHeader: headers given as Fields (arrival order, repeats as
// separate fields) make the same line as the Header they amount to.
func TestFieldsAsHeader(t *testing.T) {
	for name, fields := range map[string][]Field{
		"none":      {},
		"one":       {{"Content-Type", "application/json"}},
		"unsorted":  {{"X-B", "2"}, {"Content-Type", "application/json"}, {"A", "1"}},
		"repeated":  {{"X-Trace", "a"}, {"Content-Type", "x"}, {"X-Trace", "b"}, {"X-Trace", ""}},
		"not utf-8": {{"X-Name", "Zo\xeb"}, {"X-Name", "\xff"}, {"Authorization", "Bearer \xfe"}, {"X-Ok", "é"}},
		"over 16 names": func() []Field {
			var fs []Field
			for i := range 20 {
				fs = append(fs, Field{fmt.Sprintf("X-%02d", 19-i), strconv.Itoa(i)})
			}
			return fs
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			h := map[string][]string{}
			for _, f := range fields {
				h[f.Name] = append(h[f.Name], f.Value)
			}
			want := Append(nil, &Record{ReceivedAt: at, Header: h, Body: []byte(`{}`)})
			got := Append(nil, &Record{ReceivedAt: at, Fields: slices.Clone(fields), Body: []byte(`{}`)})
			if !bytes.Equal(got, want) {
				t.Errorf("from Fields:\n%s\nfrom Header:\n%s", got, want)
			}
		})
	}
}

func TestAppendVerifyAndTime(t *testing.T) {
	for v, want := range map[Verify]string{VerifyNone: `"verified":null`, VerifyOK: `"verified":true`, VerifyFailed: `"verified":false`} {
		rec := &Record{ReceivedAt: at, Verify: v, Body: []byte(`1`)}
		if line := Append(nil, rec); !bytes.Contains(line, []byte(want)) {
			t.Errorf("%d: %s", v, line)
		}
		if got := roundTrip(t, rec); got.Verify != v || !got.ReceivedAt.Equal(at) {
			t.Errorf("read back verify %d at %v", got.Verify, got.ReceivedAt)
		}
	}
	// A time in another zone is written in UTC.
	rec := &Record{ReceivedAt: at.In(time.FixedZone("X", 3600)), Body: []byte(`1`)}
	if line := Append(nil, rec); !bytes.Contains(line, []byte(`"received_at":"2026-05-01T12:00:00.123Z"`)) {
		t.Errorf("not UTC: %s", line)
	}
}

func TestExact(t *testing.T) {
	for body, want := range map[string]bool{
		`{"a":1}`:             true,
		`{"a":1}` + "\n":      false,
		` {"a":1}`:            false, //nolint:gocritic // mapKey: the leading space is the case
		`{"a":` + "\r" + `1}`: false,
		`{"a":"\xff"}`:        false,
		`{"a":}`:              false,
		``:                    false,
	} {
		if got := Exact([]byte(body)); got != want {
			t.Errorf("Exact(%q) = %v, want %v", body, got, want)
		}
	}
}

func TestAppendAllocations(t *testing.T) {
	body, err := os.ReadFile("testdata/payload.json")
	if err != nil {
		t.Fatal(err)
	}
	compact := new(bytes.Buffer)
	if err := json.Compact(compact, body); err != nil {
		t.Fatal(err)
	}
	h := map[string][]string{"Content-Type": {"application/json"}, "User-Agent": {"LiveChat"}}
	for name, b := range map[string][]byte{"exact": compact.Bytes(), "pretty": body} {
		rec := &Record{ReceivedAt: at, Method: "POST", Path: "/webhooks", Header: h, Body: b, BodyValid: true}
		dst := make([]byte, 0, 16<<10)
		if n := testing.AllocsPerRun(100, func() { dst = Append(dst[:0], rec) }); n != 0 {
			t.Errorf("%s: %v allocations per Append, want 0", name, n)
		}
		fields := []Field{{"User-Agent", "LiveChat"}, {"Content-Type", "application/json"}}
		frec := &Record{ReceivedAt: at, Method: "POST", Path: "/webhooks", Fields: fields, Body: b, BodyValid: true}
		if n := testing.AllocsPerRun(100, func() { dst = Append(dst[:0], frec) }); n != 0 {
			t.Errorf("%s: %v allocations per Append from Fields, want 0", name, n)
		}
	}
}

var lineSink []byte

// BenchmarkAppend: one record of bench/recv.sh's payload as sent (pretty,
// trailing LF: body_ws) and compacted (raw), trusted valid as the
// listener does and not; B/record is the line's length.
func BenchmarkAppend(b *testing.B) {
	body, err := os.ReadFile("testdata/payload.json")
	if err != nil {
		b.Fatal(err)
	}
	compact := new(bytes.Buffer)
	if err := json.Compact(compact, body); err != nil {
		b.Fatal(err)
	}
	h := map[string][]string{"Content-Type": {"application/json"}, "User-Agent": {"LiveChat-Webhooks/1"}, "Accept-Encoding": {"gzip"}}
	for _, bc := range []struct {
		name    string
		body    []byte
		trusted bool
	}{
		{"exact-trusted", compact.Bytes(), true},
		{"exact", compact.Bytes(), false},
		{"pretty-trusted", body, true},
		{"pretty", body, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rec := &Record{ReceivedAt: at, Method: "POST", Path: "/webhooks", Header: h, Body: bc.body, BodyValid: bc.trusted}
			dst := make([]byte, 0, 16<<10)
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				dst = Append(dst[:0], rec)
			}
			b.ReportMetric(float64(len(dst)), "B/record")
			lineSink = dst
		})
	}
}
