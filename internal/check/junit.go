package check

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// JUnit XML (the Jenkins/Ant dialect GitHub Actions, GitLab and CircleCI
// reporters read): one testsuite per run, one testcase per check. A failed
// check is a <failure>, a skipped one <skipped>, a warning a passing case
// whose <system-out> says why.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes rep as JUnit XML; started stamps the suite.
func WriteJUnit(w io.Writer, rep *Report, started time.Time) error {
	suite := junitSuite{Name: "lcwh check " + rep.URL, Tests: len(rep.Checks), Failures: rep.Counts.Failed,
		Skipped: rep.Counts.Skipped, Time: seconds(rep.DurationMS),
		Properties: []junitProperty{{"url", rep.URL}, {"kinds", strings.Join(rep.Kinds, ",")},
			{"timeout", fmt.Sprintf("%gms", rep.TimeoutMS)}}}
	if !started.IsZero() {
		suite.Timestamp = started.UTC().Format("2006-01-02T15:04:05")
	}
	for _, c := range rep.Checks {
		tc := junitCase{Name: string(c.ID) + ": " + c.Title, Classname: "lcwh.check", Time: seconds(c.DurationMS)}
		switch c.Status {
		case Fail:
			tc.Failure = &junitFailure{Message: c.Summary, Type: string(c.ID), Text: explain(c)}
		case Skip:
			tc.Skipped = &junitSkipped{Message: c.Summary}
		case Warn:
			tc.SystemOut = "warning: " + explain(c)
		default:
			tc.SystemOut = c.Summary
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: "lcwh check", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// explain is a check's findings as plain text: summary, details, why, fix.
func explain(c Result) string {
	var b strings.Builder
	b.WriteString(c.Summary + "\n")
	for _, d := range c.Details {
		b.WriteString("  - " + d + "\n")
	}
	if c.Why != "" {
		b.WriteString("Why: " + c.Why + "\n")
	}
	if c.Fix != "" {
		b.WriteString("Fix: " + c.Fix + "\n")
	}
	return b.String()
}

func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }
