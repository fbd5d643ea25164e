// Package summary picks the few fields that say what one webhook is about
// (chat, agent, tag, status…) for each kind, from its body, without
// decoding it. The terminal line of listen, inspect and demo and the web
// inspector's list show the same summary, so a kind reads the same
// everywhere. It draws nothing: views clean and cut the values for where
// they print them.
package summary

import (
	"strconv"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
)

// MaxFields is the most fields a Summary holds.
const MaxFields = 6

// Field is one label=value pair. Value is the body's text as sent (a
// string's contents, or a number's digits): not cleaned for any display.
type Field struct {
	Label string
	Value string
}

// Summary is what a view shows of a body besides its family and kind.
// It is a value with no pointers of its own but into the body: building
// one does not allocate for bodies without escaped strings.
type Summary struct {
	fields [MaxFields]Field
	n      int
	// Text is a message's text (LiveChat incoming_event, event_updated,
	// thread_summary_set), empty when the kind carries none.
	Text string
}

// Fields are the summary's fields, in display order.
func (s *Summary) Fields() []Field { return s.fields[:s.n] }

// String is the summary as one line: label=value pairs, then the text
// in quotes. Views that colour the labels walk Fields instead.
func (s *Summary) String() string {
	var b strings.Builder
	for i, f := range s.Fields() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f.Label)
		b.WriteByte('=')
		b.WriteString(f.Value)
	}
	if s.Text != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(s.Text))
	}
	return b.String()
}

func (s *Summary) add(label, value string) {
	if s.n < MaxFields {
		s.fields[s.n] = Field{label, value}
		s.n++
	}
}

// spec is a label and the body paths tried in order for its value. A
// path ending in ".#" counts an array's items.
type spec struct {
	label string
	paths []string
}

// Of is the summary of body, a webhook of family and kind (as the
// listener classified it). An unknown kind of a known family gets its
// family's usual fields; a body that is not JSON gets none.
func Of(family, kind string, body []byte) Summary {
	var s Summary
	if len(body) == 0 {
		return s
	}
	// A view of the body, not a copy: the summary's values point into it
	// and nothing writes the body afterwards.
	b := unsafe.String(&body[0], len(body)) //nolint:gosec // see above
	for _, f := range specsFor(family, kind) {
		if v, ok := first(b, f.paths); ok {
			s.add(f.label, v)
		}
	}
	if family == "livechat" {
		for _, p := range textPaths {
			if r := gjson.Get(b, p); r.Type == gjson.String {
				s.Text = r.Str
				break
			}
		}
	}
	return s
}

// textPaths are where a LiveChat body carries text a person wrote.
var textPaths = []string{"payload.event.text", "payload.summary.text"}

// first is the value at the first of paths the body has: a string, a
// number or a boolean (objects, arrays and null are skipped).
func first(body string, paths []string) (string, bool) {
	for _, p := range paths {
		r := gjson.Get(body, p)
		if !r.Exists() || r.Type == gjson.JSON || r.Type == gjson.Null {
			continue
		}
		if strings.HasSuffix(p, ".#") && r.Int() == 0 {
			continue
		}
		if r.Type == gjson.String {
			return r.Str, true
		}
		return r.Raw, true
	}
	return "", false
}

func specsFor(family, kind string) []spec {
	switch family {
	case "livechat":
		if s, ok := livechatKinds[kind]; ok {
			return s
		}
		switch {
		case strings.HasPrefix(kind, "agent_"), strings.HasPrefix(kind, "bot_"):
			return agentSpecs
		case strings.HasPrefix(kind, "group_"):
			return groupSpecs
		}
		return livechatSpecs
	case "app":
		return appSpecs
	case "monday":
		return mondaySpecs
	}
	return nil
}
