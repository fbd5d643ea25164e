package listener

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ErrStopped is the commit error once the journal has been closed.
var ErrStopped = errors.New("the listener is stopping")

// SinkClosedError says the record sink is gone for good (stdout closed:
// EPIPE), so no later write can succeed.
type SinkClosedError struct{ Err error }

func (e *SinkClosedError) Error() string { return "the event stream was closed: " + e.Err.Error() }
func (e *SinkClosedError) Unwrap() error { return e.Err }

// journal is the group commit in front of the record sink. A handler adds
// its record to the batch being filled; if no write is under way it becomes
// the leader and writes the whole batch with a single Write (and Sync with
// --fsync), otherwise it waits. A leader that finishes writes the batch
// that filled meanwhile too (a few in a row), then hands the next one to one
// of its waiters, so there is no writer goroutine to wake and a batch is
// whatever arrived during the previous write, or was ready to run when a
// write phase began (commit). A request is acknowledged
// only after its record is in the sink, so an event answered 200 survives
// kill -9 (and, with fsync, power loss).
type journal struct {
	sink  io.Writer
	trunc func(int64) error // nil when the sink cannot be truncated
	sync  func() error      // nil unless --fsync
	// size is the sink's length after the last whole record: the point a
	// failed write is truncated back to. Only the leader touches size,
	// dirty and dead.
	size int64
	// dirty is set when a failed write may have left a partial line that
	// could not be truncated; the next write then starts on a new line.
	dirty bool
	// dead is set when the sink can never be written again.
	dead error

	mu    sync.Mutex
	cur   *batch
	spare []byte
	// free is a written batch of one record kept for the next: nobody
	// waited on it, so its channels are as new (a lone request's batch
	// holds one record, and three allocations a request showed in the
	// profile).
	free    *batch
	writing bool
	closed  bool
	idle    chan struct{} // closed when closed and no write is under way

	drop *dropBehind // nil unless the sink is a regular file (Linux)

	saved   atomic.Int64
	refused atomic.Int64
	failing atomic.Bool
	notify  func(Notice)
}

type batch struct {
	// first is the batch's first record, not copied: its handler waits
	// until the batch is written, so the bytes stay put. A batch of one
	// record (a lone request) is written with nothing copied at all; a
	// second record moves first into buf.
	first []byte
	buf   []byte
	n     int
	done  chan struct{}
	// lead hands this batch to one of its waiters to write.
	lead chan struct{}
	err  error
}

func newBatch(buf []byte) *batch {
	return &batch{buf: buf, done: make(chan struct{}), lead: make(chan struct{}, 1)}
}

// maxSpare is the largest batch buffer kept for reuse; a batch that held a
// 10 MiB body gives its buffer back to the GC.
const maxSpare = 1 << 20

// newJournal wraps sink. A sink that is a file (Stat, Truncate) gets exact
// truncation after a failed write; fsync adds Sync after each batch.
func newJournal(sink io.Writer, fsync bool, notify func(Notice)) *journal {
	j := &journal{sink: sink, idle: make(chan struct{}), notify: notify}
	if t, ok := sink.(interface{ Truncate(int64) error }); ok {
		j.trunc = t.Truncate
	}
	if st, ok := sink.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			j.size = fi.Size()
		} else {
			j.trunc = nil // a device or pipe: nothing to truncate back to
		}
	}
	if s, ok := sink.(interface{ Sync() error }); ok && fsync {
		j.sync = s.Sync
	}
	j.cur = newBatch(nil)
	j.drop = newDropBehind(sink)
	return j
}

// commit appends rec (one whole line) to the batch being filled and
// returns once that batch was written, with the write error, if any: the
// caller must then not acknowledge the event.
func (j *journal) commit(rec []byte) error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return ErrStopped
	}
	b := j.cur
	b.add(rec)
	var err error
	if j.writing {
		j.mu.Unlock()
		select {
		case <-b.done:
			err = b.err
		case <-b.lead:
			err = j.lead(b)
		}
	} else {
		j.writing = true
		j.mu.Unlock()
		// Let the handlers that are ready to run reach their commit first:
		// they join b and wait instead of each writing a batch of one. On
		// the bench machine batches went from 1.1 records to 6.6, and the
		// save run from 61k to 71k req/s with a lower p99
		// (bench/recv-results.md). With nothing else ready it returns at
		// once, so a lone request is not delayed.
		runtime.Gosched()
		j.mu.Lock()
		j.cur = j.newBatch()
		j.mu.Unlock()
		err = j.lead(b)
	}
	if err != nil {
		j.refused.Add(1)
	}
	return err
}

// newBatch is the next batch to fill, the free one when there is one (the
// caller holds mu).
func (j *journal) newBatch() *batch {
	b := j.free
	if b == nil {
		return newBatch(j.takeSpare())
	}
	j.free = nil
	*b = batch{buf: j.takeSpare(), done: b.done, lead: b.lead}
	return b
}

