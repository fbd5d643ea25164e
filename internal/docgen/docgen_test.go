package docgen

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestGeneratedFilesAreCurrent fails when docs/ or completions/ no longer
// match the command tree.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join("..", "..")
	var stale []string
	for rel, want := range files {
		got, err := os.ReadFile(filepath.Join(repo, rel))
		if err != nil || !bytes.Equal(got, want) {
			stale = append(stale, rel)
		}
	}
	for _, dir := range []string{"docs/commands", "docs/man"} {
		entries, _ := os.ReadDir(filepath.Join(repo, dir))
		for _, e := range entries {
			if _, ok := files[dir+"/"+e.Name()]; !ok {
				stale = append(stale, dir+"/"+e.Name()+" (no longer generated)")
			}
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Fatalf("generated files are stale; run %q and commit:\n  %s", RegenerateCommand, strings.Join(stale, "\n  "))
	}
}

func TestOutputIsStable(t *testing.T) {
	a, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Files()
	for k := range a {
		if !bytes.Equal(a[k], b[k]) {
			t.Errorf("%s differs between two runs", k)
		}
	}
	if _, ok := a["docs/commands/lcwh_config_set.md"]; !ok {
		t.Errorf("no page for lcwh config set")
	}
	if _, ok := a["docs/man/lcwh-config-set.1"]; !ok {
		t.Errorf("no man page for lcwh config set")
	}
}
