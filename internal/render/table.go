package render

import (
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"

	"github.com/lcwh/lcwh/internal/termtext"
)

// Cell is one table cell: plain text and an optional style.
type Cell struct {
	Text  string
	Style *lipgloss.Style
}

// Plain is an unstyled cell.
func Plain(s string) Cell { return Cell{Text: s} }

// Styled is a cell rendered with st on a terminal.
func Styled(s string, st lipgloss.Style) Cell { return Cell{Text: s, Style: &st} }

// Table prints rows as an aligned, styled table on a terminal and as
// tab-separated values without a header when piped (STYLE.md §3), so
// scripts can cut and awk it. Cell text never carries a tab, a line break
// or a terminal control: Row shows each as one line with controls removed
// (termtext.Line), in both forms.
type Table struct {
	w      io.Writer
	st     Styles
	tty    bool
	width  int
	header []string
	rows   [][]Cell
}

// NewTable returns a table writing to w. width limits a terminal row; the
// last column is cut with "…" to fit (0 means no limit).
func NewTable(w io.Writer, st Styles, tty bool, width int) *Table {
	return &Table{w: w, st: st, tty: tty, width: width}
}

// Header sets the column titles (shown on a terminal only).
func (t *Table) Header(cols ...string) { t.header = cols }

// Row adds a row, its cell texts cleaned for a terminal (termtext.Line).
func (t *Table) Row(cells ...Cell) {
	row := make([]Cell, len(cells))
	for i, c := range cells {
		c.Text = termtext.Line(c.Text)
		row[i] = c
	}
	t.rows = append(t.rows, row)
}

// Render writes the table.
func (t *Table) Render() error {
	var b strings.Builder
	if !t.tty {
		for _, r := range t.rows {
			for i, c := range r {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(c.Text)
			}
			b.WriteByte('\n')
		}
		_, err := io.WriteString(t.w, b.String())
		return err
	}
	widths := t.widths()
	if len(t.header) > 0 {
		cells := make([]Cell, len(t.header))
		for i, h := range t.header {
			cells[i] = Styled(h, t.st.Header)
		}
		t.line(&b, cells, widths)
	}
	for _, r := range t.rows {
		t.line(&b, r, widths)
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

func (t *Table) widths() []int {
	var w []int
	grow := func(i, n int) {
		for len(w) <= i {
			w = append(w, 0)
		}
		if n > w[i] {
			w[i] = n
		}
	}
	for i, h := range t.header {
		grow(i, runewidth.StringWidth(h))
	}
	for _, r := range t.rows {
		for i, c := range r {
			grow(i, runewidth.StringWidth(c.Text))
		}
	}
	if t.width > 0 && len(w) > 1 {
		used := 0
		for _, n := range w[:len(w)-1] {
			used += n + 2
		}
		if rest := t.width - used; rest > 8 && w[len(w)-1] > rest {
			w[len(w)-1] = rest
		}
	}
	return w
}

func (t *Table) line(b *strings.Builder, cells []Cell, widths []int) {
	for i, c := range cells {
		text := c.Text
		last := i == len(cells)-1
		if last && runewidth.StringWidth(text) > widths[i] {
			text = runewidth.Truncate(text, widths[i], "…")
		}
		pad := widths[i] - runewidth.StringWidth(text)
		if c.Style != nil {
			text = c.Style.Render(text)
		}
		b.WriteString(text)
		if !last {
			b.WriteString(strings.Repeat(" ", pad+2))
		}
	}
	b.WriteByte('\n')
}
