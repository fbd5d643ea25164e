// Package sendsample implements `lcwh send-sample`: fire catalog samples (or
// your own body) at a URL the way LiveChat delivers webhooks, once or in a
// burst.
package sendsample

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/sender"
)

// DefaultURL is where `lcwh listen` receives by default.
const DefaultURL = "http://127.0.0.1:8080/webhooks"

// jsonFields is the documented NDJSON field set of one delivery.
const jsonFields = "name, url, status, attempts, latency_ms, ok, interrupted, error; bursts end with " +
	"{\"summary\":{sent, succeeded, failed, interrupted, retried, warned, stopped, elapsed_ms, req_per_sec, latency_ms, status}}"

// SendSampleOptions are the inputs of `lcwh send-sample`.
type SendSampleOptions struct {
	IO        *iostreams.IOStreams
	Now       func() time.Time
	UserAgent string
	// Version is lcwh's version, for the HTTP client's User-Agent.
	Version string
	// Debug, when not nil, receives the redacted log of every request
	// (--debug): deliveries then all go through the HTTP client.
	Debug io.Writer
	// HTTPClient replaces the client built from internal/httpclient
	// (tests); nil builds one.
	HTTPClient *http.Client
	// Sleep replaces the pause between retries and rate ticks (tests).
	Sleep func(context.Context, time.Duration) error
	// Interrupts replaces the process's Ctrl-C (SIGINT) signals (tests).
	Interrupts <-chan os.Signal

	Names         []string
	All           bool
	Family        string
	URL           string
	Headers       []string
	Secret        string
	MondaySecret  string
	Sets          []string
	File          string
	DryRun        bool
	Timeout       time.Duration
	Retries       int
	RetryInterval time.Duration
	NoRetry       bool
	Seed          uint64
	JSON          bool
	Count         int
	Concurrency   int
	Rate          float64
	Duration      time.Duration
}

