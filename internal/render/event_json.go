package render

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/lcwh/lcwh/internal/jsonstr"
	"github.com/lcwh/lcwh/internal/signature"
	"github.com/lcwh/lcwh/internal/termtext"
)

// jsonCodes are the escape codes put around each JSON token class.
type jsonCodes struct {
	key, str, num, boolean, null [2]string
}

func newJSONCodes(st Styles) jsonCodes {
	var c jsonCodes
	c.key[0], c.key[1] = Codes(st.JSONKey)
	c.str[0], c.str[1] = Codes(st.JSONString)
	c.num[0], c.num[1] = Codes(st.JSONNumber)
	c.boolean[0], c.boolean[1] = Codes(st.JSONBool)
	c.null[0], c.null[1] = Codes(st.JSONNull)
	return c
}

// maxJSONDepth bounds nesting so hostile input cannot exhaust the stack.
const maxJSONDepth = 512

// strSpecial marks bytes that end the fast copy loop inside a string:
// the quote, the backslash, control bytes, DEL and every byte of a
// multi-byte UTF-8 sequence, which is checked for C1 controls
// (U+0080–U+009F, CSI among them) and invalid UTF-8 (a raw 0x9B byte is
// 8-bit CSI to some terminals).
var strSpecial = func() (t [256]bool) {
	for i := 0; i < 0x20; i++ {
		t[i] = true
	}
	for i := utf8.RuneSelf; i < 256; i++ {
		t[i] = true
	}
	t['"'], t['\\'], t[0x7f] = true, true, true
	return t
}()

const indentSpaces = "\n                                                                                                                                "

// prettyJSON is a single-pass validating pretty-printer: it indents by two
// spaces, colours each token and never lets a terminal control sequence
// through (raw DEL and C1 controls in strings are written as \u escapes,
// invalid UTF-8 as U+FFFD; JSON already forbids raw C0 controls). It is
// the -v renderer of listen
// and inspect and must stay fast: no allocation, no decoding.
type prettyJSON struct {
	src    []byte
	i      int
	dst    []byte
	c      *jsonCodes
	redact []string // top-level keys whose string values are redacted
}

var errJSONEnd = errors.New("unexpected end of JSON input")

func (p *prettyJSON) errorf(format string, a ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: "+format, append([]any{p.i}, a...)...)
}

// AppendPrettyJSON appends src indented and coloured with st's JSON styles
// (plain when st is disabled). redactKeys name top-level keys (e.g.
// SecretKeys) whose string values are shown redacted. On invalid input it
// returns dst unchanged and the error.
func AppendPrettyJSON(dst, src []byte, st Styles, redactKeys ...string) ([]byte, error) {
	c := newJSONCodes(st)
	return appendPretty(dst, src, &c, redactKeys...)
}

func appendPretty(dst, src []byte, c *jsonCodes, redactKeys ...string) ([]byte, error) {
	start := len(dst)
	p := prettyJSON{src: src, dst: dst, c: c, redact: redactKeys}
	p.ws()
	if err := p.value(0); err != nil {
		return dst[:start], err
	}
	p.ws()
	if p.i != len(p.src) {
		return dst[:start], p.errorf("unexpected %q after the value", p.src[p.i])
	}
	return p.dst, nil
}

func (p *prettyJSON) ws() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *prettyJSON) newline(depth int) {
	p.dst = append(p.dst, '\n')
	n := 2 * depth
	for n > 0 {
		k := min(n, len(indentSpaces)-1)
		p.dst = append(p.dst, indentSpaces[1:1+k]...)
		n -= k
	}
}

func (p *prettyJSON) value(depth int) error {
	if p.i >= len(p.src) {
		return errJSONEnd
	}
	switch c := p.src[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		p.dst = append(p.dst, p.c.str[0]...)
		if err := p.str(); err != nil {
			return err
		}
		p.dst = append(p.dst, p.c.str[1]...)
		return nil
	case c == 't':
		return p.lit("true", p.c.boolean)
	case c == 'f':
		return p.lit("false", p.c.boolean)
	case c == 'n':
		return p.lit("null", p.c.null)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return p.errorf("unexpected %q", c)
	}
}

func (p *prettyJSON) lit(word string, codes [2]string) error {
	if len(p.src)-p.i < len(word) || string(p.src[p.i:p.i+len(word)]) != word {
		return p.errorf("expected %s", word)
	}
	p.dst = append(p.dst, codes[0]...)
	p.dst = append(p.dst, word...)
	p.dst = append(p.dst, codes[1]...)
	p.i += len(word)
	return nil
}

func digits(src []byte, i int) int {
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		i++
	}
	return i
}

//nolint:gocyclo // the JSON number grammar (RFC 8259 §6), one branch per part; BenchmarkJSONAppendIndent.
func (p *prettyJSON) number() error {
	s, i := p.src, p.i
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(s, i)
	default:
		return p.errorf("bad number")
	}
	if i < len(s) && s[i] == '.' {
		j := digits(s, i+1)
		if j == i+1 {
			return p.errorf("bad number")
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return p.errorf("bad number")
		}
		i = j
	}
	p.dst = append(p.dst, p.c.num[0]...)
	p.dst = append(p.dst, s[p.i:i]...)
	p.dst = append(p.dst, p.c.num[1]...)
	p.i = i
	return nil
}

