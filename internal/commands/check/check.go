// Package check implements `lcwh check URL`: grade a webhook handler
// against LiveChat's delivery contract and print a report card (or JSON,
// or JUnit XML for CI). The checks themselves live in internal/check.
package check

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
	engine "github.com/lcwh/lcwh/internal/check"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/suggest"
)

// jsonFields is the documented --json field set.
const jsonFields = "url, kinds, ok, counts (passed, warned, failed, skipped), deliveries, timeout_ms, duration_ms, " +
	"checks (id, title, status, summary, details, why, fix, deliveries, duration_ms, latency_ms (p50, p99, max))"

// maxTriggerTimeout is the longest per-delivery timeout the sandbox accepts.
const maxTriggerTimeout = 60 * time.Second

// CheckOptions are the inputs of `lcwh check`.
type CheckOptions struct {
	IO      *iostreams.IOStreams
	Now     func() time.Time
	Version string
	Debug   bool
	// HTTPClient replaces the delivery client (tests); nil builds one on
	// engine.NewTransport through internal/httpclient.
	HTTPClient *http.Client
	// Sleep replaces the retry pause and the slow-client pacing (tests).
	Sleep func(context.Context, time.Duration) error
	// Seed makes bodies reproducible (tests; 0 is random).
	Seed uint64

	URL           string
	KindNames     []string
	Family        string
	All           bool
	Secret        string
	ClientID      string
	MondaySecret  string
	Headers       []string
	Parallel      int
	Timeout       time.Duration
	Skip          []string
	Only          []string
	AcceptsForged bool
	JSON          bool
	JUnit         string
	ViaSandbox    bool
	SandboxURL    string

	// Resolved from the above by NewCmdCheck.
	Kinds  []catalog.Kind
	Run    map[engine.ID]bool
	Header http.Header
}

// NewCmdCheck builds `lcwh check`; runF replaces the run function in tests.
func NewCmdCheck(f *cmdutil.Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{IO: f.IOStreams, Now: f.Now, Version: f.Build.Version}
	cmd := &cobra.Command{
		Use:   "check URL [--kinds K,…|--family F|--all] [--secret S]",
		Short: "Grade a webhook handler against LiveChat's delivery contract",
		Long:  longHelp,
		Example: `$ lcwh check http://127.0.0.1:3000/webhooks --secret "$LIVECHAT_WEBHOOK_SECRET"
$ lcwh check http://127.0.0.1:3000/webhooks --kinds thread_tagged,incoming_rich_message_postback
$ lcwh check http://127.0.0.1:3000/app-hooks --family app --client-id "$CLIENT_ID"
$ lcwh check http://127.0.0.1:3000/monday --family monday --monday-secret "$MONDAY_CLIENT_SECRET"
$ lcwh check http://127.0.0.1:3000/webhooks --only retry,order
$ lcwh check http://127.0.0.1:3000/webhooks --junit lcwh-check.xml
$ lcwh check --via-sandbox --secret s3cret
$ lcwh check http://127.0.0.1:3000/webhooks --json | jq '.checks[] | select(.status == "fail") | .id'`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return cmdutil.FlagErrorf("lcwh check takes one URL, got %d arguments", len(args))
			}
			return nil
		},
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.URL = args[0]
			}
			opts.Debug = f.Debug != nil && *f.Debug
			if err := resolveConfig(f, cmd, opts); err != nil {
				return err
			}
			if err := opts.complete(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.KindNames, "kinds", nil, "Webhook kinds to deliver, comma-separated (LiveChat kinds are added to the default three)")
	fl.StringVar(&opts.Family, "family", "", "Deliver every kind of one family: livechat, app or monday")
	fl.BoolVar(&opts.All, "all", false, "Deliver every kind lcwh knows")
	fl.StringVar(&opts.Secret, "secret", "", "secret_key your handler expects in LiveChat bodies (env LCWH_SECRET, config key secret)")
	fl.StringVar(&opts.ClientID, "client-id", "", "Your app's Client ID, put in App Webhooks bodies as clientID (env LCWH_CLIENT_ID)")
	fl.StringVar(&opts.MondaySecret, "monday-secret", "", "Secret that signs monday.com JWTs (HS256, an assumption; env LCWH_MONDAY_SECRET)")
	fl.StringArrayVarP(&opts.Headers, "header", "H", nil, "Extra request header 'Key: Value' on every delivery (repeatable)")
	fl.IntVar(&opts.Parallel, "parallel", engine.DefaultParallel, "Deliveries the parallel check sends at once")
	fl.DurationVar(&opts.Timeout, "timeout", engine.DefaultTimeout, "How long one delivery may wait for its answer (LiveChat: about 10s)")
	fl.StringSliceVar(&opts.Skip, "skip", nil, "Checks not to run, comma-separated ids (see above)")
	fl.StringSliceVar(&opts.Only, "only", nil, "Run only these checks, comma-separated ids")
	fl.BoolVar(&opts.AcceptsForged, "accepts-forged", false, "A 200 to a forged delivery is a warning, not a failure (handlers that drop forgeries silently)")
	fl.StringVar(&opts.JUnit, "junit", "", "Also write the results as JUnit XML to FILE (one test case per check)")
	fl.BoolVar(&opts.ViaSandbox, "via-sandbox", false, "Deliver through the webhooks registered in a running lcwh sandbox too, proving the registration (env LCWH_SANDBOX_URL)")
	cmdutil.AddJSONFlag(cmd, &opts.JSON, jsonFields)
	completeFlags(cmd)
	return cmd
}

