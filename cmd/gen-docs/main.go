// Command gen-docs regenerates docs/commands, docs/man and completions/ from
// lcwh's command tree. Run it from the repository root.
package main

import (
	"fmt"
	"os"

	"github.com/lcwh/lcwh/internal/docgen"
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := docgen.Write(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(1)
	}
}
