package samples

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

// ShowOptions are the inputs of `lcwh samples show`.
type ShowOptions struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)
	Now    func() time.Time

	Kind catalog.Kind
	Sets []catalog.Set
	// Secret is the --secret flag's value; SecretFlag binds it to the
	// `secret` key so flag > LCWH_SECRET > config file resolves in one place.
	Secret     string
	SecretFlag *pflag.Flag
	Seed       uint64
}

// NewCmdShow builds `lcwh samples show`; runF replaces the run function in tests.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IOStreams, Config: f.Config, Now: f.Now}
	var sets []string
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Print the body send-sample would send for a webhook kind",
		Long: `Print one fresh body of a webhook kind as indented JSON, coloured on a
terminal: the body "lcwh send-sample NAME" would send with the same flags.
On a terminal a secret_key you configured is shown redacted; piped, the
output is the exact body.

Every run regenerates chat and thread ids (10 capitals and digits, event ids
follow their thread), webhook_id (32 hex), App Webhooks' paymentID (a UUID)
and every timestamp (the newest becomes now, the gaps between them are kept).
--seed N makes those values reproducible; with the same seed and clock the
output is identical. Other values are the documented sample's.

secret_key (LiveChat kinds only) is --secret, else LCWH_SECRET, else the
"secret" config key, else the sample's own k3Jd8sLq0vXz4NwP7rTy2uBm.

--set path=value overrides a field after generation; the path is dot
separated (array items by index) and the value is JSON when it parses as
JSON, else a string. Missing objects on the way are created.`,
		Example: `$ lcwh samples show incoming_chat
$ lcwh samples show incoming_event --set payload.event.text='Where is my order?'
$ lcwh samples show chat_transferred --set 'additional_data={}' --seed 42
$ lcwh samples show payment_collected | jq .payload`,
		Args:              cmdutil.ExactArgs(1, "one webhook kind NAME (see 'lcwh samples list')"),
		ValidArgsFunction: completeKinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			k, ok := catalog.Lookup(args[0])
			if !ok {
				return &catalog.UnknownKindError{Name: args[0]}
			}
			opts.Kind = k
			parsed, err := catalog.ParseSets(sets)
			if err != nil {
				return cmdutil.FlagErrorWrap(err)
			}
			opts.Sets = parsed
			opts.SecretFlag = cmd.Flags().Lookup("secret")
			if runF != nil {
				return runF(opts)
			}
			return showRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&sets, "set", nil, "Override a field: `path=value` (repeatable; JSON values allowed)")
	fl.StringVar(&opts.Secret, "secret", "", "secret_key put in LiveChat bodies (default: LCWH_SECRET, config key secret, else the sample's)")
	fl.Uint64Var(&opts.Seed, "seed", 0, "Seed for every generated value (ids, webhook_id, paymentID, timestamps): same seed, same body (0: random)")
	return cmd
}

func showRun(opts *ShowOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	cfg.BindFlag("secret", opts.SecretFlag)
	gen := catalog.NewGenerator(opts.Seed, opts.Now)
	body, err := gen.Body(opts.Kind, catalog.Params{Secret: cfg.Get("secret"), Sets: opts.Sets})
	if err != nil {
		if len(opts.Sets) > 0 {
			return cmdutil.FlagErrorWrap(err)
		}
		return fmt.Errorf("generate %s: %w", opts.Kind.Name, err)
	}
	st := render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled())
	// On a terminal your own secret is hidden; piped, the body is exact so
	// it can feed curl or a test.
	redact := ""
	if opts.IO.IsStdoutTTY() && cfg.Get("secret") != "" {
		redact = "secret_key"
	}
	out, err := render.AppendPrettyJSON(make([]byte, 0, len(body)*2), body, st, redact)
	if err != nil {
		return fmt.Errorf("render %s: %w", opts.Kind.Name, err)
	}
	_, err = opts.IO.Out.Write(append(out, '\n'))
	return err
}
