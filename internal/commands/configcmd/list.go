package configcmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

// ListOptions are the inputs of `lcwh config list`.
type ListOptions struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)
	JSON   bool
}

// Entry is one row of `config list --json`.
type Entry struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"`
	Env    string `json:"env"`
}

func newCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Config: f.Config}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show every setting, its value and where it comes from",
		Long: `Show every known setting with its resolved value and its source: flag, env,
profile, file or default. Secret values are redacted.`,
		Example: "$ lcwh config list\n$ lcwh config list --profile staging --json",
		Aliases: []string{"ls"},
		Args:    cmdutil.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	cmdutil.AddJSONFlag(cmd, &opts.JSON, "key, value, source, env")
	return cmd
}

func listRun(opts *ListOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	var entries []Entry
	for _, k := range config.Keys() {
		v := cfg.Get(k.Name)
		if k.Secret {
			v = config.Redact(v)
		}
		entries = append(entries, Entry{Key: k.Name, Value: v, Source: string(cfg.Source(k.Name)), Env: k.Env()})
	}
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, entries)
	}
	st := render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled())
	tty := opts.IO.IsStdoutTTY()
	tb := render.NewTable(opts.IO.Out, st, tty, opts.IO.TerminalWidth())
	tb.Header("KEY", "VALUE", "SOURCE")
	for _, e := range entries {
		v := render.Plain(e.Value)
		if e.Value == "" && tty {
			v = render.Styled("(not set)", st.Muted)
		}
		tb.Row(render.Plain(e.Key), v, render.Styled(e.Source, st.Muted))
	}
	if err := tb.Render(); err != nil {
		return err
	}
	if !tty {
		return nil
	}
	where := cfg.Path()
	if p := cfg.Profile(); p != "" {
		where += ", profile " + p
	}
	_, err = fmt.Fprintf(opts.IO.ErrOut, "%s\n", st.Muted.Render("config file: "+where))
	return err
}
