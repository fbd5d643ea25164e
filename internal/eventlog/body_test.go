package eventlog

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// appendBodyRef is AppendBody written the plain way: the readable form
// as before it was tuned, base64 from the standard library, the body_ws
// member built with encoding/json from offsets found byte by byte, and the
// choice between body_ws and body_b64 made by comparing the two members
// whole. AppendBody must match it byte for byte
// (FuzzAppendBodyAgreesWithRef) and beat it (BenchmarkAppendBody). (A
// one-pass SWAR rewrite of the readable body was tried and measured slower
// than the IndexByte scans: dropped.)
func appendBodyRef(dst, body []byte, valid bool) []byte {
	if !valid {
		valid = jsonlimit.Valid(body, jsonlimit.MaxDepth)
	}
	if valid && len(body) > 0 && !isWS(body[0]) && !isWS(body[len(body)-1]) &&
		bytes.IndexByte(body, '\n') < 0 && bytes.IndexByte(body, '\r') < 0 && utf8.Valid(body) {
		return append(dst, body...)
	}
	dst = appendReadableRef(dst, body, valid)
	b64 := `,"body_b64":"` + base64.StdEncoding.EncodeToString(body) + `"`
	t := bytes.TrimLeft(body, " \t\r\n")
	lead := body[:len(body)-len(t)]
	t = bytes.TrimRight(t, " \t\r\n")
	if valid && utf8.Valid(t) {
		var ws struct {
			Lead  string `json:"lead,omitempty"`
			LF    []int  `json:"lf,omitempty"`
			CR    []int  `json:"cr,omitempty"`
			Trail string `json:"trail,omitempty"`
		}
		ws.Lead, ws.Trail = string(lead), string(body[len(lead)+len(t):])
		for i, c := range t {
			switch c {
			case '\n':
				ws.LF = append(ws.LF, i)
			case '\r':
				ws.CR = append(ws.CR, i)
			}
		}
		m, err := json.Marshal(ws)
		if err != nil {
			panic(err)
		}
		if member := `,"body_ws":` + string(m); len(member) <= len(b64) {
			return append(dst, member...)
		}
	}
	return append(dst, b64...)
}

func appendReadableRef(dst, body []byte, valid bool) []byte {
	t := trimWS(body)
	if !valid {
		rest, ok := bytes.CutPrefix(t, bom)
		if !ok {
			return append(dst, "null"...)
		}
		if t = trimWS(rest); !jsonlimit.Valid(t, jsonlimit.MaxDepth) {
			return append(dst, "null"...)
		}
	}
	start := len(dst)
	dst = append(dst, t...)
	for _, c := range []byte{'\n', '\r'} {
		for b := dst[start:]; ; {
			i := bytes.IndexByte(b, c)
			if i < 0 {
				break
			}
			b[i] = ' '
			b = b[i+1:]
		}
	}
	if !utf8.Valid(t) {
		fixed := bytes.ToValidUTF8(dst[start:], []byte("\uFFFD"))
		dst = append(dst[:start], fixed...)
	}
	return dst
}

// bodyCases are bodies for every path of AppendBody, at lengths around the
// 8-byte words the tuned scans read.
func bodyCases() [][]byte {
	var out [][]byte
	for _, s := range []string{
		`{"a":1}`, "{\"a\":1}\n", "\r\n{\r\n\"a\" : [1,\n2]\r\n}\r\n", " 1 ", "\t[]\t", "\xef\xbb\xbf{}",
		"\xef\xbb\xbf {\n}\n", "\xef\xbb\xbf", "{\"a\":\"caf\xe9\"}", "{\"a\":\"\xe2\x82\"}\n", "{\"a\":\"é\"}\n",
		"{\"a\":\"\xed\xa0\x80\"}", "not json", "\xff\xfe", "", " ", "\n", `{"a":"\n"}`, "[1,\n2,\r3]",
		"{\"k\":\"\x7f\xc2\x9b\"}\n", strings.Repeat("[", jsonlimit.MaxDepth+1), "{\"t\":\"" + strings.Repeat("é\n", 40) + "\"}",
	} {
		out = append(out, []byte(s))
	}
	for n := range 40 {
		pad := strings.Repeat("x", n)
		out = append(out, []byte(`["`+pad+`"]`), []byte("[\n\""+pad+"\"\r\n]\n"), []byte("[\""+pad+"\xff\"]"),
			[]byte("[\""+pad+"é\",\n1]"), []byte(pad))
	}
	if b, err := os.ReadFile("testdata/payload.json"); err == nil {
		out = append(out, b, bytes.TrimSpace(b))
	}
	return out
}

