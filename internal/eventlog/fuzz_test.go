package eventlog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// FuzzFieldsAsHeader: any header lines, given as Fields, make the line
// the same headers make as a Header. The input is "name:value" lines.
func FuzzFieldsAsHeader(f *testing.F) {
	f.Add("Content-Type:application/json\nX-A:1\nX-A:2")
	f.Add("B:\xff\nA:\nB:b\nA:a\x00")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		var fields []Field
		h := map[string][]string{}
		for line := range strings.Lines(in) {
			name, value, _ := strings.Cut(strings.TrimSuffix(line, "\n"), ":")
			fields = append(fields, Field{name, value})
			h[name] = append(h[name], value)
		}
		if fields == nil {
			fields = []Field{}
		}
		want := Append(nil, &Record{ReceivedAt: at, Header: h, Body: []byte(`1`)})
		got := Append(nil, &Record{ReceivedAt: at, Fields: fields, Body: []byte(`1`)})
		if !bytes.Equal(got, want) {
			t.Fatalf("from Fields:\n%s\nfrom Header:\n%s", got, want)
		}
	})
}

// FuzzRoundTrip: any body and header value come back from Append → Reader
// byte for byte, and every line written is valid UTF-8 and valid JSON.
func FuzzRoundTrip(f *testing.F) {
	for _, b := range legacyBodies {
		f.Add([]byte(b), "application/json", false)
	}
	if b, err := os.ReadFile("testdata/payload.json"); err == nil {
		f.Add(b, "", false)
	}
	f.Add([]byte("\xef\xbb\xbf{}"), "v\xff", false)
	f.Add([]byte(`{"a":"\ud800"}`), "", true)
	f.Add([]byte("[1,\n2]\r\n"), "a\x00b", true)
	// Each form of body and the size rule's edges.
	for _, b := range []string{
		"{\"action\":\"incoming_chat\"}\n", "\r\n{\r\n\"a\" :\n\r[1,\t2]\r\n}\r\n\n", " \t {\"a\":1}\t \t", "\t[1,2]",
		"1" + strings.Repeat(" ", 30), "1" + strings.Repeat("\n", 30), "[\n\n[\n\n]]", "[" + strings.Repeat("\n", 300) + "]",
		"{\"a b\":\n\"c\td\"}\n", "{\n\"t\":\"caf\xe9\"}\n", "\xef\xbb\xbf{\n}\n", "x\n",
	} {
		f.Add([]byte(b), "", true)
	}
	f.Fuzz(func(t *testing.T, body []byte, hv string, trust bool) {
		rec := &Record{ReceivedAt: at, Method: "POST", Path: "/p", Body: body,
			Header: map[string][]string{"X-Value": {hv}}}
		// BodyValid may only be set for a body known to be valid.
		rec.BodyValid = trust && validJSON(body)
		line := Append(nil, rec)
		checkLine(t, line)
		// The body's form: body_ws only for valid JSON in valid UTF-8, and
		// never longer than body_b64.
		res := gjson.GetManyBytes(line, "body_ws", "body_b64")
		switch valid := validJSON(body); {
		case res[0].Exists() && res[1].Exists():
			t.Fatalf("both body_ws and body_b64 for %q", body)
		case res[0].Exists():
			if !valid || !utf8.Valid(body) {
				t.Fatalf("body_ws for %q", body)
			}
			checkWSLine(t, line, body)
			if ws, b64 := len(AppendBody(nil, body, false)), len(appendB64(nil, body, valid)); ws > b64 {
				t.Fatalf("body_ws form of %d bytes where body_b64 takes %d, for %q", ws, b64, body)
			}
		case res[1].Exists():
		case !Exact(body):
			t.Fatalf("%q is not exact and has neither body_ws nor body_b64", body)
		}
		got := roundTrip(t, rec)
		if !bytes.Equal(got.Body, body) {
			t.Fatalf("body %q came back %q", body, got.Body)
		}
		if got.Header["X-Value"][0] != hv {
			t.Fatalf("header %q came back %q", hv, got.Header["X-Value"][0])
		}
		if got.BodyValid != validJSON(body) {
			t.Fatalf("BodyValid %v for %q", got.BodyValid, body)
		}
	})
}

// FuzzReader: any input reads to the end without a panic; every error is
// typed, an IncompleteError only comes last, lines only go forward.
func FuzzReader(f *testing.F) {
	for _, name := range []string{"testdata/legacy-v1.jsonl", "testdata/stream-old.jsonl"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add(Append(nil, &Record{Body: []byte("{\"a\":1}\n")}))
	f.Add([]byte("{\"a\":1}\n{\n\"b\": [\n1]}\n[]\nx\n"))
	f.Add([]byte("{\"s\":\"}\\\"{\"}\n{"))
	f.Add([]byte(`{"received_at":"x","body": [1] ,"body_lf":[0,1],"body_cr":[5]}`))
	f.Add(Append(nil, &Record{Body: []byte(" \t{\r\n\"a\": [1,\r2]\r\n}\r\n")}))
	f.Add([]byte(`{"v":3,"received_at":"x","body":{"a": [1, 2]},"body_ws":{"lead":" ","lf":[5],"cr":[9],"trail":"\r\n"}}` + "\n" +
		`{"v":3,"received_at":"x","body":"a b","body_ws":{"lf":[2,1],"tab":1}}` + "\n" +
		`{"received_at":"x","family":"livechat","body":[ 1],"body_ws":{"lead":"x"}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in))
		last := 0
		incomplete := false
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if incomplete {
				t.Fatalf("a result after an IncompleteError: %v", err)
			}
			var le *LineError
			var ie *IncompleteError
			line := 0
			switch {
			case err == nil:
				line = rec.Line
				if rec.Body == nil || rec.Form == 0 {
					t.Fatalf("empty record %+v", rec)
				}
				// Written again, it reads back the same.
				again := Append(nil, rec)
				checkLine(t, again)
				if recs, errs := readAll(t, again); len(recs) != 1 || len(errs) != 0 || !bytes.Equal(recs[0].Body, rec.Body) {
					t.Fatalf("line %d written again does not read back: %v", rec.Line, errs)
				}
			case errors.As(err, &ie):
				incomplete, line = true, ie.Line
			case errors.As(err, &le):
				line = le.Line
			default:
				t.Fatalf("untyped error %v", err)
			}
			if line < 1 {
				t.Fatalf("line %d", line)
			}
			if line <= last {
				t.Fatalf("line %d after line %d", line, last)
			}
			last = line
		}
	})
}

func validJSON(b []byte) bool { return jsonlimit.Valid(b, jsonlimit.MaxDepth) }
