package doctor

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/doctor"
	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// maxEventFile bounds what --event reads.
const maxEventFile = 64 << 20

// event is the event the filters are tested with: a fresh sample
// (--sample, with --set), the one in --event, or none.
func (opts *DoctorOptions) event() (*doctor.Event, error) {
	switch {
	case opts.Sample != "":
		k, _ := catalog.Lookup(opts.Sample)
		sets, err := catalog.ParseSets(opts.Sets)
		if err != nil {
			return nil, cmdutil.FlagErrorWrap(err)
		}
		body, err := catalog.NewGenerator(0, opts.Now).Body(k, catalog.Params{Sets: sets})
		if err != nil {
			return nil, cmdutil.FlagErrorWrap(err)
		}
		return &doctor.Event{Body: body, Origin: "the " + k.Name + " sample"}, nil
	case opts.EventFile != "":
		return opts.readEvent()
	}
	return nil, nil
}

// readEvent reads --event: one webhook body or --save record (possibly
// pretty-printed), or a --save file, one record per line, of which the last
// event of --action is taken (the last event when no --action is given, and
// --action then becomes its action).
func (opts *DoctorOptions) readEvent() (*doctor.Event, error) {
	name := opts.EventFile
	var (
		data []byte
		err  error
	)
	if name == "-" {
		name = "stdin"
		data, err = io.ReadAll(io.LimitReader(opts.IO.In, maxEventFile))
	} else {
		data, err = readFile(name)
	}
	if err != nil {
		return nil, cmdutil.WithHint(fmt.Errorf("read --event %s: %w", name, err),
			`Pass a file saved by "lcwh listen --save FILE", or one webhook body.`)
	}
	// Nothing below may reach gjson's recursive validator with a document
	// nested deeper than a record of the deepest body lcwh accepts.
	trimmed := bytes.TrimSpace(data)
	if err := jsonlimit.CheckDepth(trimmed, jsonlimit.MaxDepth+1); err != nil {
		return nil, cmdutil.FlagErrorf("--event %s: %v: no webhook body nests that deep (lcwh listen refuses such a body with 400)", name, err)
	}
	if gjson.ValidBytes(trimmed) {
		body := bodyOf(trimmed)
		if err := opts.matchAction(body, "the event in "+name); err != nil {
			return nil, err
		}
		return &doctor.Event{Body: body, Origin: "the event in " + name}, nil
	}
	var (
		pick    []byte
		pickAt  int
		actions = map[string]int{}
	)
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || !gjson.ValidBytes(line) {
			continue
		}
		body := bodyOf(line)
		a := gjson.GetBytes(body, "action").String()
		actions[a]++
		if opts.Action == "" || a == opts.Action {
			pick, pickAt = body, i+1
		}
	}
	origin := fmt.Sprintf("the event on line %d of %s", pickAt, name)
	if pick == nil {
		if len(actions) == 0 {
			return nil, cmdutil.FlagErrorf("--event %s holds no JSON event (a --save file has one per line)", name)
		}
		return nil, cmdutil.FlagErrorf("--event %s holds no %s event", name, opts.Action)
	}
	if err := opts.matchAction(pick, origin); err != nil {
		return nil, err
	}
	return &doctor.Event{Body: pick, Origin: origin}, nil
}

func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxEventFile))
}

// bodyOf returns the webhook body of a --save record, or doc itself. A
// record's body lost its line breaks to spaces (listener.AppendRecord),
// which leaves the JSON's meaning unchanged.
func bodyOf(doc []byte) []byte {
	if gjson.GetBytes(doc, "received_at").Exists() {
		if b := gjson.GetBytes(doc, "body"); b.IsObject() {
			return []byte(b.Raw)
		}
	}
	return doc
}

// matchAction checks that body is a LiveChat webhook of --action, and sets
// --action from it when none was given.
func (opts *DoctorOptions) matchAction(body []byte, origin string) error {
	a := gjson.GetBytes(body, "action")
	if a.Type != gjson.String || a.Str == "" {
		return cmdutil.FlagErrorf("--event: %s has no action: it is not a LiveChat webhook body", origin)
	}
	switch opts.Action {
	case "":
		opts.Action = a.Str
	case a.Str:
	default:
		return cmdutil.FlagErrorf("--event: %s is a %s event, not %s", origin, a.Str, opts.Action)
	}
	return nil
}