func TestAppendBodyAgreesWithRef(t *testing.T) {
	for _, b := range bodyCases() {
		for _, trusted := range []bool{false, true} {
			if trusted && !jsonlimit.Valid(b, jsonlimit.MaxDepth) {
				continue
			}
			for _, prefix := range []string{"", `"body":`} {
				got := AppendBody([]byte(prefix), b, trusted)
				want := appendBodyRef([]byte(prefix), b, trusted)
				if !bytes.Equal(got, want) {
					t.Fatalf("AppendBody(%q, %v)\n got %q\nwant %q", b, trusted, got, want)
				}
			}
		}
	}
}

func FuzzAppendBodyAgreesWithRef(f *testing.F) {
	for _, b := range bodyCases() {
		f.Add(b, false)
	}
	f.Fuzz(func(t *testing.T, body []byte, trust bool) {
		trust = trust && jsonlimit.Valid(body, jsonlimit.MaxDepth)
		got := AppendBody([]byte("x"), body, trust)
		if want := appendBodyRef([]byte("x"), body, trust); !bytes.Equal(got, want) {
			t.Fatalf("AppendBody(%q, %v)\n got %q\nwant %q", body, trust, got, want)
		}
	})
}

// BenchmarkAppendBody: "ref" is appendBodyRef, "new" AppendBody; on
// bench/recv.sh's payload as sent (pretty, trailing LF: readable body plus
// body_ws), compacted (kept raw) and with one invalid UTF-8 byte (readable
// body plus body_b64), trusted valid as the listener does.
func BenchmarkAppendBody(b *testing.B) {
	body, err := os.ReadFile("testdata/payload.json")
	if err != nil {
		b.Fatal(err)
	}
	compact := new(bytes.Buffer)
	if err := json.Compact(compact, body); err != nil {
		b.Fatal(err)
	}
	for _, in := range []struct {
		name string
		b    []byte
	}{{"pretty", body}, {"compact", compact.Bytes()}, {"latin1", bytes.Replace(body, []byte("Thomas"), []byte("Thom\xe1s"), 1)}} {
		for _, bc := range []struct {
			name string
			fn   func(dst, body []byte, valid bool) []byte
		}{{"ref", appendBodyRef}, {"new", AppendBody}} {
			b.Run(bc.name+"/"+in.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(in.b)))
				// A buffer reused with room to spare, as the listener's
				// pool of record buffers holds in the steady state.
				dst := make([]byte, 0, 16<<10)
				for b.Loop() {
					dst = bc.fn(dst[:600], in.b, true)
				}
				lineSink = dst
			})
		}
	}
}

func TestBase64AgreesWithStd(t *testing.T) {
	src := make([]byte, 300)
	for i := range src {
		src[i] = byte(i*37 + i>>3)
	}
	for n := range len(src) {
		for _, prefix := range []string{"", "ab"} {
			got := appendBase64([]byte(prefix), src[:n])
			want := base64.StdEncoding.AppendEncode([]byte(prefix), src[:n])
			if !bytes.Equal(got, want) {
				t.Fatalf("appendBase64 of %d bytes\n got %s\nwant %s", n, got, want)
			}
		}
	}
	all := make([]byte, 0, 3<<12) // every 12-bit value in each position
	for v := range 1 << 12 {
		all = append(all, byte(v>>4), byte(v<<4|v>>8), byte(v))
	}
	if got, want := appendBase64(nil, all), base64.StdEncoding.AppendEncode(nil, all); !bytes.Equal(got, want) {
		t.Fatal("appendBase64 differs on the 12-bit table")
	}
}

