package eventlog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// legacyBodies are the bodies in testdata/legacy-v1.jsonl, which the
// record writer before versions (listener.AppendRecord at c4e455e) wrote:
// line breaks replaced by spaces and listed in body_lf / body_cr.
var legacyBodies = []string{
	`{"action":"incoming_chat","webhook_id":"w1","payload":{"chat":{"id":"C1"}}}`,
	"{\"action\":\"chat_deactivated\",\"webhook_id\":\"w2\",\"payload\":{\"chat_id\":\"C2\"}}\n",
	"{\r\n  \"action\": \"incoming_event\",\r\n  \"webhook_id\": \"w3\"\r\n}\r\n",
	"  \t{\"type\":\"install\",\"data\":{\"account_id\":7}} \t ",
	"{\"action\":\"incoming_event\",\"webhook_id\":\"w5\",\"payload\":{\"event\":{\"text\":\"caf\xe9 \xff\"}}}",
	"{\n  \"action\": \"incoming_chat\",\n  \"webhook_id\": \"w6\",\n  \"payload\": {\n    \"chat\": {\n      \"id\": \"C6\",\n      \"note\": \"a\\nb\"\n    }\n  }\n}\n",
	"{\"body\": \"x\" , \"note\":\"\\\"body_lf\\\":[1]\",\"action\":\"thread_tagged\",\"webhook_id\":\"w7\"}\n",
}

