package listener

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// dropChunk is how much of the save file is written out and dropped from
// the page cache at a time.
const dropChunk = 8 << 20

// dropBehind keeps a long --save run from filling the page cache with a
// file that is only ever appended to: each time another dropChunk bytes
// are written it starts the kernel writing them out and drops the chunk
// before, which is clean by then. The freed pages go back to the next
// writes instead of the kernel taking fresh memory for each (on a VM that
// is a fault in the host per page: measured in bench/recv-results.md), and
// the user's own files stay cached. It runs in its own goroutine on its
// own descriptor, so neither the write-out nor the wait holds up an
// acknowledgement and closing the save file never races it. Durability is
// unchanged: a record is in the page cache (or, with --fsync, on disk)
// before its request is answered either way.
type dropBehind struct {
	fd    int
	sizes chan int64
	quit  chan struct{}
	done  chan struct{}
	// told is the last chunk boundary sent; only the journal's leader
	// touches it (one at a time, handed on under the journal's lock).
	told int64
}

// newDropBehind returns nil when sink is not a regular file.
func newDropBehind(sink io.Writer) *dropBehind {
	f, ok := sink.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		return nil
	}
	d := &dropBehind{fd: fd, sizes: make(chan int64, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go d.run()
	return d
}

// wrote tells the dropper the file's size once it has passed another
// chunk boundary (not every write: each send would wake the dropper); it
// never blocks the writer (a boundary it misses is covered by the next).
func (d *dropBehind) wrote(size int64) {
	if d == nil {
		return
	}
	end := size &^ (dropChunk - 1)
	if end <= d.told {
		return
	}
	select {
	case d.sizes <- end:
		d.told = end
	default:
	}
}

// stop ends the dropper without waiting for a write-out under way.
func (d *dropBehind) stop() {
	if d != nil {
		close(d.quit)
	}
}

func (d *dropBehind) run() {
	defer close(d.done)
	defer unix.Close(d.fd)
	var started, dropped int64 // chunk-aligned offsets
	for {
		var end int64
		select {
		case <-d.quit:
			return
		case end = <-d.sizes:
		}
		if end <= started { // wrote sends each boundary once; a test may repeat one
			continue
		}
		// Errors are ignored on purpose: this only saves memory, and a
		// failing disk is reported by the writes themselves.
		_ = unix.SyncFileRange(d.fd, started, end-started, unix.SYNC_FILE_RANGE_WRITE)
		started = end
		if old := started - dropChunk; old > dropped {
			_ = unix.SyncFileRange(d.fd, dropped, old-dropped,
				unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER)
			_ = unix.Fadvise(d.fd, dropped, old-dropped, unix.FADV_DONTNEED)
			dropped = old
		}
	}
}
