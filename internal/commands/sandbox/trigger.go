package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/sender"
	"github.com/lcwh/lcwh/internal/termtext"
)

// triggerFields is the documented --json field set.
const triggerFields = "kind, registered, deliveries (webhook_id, owner_client_id, type, url (userinfo redacted), ok, status, attempts, latency_ms, error, warning, unevaluated_filters), skipped (webhook_id, owner_client_id, type, url (userinfo redacted), reason)"

// TriggerOptions are the inputs of `lcwh sandbox trigger`.
type TriggerOptions struct {
	IO         *iostreams.IOStreams
	HTTPClient *http.Client

	Kind          string
	Sets          []string
	SandboxURL    string
	JSON          bool
	Timeout       time.Duration
	Retries       int
	RetryInterval time.Duration
	NoRetry       bool
}

// NewCmdTrigger builds `lcwh sandbox trigger`.
func NewCmdTrigger(f *cmdutil.Factory, runF func(*TriggerOptions) error) *cobra.Command {
	opts := &TriggerOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "trigger KIND [--set path=value]…",
		Short: "Make the running sandbox deliver a webhook to its registered URLs",
		Long: `Ask the running sandbox to deliver a fresh catalog sample of KIND to every
webhook registered in it for that action, as LiveChat would: each delivery
carries that webhook's own webhook_id and secret_key, and additional_data
with only the keys it requested ({} when none). License webhooks of a client
whose license webhooks are disabled ("lcwh disable") are skipped; bot
webhooks are not. Registered filters are evaluated on the sample where it
tells: author_type (event author id), only_my_chats (chat source.client_id),
chat_presence.user_ids (chat users), source_type (requester of
configuration actions), agent_ids (routing_status_set); the rest
(chat_presence.my_bots, source_type of chat actions) are delivered as if
they matched and named in the output. Use --set to shape the sample so a
filter matches or not.

Delivery follows LiveChat's semantics (internal/sender): POST with
Content-Type: application/json, 10 s per attempt, success only on 200, up to
3 retries over about a minute; --timeout, --retries and --retry-interval
change them. One line per webhook shows id, URL, status, attempts and
latency. Exit 1 when a delivery failed or no webhook is registered for the
action, 2 for an unknown kind.

Only the livechat family (license and bot webhooks) is registered through
the Configuration API; App Webhooks and monday.com lifecycle kinds are not:
send those with "lcwh send-sample KIND --url URL".`,
		Example: `$ lcwh sandbox trigger incoming_chat
$ lcwh sandbox trigger incoming_event --set payload.event.text=hello --json
$ lcwh sandbox trigger chat_deactivated --retries 1 --retry-interval 100ms`,
		Args:              cmdutil.ExactArgs(1, "a webhook kind, e.g. incoming_chat"),
		ValidArgsFunction: completeTriggerKinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(f, cmd, args[0]); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return triggerRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Sets, "set", nil, "Override a sample field: path=value (repeatable)")
	fl.DurationVar(&opts.Timeout, "timeout", sender.DefaultTimeout, "Per-attempt timeout")
	fl.IntVar(&opts.Retries, "retries", sender.DefaultRetries, "Retries after a failed attempt (0 = none)")
	fl.DurationVar(&opts.RetryInterval, "retry-interval", sender.DefaultRetryInterval, "First pause before a retry; later ones grow ×3, ×8")
	fl.BoolVar(&opts.NoRetry, "no-retry", false, "Do not retry failed deliveries")
	addSandboxFlag(cmd)
	cmdutil.AddJSONFlag(cmd, &opts.JSON, triggerFields)
	return cmd
}

