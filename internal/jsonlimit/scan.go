package jsonlimit

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a value that Scan reports.
type Kind uint8

// The kinds of JSON values; Absent is the zero Kind (no such member).
const (
	Absent Kind = iota
	Null
	False
	True
	Number
	String
	Array
	Object
)

// Member asks Scan for one member of the top-level object. The caller sets
// Key; Scan sets Kind and Str from the last member with that key (the
// rule of gjson's ForEach, which listener.Classify was first built on).
type Member struct {
	// Key is the member's name, unescaped.
	Key string
	// Kind is the value's type, Absent when there is no such member (or
	// the document is not an object).
	Kind Kind
	// Str is the unescaped value when Kind is String, else nil. A string
	// without escapes is a view of the scanned document (no copy); one
	// with escapes is unescaped into a new slice. Escapes decode as in
	// gjson and encoding/json: a lone surrogate becomes U+FFFD. Bytes that
	// are not valid UTF-8 are kept as they are (as gjson does;
	// encoding/json's Unmarshal would replace them with U+FFFD).
	Str []byte
	// Count is how many times the key occurs (the fields above and below
	// are the last occurrence's).
	Count int
	// At and End bound the value in the document, quotes included, when
	// Kind is String (else both 0): what a view that redacts a secret
	// member cuts out without parsing the document again.
	At, End int
}

// SyntaxError reports input that is not one JSON value.
type SyntaxError struct {
	// Offset is the byte where the input stops being JSON: the offending
	// byte, or len(input) when the input ends early.
	Offset int
	// Msg says what is wrong there, e.g. "invalid character 'x' looking
	// for beginning of value".
	Msg string
}

func (e *SyntaxError) Error() string {
	return e.Msg + " at byte " + strconv.Itoa(e.Offset)
}

// Scan validates b as one JSON value with optional surrounding whitespace,
// accepting exactly what encoding/json.Valid accepts (RFC 8259, FuzzValidAgreesWithEncodingJSON), and
// nested no deeper than limit. Like encoding/json it does not check that
// strings are valid UTF-8: bytes that are not are accepted inside strings
// (they are never valid outside them).
//
// It returns the top-level value's Kind and nil, or a *DepthError (with
// CheckDepth's Offset: the byte that opens level limit+1) or a
// *SyntaxError, whichever problem comes first in b. In the same pass it
// fills in top: for each Member, the kind and string value of the
// top-level object's member with that key. On an error, top holds the
// members that were complete before it.
//
// Scan runs in one pass without recursion. It allocates only for a string
// value in top that has escapes, and, past 1024 levels, for the stack of
// open containers (1 bit a level).
//
//nolint:gocyclo,funlen // the scanner's state machine: one loop with a case per token, kept whole so the hot path has no calls it need not make (BenchmarkValid).
func Scan(b []byte, limit int, top []Member) (Kind, error) {
	maxKey := 0
	for j := range top {
		top[j] = Member{Key: top[j].Key}
		maxKey = max(maxKey, len(top[j].Key))
	}
	var small [16]uint64
	st := containers{bits: small[:]}
	var (
		n       = len(b)
		d       int  // open containers
		inObj   bool // the innermost open container is an object
		cur     = -1 // index in top of the member whose value is next
		topKind Kind
		code    errCode
		i       = skipWS(b, 0)
	)
	// Each turn scans one value starting at i, then what follows it up to
	// the start of the next value.
	for {
		if i >= n {
			code = errEOF
			break
		}
		var k Kind
		start := i
		switch c := b[i]; c {
		case '"':
			var esc bool
			i, esc, code = scanString(b, i+1)
			if code != 0 {
				break
			}
			if d == 1 && cur >= 0 && inObj {
				top[cur].Str = stringValue(b[start+1:i], esc)
				top[cur].At, top[cur].End = start, i+1
			}
			k, i = String, i+1
		case '{', '[':
			k = Object
			if c == '[' {
				k = Array
			}
		case 't':
			k, i, code = literal(b, i, True, "true")
		case 'f':
			k, i, code = literal(b, i, False, "false")
		case 'n':
			k, i, code = literal(b, i, Null, "null")
		default:
			k = Number
			i, code = scanNumber(b, i)
		}
		if code != 0 {
			break
		}
		switch {
		case d == 0:
			topKind = k
		case d == 1 && cur >= 0 && inObj:
			top[cur].Kind = k
			top[cur].Count++
			if k != String {
				top[cur].Str = nil
				top[cur].At, top[cur].End = 0, 0
			}
		}
		if k == Object || k == Array {
			if d >= limit {
				return topKind, &DepthError{Max: limit, Offset: start}
			}
			inObj = k == Object
			st.push(d, inObj)
			d++
			i = skipWS(b, i+1)
			if i < n && b[i] == closer(inObj) {
				d--
				inObj = d > 0 && st.obj(d-1)
				i++
			} else {
				if inObj {
					if i, cur, code = objectKey(b, i, d, top, maxKey); code != 0 {
						break
					}
				}
				continue
			}
		}
		// After a value: close containers until a comma starts the next
		// value, or the top-level value ends.
		for {
			i = skipWS(b, i)
			if d == 0 {
				if i < n {
					return topKind, syntaxError(b, i, errAfterTop)
				}
				return topKind, nil
			}
			if i >= n {
				code = errEOF
				break
			}
			c := b[i]
			if c == ',' {
				i = skipWS(b, i+1)
				if inObj {
					i, cur, code = objectKey(b, i, d, top, maxKey)
				}
				break
			}
			if c != closer(inObj) {
				code = errAfterElem
				if inObj {
					code = errAfterMember
				}
				break
			}
			d--
			inObj = d > 0 && st.obj(d-1)
			i++
		}
		if code != 0 {
			break
		}
	}
	return topKind, syntaxError(b, i, code)
}

