// Package suggest finds the names closest to a mistyped one, for the
// "did you mean" part of unknown-kind and unknown-action errors.
package suggest

import (
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
)

// Closest returns up to n candidates within edit distance 3 of word, or
// containing it when it is at least 4 characters long, nearest first and
// in candidate order among equals.
func Closest(word string, candidates []string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, c := range candidates {
		d := levenshtein.ComputeDistance(word, c)
		if d <= 3 || (len(word) >= 4 && strings.Contains(c, word)) {
			cs = append(cs, cand{c, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].name)
	}
	return out
}
