package iostreams

import (
	"fmt"
	"io"
	"sync"
)

// eraseLine returns the cursor to the start of the line and erases it.
const eraseLine = "\r\x1b[K"

// ProgressLine is a transient one-line status on stderr: on a terminal
// each Show replaces the line and Clear erases it; elsewhere (a pipe, a CI
// log) it draws nothing, so no carriage return or escape code ever lands
// in a file. Commands move the cursor only through it; colour inside the
// line comes from render.Styles as everywhere else.
// Safe for concurrent use.
type ProgressLine struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	shown bool
}

// ProgressLine returns the progress line of stderr.
func (s *IOStreams) ProgressLine() *ProgressLine {
	return &ProgressLine{w: s.ErrOut, tty: s.stderrTTY}
}

// Active reports whether the line is drawn (stderr is a terminal).
func (p *ProgressLine) Active() bool { return p.tty }

// Show replaces the line with line, which must fit the terminal's width
// and hold no newline (a wrapped line cannot be rewritten).
func (p *ProgressLine) Show(line string) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = io.WriteString(p.w, eraseLine+line)
	p.shown = true
}

// Clear erases the line if one is shown.
func (p *ProgressLine) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

func (p *ProgressLine) clear() {
	if p.shown {
		_, _ = io.WriteString(p.w, eraseLine)
		p.shown = false
	}
}

// Printf writes a message in the line's place, for a notice while
// progress shows: the line is erased first, and the next Show draws below
// the message. format should end with a newline.
func (p *ProgressLine) Printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintf(p.w, format, args...)
}