// Valid reports whether b is one valid JSON value (surrounding whitespace
// allowed; what encoding/json.Valid accepts) nested no deeper than limit.
// It is Scan, so one pass without recursion.
func Valid(b []byte, limit int) bool {
	_, err := Scan(b, limit, nil)
	return err == nil
}

// closer is the byte that closes an object (obj) or an array.
func closer(obj bool) byte {
	if obj {
		return '}'
	}
	return ']'
}

// containers is the stack of open arrays and objects, a bit a level (1
// for an object), on the caller's stack up to 1024 levels.
type containers struct{ bits []uint64 }

func (c *containers) push(level int, obj bool) {
	w := level >> 6
	if w >= len(c.bits) {
		grown := make([]uint64, 2*len(c.bits))
		copy(grown, c.bits)
		c.bits = grown
	}
	m := uint64(1) << (level & 63)
	if obj {
		c.bits[w] |= m
	} else {
		c.bits[w] &^= m
	}
}

func (c *containers) obj(level int) bool {
	return c.bits[level>>6]&(1<<(level&63)) != 0
}

// objectKey scans an object's key (at b[i], after whitespace) and the
// colon after it, and returns the index of the value that follows and,
// at depth 1, which of top the key names (-1 for none).
func objectKey(b []byte, i, d int, top []Member, maxKey int) (next, cur int, code errCode) {
	if i >= len(b) {
		return i, -1, errEOF
	}
	if b[i] != '"' {
		return i, -1, errKey
	}
	end, esc, code := scanString(b, i+1)
	if code != 0 {
		return end, -1, code
	}
	cur = -1
	if d == 1 && len(top) > 0 {
		cur = lookup(top, b[i+1:end], esc, maxKey)
	}
	j := skipWS(b, end+1)
	if j >= len(b) {
		return j, -1, errEOF
	}
	if b[j] != ':' {
		return j, -1, errAfterKey
	}
	return skipWS(b, j+1), cur, 0
}

