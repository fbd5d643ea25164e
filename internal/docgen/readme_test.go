package docgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lcwh/lcwh/internal/config"
)

// TestReadmeDocumentsEveryKey keeps the README's configuration table in
// step with the key table in internal/config.
func TestReadmeDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, k := range config.Keys() {
		row := "| `" + k.Name + "` | `" + k.Env() + "` |"
		if !strings.Contains(readme, row) {
			t.Errorf("README.md has no configuration row starting %q", row)
		}
	}
}
