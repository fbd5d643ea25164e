package listener

import (
	"hash/maphash"
	"time"
)

// DuplicateLimit is the most bodies the duplicate index remembers. Past it
// the oldest part of the window is forgotten first, so a flood of distinct
// bodies costs at most a few MiB and a retry of a recent one is still seen.
const DuplicateLimit = 100_000

// dupBuckets splits DuplicateWindow into this many generations. Forgetting
// is dropping the oldest generation's map: no scan of the whole index on
// the hot path, and never more than one map allocation per generation.
const dupBuckets = 8

// dedupe remembers hashes of recent bodies in time-sliced generations.
// Only the consumer goroutine uses it.
type dedupe struct {
	seed  maphash.Seed
	span  int64 // nanoseconds per generation
	limit int
	gens  [dupBuckets]dupGen
	head  int // index of the newest generation
	total int
}

type dupGen struct {
	start int64
	seen  map[uint64]int64
}

func newDedupe(limit int) *dedupe {
	if limit <= 0 {
		limit = DuplicateLimit
	}
	d := &dedupe{seed: maphash.MakeSeed(), span: int64(DuplicateWindow) / dupBuckets, limit: limit}
	return d
}

// hash is what the index keeps of body. It reads only the seed, so the
// handler computes it while the body is still in its core's cache: in the
// consumer, often on the other core, the body had to be fetched again
// (under bench/recv.sh's load the hash cost 0.35 µs a request there,
// 0.23 µs in the handler; bench/recv-results.md).
func (d *dedupe) hash(body []byte) uint64 { return maphash.Bytes(d.seed, body) }

// seen records the body whose hash is h at now and reports whether the
// same body arrived within DuplicateWindow before.
func (d *dedupe) seen(h uint64, now time.Time) bool {
	t := now.UnixNano()
	dup := false
	for i := range d.gens {
		g := &d.gens[i]
		if g.seen == nil {
			continue
		}
		if prev, ok := g.seen[h]; ok && t-prev <= int64(DuplicateWindow) && t >= prev {
			dup = true
			break
		}
	}
	d.rotate(t)
	g := &d.gens[d.head]
	if _, ok := g.seen[h]; !ok {
		d.total++
	}
	g.seen[h] = t
	for d.total > d.limit {
		d.dropOldest()
	}
	return dup
}

// rotate starts a new generation when the newest is older than one span,
// dropping generations that have left the window.
func (d *dedupe) rotate(t int64) {
	g := &d.gens[d.head]
	if g.seen != nil && t-g.start < d.span && t >= g.start {
		return
	}
	if g.seen != nil {
		d.head = (d.head + 1) % dupBuckets
	}
	d.drop(d.head)
	d.gens[d.head] = dupGen{start: t, seen: make(map[uint64]int64, 64)}
	for i := range d.gens {
		if g := &d.gens[i]; g.seen != nil && i != d.head && t-g.start > int64(DuplicateWindow)+d.span {
			d.drop(i)
		}
	}
}

func (d *dedupe) drop(i int) {
	d.total -= len(d.gens[i].seen)
	d.gens[i] = dupGen{}
}

// dropOldest forgets the oldest generation; when only the newest is left
// it is cleared (the limit is then smaller than one generation's traffic).
func (d *dedupe) dropOldest() {
	for k := 1; k < dupBuckets; k++ {
		i := (d.head + k) % dupBuckets
		if d.gens[i].seen != nil {
			d.drop(i)
			return
		}
	}
	n := len(d.gens[d.head].seen)
	d.total -= n
	clear(d.gens[d.head].seen)
}

// size is how many bodies are remembered (tests).
func (d *dedupe) size() int { return d.total }