func FuzzBase64AgreesWithStd(f *testing.F) {
	f.Add([]byte("\x00\xff\x10\x83\x7f"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if got, want := appendBase64([]byte("x"), src), base64.StdEncoding.AppendEncode([]byte("x"), src); !bytes.Equal(got, want) {
			t.Fatalf("appendBase64(%q) = %s, want %s", src, got, want)
		}
	})
}

// BenchmarkBase64: the standard library's AppendEncode against
// appendBase64, on bench/recv.sh's payload.
func BenchmarkBase64(b *testing.B) {
	body, err := os.ReadFile("testdata/payload.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		fn   func(dst, src []byte) []byte
	}{{"std", base64.StdEncoding.AppendEncode}, {"table", appendBase64}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			dst := make([]byte, 0, 8<<10)
			for b.Loop() {
				dst = bc.fn(dst[:0], body)
			}
			lineSink = dst
		})
	}
}

// appendOffsetStd is appendOffset through strconv, the reference.
func appendOffsetStd(dst []byte, c byte, n int) []byte {
	return strconv.AppendInt(append(dst, c), int64(n), 10)
}

func TestAppendOffsetAgreesWithStrconv(t *testing.T) {
	ns := []int{1<<31 - 1, 1<<40 - 1, 1<<62 + 12345}
	for n := range 200000 {
		ns = append(ns, n)
	}
	for p := 1; p < 1e18; p *= 10 {
		ns = append(ns, p-1, p, p+1)
	}
	for _, n := range ns {
		for _, dst := range [][]byte{nil, []byte("ab"), make([]byte, 3, 4)} {
			got := appendOffset(slices.Clip(dst), ',', n)
			if want := appendOffsetStd(slices.Clip(dst), ',', n); !bytes.Equal(got, want) {
				t.Fatalf("appendOffset(%q, %d) = %q, want %q", dst, n, got, want)
			}
		}
	}
}

func FuzzAppendOffsetAgreesWithStrconv(f *testing.F) {
	f.Add(uint64(0), []byte("x"))
	f.Add(uint64(99999), []byte(nil))
	f.Fuzz(func(t *testing.T, u uint64, dst []byte) {
		n := int(u >> 1) // appendOffset takes n ≥ 0
		if got, want := appendOffset(slices.Clip(dst), '[', n), appendOffsetStd(slices.Clip(dst), '[', n); !bytes.Equal(got, want) {
			t.Fatalf("appendOffset(%q, %d) = %q, want %q", dst, n, got, want)
		}
	})
}

// BenchmarkAppendOffset: strconv against appendOffset, on the 53 line-break
// offsets of bench/recv.sh's payload.
func BenchmarkAppendOffset(b *testing.B) {
	body, err := os.ReadFile("testdata/payload.json")
	if err != nil {
		b.Fatal(err)
	}
	var offs []int
	for i, c := range bytes.TrimSpace(body) {
		if c == '\n' {
			offs = append(offs, i)
		}
	}
	for _, bc := range []struct {
		name string
		fn   func(dst []byte, c byte, n int) []byte
	}{{"strconv", appendOffsetStd}, {"table", appendOffset}} {
		b.Run(bc.name, func(b *testing.B) {
			dst := make([]byte, 0, 1<<10)
			for b.Loop() {
				dst = dst[:0]
				for _, o := range offs {
					dst = bc.fn(dst, ',', o)
				}
			}
			lineSink = dst
		})
	}
}
