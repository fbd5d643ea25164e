package inspector

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// heartbeat keeps idle feeds (and proxies in between) from timing out.
const heartbeat = 15 * time.Second

// feed is one client of GET /api/stream.
type feed struct {
	s      *Server
	w      io.Writer
	flush  func() error
	cursor uint64 // the last change seq sent
	all    bool   // every row, never "skipped" (scripts)
	// flooded is set when the last message skipped rows: the next one
	// waits FloodEvery.
	flooded bool
	// lastID and lastN are the id and arrival number of the newest event
	// the feed has sent or announced as skipped; sent says it has sent
	// something since it connected.
	lastID, lastN uint64
	sent          bool
}

// handleStream is the live feed: server-sent events, one message per
// batch of changes with the last change's seq as its id. A reconnect with
// Last-Event-ID (or ?after=) resumes after it: no change is sent twice and
// none is missed while the change log still holds it.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	cursor, err := resumePoint(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	f := &feed{s: s, w: w, flush: rc.Flush, cursor: cursor, all: r.URL.Query().Get("all") == "1"}
	if cursor > 0 && cursor <= s.hub.lastSeq() {
		// The reader holds the events up to its resume point.
		f.lastID, f.lastN = cursor, s.hub.arrivals(cursor)
	}
	s.feeds.Add(1)
	defer s.feeds.Add(-1)
	_ = f.run(r)
}

func resumePoint(r *http.Request) (uint64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("after")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("Last-Event-ID (or after) %q is not an event id of this feed", v)
	}
	return n, nil
}

func (f *feed) run(r *http.Request) error {
	if _, err := io.WriteString(f.w, "retry: 2000\n: lcwh inspector feed\n\n"); err != nil {
		return err
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		wake, err := f.send()
		if err != nil {
			return err
		}
		if err := f.flush(); err != nil {
			return err
		}
		select {
		case <-wake:
		case <-tick.C:
			if _, err := io.WriteString(f.w, ": ping\n\n"); err != nil {
				return err
			}
			continue
		case <-r.Context().Done():
			return nil
		case <-f.s.base.Done():
			return nil
		}
		f.pause(r)
	}
}

// pause lets changes gather for FlushEvery, so a burst goes out in a few
// messages instead of one per event; during a flood, for FloodEvery.
func (f *feed) pause(r *http.Request) {
	d := f.wait()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-f.s.base.Done():
	}
}

// wait is how long the next message waits for more changes.
func (f *feed) wait() time.Duration {
	if f.flooded {
		return f.s.cfg.FloodEvery
	}
	return f.s.cfg.FlushEvery
}

// send writes everything after the cursor and returns the channel that
// says more came.
func (f *feed) send() (<-chan struct{}, error) {
	cs, lost, last, wake := f.s.hub.since(f.cursor, math.MaxInt)
	if f.cursor > last {
		var err error
		if cs, wake, err = f.reset(last); err != nil {
			return nil, err
		}
		lost = false // the page starts over: it knows nothing to miss
	}
	behind := lost && !f.all && f.sent
	if lost && !behind {
		if err := f.lost(cs); err != nil {
			return nil, err
		}
	}
	// A page that fell behind while it paused in a flood is told what it
	// missed as skipped, like rows one message cannot carry: a reload of
	// its whole list would cost more than the flood itself.
	f.flooded = !f.all && (behind || len(cs) > f.s.cfg.BatchLimit)
	if f.flooded {
		keep := cs[max(0, len(cs)-f.s.cfg.FloodRows):]
		if err := f.skipped(cs[:len(cs)-len(keep)], keep, behind); err != nil {
			return nil, err
		}
		cs = keep
	}
	f.sent = true
	for len(cs) > 0 {
		n := min(len(cs), f.s.cfg.BatchLimit)
		if err := f.rows(cs[:n]); err != nil {
			return nil, err
		}
		cs = cs[n:]
	}
	return wake, nil
}

