package check

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"

	engine "github.com/lcwh/lcwh/internal/check"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

// group is one section of the report card.
type group struct {
	status engine.Status
	title  string
}

// groups are the report's sections, most urgent first.
var groups = []group{
	{engine.Fail, "Failed"}, {engine.Warn, "Warnings"}, {engine.Pass, "Passed"}, {engine.Skip, "Skipped"},
}

// Indents of the report card.
const (
	idWidth      = 15
	bodyIndent   = "      "
	detailIndent = "        "
)

// writeReport prints the report card: the checks grouped by grade, each
// with its one-line result, and for failures and warnings what went wrong,
// why it matters and how to fix it. On a terminal it is coloured and
// wrapped to the width; in a pipe it is plain and nothing is cut or wrapped.
func writeReport(ios *iostreams.IOStreams, rep *engine.Report) error {
	st := render.NewStyles(ios.Out, ios.ColorEnabled())
	width := 0
	if ios.IsStdoutTTY() {
		width = ios.TerminalWidth()
	}
	var b strings.Builder
	b.WriteString(st.Bold.Render("lcwh check "+rep.URL) + "\n")
	b.WriteString(st.Muted.Render(fmt.Sprintf("%s · %s · %s", kindsPhrase(rep.Kinds), plural(rep.Deliveries, "delivery"),
		seconds(rep.DurationMS))) + "\n")
	for _, g := range groups {
		var in []engine.Result
		for _, c := range rep.Checks {
			if c.Status == g.status {
				in = append(in, c)
			}
		}
		if len(in) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s %s\n", markStyle(st, g.status).Render(mark(g.status)), st.Bold.Render(fmt.Sprintf("%s (%d)", g.title, len(in))))
		for _, c := range in {
			writeCheck(&b, st, c, width)
		}
	}
	b.WriteString("\n" + footer(st, rep) + "\n")
	_, err := io.WriteString(ios.Out, b.String())
	return err
}

func writeCheck(b *strings.Builder, st render.Styles, c engine.Result, width int) {
	ms := markStyle(st, c.Status)
	fmt.Fprintf(b, "  %s %s %s\n", ms.Render(mark(c.Status)), pad(st.Action.Render(string(c.ID)), len(c.ID), idWidth), c.Title)
	summary := plain
	if c.Status == engine.Skip {
		summary = muted(st)
	}
	b.WriteString(wrap(bodyIndent, bodyIndent, c.Summary, width, summary) + "\n")
	for _, d := range c.Details {
		b.WriteString(wrap(bodyIndent+"- ", detailIndent, d, width, muted(st)) + "\n")
	}
	if c.Why != "" {
		b.WriteString(wrap(bodyIndent+st.Bold.Render("Why:")+" ", bodyIndent+"     ", c.Why, width, plain) + "\n")
	}
	if c.Fix != "" {
		b.WriteString(wrap(bodyIndent+st.Bold.Render("Fix:")+" ", bodyIndent+"     ", c.Fix, width, plain) + "\n")
	}
}

func footer(st render.Styles, rep *engine.Report) string {
	c := rep.Counts
	failed := fmt.Sprintf("%d failed", c.Failed)
	if c.Failed > 0 {
		failed = st.StatusFail.Render(failed)
	}
	warned := plural(c.Warned, "warning")
	if c.Warned > 0 {
		warned = st.Warn.Render(warned)
	}
	line := fmt.Sprintf("%s · %s · %d passed · %d skipped", failed, warned, c.Passed, c.Skipped)
	if c.Failed > 0 {
		return line + st.Muted.Render(" — fix the failed checks, then run lcwh check again")
	}
	return line
}

func mark(s engine.Status) string {
	switch s {
	case engine.Pass:
		return "✓"
	case engine.Fail:
		return "✗"
	case engine.Warn:
		return "!"
	}
	return "–"
}

func markStyle(st render.Styles, s engine.Status) lipgloss.Style {
	switch s {
	case engine.Pass:
		return st.Success
	case engine.Fail:
		return st.Error
	case engine.Warn:
		return st.Warn
	}
	return st.Muted
}

func kindsPhrase(kinds []string) string {
	if len(kinds) <= 4 {
		return strings.Join(kinds, ", ")
	}
	return fmt.Sprintf("%d kinds", len(kinds))
}

func plural(n int, word string) string {
	switch {
	case n == 1:
		return "1 " + word
	case strings.HasSuffix(word, "y"):
		return fmt.Sprintf("%d %sies", n, word[:len(word)-1])
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func seconds(ms float64) string {
	if ms < 1000 {
		return fmt.Sprintf("%.0fms", ms)
	}
	return fmt.Sprintf("%.1fs", ms/1000)
}

// pad adds spaces after styled s, whose visible width is w, up to n.
func pad(s string, w, n int) string {
	if w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

func plain(s string) string { return s }

func muted(st render.Styles) func(string) string {
	return func(s string) string { return st.Muted.Render(s) }
}

// wrap lays text out after first (the first line's prefix) and rest (the
// following lines'), breaking at spaces to width; width 0 does not wrap.
// paint colours the text, never the prefixes.
func wrap(first, rest, text string, width int, paint func(string) string) string {
	if width <= 0 {
		return first + paint(text)
	}
	var lines []string
	prefix := first
	line := ""
	avail := func() int { return max(width-runewidth.StringWidth(stripStyle(prefix)), 20) }
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case runewidth.StringWidth(line)+1+runewidth.StringWidth(word) <= avail():
			line += " " + word
		default:
			lines = append(lines, prefix+paint(line))
			prefix, line = rest, word
		}
	}
	lines = append(lines, prefix+paint(line))
	return strings.Join(lines, "\n")
}

// stripStyle drops SGR sequences to measure a styled prefix.
func stripStyle(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
