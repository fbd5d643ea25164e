package listener

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// journal is the group commit in front of the record sink. Handlers add
// their record to the batch being filled and wait; one goroutine writes the
// whole batch with a single Write (and Sync with --fsync), then wakes every
// waiter with the outcome. A request is acknowledged only after its record
// is in the sink, so an event answered 200 survives kill -9 (and, with
// fsync, power loss), and many requests share one write under load.
type journal struct {
	sink  io.Writer
	trunc func(int64) error // nil when the sink cannot be truncated
	sync  func() error      // nil unless --fsync
	// size is the sink's length after the last whole record: the point a
	// failed write is truncated back to.
	size int64
	// dirty is set when a failed write may have left a partial line that
	// could not be truncated; the next write then starts on a new line.
	dirty bool
	// dead is set when the sink can never be written again.
	dead error

	mu     sync.Mutex
	cur    *batch
	spare  []byte
	closed bool
	kick   chan struct{}
	done   chan struct{}

	saved   atomic.Int64
	refused atomic.Int64
	failing atomic.Bool
	notify  func(Notice)
}

type batch struct {
	buf  []byte
	n    int
	done chan struct{}
	err  error
}

// maxSpare is the largest batch buffer kept for reuse; a batch that held a
// 10 MiB body gives its buffer back to the GC.
const maxSpare = 1 << 20

// newJournal wraps sink. A sink that is a file (Stat, Truncate) gets exact
// truncation after a failed write; fsync adds Sync after each batch.
func newJournal(sink io.Writer, fsync bool, notify func(Notice)) *journal {
	j := &journal{sink: sink, kick: make(chan struct{}, 1), done: make(chan struct{}), notify: notify}
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
	j.cur = &batch{done: make(chan struct{})}
	go j.run()
	return j
}

// commit appends rec (one whole line) to the next batch and waits until
// the batch was written. It returns the write error, if any: the caller
// must then not acknowledge the event.
func (j *journal) commit(rec []byte) error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return ErrStopped
	}
	b := j.cur
	b.buf = append(b.buf, rec...)
	b.n++
	// Kick under the lock, so close cannot close the channel in between.
	select {
	case j.kick <- struct{}{}:
	default: // the writer is already due to run
	}
	j.mu.Unlock()
	<-b.done
	if b.err != nil {
		j.refused.Add(1)
	}
	return b.err
}

// run writes batches until close. A batch filled while the previous one
// was being written goes out in the next write.
func (j *journal) run() {
	defer close(j.done)
	for range j.kick {
		j.mu.Lock()
		b := j.cur
		if b.n == 0 {
			j.mu.Unlock()
			continue
		}
		j.cur = &batch{buf: j.spare, done: make(chan struct{})}
		j.spare = nil
		j.mu.Unlock()

		b.err = j.write(b.buf, b.n)
		close(b.done)
		if cap(b.buf) <= maxSpare {
			j.mu.Lock()
			j.spare = b.buf[:0]
			j.mu.Unlock()
		}
	}
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

// close stops accepting records, lets the batch being filled go out, and
// waits for the writer until stop is closed (a stalled sink is abandoned).
func (j *journal) close(stop <-chan time.Time) bool {
	j.mu.Lock()
	if !j.closed {
		j.closed = true
		close(j.kick)
	}
	j.mu.Unlock()
	select {
	case <-j.done:
		return true
	case <-stop:
		return false
	}
}