// completeTriggerKinds completes KIND: the livechat family, the one the
// sandbox's webhooks are registered for.
func completeTriggerKinds(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, k := range catalog.ByFamily(catalog.LiveChat) {
		if strings.HasPrefix(k.Name, toComplete) {
			out = append(out, k.Name+"\t"+k.Description)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// complete checks KIND and the flags, and resolves the sandbox's URL and
// the client that reaches it.
func (opts *TriggerOptions) complete(f *cmdutil.Factory, cmd *cobra.Command, kind string) error {
	opts.Kind = kind
	if err := checkKind(opts.Kind); err != nil {
		return err
	}
	if _, err := catalog.ParseSets(opts.Sets); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	if opts.Retries < 0 || opts.Timeout < 0 || opts.RetryInterval < 0 {
		return cmdutil.FlagErrorf("--timeout, --retries and --retry-interval cannot be negative")
	}
	u, err := resolveSandboxURL(f, cmd)
	if err != nil {
		return err
	}
	opts.SandboxURL = u
	if opts.HTTPClient == nil {
		opts.HTTPClient = controlHTTPClient(f, triggerWait(opts))
	}
	return nil
}

// triggerWait bounds the control request of a trigger: the sandbox answers
// once every delivery is done, which takes up to every attempt's timeout
// plus every pause between them, and some slack.
func triggerWait(opts *TriggerOptions) time.Duration {
	timeout, retries := opts.Timeout, opts.Retries
	if timeout <= 0 {
		timeout = sender.DefaultTimeout
	}
	if opts.NoRetry {
		retries = 0
	}
	wait := time.Duration(retries+1)*timeout + 30*time.Second
	for _, d := range sender.Schedule(opts.RetryInterval, retries) {
		wait += d
	}
	return wait
}

// checkKind accepts livechat-family kinds; others get did-you-mean or a
// pointer at send-sample.
func checkKind(name string) error {
	k, ok := catalog.Lookup(name)
	if !ok {
		return &catalog.UnknownKindError{Name: name}
	}
	if k.Family != catalog.LiveChat {
		return cmdutil.UsageHint(
			fmt.Errorf("%s is a%s %s webhook: it is not registered through the Configuration API, so the sandbox cannot trigger it", name, article(k.Family), k.Family),
			fmt.Sprintf(`Send it straight to your handler: "lcwh send-sample %s --url URL".`, name))
	}
	return nil
}

func article(f catalog.Family) string {
	if f == catalog.App {
		return "n"
	}
	return ""
}

func triggerRun(ctx context.Context, opts *TriggerOptions) error {
	req := livechatfake.TriggerRequest{Kind: opts.Kind, Sets: opts.Sets,
		Timeout: livechatfake.Duration(opts.Timeout), Retries: opts.Retries,
		NoRetry: opts.NoRetry || opts.Retries == 0, RetryInterval: livechatfake.Duration(opts.RetryInterval)}
	var res livechatfake.TriggerResult
	if err := (controlClient{base: opts.SandboxURL, http: opts.HTTPClient}).call(ctx, http.MethodPost, "trigger", req, &res); err != nil {
		return err
	}
	redactURLs(&res)
	if opts.JSON {
		if err := cmdutil.WriteJSON(opts.IO.Out, res); err != nil {
			return err
		}
	} else if len(res.Deliveries)+len(res.Skipped) > 0 {
		if err := printTable(opts.IO, &res); err != nil {
			return err
		}
	}
	return summarise(opts, &res)
}

// redactURLs hides the userinfo of every webhook URL in res: registered
// URLs may carry a password, and results are printed (table and --json).
func redactURLs(res *livechatfake.TriggerResult) {
	for i := range res.Deliveries {
		res.Deliveries[i].URL = termtext.RedactURL(res.Deliveries[i].URL)
	}
	for i := range res.Skipped {
		res.Skipped[i].URL = termtext.RedactURL(res.Skipped[i].URL)
	}
}

func printTable(io *iostreams.IOStreams, res *livechatfake.TriggerResult) error {
	st := render.NewStyles(io.Out, io.ColorEnabled())
	t := render.NewTable(io.Out, st, io.IsStdoutTTY(), io.TerminalWidth())
	t.Header("WEBHOOK ID", "TYPE", "STATUS", "ATTEMPTS", "LATENCY", "URL", "RESULT")
	for _, d := range res.Deliveries {
		status, result := "-", "ok"
		if d.Status != 0 {
			status = strconv.Itoa(d.Status)
		}
		stStyle := st.StatusStyle(d.Status)
		switch {
		case !d.OK:
			result = "failed: " + d.Error
			stStyle = st.StatusFail
		case d.Warning != "":
			result = "ok, " + d.Warning
		}
		if len(d.Unevaluated) > 0 {
			result += " (filters not evaluated: " + strings.Join(d.Unevaluated, ", ") + ")"
		}
		lat := time.Duration(d.LatencyMS * float64(time.Millisecond)).Round(100 * time.Microsecond)
		t.Row(render.Plain(d.WebhookID), render.Plain(d.Type), render.Styled(status, stStyle),
			render.Plain(strconv.Itoa(d.Attempts)), render.Plain(lat.String()), render.Plain(d.URL), render.Plain(result))
	}
	for _, s := range res.Skipped {
		t.Row(render.Plain(s.WebhookID), render.Plain(s.Type), render.Styled("skipped", st.Muted),
			render.Plain("0"), render.Plain("-"), render.Plain(s.URL), render.Plain(s.Reason))
	}
	return t.Render()
}

// summarise prints the outcome on stderr and returns the exit status.
func summarise(opts *TriggerOptions, res *livechatfake.TriggerResult) error {
	st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	w := opts.IO.ErrOut
	if res.Registered == 0 {
		return cmdutil.WithHint(fmt.Errorf("no webhook is registered for %s in the sandbox at %s", res.Kind, termtext.RedactURL(opts.SandboxURL)),
			fmt.Sprintf(`Register one first: lcwh register --action %s --url http://127.0.0.1:9000/hook --secret S`, res.Kind))
	}
	failed := 0
	for _, d := range res.Deliveries {
		if !d.OK {
			failed++
		}
	}
	skipped := ""
	if n := len(res.Skipped); n > 0 {
		skipped = fmt.Sprintf(", %d skipped", n)
	}
	if failed > 0 {
		fmt.Fprintf(w, "%s %d of %d deliveries of %s failed%s\n", st.Error.Render("✗"), failed, len(res.Deliveries), res.Kind, skipped)
		return cmdutil.ErrSilent
	}
	if len(res.Deliveries) == 0 {
		fmt.Fprintf(w, "%s %s delivered to no webhook: all %d registered were skipped\n", st.Warn.Render("!"), res.Kind, len(res.Skipped))
		return nil
	}
	fmt.Fprintf(w, "%s Delivered %s to %d webhook%s%s\n", st.Success.Render("✓"), res.Kind, len(res.Deliveries), plural(len(res.Deliveries)), skipped)
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
