package listen

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/lcwh/lcwh/internal/termtext"

	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
)

func printBanner(w io.Writer, st render.Styles, opts *Options, u string, web *webServer) {
	where := "(POST to any path)"
	if opts.Path != "" {
		where = "(POST to " + opts.Path + " only)"
	}
	fmt.Fprintf(w, "%s Listening on %s %s\n", st.Success.Render("✓"), st.Bold.Render(u), where)
	var checks []string
	if len(opts.Secrets) > 0 {
		checks = append(checks, fmt.Sprintf("secret_key (%d secret(s))", len(opts.Secrets)))
	}
	if len(opts.ClientIDs) > 0 {
		checks = append(checks, "clientID")
	}
	if opts.MondaySecret != "" {
		checks = append(checks, "monday JWT")
	}
	if len(checks) > 0 {
		fmt.Fprintf(w, "  verifying %s\n", strings.Join(checks, ", "))
	} else {
		fmt.Fprintf(w, "  %s\n", st.Muted.Render("no secret given: events show as unverified (·); pass --secret to check secret_key"))
	}
	if opts.Save != "" {
		fmt.Fprintf(w, "  saving to %s\n", opts.Save)
	}
	for _, r := range opts.ForwardTo {
		if r.Kind != "" {
			fmt.Fprintf(w, "  forwarding %s to %s\n", r.Kind, termtext.URL(r.URL))
		} else {
			fmt.Fprintf(w, "  forwarding to %s\n", termtext.URL(r.URL))
		}
	}
	if opts.Register == nil {
		// With --register the secret is this run's own: send-sample would not verify.
		try := "lcwh send-sample --all --url " + u
		if len(opts.Secrets) > 0 {
			// The secret itself is never echoed; the user knows which one they passed.
			try += " --secret <your secret>"
		}
		fmt.Fprintf(w, "  try: %s\n", st.Command.Render(try))
	}
	web.announce(w, st, opts)
	fmt.Fprintf(w, "  %s\n", st.Muted.Render("Ctrl-C to stop"))
}

func printSummary(w io.Writer, st render.Styles, s listener.Stats, save string) {
	fmt.Fprintf(w, "%s received %d event(s): %d verified, %d failed verification, %d duplicate(s), %d rejected\n",
		st.Success.Render("✓"), s.Received, s.Verified, s.Failed, s.Duplicates, s.Rejected)
	if len(s.ByKind) > 0 {
		kinds := make([]string, 0, len(s.ByKind))
		for k := range s.ByKind {
			kinds = append(kinds, k)
		}
		sort.Slice(kinds, func(i, j int) bool {
			if s.ByKind[kinds[i]] != s.ByKind[kinds[j]] {
				return s.ByKind[kinds[i]] > s.ByKind[kinds[j]]
			}
			return kinds[i] < kinds[j]
		})
		parts := make([]string, 0, len(kinds))
		for _, k := range kinds {
			parts = append(parts, fmt.Sprintf("%s %d", render.Sanitise(k), s.ByKind[k]))
		}
		if len(parts) > 12 {
			parts = append(parts[:12], fmt.Sprintf("… %d more kinds", len(parts)-12))
		}
		fmt.Fprintf(w, "  by kind: %s\n", strings.Join(parts, ", "))
	}
	if s.Refused > 0 {
		fmt.Fprintf(w, "  %s %d event(s) answered 503: their line could not be saved (the sender retries them)\n", st.Error.Render("✗"), s.Refused)
	}
	if s.Cut > 0 {
		fmt.Fprintf(w, "  %d request(s) were cut off at the stop while their body was still arriving (not acknowledged)\n", s.Cut)
	}
	if s.Unprocessed > 0 {
		fmt.Fprintf(w, "  %s %d acknowledged event(s) were not shown or forwarded before the drain ended\n", st.Warn.Render("!"), s.Unprocessed)
	}
	if s.Forwarded+s.ForwardErr > 0 {
		fmt.Fprintf(w, "  forwarded %d, failed %d\n", s.Forwarded, s.ForwardErr)
	}
	if save != "" {
		fmt.Fprintf(w, "  saved %d event(s) to %s\n", s.Saved, save)
	}
}
