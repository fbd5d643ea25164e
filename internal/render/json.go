package render

import (
	"errors"
	"fmt"
)

// JSON pretty-prints and colours JSON for people. It is built once per
// writer and reused: the escape codes are computed up front and AppendIndent
// makes a single pass over the input bytes, never decoding into maps, so
// `listen -v` can render events as fast as they arrive. Without colour the
// output equals encoding/json.Indent's with the same indent.
type JSON struct {
	key, str, num, lit, null, punct codes
}

type codes struct{ pre, post string }

func codesOf(pre, post string) codes { return codes{pre, post} }

// NewJSON builds a JSON renderer from the palette; with s.Enabled false it
// adds no escape codes.
func NewJSON(s Styles) *JSON {
	j := &JSON{}
	if !s.Enabled {
		return j
	}
	j.key = codesOf(Codes(s.JSONKey))
	j.str = codesOf(Codes(s.JSONString))
	j.num = codesOf(Codes(s.JSONNumber))
	j.lit = codesOf(Codes(s.JSONBool))
	j.null = codesOf(Codes(s.JSONNull))
	j.punct = codesOf(Codes(s.JSONPunct))
	return j
}

// ErrInvalidJSON is returned (wrapped, with the offset) for input that is
// not one JSON value.
var ErrInvalidJSON = errors.New("invalid JSON")

// AppendIndent appends src pretty-printed with indent (e.g. "  ") per
// level to dst. An empty indent gives compact output. On invalid input it
// returns dst unchanged and an error wrapping ErrInvalidJSON; numbers are
// copied as written, checked only for their character set.
func (j *JSON) AppendIndent(dst, src []byte, indent string) ([]byte, error) {
	p := jsonPass{j: j, src: src, dst: dst, indent: indent}
	if err := p.run(); err != nil {
		return dst, err
	}
	return p.dst, nil
}

// jsonPass is the state of one AppendIndent call.
type jsonPass struct {
	j      *JSON
	src    []byte
	i      int
	dst    []byte
	indent string
	depth  int
}

func (p *jsonPass) fail(what string) error {
	return fmt.Errorf("%w: %s at offset %d", ErrInvalidJSON, what, p.i)
}

func (p *jsonPass) skipSpace() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonPass) run() error {
	p.skipSpace()
	if err := p.value(); err != nil {
		return err
	}
	p.skipSpace()
	if p.i != len(p.src) {
		return p.fail("data after the value")
	}
	return nil
}

// value renders one value; recursion depth is bounded by maxDepth so
// hostile input cannot exhaust the stack.
func (p *jsonPass) value() error {
	if p.i >= len(p.src) {
		return p.fail("unexpected end")
	}
	switch c := p.src[p.i]; {
	case c == '{':
		return p.container('}', true)
	case c == '[':
		return p.container(']', false)
	case c == '"':
		return p.string(p.j.str)
	case c == 't':
		return p.literal("true", p.j.lit)
	case c == 'f':
		return p.literal("false", p.j.lit)
	case c == 'n':
		return p.literal("null", p.j.null)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return p.fail(fmt.Sprintf("unexpected %q", p.src[p.i]))
}

const maxDepth = 10000

func (p *jsonPass) container(closer byte, object bool) error {
	p.punct(p.src[p.i])
	p.i++
	p.skipSpace()
	if p.i < len(p.src) && p.src[p.i] == closer {
		p.punct(closer)
		p.i++
		return nil
	}
	if p.depth++; p.depth > maxDepth {
		return p.fail("nesting too deep")
	}
	for {
		p.newline()
		if object {
			if err := p.member(); err != nil {
				return err
			}
		} else if err := p.value(); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.src) {
			return p.fail("unexpected end")
		}
		switch p.src[p.i] {
		case ',':
			p.punct(',')
			p.i++
			p.skipSpace()
			continue
		case closer:
			p.depth--
			p.newline()
			p.punct(closer)
			p.i++
			return nil
		}
		return p.fail(fmt.Sprintf("unexpected %q", p.src[p.i]))
	}
}

func (p *jsonPass) member() error {
	if p.i >= len(p.src) || p.src[p.i] != '"' {
		return p.fail("expected a key")
	}
	if err := p.string(p.j.key); err != nil {
		return err
	}
	p.skipSpace()
	if p.i >= len(p.src) || p.src[p.i] != ':' {
		return p.fail("expected ':'")
	}
	p.punct(':')
	p.i++
	if p.indent != "" {
		p.dst = append(p.dst, ' ')
	}
	p.skipSpace()
	return p.value()
}

func (p *jsonPass) newline() {
	if p.indent == "" {
		return
	}
	p.dst = append(p.dst, '\n')
	for range p.depth {
		p.dst = append(p.dst, p.indent...)
	}
}

func (p *jsonPass) punct(c byte) {
	if p.j.punct.pre == "" {
		p.dst = append(p.dst, c)
		return
	}
	p.dst = append(p.dst, p.j.punct.pre...)
	p.dst = append(p.dst, c)
	p.dst = append(p.dst, p.j.punct.post...)
}

// string copies a quoted string as written (escapes included).
func (p *jsonPass) string(c codes) error {
	start := p.i
	i := p.i + 1
	for i < len(p.src) {
		switch b := p.src[i]; {
		case b == '"':
			p.dst = append(p.dst, c.pre...)
			p.dst = append(p.dst, p.src[start:i+1]...)
			p.dst = append(p.dst, c.post...)
			p.i = i + 1
			return nil
		case b == '\\':
			i += 2
		case b < 0x20:
			p.i = i
			return p.fail("control character in string")
		default:
			i++
		}
	}
	p.i = len(p.src)
	return p.fail("unterminated string")
}

func (p *jsonPass) literal(word string, c codes) error {
	if len(p.src)-p.i < len(word) || string(p.src[p.i:p.i+len(word)]) != word {
		return p.fail("invalid literal")
	}
	p.dst = append(p.dst, c.pre...)
	p.dst = append(p.dst, word...)
	p.dst = append(p.dst, c.post...)
	p.i += len(word)
	return nil
}

func (p *jsonPass) number() error {
	start := p.i
	for p.i < len(p.src) {
		b := p.src[p.i]
		if (b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E' {
			p.i++
			continue
		}
		break
	}
	if last := p.src[p.i-1]; last < '0' || last > '9' {
		return p.fail("invalid number")
	}
	p.dst = append(p.dst, p.j.num.pre...)
	p.dst = append(p.dst, p.src[start:p.i]...)
	p.dst = append(p.dst, p.j.num.post...)
	return nil
}
