package listener

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// countingSink records every write; every yieldEvery writes (never when
// 0) it yields, so other committers pile up behind the leader and batches
// of one, shared batches and hand-offs to a waiter all happen in one run.
type countingSink struct {
	yieldEvery int
	mu         sync.Mutex
	buf        bytes.Buffer
	writes     int
}

func (s *countingSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.writes++
	yield := s.yieldEvery > 0 && s.writes%s.yieldEvery == 0
	s.buf.Write(p)
	s.mu.Unlock()
	if yield {
		runtime.Gosched()
	}
	return len(p), nil
}

// TestCommitReusesOnlyUnsharedBatches: the journal reuses a batch that held
// only its leader's record (no waiter ever saw it). Under many concurrent
// committers (run with -race), every record is written exactly once, every
// commit returns, and a reused batch never closes a channel twice (that
// panics).
func TestCommitReusesOnlyUnsharedBatches(t *testing.T) {
	sink := &countingSink{yieldEvery: 3}
	j := newJournal(sink, false, func(Notice) {})
	const workers, each = 16, 300
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := j.commit(fmt.Appendf(nil, "w%02d-%04d\n", w, i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, line := range bytes.Split(bytes.TrimSuffix(sink.buf.Bytes(), []byte("\n")), []byte("\n")) {
		seen[string(line)]++
	}
	if len(seen) != workers*each {
		t.Fatalf("%d distinct records written, want %d", len(seen), workers*each)
	}
	for rec, n := range seen {
		if n != 1 {
			t.Fatalf("record %s written %d times", rec, n)
		}
	}
	if got := j.saved.Load(); got != workers*each {
		t.Errorf("saved %d, want %d", got, workers*each)
	}
	if sink.writes >= workers*each {
		t.Logf("no batch shared a write (%d writes): only the solo path ran", sink.writes)
	}
}

// TestCommitLetsReadyHandlersJoin: a leader lets the handlers that are
// ready to run reach their commit before it writes, so requests that
// arrive together share a write instead of each writing a batch of one.
// On one P the goroutines are ready together and nothing else yields, so
// without that each would write alone.
func TestCommitLetsReadyHandlersJoin(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	sink := &countingSink{} // never yields
	j := newJournal(sink, false, func(Notice) {})
	const n = 32
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.commit(fmt.Appendf(nil, "r%02d\n", i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if lines := bytes.Count(sink.buf.Bytes(), []byte("\n")); lines != n {
		t.Fatalf("%d records written, want %d", lines, n)
	}
	if sink.writes > n/2 {
		t.Errorf("%d writes for %d records arriving together: the leader did not let the others join", sink.writes, n)
	}
	t.Logf("%d records in %d writes", n, sink.writes)
}
