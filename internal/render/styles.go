// Package render turns results and events into text for people: the one
// colour palette, tables, event lines and coloured JSON. It never does I/O
// beyond writing to the io.Writer it is given.
package render

import (
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles is lcwh's only palette. Every coloured byte lcwh prints comes from
// one of these semantic styles, built for one writer.
type Styles struct {
	Enabled bool

	Success lipgloss.Style // ✓ confirmations
	Warn    lipgloss.Style // ! warnings
	Error   lipgloss.Style // error: prefix
	Muted   lipgloss.Style // secondary text: times, hints
	Bold    lipgloss.Style // emphasis
	Header  lipgloss.Style // table headers
	Action  lipgloss.Style // webhook kinds / actions
	Command lipgloss.Style // a command to run, in hints

	StatusOK   lipgloss.Style // HTTP 2xx
	StatusWarn lipgloss.Style // HTTP 3xx / unusual
	StatusFail lipgloss.Style // HTTP 4xx/5xx, failures

	FamilyLiveChat lipgloss.Style
	FamilyApp      lipgloss.Style
	FamilyMonday   lipgloss.Style
	FamilyUnknown  lipgloss.Style

	JSONKey    lipgloss.Style
	JSONString lipgloss.Style
	JSONNumber lipgloss.Style
	JSONBool   lipgloss.Style
	JSONNull   lipgloss.Style
	JSONPunct  lipgloss.Style
}

// NewStyles builds the palette for w. When color is false every style renders
// its text unchanged. The background is fixed to dark so no terminal query
// is ever sent (it would hang on some terminals and slow every start-up).
func NewStyles(w io.Writer, color bool) Styles {
	r := lipgloss.NewRenderer(w)
	r.SetHasDarkBackground(true)
	if color {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	c := func(code string) lipgloss.Style { return r.NewStyle().Foreground(lipgloss.Color(code)) }
	return Styles{
		Enabled:        color,
		Success:        c("2"),
		Warn:           c("3"),
		Error:          c("1").Bold(true),
		Muted:          c("245"),
		Bold:           r.NewStyle().Bold(true),
		Header:         r.NewStyle().Bold(true),
		Action:         c("6").Bold(true),
		Command:        c("6"),
		StatusOK:       c("2"),
		StatusWarn:     c("3"),
		StatusFail:     c("1"),
		FamilyLiveChat: c("208"),
		FamilyApp:      c("39"),
		FamilyMonday:   c("170"),
		FamilyUnknown:  c("245"),
		JSONKey:        c("33"),
		JSONString:     c("2"),
		JSONNumber:     c("6"),
		JSONBool:       c("3"),
		JSONNull:       c("245"),
		JSONPunct:      r.NewStyle(),
	}
}

// Codes returns the escape sequences a style puts before and after text, so
// hot paths (listen printing thousands of events per second) can colour by
// concatenation instead of calling Render per token.
func Codes(st lipgloss.Style) (pre, post string) {
	const mark = "\x00"
	out := st.Render(mark)
	i := strings.Index(out, mark)
	if i < 0 {
		return "", ""
	}
	return out[:i], out[i+len(mark):]
}

// StatusStyle picks the style for an HTTP status code.
func (s Styles) StatusStyle(code int) lipgloss.Style {
	switch {
	case code >= 200 && code < 300:
		return s.StatusOK
	case code >= 300 && code < 400:
		return s.StatusWarn
	default:
		return s.StatusFail
	}
}