// reset answers an id this feed never gave (the inspector was restarted):
// the page starts over with everything kept.
func (f *feed) reset(last uint64) ([]change, <-chan struct{}, error) {
	if err := f.message(0, "reset", map[string]any{"reason": "unknown Last-Event-ID", "last_id": last}); err != nil {
		return nil, nil, err
	}
	f.cursor = 0
	cs, _, _, wake := f.s.hub.since(0, math.MaxInt)
	if len(cs) > 0 {
		f.cursor = cs[0].seq - 1
	}
	return cs, wake, nil
}

// lost tells a reader resuming from further back than the change log
// holds which positions it cannot have.
func (f *feed) lost(cs []change) error {
	oldest := f.cursor + 1
	if len(cs) > 0 {
		oldest = cs[0].seq
	}
	if err := f.message(oldest-1, "lost", map[string]any{"from": f.cursor + 1, "to": oldest - 1}); err != nil {
		return err
	}
	f.cursor = oldest - 1
	return nil
}

// skipped announces the events the page is not sent row by row, from
// the one after the newest it has to the one before the first row kept:
// their ids, which it can ask /api/events for, and how many arrived; and
// whether rows it holds may have changed unseen (stale).
func (f *feed) skipped(skip, keep []change, behind bool) error {
	first, last := f.skippedRange(skip, keep)
	switch {
	case len(skip) > 0:
		f.cursor = skip[len(skip)-1].seq
	case len(keep) > 0:
		f.cursor = keep[0].seq - 1
	}
	// Updates (a forward result, a replay) of rows the page already holds
	// are skipped too, or lost with the log when it fell behind: then the
	// page is told its rows are stale, so it fetches them again once the
	// flood is over instead of showing them pending.
	stale := behind
	for _, c := range skip {
		stale = stale || !c.new
	}
	upTo := f.s.hub.arrivals(last)
	m := map[string]any{}
	if stale {
		m["stale"] = true
	}
	switch {
	case first != 0 && last >= first && upTo > f.lastN:
		m["first_id"], m["last_id"], m["count"] = first, last, upTo-f.lastN
		f.lastID, f.lastN = last, upTo
	case stale:
		m["count"] = 0
	default:
		return nil
	}
	return f.message(f.cursor, "skipped", m)
}

// skippedRange is the ids of the new events skipped: from the one after
// the newest the page has to the one before the first new row kept.
func (f *feed) skippedRange(skip, keep []change) (first, last uint64) {
	first = f.lastID + 1
	if f.lastN == 0 {
		first = 0
		for _, c := range skip {
			if c.new {
				first = c.id
				break
			}
		}
	}
	for _, c := range keep {
		if c.new {
			last = c.id - 1
			break
		}
	}
	for i := len(skip) - 1; last == 0 && i >= 0; i-- {
		if skip[i].new {
			last = skip[i].id
		}
	}
	if last == 0 {
		// Only updates were skipped or kept (any event missed while
		// behind is older than what the feed still holds): up to now.
		_, _, last, _ = f.s.hub.counts()
	}
	return first, last
}

func (f *feed) rows(cs []change) error {
	out := make([]rowJSON, 0, len(cs))
	for _, c := range cs {
		e, fw := f.s.hub.get(c.id)
		if e == nil {
			continue // dropped meanwhile
		}
		rw := row(view{e, fw})
		rw.Update = !c.new
		out = append(out, rw)
		if c.new {
			f.lastID, f.lastN = e.id, e.n
		}
	}
	seq := cs[len(cs)-1].seq
	f.cursor = seq
	return f.message(seq, "events", map[string]any{"events": out})
}

// message writes one server-sent event; id 0 writes none.
func (f *feed) message(id uint64, event string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	buf := make([]byte, 0, len(b)+64)
	if id != 0 {
		buf = append(buf, "id: "...)
		buf = strconv.AppendUint(buf, id, 10)
		buf = append(buf, '\n')
	}
	buf = append(buf, "event: "...)
	buf = append(buf, event...)
	buf = append(buf, "\ndata: "...)
	buf = append(buf, b...)
	buf = append(buf, "\n\n"...)
	_, err = f.w.Write(buf)
	return err
}
