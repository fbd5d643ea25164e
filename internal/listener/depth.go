package listener

import (
	"bytes"
	"fmt"
)

// DepthError says a body nests arrays and objects deeper than allowed.
type DepthError struct{ Max int }

func (e *DepthError) Error() string {
	return fmt.Sprintf("JSON nested deeper than %d levels", e.Max)
}

// CheckDepth fails when b nests arrays and objects deeper than max. It is a
// flat scan (no recursion, no allocation) run before gjson's validator,
// which recurses once per level: a 10 MiB "[[[[…" would otherwise cost
// about 1 GB of stack. b need not be valid JSON; validity is checked after.
func CheckDepth(b []byte, max int) error {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			i = stringEnd(b, i+1)
		case '[', '{':
			depth++
			if depth > max {
				return &DepthError{Max: max}
			}
		case ']', '}':
			depth--
		}
	}
	return nil
}

// stringEnd returns the index of the quote closing the string that starts
// at i (len(b) when it is not closed), skipping escaped quotes.
func stringEnd(b []byte, i int) int {
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return len(b)
		}
		q := i + j
		k := q - 1
		for k >= i && b[k] == '\\' {
			k--
		}
		if (q-1-k)%2 == 0 {
			return q
		}
		i = q + 1
	}
}
