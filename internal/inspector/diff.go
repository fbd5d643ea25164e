package inspector

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"

	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// maxDiffs bounds the differences one comparison lists.
const maxDiffs = 1000

// diffJSON is one difference between two bodies: a path (dots for keys,
// [i] for array items), what happened and the two values as JSON text.
type diffJSON struct {
	Path string  `json:"path"`
	Op   string  `json:"op"` // added, removed, changed
	A    *string `json:"a"`
	B    *string `json:"b"`
}

func (s *Server) handleDiff(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var bodies [2]any
	for i, name := range []string{"a", "b"} {
		id, err := strconv.ParseUint(q.Get(name), 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "a and b must be event ids")
			return
		}
		e, _ := s.hub.get(id)
		if e == nil {
			writeError(w, http.StatusNotFound, "no event "+strconv.FormatUint(id, 10))
			return
		}
		if !jsonlimit.Valid(e.body, jsonlimit.MaxDepth) {
			writeError(w, http.StatusUnprocessableEntity, "event "+strconv.FormatUint(id, 10)+"'s body is not JSON: nothing to compare")
			return
		}
		dec := json.NewDecoder(bytes.NewReader(redactBody(e.body)))
		dec.UseNumber()
		if err := dec.Decode(&bodies[i]); err != nil {
			writeError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
	}
	d := &differ{out: []diffJSON{}}
	d.walk("", bodies[0], bodies[1])
	writeJSON(w, http.StatusOK, map[string]any{"differences": d.out, "truncated": d.cut})
}

type differ struct {
	out []diffJSON
	cut bool
}

func (d *differ) add(path, op string, a, b any) {
	if len(d.out) == maxDiffs {
		d.cut = true
		return
	}
	d.out = append(d.out, diffJSON{Path: path, Op: op, A: jsonText(a), B: jsonText(b)})
}

func jsonText(v any) *string {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	s := string(b)
	return &s
}

func (d *differ) walk(path string, a, b any) {
	switch av := a.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			d.objects(path, av, bv)
			return
		}
	case []any:
		if bv, ok := b.([]any); ok {
			d.arrays(path, av, bv)
			return
		}
	}
	if !equalJSON(a, b) {
		d.add(path, "changed", orNull(a), orNull(b))
	}
}

// orNull keeps a JSON null visible as a value (nil means "absent").
func orNull(v any) any {
	if v == nil {
		return json.RawMessage("null")
	}
	return v
}

func (d *differ) objects(path string, a, b map[string]any) {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := k
		if path != "" {
			p = path + "." + k
		}
		av, inA := a[k]
		bv, inB := b[k]
		switch {
		case !inA:
			d.add(p, "added", nil, orNull(bv))
		case !inB:
			d.add(p, "removed", orNull(av), nil)
		default:
			d.walk(p, av, bv)
		}
	}
}

func (d *differ) arrays(path string, a, b []any) {
	for i := 0; i < max(len(a), len(b)); i++ {
		p := path + "[" + strconv.Itoa(i) + "]"
		switch {
		case i >= len(a):
			d.add(p, "added", nil, orNull(b[i]))
		case i >= len(b):
			d.add(p, "removed", orNull(a[i]), nil)
		default:
			d.walk(p, a[i], b[i])
		}
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
