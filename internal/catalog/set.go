package catalog

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// Set is one --set path=value override.
type Set struct {
	Path string
	// Raw is the JSON the path is set to.
	Raw []byte
}

// ParseSet parses "path=value". A value that is valid JSON (number, object,
// array, true, false, null, "quoted string") is used as that JSON; anything
// else is taken as a plain string, so --set payload.chat.id=ABC works
// without quotes.
func ParseSet(s string) (Set, error) {
	path, val, ok := strings.Cut(s, "=")
	if !ok {
		return Set{}, fmt.Errorf("--set %q: expected path=value, e.g. payload.chat.id=ABC", s)
	}
	if err := checkPath(path); err != nil {
		return Set{}, fmt.Errorf("--set %q: %w", s, err)
	}
	raw := []byte(strings.TrimSpace(val))
	if len(raw) == 0 || !json.Valid(raw) {
		b, _ := json.Marshal(val)
		raw = b
	}
	return Set{Path: path, Raw: raw}, nil
}

// ParseSets parses every --set value.
func ParseSets(in []string) ([]Set, error) {
	out := make([]Set, 0, len(in))
	for _, s := range in {
		st, err := ParseSet(s)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func checkPath(path string) error {
	if path == "" {
		return fmt.Errorf("empty path")
	}
	for _, seg := range strings.Split(path, ".") {
		if seg == "" {
			return fmt.Errorf("path %q has an empty segment", path)
		}
		if strings.ContainsAny(seg, `*?#|@\`) {
			return fmt.Errorf("path segment %q may only hold letters, digits, _ and -", seg)
		}
	}
	return nil
}

// ApplySets applies overrides in order. Objects on the way are created when
// missing; walking into a string or number, or past the end of an array, is
// an error naming the path.
func ApplySets(body []byte, sets []Set) ([]byte, error) {
	for _, s := range sets {
		if err := checkWalk(body, s.Path); err != nil {
			return nil, err
		}
		out, err := sjson.SetRawBytesOptions(body, s.Path, s.Raw, &sjson.Options{Optimistic: false})
		if err != nil {
			return nil, fmt.Errorf("--set %s: %w", s.Path, err)
		}
		body = out
	}
	return body, nil
}

func checkWalk(body []byte, path string) error {
	segs := strings.Split(path, ".")
	cur := gjson.ParseBytes(body)
	for i, seg := range segs[:len(segs)-1] {
		next := child(cur, seg)
		here := strings.Join(segs[:i+1], ".")
		if !next.Exists() {
			if cur.IsArray() {
				return fmt.Errorf("--set %s: %s has no item %s (it has %d)", path, strings.Join(segs[:i], "."), seg, len(cur.Array()))
			}
			return nil // the rest is created
		}
		if !next.IsObject() && !next.IsArray() {
			return fmt.Errorf("--set %s: %s is %s, not an object or array", path, here, describe(next))
		}
		cur = next
	}
	last := segs[len(segs)-1]
	if cur.IsArray() {
		n, err := strconv.Atoi(last)
		if err != nil || n < 0 || n > len(cur.Array()) {
			return fmt.Errorf("--set %s: %s is an array of %d; use an index from 0 to %d", path,
				strings.Join(segs[:len(segs)-1], "."), len(cur.Array()), len(cur.Array()))
		}
	}
	return nil
}

func child(r gjson.Result, seg string) gjson.Result {
	if r.IsArray() {
		n, err := strconv.Atoi(seg)
		arr := r.Array()
		if err != nil || n < 0 || n >= len(arr) {
			return gjson.Result{}
		}
		return arr[n]
	}
	return r.Get(gjson.Escape(seg))
}

func describe(r gjson.Result) string {
	switch r.Type {
	case gjson.String:
		return "a string"
	case gjson.Number:
		return "a number"
	case gjson.True, gjson.False:
		return "a boolean"
	case gjson.Null:
		return "null"
	}
	return "a value"
}
