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
// messages instead of one per event.
func (f *feed) pause(r *http.Request) {
	if f.s.cfg.FlushEvery <= 0 {
		return
	}
	t := time.NewTimer(f.s.cfg.FlushEvery)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-f.s.base.Done():
	}
}

// send writes everything after the cursor and returns the channel that
// says more came.
func (f *feed) send() (<-chan struct{}, error) {
	cs, lost, last, wake := f.s.hub.since(f.cursor, math.MaxInt)
	if f.cursor > last {
		// An id this feed never gave (the inspector was restarted):
		// the page starts over.
		if err := f.message(0, "reset", map[string]any{"reason": "unknown Last-Event-ID", "last_id": last}); err != nil {
			return nil, err
		}
		f.cursor = 0
		cs, _, _, wake = f.s.hub.since(0, math.MaxInt)
		lost = false // the page starts over: it knows nothing to miss
		if len(cs) > 0 {
			f.cursor = cs[0].seq - 1
		}
	}
	if lost {
		oldest := f.cursor + 1
		if len(cs) > 0 {
			oldest = cs[0].seq
		}
		if err := f.message(oldest-1, "lost", map[string]any{"from": f.cursor + 1, "to": oldest - 1}); err != nil {
			return nil, err
		}
		f.cursor = oldest - 1
	}
	if !f.all && len(cs) > f.s.cfg.BatchLimit {
		skip := cs[:len(cs)-f.s.cfg.BatchLimit]
		if err := f.skipped(skip); err != nil {
			return nil, err
		}
		cs = cs[len(skip):]
	}
	for len(cs) > 0 {
		n := min(len(cs), f.s.cfg.BatchLimit)
		if err := f.rows(cs[:n]); err != nil {
			return nil, err
		}
		cs = cs[n:]
	}
	return wake, nil
}

// skipped announces changes the page is not sent row by row: the ids of
// the events they added, which it can ask /api/events for.
func (f *feed) skipped(cs []change) error {
	var first, lastID uint64
	n := 0
	for _, c := range cs {
		if !c.new {
			continue
		}
		if first == 0 {
			first = c.id
		}
		lastID = c.id
		n++
	}
	seq := cs[len(cs)-1].seq
	f.cursor = seq
	return f.message(seq, "skipped", map[string]any{"first_id": first, "last_id": lastID, "count": n})
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
