package configcmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

// SetOptions are the inputs of `lcwh config set`.
type SetOptions struct {
	IO      *iostreams.IOStreams
	Path    string
	Profile string
	Key     string
	Value   string
}

func newCmdSet(f *cmdutil.Factory, runF func(*SetOptions) error) *cobra.Command {
	opts := &SetOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Save a setting in the config file",
		Long: `Save a setting in the config file, under the --profile section when one is
given. The value is checked first (a URL must be an http(s) URL, a port a
port). Other keys, profiles and comments in the file are kept; the file is
replaced atomically and readable only by you (mode 0600).

A VALUE of "-" reads the value from stdin, so secrets stay out of your shell
history.`,
		Example: `$ lcwh config set listen_port 9000
$ lcwh config set --profile sandbox api_url http://127.0.0.1:8765
$ lcwh config set secret - < secret.txt`,
		Args:              cmdutil.ExactArgs(2, "KEY and VALUE"),
		ValidArgsFunction: completeKeys,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Key, opts.Value = args[0], args[1]
			var err error
			if opts.Path, opts.Profile, err = fileTarget(f, opts.Key); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return setRun(opts)
		},
	}
}

func setRun(opts *SetOptions) error {
	if opts.Value == "-" {
		v, err := opts.IO.ReadPassword()
		if err != nil {
			return fmt.Errorf("read value from stdin: %w", err)
		}
		opts.Value = v
	}
	if err := config.Validate(opts.Key, opts.Value); err != nil {
		return cmdutil.UsageHint(err, "Run 'lcwh help environment' for what each key accepts.")
	}
	if err := config.Set(opts.Path, opts.Profile, opts.Key, opts.Value); err != nil {
		return err
	}
	shown := opts.Value
	if k, _ := config.Lookup(opts.Key); k.Secret {
		shown = config.Redact(shown)
	}
	st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	where := opts.Path
	if opts.Profile != "" {
		where += " (profile " + opts.Profile + ")"
	}
	_, err := fmt.Fprintf(opts.IO.ErrOut, "%s Set %s to %s in %s\n", st.Success.Render("✓"), opts.Key, shown, where)
	return err
}

// fileTarget checks key and says where set and unset write it: the
// config file and the --profile section.
func fileTarget(f *cmdutil.Factory, key string) (path, profile string, err error) {
	if err := checkKey(key); err != nil {
		return "", "", err
	}
	return configPath(f), profileName(f), nil
}

// configPath is the file config writes go to: --config, LCWH_CONFIG, XDG.
func configPath(f *cmdutil.Factory) string {
	if f.ConfigOptions.Path != "" {
		return f.ConfigOptions.Path
	}
	return config.DefaultPath(f.LookupEnv)
}

func profileName(f *cmdutil.Factory) string {
	if f.ConfigOptions.Profile != "" {
		return f.ConfigOptions.Profile
	}
	return f.Getenv("LCWH_PROFILE")
}
