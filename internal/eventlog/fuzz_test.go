package eventlog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/lcwh/lcwh/internal/jsonlimit"
)

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
	f.Fuzz(func(t *testing.T, body []byte, hv string, trust bool) {
		rec := &Record{ReceivedAt: at, Method: "POST", Path: "/p", Body: body,
			Header: map[string][]string{"X-Value": {hv}}}
		// BodyValid may only be set for a body known to be valid.
		rec.BodyValid = trust && validJSON(body)
		line := Append(nil, rec)
		checkLine(t, line)
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
				checkLine(t, Append(nil, rec))
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
