package listener

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/signature"
)

var (
	// textPlain is shared by every answer (net/http only reads it), so
	// setting it costs no allocation on the hot path.
	textPlain = []string{"text/plain; charset=utf-8"}
)

// scratch is one request's encoding space: each request encodes its
// record in its own goroutine, so the journal only copies bytes under its
// lock. fields holds a headerless request's header fields while it is
// encoded (views of fasthttp's buffer, cleared before reuse).
type scratch struct {
	rec    []byte
	fields []eventlog.Field
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{rec: make([]byte, 0, 4<<10), fields: make([]eventlog.Field, 0, 24)}
}}

// request is one request as the listener's core sees it, whichever HTTP
// server read it: the fasthttp server that serves listen, or net/http
// through ServeHTTP (tests, benchmarks, the differential reference).
type request struct {
	method string
	path   string
	// header is in net/http's shape (canonical keys, Host not included).
	// Behind fasthttp it is built from fh only when something reads it
	// (headers); a quiet listener saves the record straight from fh.
	header http.Header
	fh     *fasthttp.RequestHeader
	// contentLength is the declared length, -1 when unknown (chunked).
	contentLength int64
	body          io.Reader
}

// reply is the core's answer: a status and one line of text/plain.
type reply struct {
	status int
	text   string
	// allow adds "Allow: POST" (405); retry adds "Retry-After: 1" (503).
	allow, retry bool
}

// headers is the request's header in net/http's shape, built on first use.
func (rq *request) headers() http.Header {
	if rq.header == nil {
		if rq.fh == nil {
			rq.header = http.Header{}
		} else {
			rq.header = headerOf(rq.fh)
		}
	}
	return rq.header
}

var (
	okReply     = reply{status: http.StatusOK, text: "ok\n"}
	healthReply = reply{status: http.StatusOK, text: "lcwh listen: ok (POST webhooks here)\n"}
)

// handle acknowledges an event only once it is kept: the body is read
// within bounds, checked, verified when required, written to the record
// sink and queued, and only then answered 200. A record that cannot be
// written gets 503, which LiveChat retries (webhooks.md §3).
func (l *Listener) handle(rq *request) reply {
	if rq.method != http.MethodPost {
		if rq.method == http.MethodGet && rq.path == "/" {
			return healthReply
		}
		r := l.reject(rq, http.StatusMethodNotAllowed, "method "+rq.method+" not allowed: webhooks are POST", nil)
		r.allow = true
		return r
	}
	if l.cfg.Path != "" && rq.path != l.cfg.Path {
		return l.reject(rq, http.StatusNotFound, "path "+rq.path+" is not "+l.cfg.Path+" (--path)", nil)
	}
	body, env, status, reason := l.readJSON(rq)
	if status != 0 {
		return l.reject(rq, status, reason, body)
	}
	ev := l.newEvent(rq, body, http.StatusOK)
	ev.Envelope = env
	l.verify(ev, rq)
	if l.cfg.RequireSecret && ev.Verification != Verified {
		note := ev.VerifyNote
		if note == "" {
			note = "no check configured for the " + string(ev.Family) + " family"
		}
		return l.reject(rq, http.StatusUnauthorized, "--require-secret: "+note, body)
	}
	ev.Seq = l.seq.Add(1)
	ev.hash = l.dedupe.hash(body)
	if !l.headerless {
		ev.Header = rq.headers()
	}
	if err := l.keep(ev, rq); err != nil {
		return l.refuse(ev, err)
	}
	l.received.Add(1)
	switch ev.Verification {
	case Verified:
		l.verified.Add(1)
	case Failed:
		l.failed.Add(1)
	}
	return okReply
}

// ServeHTTP is the core behind net/http. listen serves with fasthttp
// (server.go); this adapter is the reference the differential test
// compares it with, and what the handler benchmarks call.
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.inflight.Add(1)
	defer l.inflight.Add(-1)
	rq := request{method: r.Method, path: r.URL.Path, header: r.Header, contentLength: r.ContentLength, body: r.Body}
	rc := http.NewResponseController(w)
	stopCut := context.AfterFunc(l.reading, func() { _ = rc.SetReadDeadline(time.Now()) })
	rp := l.handle(&rq)
	stopCut()
	h := w.Header()
	h["Content-Type"] = textPlain
	if rp.allow {
		h.Set("Allow", "POST")
	}
	if rp.retry {
		h.Set("Retry-After", "1")
	}
	w.WriteHeader(rp.status)
	_, _ = io.WriteString(w, rp.text)
}

// keep writes the event's record (when there is a sink) and queues it.
func (l *Listener) keep(ev *Event, rq *request) error {
	if l.journal != nil {
		sc := scratchPool.Get().(*scratch)
		rec := l.appendRecord(sc.rec[:0], ev, rq, sc)
		err := l.journal.commit(rec)
		if cap(rec) <= maxSpare && cap(sc.fields) <= 256 {
			sc.rec = rec[:0]
			clear(sc.fields)
			scratchPool.Put(sc)
		}
		if err != nil {
			return err
		}
	}
	if !l.enqueue(ev) {
		if l.journal != nil {
			// Saved already: the event is kept, only not shown or
			// forwarded (the drain timed out or was aborted).
			return nil
		}
		return ErrStopped
	}
	return nil
}

