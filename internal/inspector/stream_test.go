package inspector

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/listener"
)

// collect reads feed messages until it has seen the event rows of ids up
// to last, returning every row's id in order and the last message id.
func collect(t *testing.T, s *sseReader, last uint64) ([]uint64, string) {
	t.Helper()
	var ids []uint64
	var lastID string
	for len(ids) == 0 || ids[len(ids)-1] < last {
		m := s.next(t)
		if m.event != "events" {
			t.Fatalf("unexpected %s message: %s", m.event, m.data)
		}
		lastID = m.id
		for _, r := range rowsOf(t, m) {
			if !r.Update {
				ids = append(ids, r.ID)
			}
		}
	}
	return ids, lastID
}

func want(from, to uint64) []uint64 {
	var out []uint64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func equalIDs(t *testing.T, what string, got, want []uint64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d ids, want %d: %v", what, len(got), len(want), got)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: id %d at %d, want %d (gap or duplicate): %v", what, got[i], i, want[i], got)
		}
	}
}

// TestStreamResumes: a feed that drops and reconnects with Last-Event-ID
// gets every event once, in order: no gap, no duplicate, including events
// that arrived while it was away.
func TestStreamResumes(t *testing.T) {
	for _, all := range []string{"", "?all=1"} {
		t.Run("query "+all, func(t *testing.T) {
			ts := start(t, Config{Live: true})
			for i := uint64(1); i <= 20; i++ {
				ts.Add(sample(t, i, "incoming_event"))
			}
			s := ts.stream(all, "")
			first, lastID := collect(t, s, 20)
			equalIDs(t, "first connection", first, want(1, 20))
			for i := uint64(21); i <= 25; i++ {
				ts.Add(sample(t, i, "incoming_event"))
			}
			more, _ := collect(t, s, 25)
			equalIDs(t, "live", more, want(21, 25))
			s.stop()
			// Gone; events arrive meanwhile; back with the last id it saw
			// before the live ones (as a browser that missed them would).
			for i := uint64(26); i <= 40; i++ {
				ts.Add(sample(t, i, "incoming_event"))
			}
			s2 := ts.stream(all, lastID)
			again, _ := collect(t, s2, 40)
			equalIDs(t, "resumed after "+lastID, again, want(21, 40))
		})
	}
}

// TestStreamAfterQuery: ?after= (the page's first connection) is the
// same resume point as Last-Event-ID, and the header wins.
func TestStreamAfterQuery(t *testing.T) {
	ts := start(t, Config{Live: true})
	for i := uint64(1); i <= 10; i++ {
		ts.Add(sample(t, i, "incoming_chat"))
	}
	got, _ := collect(t, ts.stream("?after=7", ""), 10)
	equalIDs(t, "after=7", got, want(8, 10))
	got, _ = collect(t, ts.stream("?after=2", "5"), 10)
	equalIDs(t, "header 5 over after=2", got, want(6, 10))
	if code, _, _ := ts.do(ts.req(http.MethodGet, "/api/stream?after=x", "")); code != 400 {
		t.Errorf("after=x: %d, want 400", code)
	}
}

// TestLiveFeedsCounted: /api/info says how many feeds are open (scripts
// such as bench/web.sh wait for the page on it).
func TestLiveFeedsCounted(t *testing.T) {
	ts := start(t, Config{Live: true})
	var info infoJSON
	ts.getJSON("/api/info", &info)
	if info.LiveFeeds != 0 {
		t.Fatalf("live_feeds %d before any feed", info.LiveFeeds)
	}
	a, b := ts.stream("", ""), ts.stream("?all=1", "")
	defer a.stop()
	defer b.stop()
	ts.getJSON("/api/info", &info)
	if info.LiveFeeds != 2 {
		t.Errorf("live_feeds %d with two feeds open, want 2", info.LiveFeeds)
	}
}

// TestStreamForwardUpdates: a forward result comes as an update of its row.
func TestStreamForwardUpdates(t *testing.T) {
	ts := start(t, Config{Live: true, Routes: []listener.Route{{URL: "http://127.0.0.1:3000/"}}})
	s := ts.stream("", "")
	ev := sample(t, 7, "incoming_chat")
	ts.Add(ev)
	if rows := rowsOf(t, s.next(t)); len(rows) != 1 || rows[0].Forward != nil || rows[0].Update {
		t.Fatalf("new row %+v", rows)
	}
	ts.AddForward(&listener.ForwardResult{Event: ev, URL: "http://127.0.0.1:3000/", Status: 201, Latency: time.Millisecond})
	m := s.next(t)
	rows := rowsOf(t, m)
	if len(rows) != 1 || !rows[0].Update || rows[0].ID != 1 || rows[0].Forward == nil || rows[0].Forward.Status != 201 || m.id != "2" {
		t.Fatalf("update %s: %+v", m.id, rows)
	}
}

