package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"sync"
	"time"
)

// Params shape one generated body.
type Params struct {
	// Secret replaces secret_key in LiveChat envelopes; empty keeps the sample's.
	Secret string
	// Sets are --set overrides applied last.
	Sets []Set
}

// Generator makes fresh bodies from the samples. It is safe for concurrent
// use. With a seed it is reproducible: the same seed gives byte-identical
// bodies in the same call order, on any day.
type Generator struct {
	// now anchors timestamps; nil (a seeded generator) keeps the sample's.
	now  func() time.Time
	mu   sync.Mutex
	rnd  *rand.Rand
	tmpl templates
}

// NewGenerator returns a generator. Seed 0 gives fresh bodies: a random
// seed, and timestamps shifted so that the newest is now() (nil: the system
// clock). Any other seed makes every field reproducible: ids from the seed,
// and timestamps the sample's own, so now is not consulted.
func NewGenerator(seed uint64, now func() time.Time) *Generator {
	switch {
	case seed != 0:
		now = nil
	case now == nil:
		now = time.Now
	}
	// Sample ids and timestamps only, reproducible from a seed: a secret
	// never comes from this generator (secret_key is Params.Secret).
	if seed == 0 {
		seed = rand.Uint64() //nolint:gosec // G404: see above
	}
	return &Generator{now: now, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} //nolint:gosec // G404: see above
}

// Body returns a fresh body of kind k.
func (g *Generator) Body(k Kind, p Params) ([]byte, error) {
	tp, err := g.tmpl.get(k)
	if err != nil {
		return nil, err
	}
	body := g.fill(tp, p.Secret, nil)
	if len(p.Sets) > 0 {
		return ApplySets(body, p.Sets)
	}
	return body, nil
}

// AppendBody appends a fresh body of kind k to dst without --set handling:
// the allocation-free hot path of burst sends.
func (g *Generator) AppendBody(dst []byte, k Kind, secret string) ([]byte, error) {
	tp, err := g.tmpl.get(k)
	if err != nil {
		return nil, err
	}
	return g.fill(tp, secret, dst), nil
}

// slotKind says how a value in a sample is regenerated.
type slotKind int

const (
	slotToken  slotKind = iota // chat/thread-style id: 10 upper-case letters and digits
	slotHex32                  // webhook_id, client-style id
	slotUUID                   // paymentID and other UUIDs marked fresh
	slotTime                   // RFC 3339 timestamp, shifted to now keeping the gaps
	slotSecret                 // secret_key value
)

type slot struct {
	kind  slotKind
	value int // index into template.values
}

type value struct {
	kind   slotKind
	orig   string // the sample's own value, kept for secret_key when no secret is given
	t      time.Time
	layout string
}

// template is a sample cut into literal bytes and slots.
type template struct {
	lits   [][]byte // len(slots)+1 literals around the slots
	slots  []slot
	values []value
	latest time.Time // the newest timestamp: it becomes "now"
	size   int
}

// patterns are compiled on first use, not at package init, so commands that
// never generate a body (lcwh version) do not pay for them at start-up.
var patterns = sync.OnceValue(func() (p struct{ time, token, hexKey, uuidKey, secret *regexp.Regexp }) {
	p.time = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)
	p.token = regexp.MustCompile(`[^A-Za-z0-9]([A-Z0-9]{10})[^A-Za-z0-9]`)
	p.hexKey = regexp.MustCompile(`"webhook_id":\s*"([0-9a-f]{32})"`)
	p.uuidKey = regexp.MustCompile(`"paymentID":\s*"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"`)
	p.secret = regexp.MustCompile(`"secret_key":\s*"([^"\\]*)"`)
	return p
})

type span struct {
	start, end int
	kind       slotKind
}

// compile finds the values to regenerate. Rules (documented in docs/samples.md):
// every RFC 3339 timestamp; every 10-character token of capitals and digits
// holding both (LiveChat chat, thread and event-id prefixes); webhook_id;
// App Webhooks' paymentID; secret_key.
func compile(raw []byte) (*template, error) {
	if !json.Valid(raw) {
		return nil, fmt.Errorf("not valid JSON")
	}
	spans := findSpans(raw)
	tp := &template{size: len(raw)}
	seen := map[string]int{}
	pos := 0
	for _, s := range spans {
		if s.start < pos { // overlapping match (a token inside a timestamp): skip
			continue
		}
		orig := string(raw[s.start:s.end])
		idx, ok := seen[orig]
		if !ok || s.kind == slotSecret {
			v := value{kind: s.kind, orig: orig}
			if s.kind == slotTime {
				t, layout, err := parseTime(orig)
				if err != nil {
					return nil, err
				}
				v.t, v.layout = t, layout
				if !scheduled(raw, s.start) && t.After(tp.latest) {
					tp.latest = t
				}
			}
			idx = len(tp.values)
			tp.values = append(tp.values, v)
			seen[orig] = idx
		}
		tp.lits = append(tp.lits, raw[pos:s.start])
		tp.slots = append(tp.slots, slot{kind: s.kind, value: idx})
		pos = s.end
	}
	tp.lits = append(tp.lits, raw[pos:])
	if tp.latest.IsZero() { // only scheduled dates: anchor on the newest of them
		for _, v := range tp.values {
			if v.kind == slotTime && v.t.After(tp.latest) {
				tp.latest = v.t
			}
		}
	}
	return tp, nil
}