// refuse answers 503: the event could not be kept, so it must not be
// acknowledged; the sender retries. The refusal is shown like a rejection.
func (l *Listener) refuse(ev *Event, err error) reply {
	ev.Status = http.StatusServiceUnavailable
	ev.Reason = "not saved: " + err.Error()
	if errors.Is(err, ErrStopped) {
		ev.Reason = "the listener is stopping"
	}
	l.tryEnqueue(ev)
	return reply{status: http.StatusServiceUnavailable, text: ev.Reason + "\n", retry: true}
}

// readBody reads the body incrementally up to MaxBody: memory grows with
// what actually arrived, not with a declared Content-Length. A body still
// arriving a short grace after a stop is cut off (never acknowledged).
func (l *Listener) readBody(rq *request) ([]byte, int, string) {
	limit := l.cfg.MaxBody
	if rq.contentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes is over --max-body %d", rq.contentLength, limit)
	}
	body, err := readLimited(rq.body, rq.contentLength, limit)
	if err != nil && l.reading.Err() != nil {
		l.cut.Add(1)
		return nil, http.StatusServiceUnavailable, "the listener is stopping: the body did not arrive in time"
	}
	switch {
	case errors.Is(err, errTooLarge):
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over --max-body %d bytes", limit)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, http.StatusRequestTimeout, "the body did not arrive within the read timeout"
	case err != nil:
		return nil, http.StatusBadRequest, "reading body: " + err.Error()
	}
	return body, 0, ""
}

// readJSON is readBody, then Check: one pass validates the body (JSON
// within MaxDepth) and classifies it. It returns the body and its
// envelope, or the status and reason to refuse it with (and the body to
// show with the refusal).
func (l *Listener) readJSON(rq *request) ([]byte, Envelope, int, string) {
	body, status, reason := l.readBody(rq)
	if status != 0 {
		return body, Envelope{}, status, reason
	}
	env, err := Check(body, l.cfg.MaxDepth)
	if err != nil {
		why, kept := notJSON(body, err)
		return kept, env, http.StatusBadRequest, why
	}
	return body, env, 0, ""
}

var errTooLarge = errors.New("body too large")

// readLimited reads at most limit bytes, starting from a buffer sized by
// the declared length (capped, so a lying Content-Length costs nothing).
func readLimited(r io.Reader, declared, limit int64) ([]byte, error) {
	size := int64(512)
	if declared >= 0 {
		size = min(declared+1, 64<<10)
	}
	buf := make([]byte, 0, size)
	for {
		if int64(len(buf)) > limit {
			return nil, errTooLarge
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(int64(cap(buf)), limit+1)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if int64(len(buf)) > limit {
				return nil, errTooLarge
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// notJSON is the 400 reason for a body Check refused, and the body to
// keep with the refusal: none when it nests too deep (it may be 10 MiB
// of "[").
func notJSON(body []byte, err error) (string, []byte) {
	var de *jsonlimit.DepthError
	switch {
	case errors.As(err, &de):
		return "body is not accepted: " + err.Error(), nil
	case len(body) == 0:
		return "body is not JSON: empty body", body
	}
	return "body is not JSON: " + err.Error(), body
}

// newEvent is the event of request r, received now, answered status.
func (l *Listener) newEvent(rq *request, body []byte, status int) *Event {
	return &Event{
		ReceivedAt: l.cfg.Now(),
		Method:     rq.method,
		Path:       rq.path,
		Body:       body,
		Status:     status,
	}
}

func (l *Listener) reject(rq *request, status int, reason string, body []byte) reply {
	l.rejected.Add(1)
	ev := l.newEvent(rq, body, status)
	ev.Header = rq.headers()
	ev.Reason = reason
	ev.Envelope = Envelope{Family: FamilyUnknown, Kind: "unknown"}
	if body != nil {
		if env, err := Check(body, l.cfg.MaxDepth); err == nil {
			ev.Envelope = env
		}
	}
	l.tryEnqueue(ev)
	return reply{status: status, text: reason + "\n"}
}

// verify checks the event's proof of origin for its family.
func (l *Listener) verify(ev *Event, rq *request) {
	switch ev.Family {
	case catalog.LiveChat:
		if len(l.cfg.Secrets) == 0 {
			return
		}
		if ev.HasSecretKey && signature.SecretMatches(ev.SecretKey, l.cfg.Secrets) >= 0 {
			ev.Verification = Verified
			return
		}
		ev.Verification = Failed
		got := "no secret_key"
		if ev.HasSecretKey {
			got = "secret_key " + signature.Redact(ev.SecretKey)
		}
		ev.VerifyNote = fmt.Sprintf("webhook_id %q sent %s, which matches none of the %d secret(s) tried",
			ev.WebhookID, got, len(l.cfg.Secrets))
	case catalog.App:
		if len(l.cfg.ClientIDs) == 0 {
			return
		}
		if signature.SecretMatches(ev.ClientID, l.cfg.ClientIDs) >= 0 {
			ev.Verification = Verified
			return
		}
		ev.Verification = Failed
		// clientID identifies the app; like a secret it is never printed whole.
		ev.VerifyNote = fmt.Sprintf("clientID %s matches none of the %d --client-id value(s)",
			signature.Redact(ev.ClientID), len(l.cfg.ClientIDs))
	case catalog.Monday:
		if len(l.cfg.MondaySecret) == 0 {
			return
		}
		if _, err := signature.VerifyMonday(rq.headers().Get("Authorization"), l.cfg.MondaySecret, l.cfg.Now()); err != nil {
			ev.Verification = Failed
			ev.VerifyNote = err.Error()
			return
		}
		ev.Verification = Verified
	}
}