func TestReadLegacyRecords(t *testing.T) {
	in, err := os.ReadFile("testdata/legacy-v1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, in)
	if len(errs) != 0 || len(recs) != len(legacyBodies) {
		t.Fatalf("%d records, errors %v", len(recs), errs)
	}
	for i, rec := range recs {
		if string(rec.Body) != legacyBodies[i] {
			t.Errorf("line %d: body %q, want %q", i+1, rec.Body, legacyBodies[i])
		}
		if rec.Form != FormLegacy || !rec.Exact() || !rec.BodyValid || rec.Line != i+1 {
			t.Errorf("line %d: form %d valid %v line %d", i+1, rec.Form, rec.BodyValid, rec.Line)
		}
		if want := time.Date(2026, 5, 1, 12, 0, i, 0, time.UTC); !rec.ReceivedAt.Equal(want) || rec.Method != "POST" || rec.Path != "/hooks" {
			t.Errorf("line %d: %v %s %s", i+1, rec.ReceivedAt, rec.Method, rec.Path)
		}
		if rec.Verify != Verify(i%3) {
			t.Errorf("line %d: verify %d", i+1, rec.Verify)
		}
	}
	want := map[string][]string{"Authorization": {"Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig"}, "Content-Type": {"application/json"},
		"User-Agent": {"LiveChat-Webhooks/1"}, "X-Two": {"a, b"}}
	if diff := cmp.Diff(want, recs[3].Header); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	// Rewritten in today's format, every body stays exact.
	var out []byte
	for _, rec := range recs {
		out = Append(out, rec)
	}
	again, errs := readAll(t, out)
	for i, rec := range again {
		checkLine(t, Append(nil, rec))
		if string(rec.Body) != legacyBodies[i] || rec.Form != FormRecord {
			t.Errorf("rewritten line %d: %q", i+1, rec.Body)
		}
	}
	if len(errs) != 0 || len(again) != len(recs) {
		t.Errorf("rewritten: %d records, %v", len(again), errs)
	}
}

func TestReadLegacyBadOffsets(t *testing.T) {
	for _, line := range []string{
		`{"received_at":"2026-05-01T12:00:00Z","body":{"a":1},"body_lf":[99]}`,
		`{"received_at":"2026-05-01T12:00:00Z","body":{"a":1},"body_lf":[2]}`, // not a space there
		`{"received_at":"2026-05-01T12:00:00Z","body":{"a":1} ,"body_lf":[-1]}`,
		`{"received_at":"2026-05-01T12:00:00Z","body":{"a":1} ,"body_cr":[6.0]}`,
		`{"received_at":"2026-05-01T12:00:00Z","body":{"a":1} ,"body_cr":"6"}`,
	} {
		_, errs := readAll(t, []byte(line+"\n"))
		if len(errs) != 1 || !errors.Is(errs[0], ErrOffsets) {
			t.Errorf("%s: %v", line, errs)
		}
	}
}

// TestReadStreamLines: `listen --json` lines read, old ones (line breaks
// as spaces, no body_b64) and new ones, as redacted views (not Exact).
func TestReadStreamLines(t *testing.T) {
	in, err := os.ReadFile("testdata/stream-old.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, in)
	if len(errs) != 0 || len(recs) != 7 {
		t.Fatalf("%d records, %v", len(recs), errs)
	}
	for _, rec := range recs {
		if rec.Form != FormStream || rec.Exact() || !rec.BodyValid {
			t.Errorf("line %d: form %d", rec.Line, rec.Form)
		}
	}
	if got := recs[3].Header["Authorization"]; len(got) != 1 || !strings.Contains(got[0], "****") {
		t.Errorf("authorization %q", got)
	}
	line := `{"received_at":"2026-05-01T12:00:00Z","family":"livechat","kind":"incoming_chat","webhook_id":"w","verified":true,"path":"/p","headers":{},"body":{"action":"incoming_chat"},"body_b64":"eyJhY3Rpb24iOiJpbmNvbWluZ19jaGF0In0K"}`
	recs, errs = readAll(t, []byte(line))
	if len(errs) != 0 || string(recs[0].Body) != "{\"action\":\"incoming_chat\"}\n" || recs[0].Form != FormStream || recs[0].Verify != VerifyOK {
		t.Errorf("new stream line: %+v %v", recs, errs)
	}
}

// TestReadDocuments keeps what inspect has always accepted: JSON lines of
// bare bodies, pretty-printed documents over several lines, and a bad line
// that never hides the ones after it.
func TestReadDocuments(t *testing.T) {
	pretty := "{\n  \"action\": \"incoming_chat\",\r\n  \"webhook_id\": \"w\",\n\n  \"payload\": {\"chat\": {\"id\": \"C{1}\"}}\n}"
	in := `{"action":"chat_deactivated","webhook_id":"w","payload":{"chat_id":"C2"}}` + "\n" +
		"{broken\n" +
		"   " + pretty + "  \n" +
		"\n" +
		`  [1, 2]  ` + "\n" +
		"[\n 1,\n [2]\n]\n" +
		`"text"` + "\n" +
		`{"type":"install","data":{"account_id":1}}`
	recs, errs := readAll(t, []byte(in))
	var got []string
	for _, r := range recs {
		if r.Form != FormBare || !r.BodyValid || r.Exact() {
			t.Errorf("line %d: form %d valid %v", r.Line, r.Form, r.BodyValid)
		}
		got = append(got, strconv.Itoa(r.Line)+" "+string(r.Body))
	}
	want := []string{
		`1 {"action":"chat_deactivated","webhook_id":"w","payload":{"chat_id":"C2"}}`,
		"3 " + pretty, // the document's own bytes, line breaks and all
		"10 [1, 2]",
		"11 [\n 1,\n [2]\n]",
		`15 "text"`,
		`16 {"type":"install","data":{"account_id":1}}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(errs) != 1 || errs[0].Error() != "line 2: not valid JSON (unterminated document)" {
		t.Errorf("errors %v", errs)
	}
}

func TestReadBrokenDocumentRetries(t *testing.T) {
	// A document that never closes reports its first line; the lines after
	// it are read again on their own.
	in := "{\n\"a\": 1,\n" + `{"action":"x"}` + "\n[\n"
	recs, errs := readAll(t, []byte(in))
	if len(recs) != 1 || string(recs[0].Body) != `{"action":"x"}` || recs[0].Line != 3 {
		t.Errorf("records %+v", recs)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	want := []string{"line 1: not valid JSON (unterminated document)", "line 2: not valid JSON", "line 4: not valid JSON (unterminated document)"}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestReadIncompleteLastRecord: a last line cut off mid-write is an
// IncompleteError, not a LineError; a whole last line without its
// newline is a record.
func TestReadIncompleteLastRecord(t *testing.T) {
	full := Append(nil, &Record{ReceivedAt: at, Method: "POST", Path: "/", Body: []byte(`{"action":"a"}`)})
	for cut := 1; cut < len(full)-1; cut++ {
		in := append(append([]byte(nil), full...), full[:cut]...)
		recs, errs := readAll(t, in)
		var ie *IncompleteError
		if len(recs) != 1 || len(errs) != 1 || !errors.As(errs[0], &ie) || ie.Line != 2 || ie.Size != cut {
			t.Fatalf("cut at %d: %d records, errors %v", cut, len(recs), errs)
		}
		var le *LineError
		if errors.As(errs[0], &le) {
			t.Fatalf("an incomplete record is also a LineError")
		}
	}
	recs, errs := readAll(t, full[:len(full)-1])
	if len(recs) != 1 || len(errs) != 0 {
		t.Errorf("whole last line without newline: %d records, %v", len(recs), errs)
	}
	// A cut line that is not the last is corruption.
	in := append(append([]byte(nil), full[:20]...), '\n')
	in = append(in, full...)
	recs, errs = readAll(t, in)
	var le *LineError
	if len(recs) != 1 || len(errs) != 1 || !errors.As(errs[0], &le) || le.Line != 1 {
		t.Errorf("cut line in the middle: %d records, %v", len(recs), errs)
	}
}

func TestReadLineErrors(t *testing.T) {
	deepBody := strings.Repeat("[", jsonlimit.MaxDepth+1) + strings.Repeat("]", jsonlimit.MaxDepth+1)
	okDeep := strings.Repeat("[", jsonlimit.MaxDepth) + strings.Repeat("]", jsonlimit.MaxDepth)
	tests := []struct {
		line string
		want error
	}{
		{`{"v":4,"received_at":"x","body":{}}`, &VersionError{}},
		{`{"v":1,"received_at":"x","body":{}}`, &VersionError{}},
		{`{"v":3.0,"received_at":"x","body":{}}`, &VersionError{}},
		{`{"v":"2","received_at":"x","body":{}}`, &VersionError{}},
		{`{"v":2,"received_at":"x"}`, ErrNoBody},
		{`{"received_at":"x","headers":{}}`, ErrNoBody},
		{`{"v":2,"received_at":"x","body":null,"body_b64":"!!"}`, ErrBodyBase64},
		{`{"v":2,"received_at":"x","body":null,"body_b64":"eyJ="}`, ErrBodyBase64}, // stray bits: not canonical
		{`{"v":2,"received_at":"x","body":null,"body_b64":7}`, ErrBodyBase64},
		{`{"v":2,"received_at":"x","headers":{"A":"b"},"headers_b64":{"A":"%"},"body":1}`, ErrHeadersBase64},
		{`{"v":2,"received_at":"x","headers":{},"headers_b64":[],"body":1}`, ErrHeadersBase64},
		{deepBody, &jsonlimit.DepthError{}},
		{`{"v":2,"received_at":"x","body":` + deepBody + `}`, &jsonlimit.DepthError{}},
		{strings.Repeat("[", 10<<20), ErrUnterminated}, // never reaches a validator
		{strings.Repeat("[", 5<<20) + strings.Repeat("]", 5<<20), &jsonlimit.DepthError{}},
		{`{"a":1,}`, ErrNotJSON},
	}
	for _, tt := range tests {
		_, errs := readAll(t, []byte(tt.line+"\n"))
		var le *LineError
		if len(errs) != 1 || !errors.As(errs[0], &le) || le.Line != 1 {
			t.Errorf("%.60s: %v", tt.line, errs)
			continue
		}
		var ve, wantVE *VersionError
		var de, wantDE *jsonlimit.DepthError
		switch {
		case errors.As(tt.want, &wantVE):
			if !errors.As(le, &ve) || !strings.HasSuffix(le.Error(), "is not one this lcwh reads (it reads versions 2 to 3 and files without a version); update lcwh") {
				t.Errorf("%.60s: %v, want a VersionError", tt.line, le)
			}
		case errors.As(tt.want, &wantDE):
			if !errors.As(le, &de) || de.Max != jsonlimit.MaxDepth {
				t.Errorf("%.60s: %v, want a DepthError", tt.line, le)
			}
		case !errors.Is(le, tt.want):
			t.Errorf("%.60s: %v, want %v", tt.line, le, tt.want)
		}
	}
	// At the limit both a bare body and a record's body read.
	recs, errs := readAll(t, []byte(okDeep+"\n"+`{"v":2,"received_at":"x","body":`+okDeep+"}\n"))
	if len(recs) != 2 || len(errs) != 0 {
		t.Errorf("bodies at MaxDepth: %d records, %v", len(recs), errs)
	}
	// A body_b64 body that is not JSON reads, marked not valid.
	recs, errs = readAll(t, []byte(`{"v":2,"received_at":"x","body":null,"body_b64":"eA=="}`))
	if len(recs) != 1 || len(errs) != 0 || recs[0].BodyValid || string(recs[0].Body) != "x" {
		t.Errorf("non-JSON body: %+v %v", recs, errs)
	}
}

func TestReadTooLong(t *testing.T) {
	small := `{"action":"a"}`
	for _, in := range []string{
		small + "\n" + strings.Repeat("x", 5000) + "\n" + small + "\n",
		small + "\n" + "{\n" + strings.Repeat("\"a\":1,\n", 1000) + "\n" + small + "\n",
	} {
		r := NewReader(strings.NewReader(in))
		r.max = 1024
		var n int
		var errs []error
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		}
		if n != 2 || len(errs) == 0 || !errors.Is(errs[0], ErrTooLong) {
			t.Errorf("%d records, errors %v", n, errs[:min(len(errs), 3)])
		}
	}
	// A line longer than the read buffer but within MaxLine reads whole.
	big := `{"a":"` + strings.Repeat("y", 1<<20) + `"}`
	recs, errs := readAll(t, []byte(big+"\n"+big))
	if len(recs) != 2 || len(errs) != 0 || string(recs[1].Body) != big {
		t.Errorf("1 MiB lines: %d records, %v", len(recs), errs)
	}
}

func TestReadIOError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader(`{"a":1}`+"\n"), iotest.ErrReader(boom)))
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := r.Next(); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
	}
}

// TestRecordsOwnTheirBytes: nothing a Record holds changes when reading
// goes on (the reader's buffers are reused).
func TestRecordsOwnTheirBytes(t *testing.T) {
	var in []byte
	for i := range 2000 {
		in = Append(in, &Record{Method: "POST", Path: "/" + strings.Repeat("p", i%50),
			Header: map[string][]string{"H": {strings.Repeat("h", i%70)}}, Body: []byte(`{"i":"` + strings.Repeat("b", i) + `"}`)})
	}
	recs, errs := readAll(t, in)
	if len(errs) != 0 || len(recs) != 2000 {
		t.Fatalf("%d %v", len(recs), errs)
	}
	for i, r := range recs {
		if string(r.Body) != `{"i":"`+strings.Repeat("b", i)+`"}` || r.Path != "/"+strings.Repeat("p", i%50) ||
			r.Header["H"][0] != strings.Repeat("h", i%70) {
			t.Fatalf("record %d changed: %.40q %q", i, r.Body, r.Path)
		}
	}
}

func BenchmarkReader(b *testing.B) {
	body, err := os.ReadFile("testdata/payload.json")
	if err != nil {
		b.Fatal(err)
	}
	var records, v2, bare []byte
	for range 1000 {
		line := Append(nil, &Record{ReceivedAt: at, Method: "POST", Path: "/webhooks",
			Header: map[string][]string{"Content-Type": {"application/json"}}, Body: body})
		records = append(records, line...)
		// The same record as version 2 wrote it: body_b64, not body_ws.
		head, _, _ := bytes.Cut(line, []byte(`"body":`))
		v2 = append(v2, bytes.Replace(head, []byte(`{"v":3,`), []byte(`{"v":2,`), 1)...)
		v2 = append(appendB64(append(v2, `"body":`...), body, true), "}\n"...)
		bare = append(append(bare, trimWS(bytes.ReplaceAll(body, []byte("\n"), nil))...), '\n')
	}
	for name, in := range map[string][]byte{"records-ws": records, "records-v2-b64": v2, "bare-lines": bare} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				r := NewReader(bytes.NewReader(in))
				for {
					if _, err := r.Next(); err != nil {
						break
					}
				}
			}
		})
	}
}

// TestReadCraftedRetriesStayLinear: lines that each open a document that
// never closes (or closes invalid) would make retrying quadratic; past a
// budget the reader reads them line by line. Without the budget these
// take hours.
func TestReadCraftedRetriesStayLinear(t *testing.T) {
	const n = 200000
	for name, in := range map[string]string{
		"never closed":   strings.Repeat("[\n", n) + `{"a":1}` + "\n",
		"closed invalid": strings.Repeat("[\n", n) + "x\n" + strings.Repeat("]\n", n) + `{"a":1}` + "\n",
	} {
		recs, errs := readAll(t, []byte(in))
		if len(recs) == 0 || string(recs[len(recs)-1].Body) != `{"a":1}` || len(errs) < n {
			t.Errorf("%s: %d records, %d errors", name, len(recs), len(errs))
		}
	}
}

// TestGuideExamples: every record shown in docs/guides/json-reference.md
// reads, and the v3 ones are exactly what Append writes for what they hold.
func TestGuideExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/guides/json-reference.md")
	if err != nil {
		t.Fatal(err)
	}
	var examples []string
	for _, block := range strings.Split(string(doc), "```json\n")[1:] {
		example, _, _ := strings.Cut(block, "```")
		examples = append(examples, example)
	}
	wantBodies := []string{
		`{"action":"incoming_chat","webhook_id":"w1"}`,
		"{\"action\":\"incoming_chat\",\"webhook_id\":\"w1\"}\n",
		"{\r\n  \"action\": \"incoming_chat\",\r\n  \"webhook_id\": \"w1\"\r\n}\r\n",
		"{\"action\":\"incoming_chat\",\"webhook_id\":\"caf\xe9\"}\n",
		`{"action":"incoming_chat"}`,
		"{\"action\":\"incoming_chat\",\"webhook_id\":\"w1\"}\n",    // v2
		"{\"action\":\"chat_deactivated\",\"webhook_id\":\"w2\"}\n", // before versions
	}
	if len(examples) != len(wantBodies) {
		t.Fatalf("found %d examples, want %d", len(examples), len(wantBodies))
	}
	for i, ex := range examples {
		recs, errs := readAll(t, []byte(ex))
		if len(recs) != 1 || len(errs) != 0 {
			t.Fatalf("example %d: %d records, %v", i+1, len(recs), errs)
		}
		rec := recs[0]
		if string(rec.Body) != wantBodies[i] {
			t.Errorf("example %d: body %q, want %q", i+1, rec.Body, wantBodies[i])
		}
		if strings.HasPrefix(ex, `{"v":3,`) {
			if got := string(Append(nil, rec)); got != ex {
				t.Errorf("example %d is not what Append writes:\n got %s\nwant %s", i+1, got, ex)
			}
		}
	}
	if h := examplesHeader(t, examples[4]); h != "caf\xe9" {
		t.Errorf("X-Note = %q", h)
	}
}

func examplesHeader(t *testing.T, ex string) string {
	t.Helper()
	recs, _ := readAll(t, []byte(ex))
	return recs[0].Header["X-Note"][0]
}

// TestReadBodyWS: body_ws puts back the whitespace the readable body lacks;
// anything but what the writer makes is a LineError naming the problem.
func TestReadBodyWS(t *testing.T) {
	line := func(body, ws string) string {
		return `{"v":3,"received_at":"2026-05-01T12:00:00Z","method":"POST","path":"/","verified":null,"headers":{},"body":` +
			body + `,"body_ws":` + ws + "}\n"
	}
	const body = `{"a": [1, 2]}` // spaces at 5 and 9
	for ws, want := range map[string]string{
		`{}`:                           body,
		`{"lf":[5]}`:                   "{\"a\":\n[1, 2]}",
		`{"lf":[5],"cr":[9]}`:          "{\"a\":\n[1,\r2]}",
		`{"cr":[5,9]}`:                 "{\"a\":\r[1,\r2]}",
		`{"lead":" \t\r\n","lf":[9]}`:  " \t\r\n{\"a\": [1,\n2]}",
		`{"trail":"\n","lead":""}`:     body + "\n",
		`{ "trail" : "\u0020\u000a" }`: body + " \n",
	} {
		recs, errs := readAll(t, []byte(line(body, ws)))
		if len(errs) != 0 || len(recs) != 1 || string(recs[0].Body) != want || !recs[0].BodyValid || recs[0].Form != FormRecord {
			t.Errorf("body_ws %s: %d records %v; want %q", ws, len(recs), errs, want)
			for _, r := range recs {
				t.Logf("body %q", r.Body)
			}
		}
	}
	tests := []struct{ body, ws, want string }{
		{body, `{"lf":[13]}`, "lf[0] = 13 is outside the body's 13 bytes"},
		{body, `{"lf":[99999999999999999999]}`, "lf[0] = 99999999999999999999 is not an offset"},
		{body, `{"cr":[-1]}`, "cr[0] = -1 is not an offset (a whole number, 0 or more)"},
		{body, `{"cr":[1000]}`, "cr[0] = 1000 is outside the body's 13 bytes"},
		{body, `{"lf":[9,5]}`, "lf[1] = 5 is not above the offset before it (9)"},
		{body, `{"lf":[5,5]}`, "lf[1] = 5 is not above the offset before it (5)"},
		{body, `{"lf":[1]}`, `lf[0] = 1 points at "\"", not a space`},
		{body, `{"lf":[5],"cr":[5]}`, `cr[0] = 5 points at "\n", not a space`},
		{body, `{"lf":[5.0]}`, "lf[0] = 5.0 is not an offset"},
		{body, `{"lf":[5e0]}`, "lf[0] = 5e0 is not an offset"},
		{body, `{"lf":["5"]}`, `lf[0] = "5" is not an offset`},
		{body, `{"lf":[null]}`, "lf[0] = null is not an offset"},
		{body, `{"lf":5}`, "lf is not an array"},
		{body, `{"cr":{"0":5}}`, "cr is not an array"},
		{body, `{"lead":"x"}`, `lead holds "x" at byte 0, not JSON whitespace`},
		{body, `{"lead":" \u000b"}`, `lead holds "\v" at byte 1, not JSON whitespace`},
		{body, `{"trail":"\n\u00a0"}`, `trail holds "\xc2" at byte 1, not JSON whitespace`},
		{body, `{"lead":1}`, "lead is not a string"},
		{body, `{"trail":null}`, "trail is not a string"},
		{body, `{"trail":[" "]}`, "trail is not a string"},
		{body, `[]`, "it is not an object"},
		{body, `"\n"`, "it is not an object"},
		{body, `null`, "it is not an object"},
		{body, `{"lf":[5],"lf":[9]}`, "it has lf twice"},
		{body, `{"tab":[1]}`, `it has a member lcwh does not know: "tab"`},
		{`{"a b": 1}`, `{"lf":[3]}`, "it makes a body that is not valid JSON"},
		{`"x y"`, `{"cr":[2]}`, "it makes a body that is not valid JSON"},
	}
	for _, tt := range tests {
		_, errs := readAll(t, []byte(line(tt.body, tt.ws)))
		var le *LineError
		if len(errs) != 1 || !errors.As(errs[0], &le) || le.Line != 1 || !errors.Is(le, ErrBodyWS) {
			t.Errorf("body_ws %s: %v, want a LineError for ErrBodyWS", tt.ws, errs)
			continue
		}
		if want := "line 1: body_ws does not fit the body: " + tt.want; !strings.HasPrefix(le.Error(), want) {
			t.Errorf("body_ws %s:\n got %s\nwant %s", tt.ws, le, want)
		}
	}
	// body_b64 comes first when a line has both (lcwh writes one or the
	// other), and v2 and stream lines take body_ws too.
	both := `{"v":3,"received_at":"x","body":{"a":1},"body_b64":"eyJhIjoxfSA=","body_ws":{"trail":"\n"}}`
	stream := `{"received_at":"x","family":"livechat","body":{"a":1},"body_ws":{"lead":"\t"}}`
	v2 := `{"v":2,"received_at":"x","body":{"a":1},"body_ws":{"trail":" "}}`
	recs, errs := readAll(t, []byte(both+"\n"+stream+"\n"+v2+"\n"))
	if len(errs) != 0 || len(recs) != 3 || string(recs[0].Body) != `{"a":1} ` || string(recs[1].Body) != "\t{\"a\":1}" ||
		recs[1].Form != FormStream || string(recs[2].Body) != `{"a":1} ` {
		t.Errorf("%d records %v", len(recs), errs)
		for _, r := range recs {
			t.Logf("body %q form %d", r.Body, r.Form)
		}
	}
}
