// Package jsonstr writes JSON string literals fast and terminal-safe. The
// listener's --save records and the renderer's NDJSON and pretty output all
// quote header values and payload text through it, so one function decides
// what a control character becomes: the set termtext.IsControl names.
package jsonstr

import (
	"unicode/utf8"

	"github.com/lcwh/lcwh/internal/termtext"
)

const hexDigits = "0123456789abcdef"

// Append appends s as a JSON string, escaping quotes, backslashes and every
// control character (termtext.IsControl: C0, DEL and the C1 range
// U+0080–U+009F, CSI among them), so the output can never drive a terminal
// even when printed raw. Invalid UTF-8 is written as \ufffd, as
// encoding/json does, so the output is always valid UTF-8 JSON.
func Append(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\ufffd`...)
			case termtext.IsControl(r):
				dst = append(dst, s[start:i]...)
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
			default:
				i += size
				continue
			}
			i += size
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendNeutral appends src, valid JSON, to dst with what could drive a
// terminal inside its strings rewritten as escapes: raw DEL and C1 runes
// as \u007f / \u0080–\u009f (the decoded value is unchanged) and invalid
// UTF-8 as \ufffd (lossy, as encoding/json decodes it anyway). Outside
// strings valid JSON is ASCII, so the pass needs no parsing.
func AppendNeutral(dst, src []byte) []byte {
	start := 0
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf && c != 0x7f {
			i++
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(src[i:])
		}
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, src[start:i]...)
			dst = append(dst, `\ufffd`...)
		case termtext.IsControl(r):
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, src[start:]...)
}