// TestStreamBeyondMemory: a reconnect from further back than the change
// log holds is told what was lost, then gets what is kept; an id from
// another run resets the page.
func TestStreamBeyondMemory(t *testing.T) {
	ts := start(t, Config{Live: true, MaxEvents: 5})
	for i := uint64(1); i <= 30; i++ {
		ts.Add(sample(t, i, "incoming_chat"))
	}
	s := ts.stream("", "3")
	m := s.next(t)
	var lost struct{ From, To uint64 }
	if err := json.Unmarshal([]byte(m.data), &lost); err != nil || m.event != "lost" || lost.From != 4 || lost.To != 20 || m.id != "20" {
		t.Fatalf("%s %s %s", m.event, m.id, m.data)
	}
	got, _ := collect(t, s, 30)
	equalIDs(t, "after the loss", got, want(26, 30)) // changes 21-25 name events no longer kept
	r := ts.stream("", "999")
	if m := r.next(t); m.event != "reset" || m.id != "" {
		t.Fatalf("unknown id: %s %s", m.event, m.data)
	}
	got, _ = collect(t, r, 30)
	equalIDs(t, "after the reset", got, want(26, 30))
}

// TestStreamSkipsFloodsForThePage: more arrivals than one message carries
// are announced as skipped (the page loads them on demand); ?all=1 gets
// every row.
func TestStreamSkipsFloodsForThePage(t *testing.T) {
	ts := start(t, Config{Live: true, BatchLimit: 10})
	for i := uint64(1); i <= 35; i++ {
		ts.Add(sample(t, i, "incoming_chat"))
	}
	s := ts.stream("", "")
	m := s.next(t)
	var sk struct {
		FirstID uint64 `json:"first_id"`
		LastID  uint64 `json:"last_id"`
		Count   uint64 `json:"count"`
	}
	_ = json.Unmarshal([]byte(m.data), &sk)
	if m.event != "skipped" || sk.FirstID != 1 || sk.LastID != 25 || sk.Count != 25 || m.id != "25" {
		t.Fatalf("%s %s %s", m.event, m.id, m.data)
	}
	got, _ := collect(t, s, 35)
	equalIDs(t, "after the skip", got, want(26, 35))
	all, _ := collect(t, ts.stream("?all=1", ""), 35)
	equalIDs(t, "all=1", all, want(1, 35))
}

// TestFloodSendsTheNewest: a flood's message carries the FloodRows newest
// rows; a burst within BatchLimit comes whole.
func TestFloodSendsTheNewest(t *testing.T) {
	ts := start(t, Config{Live: true, BatchLimit: 10, FloodRows: 4})
	for i := uint64(1); i <= 10; i++ {
		ts.Add(sample(t, i, "incoming_chat"))
	}
	got, _ := collect(t, ts.stream("", ""), 10)
	equalIDs(t, "a burst of BatchLimit", got, want(1, 10))
	for i := uint64(11); i <= 35; i++ {
		ts.Add(sample(t, i, "incoming_chat"))
	}
	s := ts.stream("?after=10", "")
	if m := s.next(t); m.event != "skipped" || m.data != `{"count":21,"first_id":11,"last_id":31}` {
		t.Fatalf("%s %s", m.event, m.data)
	}
	got, _ = collect(t, s, 35)
	equalIDs(t, "the flood's newest", got, want(32, 35))
}

