package doctor

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/lcwh/lcwh/internal/termtext"

	"github.com/lcwh/lcwh/internal/doctor"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

// writeReport prints the checklist on stdout: one block per item, its
// findings indented, then its fix.
func writeReport(ios *iostreams.IOStreams, opts *DoctorOptions, owner string, r doctor.Report) error {
	st := render.NewStyles(ios.Out, ios.ColorEnabled())
	w := bufio.NewWriter(ios.Out)
	fmt.Fprintf(w, "%s\n\n", st.Muted.Render(scope(opts, owner)))
	fails, warns := 0, 0
	for _, it := range r.Items {
		glyph, title := mark(st, it.Status), st.Bold.Render(it.Title)
		found := func(s string) string { return s }
		switch it.Status {
		case doctor.Fail:
			fails++
		case doctor.Warn:
			warns++
		case doctor.Skip:
			title, found = st.Muted.Render(it.Title), func(s string) string { return st.Muted.Render(s) }
		}
		fmt.Fprintf(w, "%s %s\n", glyph, title)
		for _, l := range it.Found {
			fmt.Fprintf(w, "    %s\n", found(termtext.Clean(l)))
		}
		for i, l := range it.Fix {
			lead := "    fix: "
			if i > 0 {
				lead = "         "
			}
			l = termtext.Clean(l)
			if isCommand(l) {
				l = st.Command.Render(l)
			}
			fmt.Fprintf(w, "%s%s\n", lead, l)
		}
	}
	fmt.Fprintf(w, "\n%s\n", summary(st, fails, warns))
	return w.Flush()
}

// scope says what was checked.
func scope(opts *DoctorOptions, owner string) string {
	what := "all webhooks"
	if opts.Action != "" {
		what = opts.Action + " webhooks"
	}
	if opts.URL != "" {
		what += " sending to " + opts.URL
	}
	of := "no client id"
	if owner != "" {
		of = "client " + owner
	}
	return fmt.Sprintf("Checking %s of %s (API %s); doctor changes nothing.", what, of, opts.Version)
}

func mark(st render.Styles, s doctor.Status) string {
	switch s {
	case doctor.OK:
		return st.Success.Render("✓")
	case doctor.Fail:
		return st.StatusFail.Render("✗")
	case doctor.Warn:
		return st.Warn.Render("!")
	}
	return st.Muted.Render("-")
}

func summary(st render.Styles, fails, warns int) string {
	w := ""
	if warns > 0 {
		w = fmt.Sprintf(", %d %s", warns, plural(warns, "warning", "warnings"))
	}
	if fails == 0 {
		return st.Success.Render("✓") + " No problems found" + w + "."
	}
	return fmt.Sprintf("%s %d %s found%s.", st.StatusFail.Render("✗"), fails, plural(fails, "problem", "problems"), w)
}

// isCommand tells a fix that is a command line from an instruction.
func isCommand(s string) bool {
	for _, p := range []string{"lcwh ", "export ", "ngrok "} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
