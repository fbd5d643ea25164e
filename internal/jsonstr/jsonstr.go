// Package jsonstr writes JSON string literals fast and terminal-safe. The
// listener's --save records and the renderer's NDJSON and pretty output all
// quote header values and payload text through it, so one function decides
// what a control character becomes.
package jsonstr

const hexDigits = "0123456789abcdef"

// Append appends s as a JSON string, escaping quotes, backslashes and every
// control character: C0, DEL and the C1 range U+0080–U+009F (CSI among
// them), so the output can never drive a terminal even when printed raw.
func Append(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && c != 0xc2 {
			continue
		}
		if c == 0xc2 {
			if i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
				dst = append(dst, s[start:i]...)
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[s[i+1]>>4], hexDigits[s[i+1]&0xf])
				i++
				start = i + 1
			}
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
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
