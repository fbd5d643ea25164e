package app

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/lcwh/lcwh/internal/livechatfake"
)

// TestDocs runs every shell command shown in the guides under docs/, so a
// guide cannot drift from the tool. Each ```sh (or console, shell) block's
// "$ " lines run in order, in one work dir per guide, through sh with the
// real lcwh on PATH; guides run one after another (they may use fixed ports).
//
// The environment is the e2e scripts' (HOME in the work dir, a fresh strict
// fake of LiveChat) plus: LCWH_API_URL and LCWH_ACCOUNTS_URL point at the
// fake, and ACCOUNT_ID, PAT and CLIENT_ID hold its identities, so a guide can
// show `echo "$ACCOUNT_ID:$PAT" | lcwh auth login --with-pat` as a reader
// types it.
//
// Lines are translated so that the shell state a reader keeps carries over:
//
//	$ export K=V …          sets K for the rest of the guide (testscript env)
//	$ eval "$(CMD)"         runs CMD and sets the variables of its export lines
//	$ . FILE / source FILE  sets the variables of FILE's export lines (a
//	                        line that goes on, ". f && cmd", runs in sh)
//
// Markers, in an HTML comment on the lines before a block:
//
//	<!-- doctest: skip REASON -->   the block is not run (installs, browsers)
//	<!-- doctest: fail -->          its commands must fail
//	<!-- doctest: background wait=URL|FILE -->
//	                                each command runs in the background (what
//	                                a reader starts in another terminal; it
//	                                is interrupted when the guide ends), then
//	                                the guide waits, at most 20 s, until URL
//	                                answers or FILE exists
//	<!-- doctest: wait FILE lines=N -->
//	                                before the block, wait (at most 20 s)
//	                                until FILE holds N complete lines (what a
//	                                background listen --save has flushed)
//	<!-- doctest: stdout REGEXP -->  the block's last command's stdout (or
//	<!-- doctest: stderr REGEXP -->  stderr) must match REGEXP (repeatable)
func TestDocs(t *testing.T) {
	guides, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join("..", "..", "docs", "guides", "*.md"))
	guides = append(guides, more...)
	n := 0
	for _, g := range guides {
		script, cmds, err := docScript(g)
		if err != nil {
			t.Fatal(err)
		}
		if cmds == 0 {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(g), ".md")
		// t.Run returns only when the guide's (parallel) script is done, so
		// guides never run at the same time.
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, name+".txtar"), []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			testscript.Run(t, testscript.Params{
				Dir: dir, RequireExplicitExec: true, Setup: docEnv,
				Cmds: map[string]func(*testscript.TestScript, bool, []string){
					"docenv": cmdDocEnv, "docwait": cmdDocWait,
				},
			})
		})
	}
	if n == 0 {
		t.Skip("no guide has shell blocks yet")
	}
}

func docEnv(env *testscript.Env) error {
	if err := setupEnv(env); err != nil {
		return err
	}
	env.Setenv("LCWH_API_URL", env.Getenv("FAKE_URL"))
	env.Setenv("LCWH_ACCOUNTS_URL", env.Getenv("FAKE_URL"))
	env.Setenv("ACCOUNT_ID", livechatfake.AccountID)
	env.Setenv("PAT", livechatfake.PATToken)
	env.Setenv("CLIENT_ID", livechatfake.ServerClientID)
	return nil
}

// cmdDocEnv sets the variables of the "export K=V" lines of a file (or of
// "stdout", the last command's output).
func cmdDocEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: docenv FILE|stdout")
	}
	for _, line := range strings.Split(ts.ReadFile(args[0]), "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "export "), "=")
		if !ok || strings.ContainsAny(k, " \t#") {
			continue
		}
		ts.Setenv(k, strings.Trim(v, `"'`))
	}
}

// cmdDocWait waits until a URL answers (any status) or a file exists (with
// at least N complete lines), polling for at most 20 s: a readiness wait, not
// a timing assumption.
func cmdDocWait(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: docwait URL|FILE [LINES]")
	}
	target, lines := args[0], 0
	if len(args) == 2 {
		n, err := strconv.Atoi(args[1])
		if err != nil {
			ts.Fatalf("docwait: bad line count %q", args[1])
		}
		lines = n
	}
	ready := func() bool {
		if strings.HasPrefix(target, "http://") {
			c := http.Client{Timeout: time.Second}
			resp, err := c.Get(target)
			if err != nil {
				return false
			}
			resp.Body.Close()
			return true
		}
		data, err := os.ReadFile(ts.MkAbs(target))
		return err == nil && bytes.Count(data, []byte("\n")) >= lines
	}
	deadline := time.Now().Add(20 * time.Second)
	for !ready() {
		if time.Now().After(deadline) {
			ts.Fatalf("%s not ready after 20s", target)
		}
		time.Sleep(20 * time.Millisecond) // poll interval of a bounded readiness wait
	}
}

