package catalog

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCatalogEqualsSpec pins the catalog to the kinds the spec names
// (testdata/spec-kinds.txt, taken from the spec's tables): same names, same
// families, same order within each family.
func TestCatalogEqualsSpec(t *testing.T) {
	f, err := os.Open("testdata/spec-kinds.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want = append(want, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fam := range Families() {
		for _, k := range ByFamily(fam) {
			got = append(got, string(k.Family)+" "+k.Name)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("catalog differs from the spec's list (-spec +catalog):\n%s", diff)
	}
	if len(All()) != len(want) {
		t.Errorf("All() has %d kinds, the spec %d", len(All()), len(want))
	}
}

func TestKindsHaveDescriptions(t *testing.T) {
	for _, k := range All() {
		if k.Description == "" || strings.HasSuffix(k.Description, ".") {
			t.Errorf("%s: description %q should be a non-empty phrase without a final period", k.Name, k.Description)
		}
	}
}
