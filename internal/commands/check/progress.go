package check

import (
	"fmt"

	engine "github.com/lcwh/lcwh/internal/check"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

// clearLine returns to the start of the line and erases it: the transient
// progress line lives on stderr only while a terminal shows it.
const clearLine = "\r\x1b[K"

// progress shows on stderr what the run is doing: on a terminal one line
// rewritten as each check starts and erased at the end; elsewhere (CI
// logs) one line per finished check.
type progress struct {
	ios   *iostreams.IOStreams
	st    render.Styles
	tty   bool
	shown bool
}

func newProgress(ios *iostreams.IOStreams) *progress {
	return &progress{ios: ios, st: render.NewStyles(ios.ErrOut, ios.ColorEnabledErr()), tty: ios.IsStderrTTY()}
}

// event is engine.Options.Progress.
func (p *progress) event(e engine.Event) {
	w := p.ios.ErrOut
	if e.Result == nil {
		if p.tty {
			// One line that fits: a wrapped line could not be rewritten.
			room := p.ios.TerminalWidth() - 1 - len("checking ") - len(e.Check) - 1
			rest := fmt.Sprintf("%s… (%s so far)", e.Title, plural(e.Deliveries, "delivery"))
			if r := []rune(rest); room > 0 && len(r) > room {
				rest = string(r[:room-1]) + "…"
			}
			fmt.Fprintf(w, "%s%s %s %s", clearLine, p.st.Muted.Render("checking"), p.st.Action.Render(string(e.Check)), p.st.Muted.Render(rest))
			p.shown = true
		}
		return
	}
	if !p.tty {
		n := ""
		if d := e.Result.Deliveries; d > 0 {
			n = " (" + plural(d, "delivery") + ")"
		}
		fmt.Fprintf(w, "%s %-15s %s%s\n", markStyle(p.st, e.Result.Status).Render(mark(e.Result.Status)), e.Check, e.Result.Status, n)
	}
}

// done erases the progress line.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.ios.ErrOut, clearLine)
		p.shown = false
	}
}
