// Package demo implements `lcwh demo`: one webhook of each family sent to a
// throwaway local listener and shown as listen shows it.
package demo

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/eventview"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/sender"
	"github.com/lcwh/lcwh/internal/signature"
)

// DemoOptions are the inputs of `lcwh demo`.
type DemoOptions struct {
	IO  *iostreams.IOStreams
	Now func() time.Time
	// HTTPClient replaces the sender's tuned client (tests); nil builds one.
	HTTPClient *http.Client
	Verbose    bool
}

// demoKinds is one kind per family.
var demoKinds = []string{"incoming_event", "application_installed", "install"}

// NewCmdDemo builds `lcwh demo`.
func NewCmdDemo(f *cmdutil.Factory, runF func(*DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See lcwh receive and verify one webhook of each family",
		Long: `Start a listener on a free loopback port, send it one sample of each family
through send-sample's delivery code (LiveChat incoming_event with a
secret_key, an App Webhook with its clientID, a monday.com install with a
signed JWT), show the events as 'lcwh listen' would, then stop and print what
to try next. Nothing leaves this machine.`,
		Example: `$ lcwh demo
$ lcwh demo -v
$ go run ./cmd/lcwh demo`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return demoRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "Show each body as coloured, indented JSON")
	return cmd
}

func randomSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// shot is one webhook the demo sends.
type shot struct {
	kind   string
	body   []byte
	header http.Header
}

// demoSecrets are the throwaway secrets the shots are signed with and the
// listener verifies.
type demoSecrets struct {
	secret, monday string
	clientIDs      []string
}

func demoRun(ctx context.Context, opts *DemoOptions) error {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	shots, sec, err := demoShots(now)
	if err != nil {
		return err
	}
	l := listener.New(listener.Config{
		Secrets: []string{sec.secret}, ClientIDs: sec.clientIDs, MondaySecret: []byte(sec.monday),
		Emit: true, Now: now,
	})
	addr, err := l.Bind("127.0.0.1:0")
	if err != nil {
		return err
	}
	u := "http://" + addr.String() + "/webhooks"
	est := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	fmt.Fprintf(opts.IO.ErrOut, "%s Listening on %s (a throwaway listener with a random secret)\n", est.Success.Render("✓"), est.Bold.Render(u))
	fmt.Fprintf(opts.IO.ErrOut, "  sending one webhook of each family: LiveChat, App Webhooks, monday.com\n\n")

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := l.Run(runCtx); done <- err }()
	sendErr := make(chan error, 1)
	go func() {
		sendErr <- sendShots(runCtx, opts, u, shots, now)
		cancel() // every delivery was acknowledged, or one failed: drain and stop
	}()

	received, verified := printEvents(opts, l)
	if err := <-done; err != nil {
		return err
	}
	if err := <-sendErr; err != nil {
		return err
	}
	if received != len(shots) || verified != received {
		return fmt.Errorf("demo: %d of %d events received, %d verified", received, len(shots), verified)
	}
	printNext(opts, est, verified)
	return nil
}

// demoShots builds one webhook of each demo kind, signed with fresh
// secrets.
func demoShots(now func() time.Time) ([]shot, demoSecrets, error) {
	sec := demoSecrets{secret: randomSecret(), monday: randomSecret()}
	gen := catalog.NewGenerator(0, now)
	var shots []shot
	for _, name := range demoKinds {
		k, _ := catalog.Lookup(name)
		body, err := gen.Body(k, catalog.Params{Secret: sec.secret})
		if err != nil {
			return nil, sec, err
		}
		h := http.Header{"Content-Type": {"application/json"}}
		switch k.Family {
		case catalog.App:
			sec.clientIDs = append(sec.clientIDs, gjson.GetBytes(body, "clientID").Str)
		case catalog.Monday:
			tok, err := signature.SignMonday([]byte(sec.monday), "http://127.0.0.1/", 1, 1, now())
			if err != nil {
				return nil, sec, err
			}
			h.Set("Authorization", "Bearer "+tok)
		}
		shots = append(shots, shot{name, body, h})
	}
	return shots, sec, nil
}

// sendShots delivers the shots to u with send-sample's delivery code, one
// attempt each (a local listener that fails will not do better on a
// retry), and stops at the first failure.
func sendShots(ctx context.Context, opts *DemoOptions, u string, shots []shot, now func() time.Time) error {
	d := sender.New(opts.HTTPClient, sender.Options{NoRetry: true, Now: now})
	for _, s := range shots {
		if res := d.Deliver(ctx, sender.Request{URL: u, Body: s.body, Header: s.header}); !res.OK() {
			return fmt.Errorf("deliver %s: %w", s.kind, res.Err)
		}
	}
	return nil
}

// printEvents draws the listener's events on stdout as listen does until
// the listener stops, and counts them.
func printEvents(opts *DemoOptions, l *listener.Listener) (received, verified int) {
	pr := render.NewEventPrinter(render.NewStyles(opts.IO.Out, opts.IO.ColorEnabled()))
	pr.Verbose = opts.Verbose
	out := bufio.NewWriter(opts.IO.Out)
	var buf []byte
	for it := range l.Events() {
		it.Done()
		buf = buf[:0]
		if it.Event != nil {
			received++
			if it.Event.Verification == listener.Verified {
				verified++
			}
			v := eventview.FromEvent(it.Event)
			buf = pr.AppendEvent(buf, &v)
		}
		_, _ = out.Write(buf)
	}
	_ = out.Flush()
	return received, verified
}

// printNext says what to try after the demo.
func printNext(opts *DemoOptions, est render.Styles, verified int) {
	fmt.Fprintf(opts.IO.ErrOut, "\n%s %d events received and verified (✓ = secret_key, clientID or monday JWT checked). Try next:\n",
		est.Success.Render("✓"), verified)
	for _, step := range [][2]string{
		{"lcwh listen --secret my-secret --save events.jsonl", "receive on 127.0.0.1:8080, check secret_key, keep a file"},
		{"lcwh send-sample --all --secret my-secret", "fire every kind at it (in another terminal)"},
		{"lcwh inspect -v events.jsonl", "look at what arrived"},
		{"lcwh replay events.jsonl --to http://localhost:3000/webhooks", "send it again to your app"},
	} {
		fmt.Fprintf(opts.IO.ErrOut, "  %s\n      %s\n", est.Command.Render("$ "+step[0]), est.Muted.Render(step[1]))
	}
}