// TestFloodSlowsThePage: after a message that had to skip rows the page's
// feed waits FloodEvery before the next (so a flood redraws the page about
// once a second); a calm message, and any message of ?all=1, FlushEvery.
func TestFloodSlowsThePage(t *testing.T) {
	s, err := New(Config{Live: true, BatchLimit: 10, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if s.cfg.FlushEvery != 100*time.Millisecond || s.cfg.FloodEvery != time.Second {
		t.Fatalf("defaults: flush %v, flood %v", s.cfg.FlushEvery, s.cfg.FloodEvery)
	}
	add := func(n int) {
		for range n {
			s.Add(event(1, []byte(`{"action":"incoming_chat"}`)))
		}
	}
	var page, script bytes.Buffer
	pf := &feed{s: s, w: &page}
	sf := &feed{s: s, w: &script, all: true}
	steps := []struct {
		add              int
		pageWait, script time.Duration
	}{
		{5, 100 * time.Millisecond, 100 * time.Millisecond},
		{11, time.Second, 100 * time.Millisecond},
		{10, 100 * time.Millisecond, 100 * time.Millisecond},
	}
	for i, st := range steps {
		add(st.add)
		for _, f := range []*feed{pf, sf} {
			if _, err := f.send(); err != nil {
				t.Fatal(err)
			}
		}
		if got := pf.wait(); got != st.pageWait {
			t.Errorf("step %d (%d new): the page waits %v, want %v", i, st.add, got, st.pageWait)
		}
		if got := sf.wait(); got != st.script {
			t.Errorf("step %d: ?all=1 waits %v, want %v", i, got, st.script)
		}
	}
	if !strings.Contains(page.String(), "event: skipped") || strings.Contains(script.String(), "event: skipped") {
		t.Errorf("the page's feed skips, ?all=1's does not:\n%s", page.String())
	}
}

// TestPageBehindInAFlood: a connected page whose feed paused while more
// changes came than the change log holds is told what it missed as
// skipped (first and last id, exact count), then gets the newest rows; it
// is not sent "lost", which would make it reload its whole list.
func TestPageBehindInAFlood(t *testing.T) {
	s, err := New(Config{Live: true, MaxEvents: 5, BatchLimit: 3, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	add := func(n int) {
		for range n {
			s.Add(event(1, []byte(`{"action":"incoming_chat"}`)))
		}
	}
	var out bytes.Buffer
	f := &feed{s: s, w: &out}
	add(2)
	if _, err := f.send(); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	add(30) // ids 3..32; the log (10 changes) holds 23..32
	if _, err := f.send(); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	// Behind, it cannot know which of its rows changed: stale.
	wantSkip := "id: 29\nevent: skipped\ndata: {\"count\":27,\"first_id\":3,\"last_id\":29,\"stale\":true}\n\n"
	if !strings.HasPrefix(got, wantSkip) || strings.Contains(got, "event: lost") {
		t.Fatalf("got:\n%s\nwant it to start with:\n%s", got, wantSkip)
	}
	var ids []uint64
	for _, m := range strings.Split(strings.TrimPrefix(got, wantSkip), "\n") {
		if rest, ok := strings.CutPrefix(m, "data: "); ok {
			var d struct{ Events []rowJSON }
			if err := json.Unmarshal([]byte(rest), &d); err != nil {
				t.Fatal(err)
			}
			for _, r := range d.Events {
				ids = append(ids, r.ID)
			}
		}
	}
	equalIDs(t, "rows after the skip", ids, want(30, 32))
	if f.wait() != s.cfg.FloodEvery {
		t.Errorf("a page behind waits %v, want FloodEvery", f.wait())
	}
}

// TestFloodSaysWhenRowsAreStale: a flood's message skips the forward
// results of rows the page already holds; it says so (stale) so the page
// fetches them again, and says nothing of the kind when none was skipped.
func TestFloodSaysWhenRowsAreStale(t *testing.T) {
	for _, tc := range []struct {
		name    string
		updates bool
		want    string
	}{
		{"new rows only", false, `{"count":7,"first_id":3,"last_id":9}`},
		// Ids count changes, so the two forward results move the ids on.
		{"forward results skipped", true, `{"count":7,"first_id":3,"last_id":11,"stale":true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(Config{Live: true, MaxEvents: 100, BatchLimit: 3, FloodRows: 3, Token: testToken,
				Routes: []listener.Route{{URL: "http://127.0.0.1:9/app"}}})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			f := &feed{s: s, w: &out}
			evs := []*listener.Event{event(1, []byte(`{"action":"incoming_chat"}`)), event(2, []byte(`{"action":"incoming_chat"}`))}
			for _, ev := range evs {
				s.Add(ev)
			}
			if _, err := f.send(); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			if tc.updates {
				for _, ev := range evs {
					s.AddForward(&listener.ForwardResult{Event: ev, Status: 200})
				}
			}
			for i := uint64(3); i <= 12; i++ {
				s.Add(event(i, []byte(`{"action":"incoming_chat"}`)))
			}
			if _, err := f.send(); err != nil {
				t.Fatal(err)
			}
			msgs := parseSSE(t, out.String())
			if len(msgs) == 0 || msgs[0].event != "skipped" || msgs[0].data != tc.want {
				t.Fatalf("first message %+v, want skipped %s", msgs, tc.want)
			}
		})
	}
}

// TestAddNeverWaitsOnTheFeed: a page that stops reading (its socket
// full) holds up nothing: events are still added at once.
func TestAddNeverWaitsOnTheFeed(t *testing.T) {
	ts := start(t, Config{Live: true})
	stalled := ts.stream("?all=1", "") // never read again after the first messages
	_ = stalled
	done := make(chan struct{})
	go func() {
		defer close(done)
		big := make([]byte, 0, 64<<10)
		big = append(big, `{"action":"incoming_event","payload":{"event":{"text":"`...)
		for len(big) < 60<<10 {
			big = append(big, 'x')
		}
		big = append(big, `"}}}`...)
		for i := uint64(1); i <= 3000; i++ {
			ts.Add(event(i, big))
		}
	}()
	<-done // a blocked Add would hang here until the test's deadline
	if _, _, newest, _ := ts.hub.counts(); newest != 3000 {
		t.Fatalf("newest %d, want 3000", newest)
	}
}

// TestTenThousandEvents: the documented bound holds (10,000 kept, older
// dropped, counted) and the whole list pages through without a gap.
func TestTenThousandEvents(t *testing.T) {
	ts := start(t, Config{Live: true})
	body := []byte(`{"action":"incoming_event","webhook_id":"w","payload":{"chat_id":"C","event":{"text":"hi"}}}`)
	for i := uint64(1); i <= DefaultMaxEvents+5; i++ {
		ts.Add(event(i, body))
	}
	var info infoJSON
	ts.getJSON("/api/info", &info)
	if info.Kept != DefaultMaxEvents || info.Dropped != 5 || info.OldestID != 6 || info.NewestID != DefaultMaxEvents+5 {
		t.Fatalf("info %+v", info)
	}
	var ids []uint64
	before := ""
	for {
		var l listJSON
		ts.getJSON("/api/events?limit=1000"+before, &l)
		for _, r := range l.Events {
			ids = append(ids, r.ID)
		}
		if !l.HasMore {
			break
		}
		before = "&before=" + strconv.FormatUint(l.Events[len(l.Events)-1].ID, 10)
	}
	if len(ids) != DefaultMaxEvents || ids[0] != DefaultMaxEvents+5 || ids[len(ids)-1] != 6 {
		t.Fatalf("%d ids, %d…%d", len(ids), ids[0], ids[len(ids)-1])
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1]-1 {
			t.Fatalf("gap at %d: %d then %d", i, ids[i-1], ids[i])
		}
	}
	code, _, b := ts.do(ts.req(http.MethodGet, "/api/events/3", ""))
	if code != 404 || !json.Valid(b) {
		t.Fatalf("a dropped event: %d %s", code, b)
	}
}

// TestByteBound: large bodies are let go by bytes before the count.
func TestByteBound(t *testing.T) {
	ts := start(t, Config{Live: true, MaxBytes: 1 << 20})
	big := make([]byte, 300<<10)
	copy(big, `{"a":"`)
	for i := 6; i < len(big)-2; i++ {
		big[i] = 'x'
	}
	copy(big[len(big)-2:], `"}`)
	for i := uint64(1); i <= 10; i++ {
		ts.Add(event(i, big))
	}
	if kept, oldest, _, dropped := ts.hub.counts(); kept != 3 || oldest != 8 || dropped != 7 {
		t.Fatalf("kept %d from %d, dropped %d; want 3 from 8, 7", kept, oldest, dropped)
	}
}

// parseSSE splits a feed's output into its messages.
func parseSSE(t *testing.T, s string) []sseMsg {
	t.Helper()
	var out []sseMsg
	for _, block := range strings.Split(s, "\n\n") {
		var m sseMsg
		for _, line := range strings.Split(block, "\n") {
			m.field(line)
		}
		if m.event != "" {
			out = append(out, m)
		}
	}
	return out
}
