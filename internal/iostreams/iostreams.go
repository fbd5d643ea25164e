// Package iostreams holds the three standard streams together with the facts
// that decide how lcwh writes to them: whether each is a terminal, whether it
// may be coloured, and how wide it is. Commands take an *IOStreams instead of
// touching os.Stdout so tests can swap in buffers and pretend to be a TTY.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// IOStreams is the In/Out/ErrOut triple plus terminal capabilities.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorDisabled                  bool
	colorForced                    bool
	noColorEnv                     bool
	width                          int
	inFd                           int
}

// System returns streams bound to the process's stdin, stdout and stderr,
// with colour decided by NO_COLOR and CLICOLOR_FORCE from getenv.
func System(getenv func(string) string) *IOStreams {
	io := &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
		inFd:      int(os.Stdin.Fd()),
	}
	io.applyEnv(getenv)
	if io.stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			io.width = w
		}
	}
	if io.width == 0 {
		if c, err := strconv.Atoi(getenv("COLUMNS")); err == nil && c > 0 {
			io.width = c
		}
	}
	return io
}

func (s *IOStreams) applyEnv(getenv func(string) string) {
	// https://no-color.org: any value, even empty-but-set, disables colour;
	// getenv cannot tell empty from unset, so an empty value counts as unset.
	s.noColorEnv = getenv("NO_COLOR") != ""
	if f := getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		s.colorForced = true
	}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// TestStreams is the handle tests use to read what a command wrote.
type TestStreams struct {
	In     *bytes.Buffer
	Out    *bytes.Buffer
	ErrOut *bytes.Buffer
}

// Test returns streams backed by buffers: no terminal, no colour, width 80.
func Test() (*IOStreams, *TestStreams) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, width: 80, inFd: -1},
		&TestStreams{In: in, Out: out, ErrOut: errOut}
}

// SetStdinTTY pretends stdin is a terminal, or not (tests).
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStdoutTTY pretends stdout is a terminal, or not (tests).
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY pretends stderr is a terminal, or not (tests).
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// SetColorForced forces colour on every stream, as CLICOLOR_FORCE does.
func (s *IOStreams) SetColorForced(v bool) { s.colorForced = v }

// SetWidth fixes the terminal width (tests).
func (s *IOStreams) SetWidth(w int) { s.width = w }

// SetColorDisabled turns colour off everywhere; --no-color calls it.
func (s *IOStreams) SetColorDisabled(v bool) { s.colorDisabled = v }

// IsStdinTTY reports whether stdin is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// CanPrompt reports whether lcwh may ask the user a question.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY }

// ColorEnabled reports whether stdout may carry ANSI colour.
func (s *IOStreams) ColorEnabled() bool { return s.colorFor(s.stdoutTTY) }

// ColorEnabledErr reports whether stderr may carry ANSI colour.
func (s *IOStreams) ColorEnabledErr() bool { return s.colorFor(s.stderrTTY) }

func (s *IOStreams) colorFor(tty bool) bool {
	if s.colorDisabled || s.noColorEnv {
		return false
	}
	return s.colorForced || tty
}

// TerminalWidth is the width of stdout, or 80 when unknown.
func (s *IOStreams) TerminalWidth() int {
	if s.width > 0 {
		return s.width
	}
	return 80
}

// ReadPassword reads one line from stdin without echo when stdin is a
// terminal, and as a plain line otherwise.
func (s *IOStreams) ReadPassword() (string, error) {
	if s.stdinTTY && s.inFd >= 0 {
		b, err := term.ReadPassword(s.inFd)
		return string(b), err
	}
	b, err := io.ReadAll(io.LimitReader(s.In, 64<<10))
	if err != nil {
		return "", err
	}
	return string(bytes.TrimSpace(b)), nil
}
