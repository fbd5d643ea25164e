// Package jsonlimit bounds JSON before anything parses it. Recursive
// validators and decoders (gjson.Valid among them) use stack in proportion
// to nesting: a 10 MiB body of "[[[[…" costs about 1 GB of stack in
// gjson.Valid. CheckDepth finds the nesting depth in one iterative pass, so
// callers reject such input before a recursive parser sees it.
package jsonlimit

import (
	"bytes"
	"strconv"

	"github.com/tidwall/gjson"
)

// MaxDepth is the deepest nesting lcwh accepts in a webhook body or a saved
// record's body: 1000 levels of arrays and objects. Real webhook payloads
// nest fewer than 10 levels (LiveChat's deepest, incoming_chat, about 7);
// the limit only has to stop hostile input, and at 1000 the recursive
// validators behind it use well under 1 MiB of stack.
const MaxDepth = 1000

// DepthError reports JSON nested deeper than Max; Offset is the byte that
// opened level Max+1.
type DepthError struct {
	Max    int
	Offset int
}

func (e *DepthError) Error() string {
	return "JSON nested deeper than " + strconv.Itoa(e.Max) + " levels (at byte " + strconv.Itoa(e.Offset) + ")"
}

// structural marks the bytes CheckDepth acts on outside strings.
var structural = [256]bool{'"': true, '[': true, ']': true, '{': true, '}': true}

// CheckDepth returns a *DepthError when b nests arrays and objects deeper
// than limit, else nil. It does not validate b: brackets inside strings are
// skipped by JSON's string rules, and on invalid input it only promises
// that a validator reading b left to right never nests deeper than limit
// before it fails. It runs in one pass without recursion or allocation.
func CheckDepth(b []byte, limit int) error {
	if d, off := depth(b, limit); d > limit {
		return &DepthError{Max: limit, Offset: off}
	}
	return nil
}

// Depth returns the deepest nesting of arrays and objects in b, by the
// rules of CheckDepth, but stops once it passes limit and then returns
// limit+1. One pass answers several limits (a saved record may nest one
// level deeper than the body it holds).
func Depth(b []byte, limit int) int {
	d, _ := depth(b, limit)
	return d
}

// Valid reports whether b is one valid JSON value (surrounding whitespace
// allowed) nested no deeper than limit. It is CheckDepth, then gjson.Valid.
func Valid(b []byte, limit int) bool {
	return CheckDepth(b, limit) == nil && gjson.ValidBytes(b)
}

// depth returns the deepest nesting in b, scanning until it passes limit
// (then it returns limit+1 and the offset of the byte that went past).
func depth(b []byte, limit int) (deepest, offset int) {
	d := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !structural[c] {
			continue
		}
		switch c {
		case '"':
			i = stringEnd(b, i)
		case '[', '{':
			d++
			if d > deepest {
				deepest = d
				if d > limit {
					return d, i
				}
			}
		default:
			d--
		}
	}
	return deepest, 0
}

// stringEnd returns the index of the quote closing the string that opens
// at b[open], or len(b) when it is not closed. A quote is escaped exactly
// when an odd run of backslashes precedes it (JSON escapes are two bytes,
// and `\\` is one of them).
func stringEnd(b []byte, open int) int {
	j := open + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return len(b)
		}
		j += k
		n := 0
		for p := j - 1; p > open && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j
		}
		j++
	}
}
