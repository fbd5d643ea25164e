package check

import (
	"fmt"

	engine "github.com/lcwh/lcwh/internal/check"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

// progress shows on stderr what the run is doing: on a terminal one line
// rewritten as each check starts and erased at the end; elsewhere (CI
// logs) one line per finished check.
type progress struct {
	ios  *iostreams.IOStreams
	st   render.Styles
	line *iostreams.ProgressLine
}

func newProgress(ios *iostreams.IOStreams) *progress {
	return &progress{ios: ios, st: render.NewStyles(ios.ErrOut, ios.ColorEnabledErr()), line: ios.ProgressLine()}
}

// event is engine.Options.Progress.
func (p *progress) event(e engine.Event) {
	w := p.ios.ErrOut
	if e.Result == nil {
		if p.line.Active() {
			// One line that fits: a wrapped line could not be rewritten.
			room := p.ios.TerminalWidth() - 1 - len("checking ") - len(e.Check) - 1
			rest := fmt.Sprintf("%s… (%s so far)", e.Title, plural(e.Deliveries, "delivery"))
			if r := []rune(rest); room > 0 && len(r) > room {
				rest = string(r[:room-1]) + "…"
			}
			p.line.Show(p.st.Muted.Render("checking") + " " + p.st.Action.Render(string(e.Check)) + " " + p.st.Muted.Render(rest))
		}
		return
	}
	if !p.line.Active() {
		n := ""
		if d := e.Result.Deliveries; d > 0 {
			n = " (" + plural(d, "delivery") + ")"
		}
		fmt.Fprintf(w, "%s %-15s %s%s\n", markStyle(p.st, e.Result.Status).Render(mark(e.Result.Status)), e.Check, e.Result.Status, n)
	}
}

// done erases the progress line.
func (p *progress) done() { p.line.Clear() }