// findSpans lists the places in raw that compile's rules regenerate, in
// order of their start (overlaps included).
func findSpans(raw []byte) []span {
	var spans []span
	re := patterns()
	for _, m := range re.time.FindAllIndex(raw, -1) {
		spans = append(spans, span{m[0], m[1], slotTime})
	}
	for _, m := range re.token.FindAllSubmatchIndex(raw, -1) {
		if isMixedToken(raw[m[2]:m[3]]) {
			spans = append(spans, span{m[2], m[3], slotToken})
		}
	}
	for _, keyed := range []struct {
		re *regexp.Regexp
		k  slotKind
	}{{re.hexKey, slotHex32}, {re.uuidKey, slotUUID}, {re.secret, slotSecret}} {
		for _, m := range keyed.re.FindAllSubmatchIndex(raw, -1) {
			spans = append(spans, span{m[2], m[3], keyed.k})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	return spans
}

// scheduledKeys name timestamps that lie in the future of the event (monday's
// subscription renewal date). They keep their distance from the event time
// instead of becoming "now" themselves.
var scheduledKeys = []string{`"renewal_date"`}

// scheduled reports whether the timestamp string starting at raw[start] is
// the value of one of scheduledKeys.
func scheduled(raw []byte, start int) bool {
	i := start - 1 // the opening quote
	for i > 0 && (raw[i-1] == ' ' || raw[i-1] == '\t' || raw[i-1] == '\n' || raw[i-1] == '\r' || raw[i-1] == ':') {
		i--
	}
	for _, k := range scheduledKeys {
		if i >= len(k) && string(raw[i-len(k):i]) == k {
			return true
		}
	}
	return false
}

func isMixedToken(b []byte) bool {
	var letter, digit bool
	for _, c := range b {
		if c >= '0' && c <= '9' {
			digit = true
		} else {
			letter = true
		}
	}
	return letter && digit
}

func parseTime(s string) (time.Time, string, error) {
	layout := "2006-01-02T15:04:05"
	if i := bytes.IndexByte([]byte(s), '.'); i >= 0 {
		n := 0
		for j := i + 1; j < len(s) && s[j] >= '0' && s[j] <= '9'; j++ {
			n++
		}
		layout += "." + string(bytes.Repeat([]byte("0"), n))
	}
	if s[len(s)-1] == 'Z' {
		layout += "Z07:00"
	} else {
		layout += "-07:00"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("timestamp %q: %w", s, err)
	}
	return t, layout, nil
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
const hexDigits = "0123456789abcdef"

// fill writes one fresh body. Random draws happen under the lock; the
// formatting does not need it.
func (g *Generator) fill(tp *template, secret string, dst []byte) []byte {
	var buf [16]uint64
	draws := buf[:0]
	if n := len(tp.values); n > len(buf) {
		draws = make([]uint64, 0, n)
	}
	g.mu.Lock()
	for range tp.values {
		draws = append(draws, g.rnd.Uint64())
	}
	draws2 := g.rnd.Uint64()
	g.mu.Unlock()
	now := tp.latest.UTC() // seeded: the sample's own times
	if g.now != nil {
		now = g.now().UTC()
	}
	if dst == nil {
		dst = make([]byte, 0, tp.size+len(secret)+64)
	}
	var secretJSON []byte
	for i, s := range tp.slots {
		dst = append(dst, tp.lits[i]...)
		v := tp.values[s.value]
		r := draws[s.value]
		switch v.kind {
		case slotToken:
			dst = appendToken(dst, r)
		case slotHex32:
			dst = appendHex(dst, r, 16)
			dst = appendHex(dst, r^draws2*0x9e3779b97f4a7c15, 16)
		case slotUUID:
			dst = appendUUID(dst, r, r^draws2)
		case slotTime:
			t := now.Add(-tp.latest.Sub(v.t))
			if v.layout[len(v.layout)-6] != 'Z' { // keep a numeric offset's zone
				t = t.In(v.t.Location())
			}
			dst = t.AppendFormat(dst, v.layout)
		case slotSecret:
			if secret == "" {
				dst = append(dst, v.orig...)
				break
			}
			if secretJSON == nil {
				secretJSON = jsonStringBody(secret)
			}
			dst = append(dst, secretJSON...)
		}
	}
	return append(dst, tp.lits[len(tp.lits)-1]...)
}

func appendToken(dst []byte, r uint64) []byte {
	// Keep the mixed shape (letters and digits) the samples' ids have.
	var b [10]byte
	for i := range b {
		b[i] = tokenAlphabet[r%36]
		r /= 36
	}
	b[0] = tokenAlphabet[int(b[0])%26]    // a letter first
	b[9] = tokenAlphabet[26+int(b[9])%10] // a digit last
	return append(dst, b[:]...)
}

func appendHex(dst []byte, r uint64, n int) []byte {
	for i := 0; i < n; i++ {
		dst = append(dst, hexDigits[r&0xf])
		r >>= 4
	}
	return dst
}

func appendUUID(dst []byte, a, b uint64) []byte {
	dst = appendHex(dst, a, 8)
	dst = append(dst, '-')
	dst = appendHex(dst, a>>32, 4)
	dst = append(dst, '-', '4')
	dst = appendHex(dst, a>>48, 3)
	dst = append(dst, '-', hexDigits[8+b&0x3])
	dst = appendHex(dst, b>>2, 3)
	dst = append(dst, '-')
	return appendHex(dst, b>>14, 12)
}

func jsonStringBody(s string) []byte {
	b, _ := json.Marshal(s)
	return b[1 : len(b)-1]
}