// lookup returns the index of the member of top whose Key is the string
// raw (between its quotes; esc says it has escapes), or -1.
func lookup(top []Member, raw []byte, esc bool, maxKey int) int {
	if esc {
		// An escape is at most 6 bytes for at least 1 decoded byte, so a
		// longer raw key cannot match.
		if len(raw) > 6*maxKey {
			return -1
		}
		var buf [128]byte // no allocation for a raw key up to 128 bytes
		raw = appendUnescaped(buf[:0], raw)
	}
	for j := range top {
		if string(raw) == top[j].Key {
			return j
		}
	}
	return -1
}

func stringValue(raw []byte, esc bool) []byte {
	if !esc {
		return raw[:len(raw):len(raw)]
	}
	return appendUnescaped(make([]byte, 0, len(raw)), raw)
}

// skipWS returns the index of the first byte at or after i that is not
// JSON whitespace (space, tab, LF, CR).
func skipWS(b []byte, i int) int {
	for ; i < len(b); i++ {
		if c := b[i]; c > ' ' || (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
			return i
		}
	}
	return i
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// stops marks the bytes a string scan stops at: the quote, the backslash
// and the control characters, which must be escaped.
var stops = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// scanString scans the string whose content starts at b[i] and returns
// the index of its closing quote and whether it has escapes. It reads
// eight bytes at a time while none of them is a quote, a backslash or a
// control character.
func scanString(b []byte, i int) (end int, esc bool, code errCode) {
	n := len(b)
	for {
		for i+8 <= n {
			x := binary.LittleEndian.Uint64(b[i:])
			q := x ^ ('"' * lsb)
			s := x ^ ('\\' * lsb)
			// A byte below 0x20, or one that is zero after its XOR, sets
			// its high bit in m; a borrow can only set bits of later
			// bytes than a true hit, so the lowest set bit is exact.
			m := ((x-0x20*lsb)&^x | (q-lsb)&^q | (s-lsb)&^s) & msb
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
			break
		}
		for i < n && !stops[b[i]] {
			i++
		}
		if i >= n {
			return i, esc, errEOF
		}
		switch b[i] {
		case '"':
			return i, esc, 0
		case '\\':
			esc = true
			i++
			if i >= n {
				return i, esc, errEOF
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				for j := i + 1; j <= i+4; j++ {
					if j >= n {
						return j, esc, errEOF
					}
					if !isHex(b[j]) {
						return j, esc, errHex
					}
				}
				i += 5
			default:
				return i, esc, errEscape
			}
		default:
			return i, esc, errControl
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber scans the number at b[i] by RFC 8259's grammar
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?) and returns the index
// after it; what follows is for the caller to judge.
func scanNumber(b []byte, i int) (int, errCode) {
	n := len(b)
	neg := b[i] == '-'
	if neg {
		i++
		if i >= n {
			return i, errEOF
		}
	}
	switch c := b[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i = digits(b, i+1)
	case neg:
		return i, errNumber
	default:
		return i, errValue
	}
	return scanFraction(b, i)
}

// scanFraction scans the optional fraction and exponent of a number whose
// integer part ends at b[i].
func scanFraction(b []byte, i int) (int, errCode) {
	n := len(b)
	if i < n && b[i] == '.' {
		i++
		if i >= n {
			return i, errEOF
		}
		if !isDigit(b[i]) {
			return i, errFraction
		}
		i = digits(b, i+1)
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= n {
			return i, errEOF
		}
		if !isDigit(b[i]) {
			return i, errExponent
		}
		i = digits(b, i+1)
	}
	return i, 0
}

// digits returns the index of the first byte at or after i that is not a
// decimal digit.
func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// literal checks that b holds word (of kind k) at i and returns the index
// after it; on an error the index stays at i.
func literal(b []byte, i int, k Kind, word string) (Kind, int, errCode) {
	if i+len(word) <= len(b) && string(b[i:i+len(word)]) == word {
		return k, i + len(word), 0
	}
	return k, i, errLiteral
}

// appendUnescaped appends the content of a valid JSON string (between its
// quotes) with its escapes decoded. A \u escape of a high surrogate
// followed by one of a low surrogate is one character; any other
// surrogate becomes U+FFFD, as in gjson and encoding/json.
func appendUnescaped(dst, raw []byte) []byte {
	for len(raw) > 0 {
		k := 0
		for k < len(raw) && raw[k] != '\\' {
			k++
		}
		dst = append(dst, raw[:k]...)
		if k == len(raw) {
			return dst
		}
		raw = raw[k+1:]
		c := raw[0]
		raw = raw[1:]
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			dst, raw = appendU(dst, raw)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
	return dst
}

// appendU appends the character of the \u escape whose hex digits start
// raw, and returns the rest of raw after it (after both halves of a
// surrogate pair).
func appendU(dst, raw []byte) (out, rest []byte) {
	r := hex4(raw)
	raw = raw[4:]
	if utf16.IsSurrogate(r) && r < 0xDC00 && len(raw) >= 6 && raw[0] == '\\' && raw[1] == 'u' {
		if r2 := hex4(raw[2:]); 0xDC00 <= r2 && r2 < 0xE000 {
			r = utf16.DecodeRune(r, r2)
			raw = raw[6:]
		}
	}
	return utf8.AppendRune(dst, r), raw
}

// hex4 decodes the four hex digits that start h (checked by scanString).
func hex4(h []byte) rune {
	var r rune
	for _, c := range h[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// errCode says which syntax error the scanner met; 0 is none.
type errCode uint8

const (
	errNone errCode = iota
	errEOF
	errValue
	errKey
	errAfterKey
	errAfterMember
	errAfterElem
	errAfterTop
	errControl
	errEscape
	errHex
	errNumber
	errFraction
	errExponent
	errLiteral
)

var errWhere = [...]string{
	errValue:       "looking for beginning of value",
	errKey:         "looking for beginning of object key string",
	errAfterKey:    "after object key",
	errAfterMember: "after object key:value pair",
	errAfterElem:   "after array element",
	errAfterTop:    "after top-level value",
	errControl:     "in string literal",
	errEscape:      "in string escape code",
	errHex:         `in \u hexadecimal character escape`,
	errNumber:      "in numeric literal",
	errFraction:    "after decimal point in numeric literal",
	errExponent:    "in exponent of numeric literal",
	errLiteral:     "in literal",
}

// syntaxError builds the error for code at b[i] (off the hot path). For a
// literal, i is where it starts and the error points at its first wrong
// byte.
func syntaxError(b []byte, i int, code errCode) error {
	if code == errLiteral {
		word := map[byte]string{'t': "true", 'f': "false", 'n': "null"}[b[i]]
		j := 1
		for i+j < len(b) && j < len(word) && b[i+j] == word[j] {
			j++
		}
		if i+j >= len(b) {
			return &SyntaxError{Offset: len(b), Msg: "unexpected end of JSON input"}
		}
		return &SyntaxError{Offset: i + j, Msg: "invalid character " + quoteByte(b[i+j]) +
			" in literal " + word + " (expecting " + quoteByte(word[j]) + ")"}
	}
	if code == errEOF || i >= len(b) {
		return &SyntaxError{Offset: len(b), Msg: "unexpected end of JSON input"}
	}
	return &SyntaxError{Offset: i, Msg: "invalid character " + quoteByte(b[i]) + " " + errWhere[code]}
}

// quoteByte shows c in a message as encoding/json does for ASCII ('x',
// '\n', '\x00'); any other byte, part of a multi-byte character or not
// UTF-8 at all, by its hex value.
func quoteByte(c byte) string {
	if c >= utf8.RuneSelf {
		const hex = "0123456789abcdef"
		return "byte 0x" + string([]byte{hex[c>>4], hex[c&15]})
	}
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	q := strconv.Quote(string(rune(c)))
	return "'" + q[1:len(q)-1] + "'"
}
