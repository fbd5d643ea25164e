// Package docgen writes lcwh's reference documentation from the command
// tree: one Markdown page per command, man pages and shell completions. The
// output is byte-stable (no generation dates) so CI can fail on drift.
package docgen

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/commands/root"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
)

// RegenerateCommand is what to run when the generated files are stale.
const RegenerateCommand = "go run ./cmd/gen-docs"

// manDate is fixed so man pages do not change with the day they are built.
var manDate = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// Files returns every generated file, keyed by its path relative to the
// repository root.
func Files() (map[string][]byte, error) {
	cmd := newRoot()
	files := map[string][]byte{}
	if err := markdown(cmd, files); err != nil {
		return nil, err
	}
	if err := man(cmd, files); err != nil {
		return nil, err
	}
	if err := completions(cmd, files); err != nil {
		return nil, err
	}
	return files, nil
}

// Write writes Files under dir, removing stale pages in the generated folders.
func Write(dir string) error {
	files, err := Files()
	if err != nil {
		return err
	}
	for _, sub := range []string{"docs/commands", "docs/man"} {
		_ = os.RemoveAll(filepath.Join(dir, sub))
	}
	for rel, b := range files {
		p := filepath.Join(dir, rel)
		// Committed docs, man pages and completions: readable by everyone,
		// as the repository and the release archives are.
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil { //nolint:gosec // G301: see above
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil { //nolint:gosec // G306: see above
			return err
		}
	}
	return nil
}

// newRoot builds the command tree with a neutral environment, so nothing
// about the machine running the generator leaks into the output.
func newRoot() *cobra.Command {
	ios, _ := iostreams.Test()
	env := func(string) (string, bool) { return "", false }
	f := &cmdutil.Factory{
		IOStreams:     ios,
		Build:         build.Info{Version: "dev"},
		ConfigOptions: &config.Options{LookupEnv: env},
		LookupEnv:     env,
		Now:           func() time.Time { return manDate },
		Debug:         new(bool),
	}
	f.Config = func() (*config.Config, error) { return config.Load(*f.ConfigOptions) }
	cmd := root.NewCmdRoot(f)
	cmd.DisableAutoGenTag = true
	cmd.InitDefaultHelpCmd()
	cmd.InitDefaultCompletionCmd()
	return cmd
}

func markdown(cmd *cobra.Command, files map[string][]byte) error {
	return walk(cmd, func(c *cobra.Command) error {
		var b bytes.Buffer
		link := func(name string) string { return name }
		if err := doc.GenMarkdownCustom(c, &b, link); err != nil {
			return err
		}
		files["docs/commands/"+basename(c)+".md"] = b.Bytes()
		return nil
	})
}

func man(cmd *cobra.Command, files map[string][]byte) error {
	header := &doc.GenManHeader{Title: "LCWH", Section: "1", Date: &manDate, Source: "lcwh", Manual: "lcwh manual"}
	return walk(cmd, func(c *cobra.Command) error {
		var b bytes.Buffer
		h := *header
		if err := doc.GenMan(c, &h, &b); err != nil {
			return err
		}
		files["docs/man/"+strings.ReplaceAll(basename(c), "_", "-")+".1"] = b.Bytes()
		return nil
	})
}

func completions(cmd *cobra.Command, files map[string][]byte) error {
	gens := map[string]func(io.Writer) error{
		"completions/lcwh.bash": func(w io.Writer) error { return cmd.GenBashCompletionV2(w, true) },
		"completions/lcwh.zsh":  cmd.GenZshCompletion,
		"completions/lcwh.fish": func(w io.Writer) error { return cmd.GenFishCompletion(w, true) },
		"completions/lcwh.ps1":  cmd.GenPowerShellCompletionWithDesc,
	}
	for name, gen := range gens {
		var b bytes.Buffer
		if err := gen(&b); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		files[name] = b.Bytes()
	}
	return nil
}

// walk visits every command that a user can see, help topics included.
func walk(c *cobra.Command, fn func(*cobra.Command) error) error {
	// cobra's doc generator adds a help subcommand to every command it
	// renders; only the root's is real.
	if c.Hidden || c.Deprecated != "" || (c.Name() == "help" && c.Parent() != c.Root()) {
		return nil
	}
	if err := fn(c); err != nil {
		return err
	}
	for _, sub := range c.Commands() {
		if err := walk(sub, fn); err != nil {
			return err
		}
	}
	return nil
}

func basename(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "_")
}