func completeFlags(cmd *cobra.Command) {
	ids := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, id := range engine.IDs() {
			out = append(out, string(id))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	_ = cmd.RegisterFlagCompletionFunc("skip", ids)
	_ = cmd.RegisterFlagCompletionFunc("only", ids)
	_ = cmd.RegisterFlagCompletionFunc("kinds", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, k := range catalog.All() {
			out = append(out, k.Name+"\t"+k.Description)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("family", cobra.FixedCompletions([]string{"livechat", "app", "monday"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("junit", cobra.FixedCompletions([]string{"xml"}, cobra.ShellCompDirectiveFilterFileExt))
}

// resolveConfig reads the secrets and the sandbox URL: flag > env > file.
func resolveConfig(f *cmdutil.Factory, cmd *cobra.Command, opts *CheckOptions) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	cfg.BindFlag("secret", cmd.Flags().Lookup("secret"))
	cfg.BindFlag("monday_secret", cmd.Flags().Lookup("monday-secret"))
	cfg.BindFlag("client_id", cmd.Flags().Lookup("client-id"))
	opts.Secret = cfg.Get("secret")
	opts.MondaySecret = cfg.Get("monday_secret")
	opts.ClientID = cfg.Get("client_id")
	if opts.ViaSandbox {
		u, err := cfg.URL("sandbox_url")
		if err != nil {
			return cmdutil.FlagErrorWrap(err)
		}
		opts.SandboxURL = strings.TrimRight(u, "/")
	}
	return nil
}

// complete validates the flags and resolves kinds, checks and headers.
func (o *CheckOptions) complete() error {
	if err := o.checkURL(); err != nil {
		return err
	}
	kinds, err := resolveKinds(o.KindNames, o.Family, o.All)
	if err != nil {
		return err
	}
	o.Kinds = kinds
	if o.Run, err = resolveChecks(o.Skip, o.Only); err != nil {
		return err
	}
	if o.Header, err = parseHeaders(o.Headers); err != nil {
		return err
	}
	switch {
	case o.Timeout <= 0:
		return cmdutil.FlagErrorf("--timeout must be positive, got %s", o.Timeout)
	case o.ViaSandbox && o.Timeout > maxTriggerTimeout:
		return cmdutil.FlagErrorf("--timeout with --via-sandbox is at most %s (the sandbox's limit), got %s", maxTriggerTimeout, o.Timeout)
	case o.Parallel < 1 || o.Parallel > 1000:
		return cmdutil.FlagErrorf("--parallel must be 1–1000, got %d", o.Parallel)
	case o.JUnit == "-":
		return cmdutil.FlagErrorf("--junit needs a file name; for the results on stdout use --json")
	}
	return nil
}

func (o *CheckOptions) checkURL() error {
	if o.URL == "" {
		if o.ViaSandbox {
			return nil
		}
		return cmdutil.UsageHint(fmt.Errorf("lcwh check needs the URL of your webhook handler"),
			"Run your handler, then: lcwh check http://127.0.0.1:3000/webhooks (or --via-sandbox to take it from lcwh sandbox).")
	}
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cmdutil.FlagErrorf("%q is not an http(s) URL; expected e.g. http://127.0.0.1:3000/webhooks", o.URL)
	}
	return nil
}

// resolveKinds applies --kinds, --family and --all. LiveChat kinds named
// with --kinds come on top of the default three (most handlers get those);
// kinds of the other families, which go to their own URL, are taken alone.
func resolveKinds(names []string, family string, all bool) ([]catalog.Kind, error) {
	n := 0
	for _, set := range []bool{len(names) > 0, family != "", all} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return nil, cmdutil.FlagErrorf("use only one of --kinds, --family and --all")
	case all:
		return catalog.All(), nil
	case family != "":
		fam, err := catalog.ParseFamily(family)
		if err != nil {
			return nil, cmdutil.FlagErrorWrap(err)
		}
		return catalog.ByFamily(fam), nil
	case len(names) == 0:
		return engine.DefaultKinds(), nil
	}
	var named []catalog.Kind
	livechat := false
	for _, name := range names {
		k, ok := catalog.Lookup(strings.TrimSpace(name))
		if !ok {
			return nil, &catalog.UnknownKindError{Name: name}
		}
		named = append(named, k)
		livechat = livechat || k.Family == catalog.LiveChat
	}
	var out []catalog.Kind
	if livechat {
		out = engine.DefaultKinds()
	}
	seen := map[string]bool{}
	for _, k := range out {
		seen[k.Name] = true
	}
	for _, k := range named {
		if !seen[k.Name] {
			seen[k.Name] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// resolveChecks turns --skip / --only into the set to run (nil: all).
func resolveChecks(skip, only []string) (map[engine.ID]bool, error) {
	if len(skip) > 0 && len(only) > 0 {
		return nil, cmdutil.FlagErrorf("use --skip or --only, not both")
	}
	if len(skip) == 0 && len(only) == 0 {
		return nil, nil
	}
	list, want := only, true
	if len(skip) > 0 {
		list, want = skip, false
	}
	run := map[engine.ID]bool{}
	for _, id := range engine.IDs() {
		run[id] = !want
	}
	for _, s := range list {
		id, ok := engine.ParseID(strings.TrimSpace(s))
		if !ok {
			return nil, unknownCheck(s)
		}
		run[id] = want
	}
	return run, nil
}

func unknownCheck(s string) error {
	var ids []string
	for _, id := range engine.IDs() {
		ids = append(ids, string(id))
	}
	msg := fmt.Sprintf("unknown check %q", s)
	if near := suggest.Closest(s, ids, 3); len(near) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(near, "\n\t")
	}
	return cmdutil.UsageHint(fmt.Errorf("%s", msg), "Checks: "+strings.Join(ids, ", ")+".")
}

// parseHeaders turns -H 'Key: Value' into a header.
func parseHeaders(in []string) (http.Header, error) {
	h := http.Header{}
	for _, s := range in {
		k, v, ok := strings.Cut(s, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t\"(),/:;<=>?@[\\]{}") {
			return nil, cmdutil.FlagErrorf("-H %q: expected 'Key: Value', e.g. 'X-Request-Id: 42'", s)
		}
		v = strings.TrimSpace(v)
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, cmdutil.FlagErrorf("-H %q: the value holds a line break", s)
		}
		h.Add(k, v)
	}
	return h, nil
}
