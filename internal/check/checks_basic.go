package check

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lcwh/lcwh/internal/catalog"
)

// gradeStatus is status-200: each kind's first delivery answered exactly
// 200. Deliveries with no answer in time are latency's to grade.
func (r *runner) gradeStatus(outs []outcome) Result {
	var bad []string
	answered, late := 0, 0
	for _, o := range outs {
		switch {
		case o.status == 0 && o.timedOut:
			late++
		case o.status == 0:
			bad = append(bad, o.label+": "+o.describe(r.o.Timeout))
		default:
			answered++
			if o.status != 200 {
				bad = append(bad, o.label+": "+o.describe(r.o.Timeout)+statusHint(o))
			}
		}
	}
	res := Result{Why: whyStatus, Fix: fixStatus, Details: capDetails(bad)}
	switch {
	case len(bad) > 0:
		res.Status = Fail
		res.Summary = fmt.Sprintf("%d of %d kinds not answered 200", len(bad), len(outs))
	case answered == 0:
		res.Status = Skip
		res.Summary = fmt.Sprintf("nothing to grade: no delivery was answered within %s (see latency)", r.o.Timeout)
	default:
		res.Status = Pass
		res.Summary = fmt.Sprintf("%s answered 200", plural(answered, "kind"))
		if late > 0 {
			res.Summary += fmt.Sprintf("; %d not answered in time (see latency)", late)
		}
	}
	return res
}

// statusHint guesses the usual cause of a status, in parentheses.
func statusHint(o outcome) string {
	k, _ := catalog.Lookup(o.label)
	switch s := o.status; {
	case s/100 == 2:
		return " (LiveChat counts only 200 as delivered)"
	case s/100 == 3:
		return " (redirects are not followed: register the final URL)"
	case s == 401 || s == 403:
		switch k.Family {
		case catalog.App:
			return " (does the handler expect another clientID? pass --client-id)"
		case catalog.Monday:
			return " (does the handler expect another JWT secret? pass --monday-secret)"
		}
		return " (does the handler expect another secret_key? pass --secret)"
	case s == 404:
		return " (is the path right?)"
	case s == 405:
		return " (does the route accept POST?)"
	case s == 413:
		return " (the body is over the handler's size limit)"
	case s == 415:
		return " (accept Content-Type: application/json)"
	case s >= 500:
		return " (the handler failed: see its log)"
	}
	return ""
}

// gradeLatency is latency: every timed delivery of the run answered within
// the timeout; a warning above WarnLatency.
func (r *runner) gradeLatency() Result {
	r.mu.Lock()
	outs := append([]outcome(nil), r.timed...)
	r.mu.Unlock()
	res := Result{Why: whyLatency, Fix: fixLatency, Latency: latencyStats(outs)}
	// The slowest first: they are what to look at.
	sort.SliceStable(outs, func(i, j int) bool { return outs[i].latency > outs[j].latency })
	var late, slow []string
	for _, o := range outs {
		switch {
		case o.timedOut && o.status != 0:
			late = append(late, fmt.Sprintf("%s: answered after %s, past the %s LiveChat waits", o.label, fmtDur(o.latency), r.o.Timeout))
		case o.timedOut:
			late = append(late, fmt.Sprintf("%s: no answer within %s", o.label, r.o.Timeout))
		case o.err == nil && o.latency > WarnLatency && WarnLatency < r.o.Timeout:
			slow = append(slow, fmt.Sprintf("%s: answered after %s", o.label, fmtDur(o.latency)))
		}
	}
	stats := "no answers to measure"
	if s := res.Latency; s != nil {
		stats = fmt.Sprintf("p50 %s, p99 %s, max %s", fmtMS(s.P50), fmtMS(s.P99), fmtMS(s.Max))
	}
	switch {
	case len(late) > 0:
		res.Status = Fail
		res.Summary = fmt.Sprintf("%d of %d deliveries not answered within %s; %s", len(late), len(outs), r.o.Timeout, stats)
		res.Details = capDetails(late)
	case len(slow) > 0:
		res.Status = Warn
		res.Summary = fmt.Sprintf("%d of %d deliveries took over %s; %s", len(slow), len(outs), WarnLatency, stats)
		res.Details = capDetails(slow)
	case len(outs) == 0:
		res.Status = Skip
		res.Summary = stats
	default:
		res.Status = Pass
		res.Summary = stats + " over " + plural(len(outs), "delivery")
	}
	return res
}

// fmtDur prints a latency for people: 0.4ms, 12ms, 1.40s.
func fmtDur(d time.Duration) string { return fmtMS(ms(d)) }

func fmtMS(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.2fs", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.0fms", v)
	default:
		return fmt.Sprintf("%.1fms", v)
	}
}

// plural is "1 kind", "3 kinds", "2 deliveries".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, word[:len(word)-1])
	}
	return fmt.Sprintf("%d %ss", n, word)
}
