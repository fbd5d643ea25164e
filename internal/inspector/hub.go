package inspector

import (
	"sort"
	"sync"
)

// Defaults of the hub's bounds.
const (
	// DefaultMaxEvents is how many events the inspector keeps in memory;
	// older ones are dropped (they stay in the --save file).
	DefaultMaxEvents = 10000
	// DefaultMaxBytes bounds the bodies it keeps, whichever bound comes first.
	DefaultMaxBytes = 128 << 20
)

// change is one entry of the change log the live feed is read from: a new
// entry, or a forward result attached to one. Its seq is the feed's
// event id.
type change struct {
	seq uint64
	id  uint64 // the entry's id
	new bool   // the entry was added (else its forward result came)
}

// slot is one place of the ring: the entry and what evicting it needs,
// so letting the oldest go reads no cold entry.
type slot struct {
	e    *entry
	size int64
	seq  uint64
}

// hub holds the last events and the log of changes to them. Adding is
// O(1) under a short lock, so the display
// goroutine that feeds it never waits on a reader of the page.
type hub struct {
	maxEvents int
	maxBytes  int64

	mu sync.Mutex
	// ring holds the kept entries, oldest at head, ids increasing: a
	// fixed array, so adding past the bound overwrites instead of moving.
	ring    []slot
	head, n int
	bytes   int64
	dropped uint64 // entries evicted so far
	added   uint64 // entries added so far
	log     []change
	logHead int // index of the oldest change in log (a ring once full)
	seq     uint64
	wake    chan struct{} // closed at the next change, if a feed took it
	// taken says wake was handed to a feed since the last change: only
	// then is it closed and replaced (no allocation per event while the
	// feeds pause between messages).
	taken bool
	// bySeq finds entries by listener sequence number for their forward
	// results (only when forwarding: the listener emits events in queue
	// order, which is not always seq order under concurrent requests).
	bySeq map[uint64]*entry
}

func newHub(maxEvents int, maxBytes int64, forwarding bool) *hub {
	if maxEvents <= 0 {
		maxEvents = DefaultMaxEvents
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	h := &hub{maxEvents: maxEvents, maxBytes: maxBytes, wake: make(chan struct{}), ring: make([]slot, maxEvents)}
	if forwarding {
		h.bySeq = map[uint64]*entry{}
	}
	return h
}

// logCap is the change log's size: room for every kept entry and one
// forward result each.
func (h *hub) logCap() int { return 2 * h.maxEvents }

// add publishes e, giving it its id.
func (h *hub) add(e *entry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	h.added++
	e.id, e.n = h.seq, h.added
	for h.n == h.maxEvents || (h.n > 0 && h.bytes+e.size() > h.maxBytes) {
		h.evict()
	}
	size := e.size()
	h.ring[(h.head+h.n)%len(h.ring)] = slot{e: e, size: size, seq: e.seq}
	h.n++
	h.bytes += size
	if h.bySeq != nil && e.seq != 0 {
		h.bySeq[e.seq] = e
	}
	h.record(change{seq: h.seq, id: e.id, new: true})
}

// evict lets the oldest entry go; h.mu is held.
func (h *hub) evict() {
	old := h.ring[h.head]
	h.bytes -= old.size
	if h.bySeq != nil {
		delete(h.bySeq, old.seq)
	}
	h.ring[h.head] = slot{}
	h.head = (h.head + 1) % len(h.ring)
	h.n--
	h.dropped++
}

// at is the i-th kept entry, oldest first; h.mu is held.
func (h *hub) at(i int) *entry { return h.ring[(h.head+i)%len(h.ring)].e }

// find is the index of the first kept entry with an id above id; h.mu is held.
func (h *hub) find(id uint64) int {
	return sort.Search(h.n, func(i int) bool { return h.at(i).id > id })
}

// attach sets the forward result of the entry with the listener sequence
// number seq; a result for an entry no longer kept is dropped.
func (h *hub) attach(seq uint64, f *forward) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.bySeq[seq]
	if !ok {
		return
	}
	e.fwd = f
	h.seq++
	h.record(change{seq: h.seq, id: e.id})
}

// record appends c to the change log and wakes the feeds; h.mu is held.
func (h *hub) record(c change) {
	if len(h.log) < h.logCap() {
		h.log = append(h.log, c)
	} else {
		h.log[h.logHead] = c
		h.logHead = (h.logHead + 1) % len(h.log)
	}
	if h.taken {
		close(h.wake)
		h.wake, h.taken = make(chan struct{}), false
	}
}

// since returns the changes after seq (at most limit, the oldest first),
// whether changes after seq were already dropped from the log, the last
// seq and a channel closed at the next change.
func (h *hub) since(after uint64, limit int) (cs []change, lost bool, last uint64, wake <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(h.log)
	last, wake, h.taken = h.seq, h.wake, true
	if n == 0 || after >= h.seq {
		return nil, false, last, wake
	}
	oldest := h.log[h.logHead].seq
	if after+1 < oldest {
		lost, after = true, oldest-1
	}
	// Change seqs are contiguous in the log: index by offset (after+1 is
	// at least oldest here, and within the log's n entries).
	for off := int(after + 1 - oldest); off < n && len(cs) < limit; off++ { //nolint:gosec // under n, see above
		cs = append(cs, h.log[(h.logHead+off)%n])
	}
	return cs, lost, last, wake
}

// arrivals is how many entries were added with an id up to id: exact
// from the oldest kept entry on; below it, the number dropped.
func (h *hub) arrivals(id uint64) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := h.find(id)
	if i == 0 {
		return min(h.dropped, id)
	}
	return h.at(i - 1).n
}

// get returns the entry with id and its forward result.
func (h *hub) get(id uint64) (*entry, *forward) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if id == 0 {
		return nil, nil
	}
	i := h.find(id - 1)
	if i == h.n || h.at(i).id != id {
		return nil, nil
	}
	e := h.at(i)
	return e, e.fwd
}

// view is an entry with its forward result as read at one moment.
type view struct {
	*entry
	fwd *forward
}

// snapshot returns the kept entries (oldest first) with their forward
// results, and how many were dropped before them.
func (h *hub) snapshot() ([]view, uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]view, h.n)
	for i := range out {
		e := h.at(i)
		out[i] = view{e, e.fwd}
	}
	return out, h.dropped
}

// counts returns how many entries are kept, the range of their ids, and
// how many were dropped.
func (h *hub) counts() (kept int, oldest, newest, dropped uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n > 0 {
		oldest, newest = h.at(0).id, h.at(h.n-1).id
	}
	return h.n, oldest, newest, h.dropped
}

// lastSeq is the seq of the last change.
func (h *hub) lastSeq() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}
