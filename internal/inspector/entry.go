package inspector

import (
	"net/http"
	"time"

	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/listener"
)

// entry is one event the inspector holds. Every field but fwd is set
// before the entry is published and never changes; fwd is guarded by the
// hub's lock.
type entry struct {
	id        uint64
	n         uint64 // its arrival number: 1 for the first entry, then +1 each
	seq       uint64 // the listener's sequence number (0 for rejections and files)
	at        time.Time
	method    string
	path      string
	header    map[string][]string
	body      []byte
	bodyValid bool
	family    string
	kind      string
	known     bool
	webhookID string
	verify    eventlog.Verify
	note      string
	dup       bool
	status    int
	reason    string
	// exact says body and header are the request that arrived (false for
	// a --json stream line, whose secrets were redacted, and bare bodies).
	exact bool
	// source names the file and line of an entry read by inspect --web.
	source string

	fwd *forward
}

// forward is the outcome of forwarding an entry to the app.
type forward struct {
	url     string
	status  int
	latency time.Duration
	header  http.Header
	body    []byte
	err     string
}

// size is what an entry counts against the hub's byte bound: its body
// and a rough share for headers and bookkeeping.
func (e *entry) size() int64 { return int64(len(e.body)) + 512 }

func (e *entry) accepted() bool { return e.status == 0 || e.status == http.StatusOK }

func fromEvent(ev *listener.Event) *entry {
	return &entry{
		seq:       ev.Seq,
		at:        ev.ReceivedAt,
		method:    ev.Method,
		path:      ev.Path,
		header:    ev.Header,
		body:      ev.Body,
		bodyValid: ev.Accepted(),
		family:    string(ev.Family),
		kind:      ev.Kind,
		known:     ev.Known,
		webhookID: ev.WebhookID,
		verify:    ev.Verification.Outcome(),
		note:      ev.VerifyNote,
		dup:       ev.Duplicate,
		status:    ev.Status,
		reason:    ev.Reason,
		exact:     true,
	}
}

func fromForward(f *listener.ForwardResult) *forward {
	out := &forward{url: f.URL, status: f.Status, latency: f.Latency, header: f.Header, body: f.Body}
	if f.Err != nil {
		out.err = f.Err.Error()
	}
	return out
}

func fromRecord(rec *eventlog.Record, source string) *entry {
	env := listener.Classify(rec.Body)
	if !rec.BodyValid {
		env = listener.Envelope{Family: listener.FamilyUnknown, Kind: "unknown"}
	}
	return &entry{
		at:        rec.ReceivedAt,
		method:    rec.Method,
		path:      rec.Path,
		header:    rec.Header,
		body:      rec.Body,
		bodyValid: rec.BodyValid,
		family:    string(env.Family),
		kind:      env.Kind,
		known:     env.Known,
		webhookID: env.WebhookID,
		verify:    rec.Verify,
		status:    http.StatusOK,
		exact:     rec.Exact(),
		source:    source,
	}
}