// add appends rec to the batch (the caller holds the journal's lock).
func (b *batch) add(rec []byte) {
	switch b.n {
	case 0:
		b.first = rec
	case 1:
		b.buf = append(append(b.buf, b.first...), rec...)
		b.first = nil
	default:
		b.buf = append(b.buf, rec...)
	}
	b.n++
}

// bytes is what the batch writes.
func (b *batch) bytes() []byte {
	if b.n == 1 {
		return b.first
	}
	return b.buf
}

// takeSpare returns the reusable buffer (the caller holds mu).
func (j *journal) takeSpare() []byte {
	buf := j.spare
	j.spare = nil
	return buf
}

// lead writes b, wakes its waiters, then writes the batch that filled
// meanwhile itself, up to combineRounds batches, before handing the next
// one to one of its waiters (or ending the write phase). Writing on in the
// goroutine that is already running saves a wake-up between writes, when
// the file would sit idle: on the bench machine 75k → 80k req/s with
// --save (bench/recv-results.md); the bound keeps the leader's own answer
// from waiting behind a steady stream.
//
// It returns the error of the leader's own batch, b. A batch that held the
// leader's record alone had no waiter: its done channel is left open and
// the batch is reused for a later one.
func (j *journal) lead(b *batch) error {
	var err error
	for rounds := 1; ; rounds++ {
		b.err = j.write(b.bytes(), b.n)
		b.first = nil
		solo := rounds == 1 && b.n == 1
		if rounds == 1 {
			err = b.err
		}
		if !solo {
			close(b.done)
		}
		next := j.next(b, solo)
		if next == nil {
			return err
		}
		if rounds >= combineRounds {
			next.lead <- struct{}{} // exactly one of next's waiters takes it
			return err
		}
		b = next
	}
}

// combineRounds bounds how many batches one leader writes in a row.
const combineRounds = 8

// next takes the batch that filled while b was written, or ends the write
// phase when there is none (nil). A solo b (nobody waits on it) is kept for
// reuse.
func (j *journal) next(b *batch, solo bool) *batch {
	j.mu.Lock()
	defer j.mu.Unlock()
	if cap(b.buf) <= maxSpare && j.spare == nil {
		j.spare = b.buf[:0]
	}
	if solo {
		j.free = b
	}
	next := j.cur
	if next.n == 0 {
		j.writing = false
		if j.closed {
			close(j.idle)
		}
		return nil
	}
	j.cur = j.newBatch()
	return next
}

// write puts one batch of n records into the sink, undoing a partial write.
func (j *journal) write(p []byte, n int) error {
	if j.dead != nil {
		return j.dead
	}
	if j.dirty {
		if _, err := j.sink.Write([]byte{'\n'}); err != nil {
			return j.failed(err, 0, n)
		}
		j.dirty = false
		j.size++
	}
	w, err := j.sink.Write(p)
	if err == nil && j.sync != nil {
		if err = j.sync(); err != nil {
			err = fmt.Errorf("fsync: %w", err)
		}
	}
	if err != nil {
		return j.failed(err, w, n)
	}
	j.size += int64(w)
	j.drop.wrote(j.size)
	j.saved.Add(int64(n))
	if j.failing.CompareAndSwap(true, false) {
		j.notify(Notice{Kind: SaveResumed, Saved: j.saved.Load(), Refused: j.refused.Load()})
	}
	return nil
}

// failed handles a write that did not complete: the bytes that did reach
// the sink are cut off again (or fenced off by a line break when the sink
// cannot be truncated), and the first failure of a streak is announced.
func (j *journal) failed(err error, written, n int) error {
	if written > 0 || j.sync != nil {
		if j.trunc == nil || j.trunc(j.size) != nil {
			j.dirty = true
		}
	}
	if isClosedPipe(err) {
		j.dead = &SinkClosedError{Err: err}
		err = j.dead
	}
	if j.failing.CompareAndSwap(false, true) || j.dead != nil {
		j.notify(Notice{Kind: noticeFor(err), Err: err, Saved: j.saved.Load(), Refused: j.refused.Load() + int64(n)})
	}
	return err
}

func noticeFor(err error) NoticeKind {
	var sc *SinkClosedError
	if errors.As(err, &sc) {
		return SinkClosed
	}
	return SaveFailed
}

// close stops accepting records and waits until the write under way (and
// the batches handed on after it) are done, or until stop: a sink stalled
// beyond that is abandoned.
func (j *journal) close(stop <-chan time.Time) bool {
	j.mu.Lock()
	if !j.closed {
		j.closed = true
		j.drop.stop()
		if !j.writing {
			close(j.idle)
		}
	}
	j.mu.Unlock()
	select {
	case <-j.idle:
		return true
	case <-stop:
		return false
	}
}
