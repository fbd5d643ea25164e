// Package termtext makes text from outside (webhook bodies and headers,
// server answers, file contents, URLs, user input) safe to show on a
// terminal, and cuts text without splitting a UTF-8 character.
//
// It is the one place that decides what a terminal control is: render's
// event lines, tables and JSON views, the --debug HTTP log, livechat's
// error texts and app's error printing all go through it, and jsonstr
// escapes the same set. It is for display only: bytes lcwh saves or
// forwards are never passed through it.
package termtext

import (
	"strings"
	"unicode/utf8"
)

// Ellipsis marks text that was cut.
const Ellipsis = "…"

// IsControl reports whether r is a terminal control character: C0
// (U+0000–U+001F), DEL (U+007F) or C1 (U+0080–U+009F, where 8-bit CSI,
// OSC and ST live). Newline and tab are controls too; Clean keeps them.
func IsControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f)
}

// isSpace is what Line folds into one space: ASCII white space, NEL and
// the Unicode line and paragraph separators.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// Clean returns s with every terminal control removed: whole escape
// sequences (see AppendClean), then any other C0 control but newline and
// tab, DEL and C1. Invalid UTF-8 becomes U+FFFD. It is for multi-line
// text such as error messages and hints.
func Clean(s string) string {
	if isPlain(s, true) {
		return s
	}
	return string(AppendClean(make([]byte, 0, len(s)), s))
}

// AppendClean appends Clean(s) to dst. Escape sequences go whole, so no
// parameter text is left behind: CSI (ESC [ or U+009B, parameters, one
// final byte), OSC, DCS, SOS, PM and APC strings (ESC ] P X ^ _ or
// U+009D U+0090 U+0098 U+009E U+009F, up to BEL or ST) and the two- and
// three-byte ESC forms (ESC 7, ESC ( B). A string sequence that is never
// terminated loses only its introducer, so no text vanishes after it.
func AppendClean(dst []byte, s string) []byte {
	return appendText(dst, s, true, -1)
}

// Line returns s as one line for a terminal: controls removed as by Clean,
// each run of white space (newlines and tabs included) turned into one
// space, leading and trailing space dropped.
func Line(s string) string {
	if isPlain(s, false) && !strings.Contains(s, "  ") && strings.TrimSpace(s) == s {
		return s
	}
	return string(AppendLine(make([]byte, 0, len(s)), s, -1))
}

// AppendLine appends Line(s) to dst, cut after limit runes with Ellipsis
// (limit < 0: no limit).
func AppendLine(dst []byte, s string, limit int) []byte {
	return appendText(dst, s, false, limit)
}

// isPlain reports whether s is printable ASCII (plus newline and tab when
// multiline), which Clean returns unchanged.
func isPlain(s string, multiline bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			continue
		}
		if multiline && (c == '\n' || c == '\t') {
			continue
		}
		return false
	}
	return true
}

// appendText is Clean (multiline) or Line (one line, cut after limit runes
// when limit >= 0).
//
//nolint:gocyclo // one pass over the runes, a branch per class (NEL, escape, newline, space, control); split, the state n and space would travel through every call. BenchmarkAppendLine.
func appendText(dst []byte, s string, multiline bool, limit int) []byte {
	n, space := 0, false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if r == 0x85 && !multiline { // NEL: a line break in one line is a space
			i += size
			space = true
			continue
		}
		if r == 0x1b || (r >= 0x80 && r <= 0x9f) {
			i += sequenceLen(s[i:], r, size)
			continue
		}
		i += size
		if multiline {
			if r == '\n' || r == '\t' || !IsControl(r) {
				dst = utf8.AppendRune(dst, r)
			}
			continue
		}
		if isSpace(r) {
			space = true
			continue
		}
		if IsControl(r) {
			continue
		}
		sep := space && n > 0
		space = false
		if limit >= 0 && n+1+b2i(sep) > limit {
			return append(dst, Ellipsis...)
		}
		if sep {
			dst = append(dst, ' ')
			n++
		}
		dst = utf8.AppendRune(dst, r)
		n++
	}
	return dst
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sequenceLen is how many bytes of s, which starts with ESC or the C1
// control r (size bytes long), form one control sequence to drop.
func sequenceLen(s string, r rune, size int) int {
	switch r {
	case 0x1b:
		return escLen(s)
	case 0x9b: // CSI
		return size + csiLen(s[size:])
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
		return size + stringLen(s[size:])
	}
	return size
}

// escLen is the length of the sequence ESC starts at s[0] (ECMA-35/48).
func escLen(s string) int {
	if len(s) < 2 {
		return 1
	}
	switch c := s[1]; {
	case c == '[':
		return 2 + csiLen(s[2:])
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return 2 + stringLen(s[2:])
	case c >= 0x20 && c <= 0x2f:
		return 1 + nfLen(s[1:])
	case c >= 0x30 && c <= 0x7e:
		return 2
	}
	return 1
}

// nfLen is the length of an escape sequence's intermediate bytes and its
// final byte, if one follows (ECMA-35 §13.2).
func nfLen(s string) int {
	j := 0
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
		j++
	}
	return j
}

// csiLen is the length of a CSI sequence's parameter and intermediate
// bytes plus its final byte (ECMA-48 §5.4). It stops before any other
// byte, which is then shown or dropped on its own.
func csiLen(s string) int {
	for j := 0; j < len(s); j++ {
		switch c := s[j]; {
		case c >= 0x20 && c <= 0x3f:
		case c >= 0x40 && c <= 0x7e:
			return j + 1
		default:
			return j
		}
	}
	return len(s)
}

// stringLen is the length of a control string's body and terminator (BEL,
// ESC \ or U+009C), or 0 when it is not terminated.
func stringLen(s string) int {
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case 0x07:
			return j + 1
		case 0x1b:
			if j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
		case 0xc2:
			if j+1 < len(s) && s[j+1] == 0x9c {
				return j + 2
			}
		}
	}
	return 0
}

// Truncate returns s when it is at most limit bytes long; otherwise its
// longest prefix of at most limit bytes that does not end inside a UTF-8
// character, followed by tail. It is lcwh's one way to shorten text.
func Truncate(s string, limit int, tail string) string {
	if len(s) <= limit {
		return s
	}
	if limit <= 0 {
		return tail
	}
	i := limit
	// Back off over at most three continuation bytes to the start of the
	// character that does not fit; a longer run is invalid UTF-8 anyway.
	for k := 0; k < utf8.UTFMax-1 && i > 0 && !utf8.RuneStart(s[i]); k++ {
		i--
	}
	if !utf8.RuneStart(s[i]) {
		i = limit
	}
	return s[:i] + tail
}
