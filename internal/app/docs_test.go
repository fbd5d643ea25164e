package app

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestDocs runs every shell command shown in the guides under docs/, so a
// guide cannot drift from the tool. Each ```sh block's "$ " lines run in
// order, in one work dir per guide, through sh with the real lcwh on PATH.
// A block preceded by <!-- doctest: skip REASON --> is not run (installs,
// browsers); <!-- doctest: fail --> expects the block's commands to fail.
func TestDocs(t *testing.T) {
	guides, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join("..", "..", "docs", "guides", "*.md"))
	guides = append(guides, more...)
	dir := t.TempDir()
	n := 0
	for _, g := range guides {
		script, cmds, err := docScript(g)
		if err != nil {
			t.Fatal(err)
		}
		if cmds == 0 {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(g), ".md") + ".txtar"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Skip("no guide has shell blocks yet")
	}
	testscript.Run(t, testscript.Params{Dir: dir, RequireExplicitExec: true, Setup: setupEnv})
}

// docScript turns one guide into a testscript script.
func docScript(path string) (string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "# generated from %s\n", filepath.Base(path))
	sc := bufio.NewScanner(f)
	inBlock, skip, fail := false, false, false
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
		case !inBlock && (trimmed == "```sh" || trimmed == "```console" || trimmed == "```shell"):
			inBlock = true
		case inBlock && trimmed == "```":
			inBlock, skip, fail = false, false, false
		case inBlock && !skip && strings.HasPrefix(text, "$ "):
			cmd := strings.TrimPrefix(text, "$ ")
			neg := ""
			if fail {
				neg = "! "
			}
			fmt.Fprintf(&b, "# %s:%d\n%sexec sh -c %s\n", filepath.Base(path), line, neg, shellQuote(cmd))
			cmds++
		}
	}
	return b.String(), cmds, sc.Err()
}

// shellQuote quotes s for testscript's argument syntax.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
