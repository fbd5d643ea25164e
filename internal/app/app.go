// Package app runs lcwh: it builds the Factory and the command tree, runs the
// command, and turns the error, if any, into one message and an exit code.
// It is the only place that decides how errors look.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/commands/factory"
	"github.com/lcwh/lcwh/internal/commands/root"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/termtext"
)

// Main runs lcwh with os.Args and returns the process exit code.
func Main() int {
	f := factory.New(build.Current())
	return Run(context.Background(), f, nil)
}

// Run executes the command tree with args (nil means os.Args[1:]) and
// reports the exit code; tests call it with their own Factory.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	cmd := root.NewCmdRoot(f)
	if args != nil {
		cmd.SetArgs(args)
	}
	ran, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	// Args validation fails before PersistentPreRun applies --no-color, so
	// honour the parsed flag here as well.
	if nc := cmd.PersistentFlags().Lookup("no-color"); nc != nil && nc.Value.String() == "true" {
		f.IOStreams.SetColorDisabled(true)
	}
	printError(f.IOStreams.ErrOut, f.IOStreams.ColorEnabledErr(), ran, err)
	return cmdutil.ExitCodeOf(err)
}

func printError(w io.Writer, color bool, cmd *cobra.Command, err error) {
	if errors.Is(err, cmdutil.ErrSilent) {
		return
	}
	st := render.NewStyles(w, color)
	if errors.Is(err, cmdutil.ErrCancel) {
		fmt.Fprintln(w, st.Warn.Render("interrupted"))
		return
	}
	// Error texts carry server answers, file contents and URLs: printed
	// without terminal controls (termtext.Clean keeps newlines and tabs).
	fmt.Fprintf(w, "%s %s\n", st.Error.Render("error:"), termtext.Clean(err.Error()))
	// A TLS verification failure says what to change, before any hint a
	// command attached to the failed request.
	hint := tlsHint(err)
	if hint == "" {
		hint = cmdutil.HintOf(err)
	}
	var fe *cmdutil.FlagError
	if hint == "" && errors.As(err, &fe) && cmd != nil {
		hint = fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath())
	}
	if hint != "" {
		for _, line := range strings.Split(hint, "\n") {
			fmt.Fprintf(w, "  %s\n", st.Muted.Render(termtext.Clean(line)))
		}
	}
}
