package listen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
)

// InspectOptions are the inputs of `lcwh inspect`.
type InspectOptions struct {
	IO      *iostreams.IOStreams
	File    string
	Color   string
	Verbose bool
	Actions []string
	JSON    bool
}

// NewCmdInspect builds `lcwh inspect`.
func NewCmdInspect(f *cmdutil.Factory, runF func(*InspectOptions) error) *cobra.Command {
	opts := &InspectOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "inspect FILE|-",
		Short: "Show saved webhook events the way listen shows them",
		Long: `Render a file written by 'lcwh listen --save' (or a stream on stdin with -)
exactly as 'lcwh listen' shows events. Plain JSON documents (pretty-printed or
not) and JSON lines holding bare webhook bodies are accepted too.

A line that is not valid JSON is reported on stderr with its line number and
the rest still renders; the exit status is then 1.`,
		Example: `$ lcwh inspect events.jsonl
$ lcwh inspect -v --actions incoming_event events.jsonl
$ cat body.json | lcwh inspect -v -
$ lcwh inspect --json events.jsonl | jq -r .kind`,
		Args: cmdutil.ExactArgs(1, "a file (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			switch opts.Color {
			case "auto", "always", "never":
			default:
				return cmdutil.FlagErrorf("invalid --color %q: use auto, always or never", opts.Color)
			}
			if opts.JSON && opts.Verbose {
				return cmdutil.FlagErrorf("--json cannot be combined with -v")
			}
			if runF != nil {
				return runF(opts)
			}
			return inspectRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Color, "color", "auto", "Colour the output: auto, always or never")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "Show each body as coloured, indented JSON (secret_key redacted)")
	fl.StringSliceVar(&opts.Actions, "actions", nil, "Show only these kinds (comma-separated)")
	cmdutil.AddJSONFlag(cmd, &opts.JSON, JSONFields)
	_ = cmd.RegisterFlagCompletionFunc("actions", completeKinds)
	_ = cmd.RegisterFlagCompletionFunc("color", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func inspectRun(opts *InspectOptions) error {
	in := opts.IO.In
	if opts.File != "-" {
		f, err := os.Open(opts.File)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	color := opts.IO.ColorEnabled()
	switch opts.Color {
	case "always":
		color = true
	case "never":
		color = false
	}
	pr := render.NewEventPrinter(render.NewStyles(opts.IO.Out, color))
	pr.Verbose = opts.Verbose
	out := bufio.NewWriterSize(opts.IO.Out, 256<<10)
	var actions map[string]bool
	if len(opts.Actions) > 0 {
		actions = map[string]bool{}
		for _, a := range opts.Actions {
			actions[a] = true
		}
	}
	est := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	bad, shown := 0, 0
	var buf []byte
	err := ReadDocuments(in, func(line int, doc []byte) error {
		ev, perr := ParseSaved(doc, !opts.Verbose)
		if perr != nil {
			bad++
			fmt.Fprintf(opts.IO.ErrOut, "%s line %d: %v\n", est.Warn.Render("!"), line, perr)
			return nil
		}
		if actions != nil && !actions[ev.Kind] {
			return nil
		}
		buf = buf[:0]
		if opts.JSON {
			buf = render.AppendEventJSON(buf, &ev)
		} else {
			buf = pr.AppendEvent(buf, &ev)
			if opts.Verbose && bytes.Contains(buf, []byte("body is not valid JSON")) {
				bad++
				fmt.Fprintf(opts.IO.ErrOut, "%s line %d: body is not valid JSON\n", est.Warn.Render("!"), line)
			}
		}
		shown++
		_, werr := out.Write(buf)
		return werr
	}, func(line int, err error) {
		bad++
		fmt.Fprintf(opts.IO.ErrOut, "%s line %d: %v\n", est.Warn.Render("!"), line, err)
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("inspect %s: %w", opts.File, err)
	}
	if shown == 0 && bad == 0 && opts.IO.IsStderrTTY() {
		fmt.Fprintln(opts.IO.ErrOut, "no events")
	}
	if bad > 0 {
		return cmdutil.ErrSilent
	}
	return nil
}

// maxDocument bounds one multi-line JSON document in inspect's input.
const maxDocument = 64 << 20

// ReadDocuments splits r into JSON documents: one per line (JSONL), or a
// pretty-printed document spanning lines, found by bracket depth. fn gets
// the 1-based line a document starts on; bad gets lines that cannot start
// or finish a document (the lines after a bad one are read again, so one
// broken line never hides the rest). It never loads the whole input.
func ReadDocuments(r io.Reader, fn func(line int, doc []byte) error, bad func(line int, err error)) error {
	d := docSplitter{fn: fn, bad: bad}
	br := bufio.NewReaderSize(r, 1<<20)
	var long []byte
	lineNo := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
				if len(long) > maxDocument {
					return fmt.Errorf("line %d is longer than %d bytes", lineNo+1, maxDocument)
				}
			}
			line = long
		}
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		lineNo++
		if ferr := d.feed(lineNo, bytes.TrimSpace(line)); ferr != nil {
			return ferr
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
	}
	return d.finish()
}

type pendingLine struct {
	no   int
	text []byte
}

type docSplitter struct {
	fn      func(int, []byte) error
	bad     func(int, error)
	pending []pendingLine
	size    int
	depth   int
}

func (d *docSplitter) feed(no int, t []byte) error {
	if len(t) == 0 {
		return nil
	}
	if d.pending == nil {
		first, last := t[0], t[len(t)-1]
		if (first == '{' && last == '}') || (first == '[' && last == ']') || (first != '{' && first != '[') {
			return d.fn(no, t)
		}
		d.depth = lineDepth(t)
		if d.depth <= 0 {
			return d.fn(no, t)
		}
		d.pending = []pendingLine{{no, append([]byte(nil), t...)}}
		d.size = len(t)
		return nil
	}
	d.pending = append(d.pending, pendingLine{no, append([]byte(nil), t...)})
	d.size += len(t) + 1
	d.depth += lineDepth(t)
	switch {
	case d.depth <= 0:
		doc := make([]byte, 0, d.size)
		for i, l := range d.pending {
			if i > 0 {
				doc = append(doc, '\n')
			}
			doc = append(doc, l.text...)
		}
		if gjson.ValidBytes(doc) {
			start := d.pending[0].no
			d.pending = nil
			return d.fn(start, doc)
		}
		return d.retry(errors.New("not valid JSON"))
	case d.size > maxDocument:
		return d.retry(fmt.Errorf("JSON document is larger than %d bytes", maxDocument))
	}
	return nil
}

// retry reports the first pending line as bad and reads the rest again.
func (d *docSplitter) retry(err error) error {
	p := d.pending
	d.pending = nil
	d.bad(p[0].no, err)
	for _, l := range p[1:] {
		if ferr := d.feed(l.no, l.text); ferr != nil {
			return ferr
		}
	}
	return nil
}

func (d *docSplitter) finish() error {
	for d.pending != nil {
		if err := d.retry(errors.New("not valid JSON (unterminated document)")); err != nil {
			return err
		}
	}
	return nil
}

// lineDepth is the change in bracket nesting over one line, ignoring
// brackets inside strings (a JSON string never spans lines).
func lineDepth(b []byte) int {
	d := 0
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if in {
			switch c {
			case '\\':
				i++
			case '"':
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case '{', '[':
			d++
		case '}', ']':
			d--
		}
	}
	return d
}

// ParseSaved turns one document into an event view: a --save record
// (received_at, headers, body…) or a bare webhook body. validate checks the
// JSON first (the -v renderer validates as it prints, so it skips this).
func ParseSaved(doc []byte, validate bool) (render.EventView, error) {
	var ev render.EventView
	isRecord := bytes.HasPrefix(doc, []byte(`{"received_at":`))
	if isRecord || validate {
		if !gjson.ValidBytes(doc) {
			return ev, errors.New("not valid JSON")
		}
	}
	body := doc
	if isRecord {
		res := gjson.GetManyBytes(doc, "received_at", "path", "headers", "body", "method", "verified")
		if !res[3].Exists() {
			return ev, errors.New("saved record without a body")
		}
		if t, err := time.Parse(time.RFC3339Nano, res[0].Str); err == nil {
			ev.Time = t
		}
		ev.Path = res[1].Str
		ev.Method = res[4].Str
		switch res[5].Type {
		case gjson.True:
			ev.Verify = render.VerifyOK
		case gjson.False:
			ev.Verify = render.VerifyFailed
		}
		if res[2].IsObject() {
			ev.Headers = map[string][]string{}
			res[2].ForEach(func(k, v gjson.Result) bool {
				ev.Headers[k.Str] = []string{v.Str}
				return true
			})
		}
		body = []byte(res[3].Raw)
	}
	env := listener.Classify(body)
	ev.Family = string(env.Family)
	ev.Kind = env.Kind
	ev.Known = env.Known
	ev.WebhookID = env.WebhookID
	ev.Body = body
	ev.BodyValid = isRecord || validate
	return ev, nil
}
