package cmdutil

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
)

func TestCompleteKinds(t *testing.T) {
	got, dir := CompleteKinds(nil, nil, "")
	if dir != cobra.ShellCompDirectiveNoFileComp {
		t.Errorf("directive %v, want no file completion", dir)
	}
	all := catalog.All()
	if len(got) != len(all) {
		t.Fatalf("%d completions for %d kinds", len(got), len(all))
	}
	for i, k := range all {
		if name, desc, _ := strings.Cut(got[i], "\t"); name != k.Name || desc != k.Description {
			t.Errorf("completion %d = %q, want %s with its description", i, got[i], k.Name)
		}
	}
}