// NewCmdSendSample builds `lcwh send-sample`; runF replaces the run function in tests.
func NewCmdSendSample(f *cmdutil.Factory, runF func(*SendSampleOptions) error) *cobra.Command {
	opts := &SendSampleOptions{IO: f.IOStreams, Now: f.Now, UserAgent: "lcwh/" + f.Build.Version, Version: f.Build.Version}
	cmd := &cobra.Command{
		Use:   "send-sample NAME... | --all | --family FAMILY | --file FILE",
		Short: "Send sample webhooks to a URL the way LiveChat delivers them",
		Long:  longHelp(),
		Example: `$ lcwh send-sample incoming_chat
$ lcwh send-sample incoming_event --url https://my-app.example.com/hooks --secret "$SECRET"
$ lcwh send-sample incoming_chat --set payload.chat.id=ABC --set 'additional_data={}'
$ lcwh send-sample --family monday --monday-secret "$MONDAY_CLIENT_SECRET"
$ lcwh send-sample --file event.json --dry-run
$ lcwh send-sample incoming_event --count 1000 --concurrency 20 --json | jq -c .summary`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: cmdutil.CompleteKinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Names = args
			if f.Debug != nil && *f.Debug {
				opts.Debug = f.IOStreams.ErrOut
			}
			if err := resolveConfig(f, cmd, opts); err != nil {
				return err
			}
			if err := validate(cmd, opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return sendSampleRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.All, "all", false, "Send one sample of every kind")
	fl.StringVar(&opts.Family, "family", "", "Send every kind of one family: livechat, app or monday")
	fl.StringVar(&opts.URL, "url", DefaultURL, "Where to POST")
	fl.StringArrayVarP(&opts.Headers, "header", "H", nil, "Extra request header 'Key: Value' (repeatable)")
	fl.StringVar(&opts.Secret, "secret", "", "secret_key put in LiveChat envelopes (env LCWH_SECRET, config key secret)")
	fl.StringVar(&opts.MondaySecret, "monday-secret", "", "Sign monday.com events with an HS256 JWT in Authorization (env LCWH_MONDAY_SECRET)")
	fl.StringArrayVar(&opts.Sets, "set", nil, "Override a body field: path=value, value may be JSON (repeatable)")
	fl.StringVar(&opts.File, "file", "", "Send your own JSON body from a file (- for stdin)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print what would be sent and send nothing")
	fl.DurationVar(&opts.Timeout, "timeout", sender.DefaultTimeout, "Timeout of one attempt")
	fl.IntVar(&opts.Retries, "retries", sender.DefaultRetries, "Attempts after a failed one")
	fl.DurationVar(&opts.RetryInterval, "retry-interval", sender.DefaultRetryInterval, "First pause before a retry (later pauses are 3x and 8x it)")
	fl.BoolVar(&opts.NoRetry, "no-retry", false, "Make a single attempt per delivery")
	fl.Uint64Var(&opts.Seed, "seed", 0, "Make every body field reproducible: ids from the seed, the sample's own timestamps (0: fresh)")
	fl.IntVar(&opts.Count, "count", 0, "Burst: number of deliveries, cycling through the kinds")
	fl.IntVar(&opts.Concurrency, "concurrency", 1, "Burst: deliveries in flight (1 sends in order)")
	fl.Float64Var(&opts.Rate, "rate", 0, "Burst: deliveries started per second (0: as fast as possible)")
	fl.DurationVar(&opts.Duration, "duration", 0, "Burst: keep sending for this long")
	cmdutil.AddJSONFlag(cmd, &opts.JSON, jsonFields)
	_ = cmd.RegisterFlagCompletionFunc("family", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, fam := range catalog.Families() {
			out = append(out, string(fam))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func longHelp() string {
	sched := sender.Schedule(sender.DefaultRetryInterval, sender.DefaultRetries)
	return fmt.Sprintf(`Send a fresh sample of each named webhook kind (see "lcwh samples list") to
--url, behaving the way LiveChat delivers webhooks:

  - POST with Content-Type: application/json and a fresh body per delivery
    (new ids, webhook_id, and timestamps shifted to now);
  - a timeout of --timeout (default %s) per attempt;
  - success only on HTTP 200; another 2xx is delivered but warned about,
    as LiveChat documents only 200; redirects are not followed (a 3xx fails
    and names its Location);
  - on failure up to --retries (default %d) more attempts of the identical
    body, after pauses of %s, %s and %s (about a minute in all; LiveChat
    does not document its schedule, this is an approximation). --retry-interval
    sets the first pause, later ones are 3x and 8x it. --no-retry sends once.

Each delivery prints one line on stdout: kind, status, attempts, latency,
URL, and for anything but 200 the reason and the start of the response body.
--json prints one NDJSON object per delivery instead.

--seed N makes every field of the bodies reproducible: the same seed sends
byte-identical bodies on every run. Ids and webhook_id come from the seed;
timestamps are the sample's own (as "lcwh samples show" prints them), not
now. The monday.com JWT (a header, not the body) is always signed at the
current time, as it would expire otherwise.

--secret puts your secret_key into LiveChat envelopes. --monday-secret signs
monday.com lifecycle events with a JWT in the Authorization header (bare
token, no "Bearer"). That is an approximation: monday documents the claims
but not the algorithm. lcwh uses HS256 with claims accountId and userId (from
the sample's data.account_id and data.user_id), aud (the target URL), iat,
exp (iat + 5 minutes) and a placeholder shortLivedToken.

Burst mode (--count, --duration) sends many deliveries, cycling through the
kinds, --concurrency at a time (default 1: in order, as one license would)
and at most --rate per second; every body is freshly generated. It shows a
progress bar on a terminal and ends with a summary: sent, succeeded, failed,
retried, req/s, latency p50/p90/p99/max and the count of each status.
Attempts count every time a request went out: retries, and the rare resend
on a fresh connection when a kept-alive one failed before any byte of the
request was written (a request that was written, even partly, is never
resent except by the retry schedule).

Ctrl-C stops starting deliveries and retries; the attempts in flight finish
(each within --timeout) and count by their real outcome. A second Ctrl-C
aborts them: they count as "interrupted (outcome unknown)", never as failed,
as the receiver may have got them. Either way the summary is printed and the
exit status is 130.

--debug logs every request and response on stderr, secrets redacted (bursts
are slower with it: every delivery goes through the logging HTTP client).

Exit status: 0 when every delivery succeeded, 1 when any failed, 2 for
usage errors (unknown kind, bad --set, bad JSON in --file, bad header, bad
--url, a kind together with --file), 130 when interrupted.`,
		sender.DefaultTimeout, sender.DefaultRetries, sched[0], sched[1], sched[2])
}

// resolveConfig reads the secrets through config: flag > env > file.
func resolveConfig(f *cmdutil.Factory, cmd *cobra.Command, opts *SendSampleOptions) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	cfg.BindFlag("secret", cmd.Flags().Lookup("secret"))
	cfg.BindFlag("monday_secret", cmd.Flags().Lookup("monday-secret"))
	opts.Secret = cfg.Get("secret")
	opts.MondaySecret = cfg.Get("monday_secret")
	return nil
}

func validate(cmd *cobra.Command, o *SendSampleOptions) error {
	if err := validateTargets(o); err != nil {
		return err
	}
	if err := validateNumbers(cmd, o); err != nil {
		return err
	}
	if _, err := cmdutil.ParseHTTPURL("--url", o.URL); err != nil {
		return err
	}
	_, err := parseHeaders(o.Headers)
	return err
}

func validateTargets(o *SendSampleOptions) error {
	targets := 0
	for _, set := range []bool{len(o.Names) > 0, o.All, o.Family != ""} {
		if set {
			targets++
		}
	}
	switch {
	case targets == 0 && o.File == "":
		return cmdutil.FlagErrorf("name a webhook kind, or use --all, --family or --file")
	case targets > 1:
		return cmdutil.FlagErrorf("use only one of: kind names, --all, --family")
	case o.File != "" && (len(o.Names) > 0 || o.All || o.Family != ""):
		return cmdutil.FlagErrorf("--file sends your own body, a kind name (or --all, --family) sends samples: use one or the other")
	}
	return nil
}

func validateNumbers(cmd *cobra.Command, o *SendSampleOptions) error {
	burst := o.Count > 0 || o.Duration > 0
	switch {
	case o.Timeout <= 0:
		return cmdutil.FlagErrorf("--timeout must be positive, got %s", o.Timeout)
	case o.Retries < 0:
		return cmdutil.FlagErrorf("--retries must be 0 or more, got %d", o.Retries)
	case o.RetryInterval <= 0:
		return cmdutil.FlagErrorf("--retry-interval must be positive, got %s", o.RetryInterval)
	case o.Count < 0 || o.Concurrency < 1 || o.Rate < 0 || o.Duration < 0:
		return cmdutil.FlagErrorf("--count, --rate and --duration must be 0 or more, --concurrency 1 or more")
	case !burst && (cmd.Flags().Changed("concurrency") || cmd.Flags().Changed("rate")):
		return cmdutil.FlagErrorf("--concurrency and --rate shape a burst: add --count N or --duration D")
	}
	return nil
}

// parseHeaders turns 'Key: Value' flags into a header.
func parseHeaders(in []string) (http.Header, error) {
	h := http.Header{}
	for _, s := range in {
		k, v, ok := strings.Cut(s, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" || !validToken(k) {
			return nil, cmdutil.FlagErrorf("--header %q: expected 'Key: Value', e.g. 'X-Request-Id: 42'", s)
		}
		v = strings.TrimSpace(v)
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, cmdutil.FlagErrorf("--header %q: the value holds a line break", s)
		}
		h.Add(k, v)
	}
	return h, nil
}

func validToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