// str copies the string at p.i (quotes included), validating escapes and
// neutralising DEL, C1 controls and invalid UTF-8.
//
//nolint:gocyclo,funlen // one pass over the bytes, a branch per byte class and escape (49 statements); BenchmarkJSONAppendIndent.
func (p *prettyJSON) str() error {
	s := p.src
	i := p.i + 1
	run := p.i
	for {
		for i < len(s) && !strSpecial[s[i]] {
			i++
		}
		if i >= len(s) {
			return errJSONEnd
		}
		switch c := s[i]; {
		case c == '"':
			p.dst = append(p.dst, s[run:i+1]...)
			p.i = i + 1
			return nil
		case c == '\\':
			if i+1 >= len(s) {
				return errJSONEnd
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
					p.i = i
					return p.errorf("bad \\u escape")
				}
				i += 6
			default:
				p.i = i
				return p.errorf("bad escape %q", "\\"+string(s[i+1]))
			}
		case c < 0x20:
			p.i = i
			return p.errorf("control character in string")
		case c == 0x7f:
			p.dst = append(p.dst, s[run:i]...)
			p.dst = append(p.dst, `\u007f`...)
			i++
			run = i
		default: // a multi-byte sequence: C1 control, invalid, or text
			r, size := utf8.DecodeRune(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				p.dst = append(p.dst, s[run:i]...)
				p.dst = utf8.AppendRune(p.dst, utf8.RuneError)
			case termtext.IsControl(r):
				p.dst = append(p.dst, s[run:i]...)
				p.dst = append(p.dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
			default:
				i += size
				continue
			}
			i += size
			run = i
		}
	}
}

const hexDigits = "0123456789abcdef"

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// open enters the object or array at p.i (opener, closed by closer): an
// empty one is written whole and passed (more is false).
func (p *prettyJSON) open(opener, closer byte, depth int) (more bool, err error) {
	if depth >= maxJSONDepth {
		return false, p.errorf("nesting deeper than %d", maxJSONDepth)
	}
	p.i++ // the opener
	p.ws()
	if p.i < len(p.src) && p.src[p.i] == closer {
		p.i++
		p.dst = append(p.dst, opener, closer)
		return false, nil
	}
	p.dst = append(p.dst, opener)
	return true, nil
}

//nolint:gocyclo // members in one loop: key, colon, value, separator, each with its error; BenchmarkJSONAppendIndent.
func (p *prettyJSON) object(depth int) error {
	if more, err := p.open('{', '}', depth); !more || err != nil {
		return err
	}
	for {
		p.newline(depth + 1)
		if p.i >= len(p.src) {
			return errJSONEnd
		}
		if p.src[p.i] != '"' {
			return p.errorf("expected a key")
		}
		keyStart := p.i
		p.dst = append(p.dst, p.c.key[0]...)
		if err := p.str(); err != nil {
			return err
		}
		p.dst = append(p.dst, p.c.key[1]...)
		key := p.src[keyStart+1 : p.i-1]
		p.ws()
		if p.i >= len(p.src) {
			return errJSONEnd
		}
		if p.src[p.i] != ':' {
			return p.errorf("expected ':'")
		}
		p.i++
		p.dst = append(p.dst, ':', ' ')
		p.ws()
		if depth == 0 && p.redacts(key) && p.i < len(p.src) && p.src[p.i] == '"' {
			if err := p.redacted(); err != nil {
				return err
			}
		} else if err := p.value(depth + 1); err != nil {
			return err
		}
		if done, err := p.afterItem('}', depth); done || err != nil {
			return err
		}
	}
}

// redacts reports whether key's string value is shown redacted.
func (p *prettyJSON) redacts(key []byte) bool {
	for _, k := range p.redact {
		if k != "" && string(key) == k {
			return true
		}
	}
	return false
}

// redacted validates the string at p.i and writes its redacted form.
func (p *prettyJSON) redacted() error {
	start := len(p.dst)
	from := p.i
	if err := p.str(); err != nil {
		return err
	}
	p.dst = p.dst[:start]
	p.dst = append(p.dst, p.c.str[0]...)
	p.dst = jsonstr.Append(p.dst, signature.Redact(string(p.src[from+1:p.i-1])))
	p.dst = append(p.dst, p.c.str[1]...)
	return nil
}

func (p *prettyJSON) array(depth int) error {
	if more, err := p.open('[', ']', depth); !more || err != nil {
		return err
	}
	for {
		p.newline(depth + 1)
		if err := p.value(depth + 1); err != nil {
			return err
		}
		if done, err := p.afterItem(']', depth); done || err != nil {
			return err
		}
	}
}

// afterItem consumes what follows an object member or array element: a
// comma, or the closer (then done is true).
func (p *prettyJSON) afterItem(closer byte, depth int) (done bool, err error) {
	p.ws()
	if p.i >= len(p.src) {
		return false, errJSONEnd
	}
	switch p.src[p.i] {
	case ',':
		p.i++
		p.dst = append(p.dst, ',')
		p.ws()
		return false, nil
	case closer:
		p.i++
		p.newline(depth)
		p.dst = append(p.dst, closer)
		return true, nil
	}
	return false, p.errorf("expected ',' or '%c'", closer)
}
