package listen

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// statusWriter carries listen's diagnostics to stderr without ever blocking
// the caller: a terminal stopped by XOFF, or a `2>&1 | less` left unread,
// must not hold up signal handling or saving. Messages queue in a bounded
// buffer written by one goroutine; when the buffer is full a message is
// dropped and counted, and the count is reported once writing works again.
type statusWriter struct {
	ch      chan string
	done    chan struct{}
	mu      sync.Mutex
	dropped int
	closed  bool
}

func newStatusWriter(w io.Writer) *statusWriter {
	s := &statusWriter{ch: make(chan string, 64), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for msg := range s.ch {
			if _, err := io.WriteString(w, msg); err != nil {
				continue // stderr is gone; keep draining so Close returns
			}
			if n := s.takeDropped(); n > 0 {
				fmt.Fprintf(w, "  (%d status message(s) were dropped while stderr was blocked)\n", n)
			}
		}
	}()
	return s
}

// Printf queues one message; it never blocks.
func (s *statusWriter) Printf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	select {
	case s.ch <- msg:
	default:
		s.dropped++
	}
}

func (s *statusWriter) takeDropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.dropped
	s.dropped = 0
	return n
}

// Close stops taking messages and waits up to wait for the queued ones to
// be written; it reports whether they all were.
func (s *statusWriter) Close(wait time.Duration) bool {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
	s.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-s.done:
		return true
	case <-t.C:
		return false
	}
}

// Write queues p as one message (io.Writer for code that prints with
// fmt.Fprintf); it never blocks and always reports success.
func (s *statusWriter) Write(p []byte) (int, error) {
	s.Printf("%s", p)
	return len(p), nil
}
