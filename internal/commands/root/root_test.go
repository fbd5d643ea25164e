package root

import (
	"errors"
	"testing"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
)

// Each kind of flag rule cobra checks after the hooks comes out of
// validateFlags as a usage error (exit 2).
func TestValidateFlagsMakesUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		mark func(*cobra.Command)
		args []string
	}{
		{"mutually exclusive", func(c *cobra.Command) { c.MarkFlagsMutuallyExclusive("a", "b") }, []string{"--a", "--b"}},
		{"required together", func(c *cobra.Command) { c.MarkFlagsRequiredTogether("a", "b") }, []string{"--a"}},
		{"one required", func(c *cobra.Command) { c.MarkFlagsOneRequired("a", "b") }, nil},
		{"required", func(c *cobra.Command) { _ = c.MarkFlagRequired("a") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
			c.Flags().Bool("a", false, "")
			c.Flags().Bool("b", false, "")
			tt.mark(c)
			if err := c.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			err := validateFlags(c)
			var fe *cmdutil.FlagError
			if !errors.As(err, &fe) || cmdutil.ExitCodeOf(err) != cmdutil.ExitUsage {
				t.Fatalf("validateFlags = %v (exit %d), want a FlagError (exit 2)", err, cmdutil.ExitCodeOf(err))
			}
		})
	}
	c := &cobra.Command{Use: "x"}
	c.Flags().Bool("a", false, "")
	c.Flags().Bool("b", false, "")
	c.MarkFlagsMutuallyExclusive("a", "b")
	if err := c.ParseFlags([]string{"--a"}); err != nil {
		t.Fatal(err)
	}
	if err := validateFlags(c); err != nil {
		t.Fatalf("validateFlags with one flag of the group = %v", err)
	}
}

// Cobra runs only the nearest PersistentPreRun(E): one on a subcommand
// would skip root's, and with it validateFlags and --no-color.
func TestOnlyRootHasPersistentPreRun(t *testing.T) {
	ios, _ := iostreams.Test()
	lookup := func(string) (string, bool) { return "", false }
	f := &cmdutil.Factory{IOStreams: ios, LookupEnv: lookup, ConfigOptions: &config.Options{LookupEnv: lookup}, Debug: new(bool)}
	root := NewCmdRoot(f)
	if root.PersistentPreRunE == nil {
		t.Fatal("root has no PersistentPreRunE")
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.PersistentPreRun != nil || sub.PersistentPreRunE != nil {
				t.Errorf("%s sets PersistentPreRun; it would replace root's", sub.CommandPath())
			}
			walk(sub)
		}
	}
	walk(root)
}