// docScript turns one guide into a testscript script.
func docScript(path string) (string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	var b strings.Builder
	base := filepath.Base(path)
	fmt.Fprintf(&b, "# generated from %s\n", base)
	sc := bufio.NewScanner(f)
	inBlock, skip, fail := false, false, false
	wait, waitBefore := "", ""
	var checks []string
	cmds, line := 0, 0
	for sc.Scan() {
		line++
		text := sc.Text()
		trimmed := strings.TrimSpace(text)
		switch {
		case !inBlock && strings.HasPrefix(trimmed, "<!-- doctest: skip"):
			skip = true
		case !inBlock && strings.HasPrefix(trimmed, "<!-- doctest: fail"):
			fail = true
		case !inBlock && strings.HasPrefix(trimmed, "<!-- doctest: background"):
			wait = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(trimmed, "<!-- doctest: background"), "-->"))
			if !strings.HasPrefix(wait, "wait=") {
				return "", 0, fmt.Errorf("%s:%d: background needs wait=URL|FILE", base, line)
			}
			wait = strings.TrimPrefix(wait, "wait=")
		case !inBlock && strings.HasPrefix(trimmed, "<!-- doctest: wait "):
			target, n, _ := strings.Cut(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(trimmed, "<!-- doctest: wait "), "-->")), " lines=")
			waitBefore = "docwait " + shellQuote(target)
			if n != "" {
				waitBefore += " " + n
			}
			waitBefore += "\n"
		case !inBlock && (strings.HasPrefix(trimmed, "<!-- doctest: stdout ") || strings.HasPrefix(trimmed, "<!-- doctest: stderr ")):
			stream, re, _ := strings.Cut(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(trimmed, "<!-- doctest: "), "-->")), " ")
			checks = append(checks, stream+" "+shellQuote(strings.TrimSpace(re)))
		case !inBlock && (trimmed == "```sh" || trimmed == "```console" || trimmed == "```shell"):
			inBlock = true
			if !skip {
				b.WriteString(waitBefore)
			}
			waitBefore = ""
		case inBlock && trimmed == "```":
			if !skip {
				for _, check := range checks {
					b.WriteString(check + "\n")
				}
			}
			inBlock, skip, fail, wait, checks = false, false, false, "", nil
		case inBlock && !skip && strings.HasPrefix(text, "$ "):
			fmt.Fprintf(&b, "# %s:%d\n", base, line)
			b.WriteString(docCommand(strings.TrimPrefix(text, "$ "), fail, wait))
			cmds++
		}
	}
	return b.String(), cmds, sc.Err()
}

// docCommand is the testscript for one "$ " line.
func docCommand(cmd string, fail bool, wait string) string {
	neg := ""
	if fail {
		neg = "! "
	}
	switch {
	case wait != "":
		return fmt.Sprintf("exec sh -c %s &\ndocwait %s\n", shellQuote("exec "+cmd), shellQuote(wait))
	case strings.HasPrefix(cmd, "export "):
		var env []string
		for _, kv := range strings.Fields(strings.TrimPrefix(cmd, "export ")) {
			k, v, _ := strings.Cut(kv, "=")
			// Unquoted: testscript expands $VARS in it, as sh would.
			env = append(env, k+"="+strings.Trim(v, `"`))
		}
		return "env " + strings.Join(env, " ") + "\n"
	case strings.HasPrefix(cmd, `eval "$(`) && strings.HasSuffix(cmd, `)"`):
		inner := strings.TrimSuffix(strings.TrimPrefix(cmd, `eval "$(`), `)"`)
		return fmt.Sprintf("%sexec sh -c %s\ndocenv stdout\n", neg, shellQuote(inner))
	case (strings.HasPrefix(cmd, ". ") || strings.HasPrefix(cmd, "source ")) && len(strings.Fields(cmd)) == 2:
		return fmt.Sprintf("docenv %s\n", shellQuote(strings.Fields(cmd)[1]))
	}
	return fmt.Sprintf("%sexec sh -c %s\n", neg, shellQuote(cmd))
}

// shellQuote quotes s for testscript's argument syntax.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
