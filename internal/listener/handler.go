package listener

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/signature"
)

var (
	// textPlain is shared by every answer (net/http only reads it), so
	// setting it costs no allocation on the hot path.
	textPlain  = []string{"text/plain; charset=utf-8"}
	okBody     = []byte("ok\n")
	healthBody = []byte("lcwh listen: ok (POST webhooks here)\n")
)

// recPool holds record buffers: each request encodes its record in its own
// goroutine, so the journal only copies bytes under its lock.
var recPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// ServeHTTP acknowledges an event only once it is kept: the body is read
// within bounds, checked, verified when required, written to the record
// sink and queued, and only then answered 200. A record that cannot be
// written gets 503, which LiveChat retries (webhooks.md §3).
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		if r.Method == http.MethodGet && r.URL.Path == "/" {
			w.Header()["Content-Type"] = textPlain
			_, _ = w.Write(healthBody)
			return
		}
		w.Header().Set("Allow", "POST")
		l.reject(w, r, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: webhooks are POST", nil)
		return
	}
	if l.cfg.Path != "" && r.URL.Path != l.cfg.Path {
		l.reject(w, r, http.StatusNotFound, "path "+r.URL.Path+" is not "+l.cfg.Path+" (--path)", nil)
		return
	}
	l.inflight.Add(1)
	defer l.inflight.Add(-1)
	body, status, reason := l.readBody(w, r)
	if status != 0 {
		l.reject(w, r, status, reason, body)
		return
	}
	ev := l.newEvent(r, body, http.StatusOK)
	ev.Envelope = Classify(body)
	l.verify(ev, r.Header)
	if l.cfg.RequireSecret && ev.Verification != Verified {
		note := ev.VerifyNote
		if note == "" {
			note = "no check configured for the " + string(ev.Family) + " family"
		}
		l.reject(w, r, http.StatusUnauthorized, "--require-secret: "+note, body)
		return
	}
	ev.Seq = l.seq.Add(1)
	if err := l.keep(ev); err != nil {
		l.refuse(w, ev, err)
		return
	}
	l.received.Add(1)
	switch ev.Verification {
	case Verified:
		l.verified.Add(1)
	case Failed:
		l.failed.Add(1)
	}
	w.Header()["Content-Type"] = textPlain
	_, _ = w.Write(okBody)
}

// keep writes the event's record (when there is a sink) and queues it.
func (l *Listener) keep(ev *Event) error {
	if l.journal != nil {
		bp := recPool.Get().(*[]byte)
		rec := l.encode((*bp)[:0], ev)
		err := l.journal.commit(rec)
		if cap(rec) <= maxSpare {
			*bp = rec[:0]
			recPool.Put(bp)
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
func (l *Listener) refuse(w http.ResponseWriter, ev *Event, err error) {
	ev.Status = http.StatusServiceUnavailable
	ev.Reason = "not saved: " + err.Error()
	if errors.Is(err, ErrStopped) {
		ev.Reason = "the listener is stopping"
	}
	l.tryEnqueue(ev)
	w.Header()["Content-Type"] = textPlain
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = io.WriteString(w, ev.Reason+"\n")
}

// readBody reads the body incrementally up to MaxBody: memory grows with
// what actually arrived, not with a declared Content-Length. A body still
// arriving a short grace after a stop is cut off (never acknowledged).
func (l *Listener) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, string) {
	limit := l.cfg.MaxBody
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes is over --max-body %d", r.ContentLength, limit)
	}
	rc := http.NewResponseController(w)
	stopCut := context.AfterFunc(l.reading, func() { _ = rc.SetReadDeadline(time.Now()) })
	body, err := readLimited(r.Body, r.ContentLength, limit)
	stopCut()
	if err != nil && l.reading.Err() != nil {
		l.cut.Add(1)
		return nil, http.StatusServiceUnavailable, "the listener is stopping: the body did not arrive in time"
	}
	switch {
	case errors.Is(err, errTooLarge):
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over --max-body %d bytes", limit)
	case err != nil:
		return nil, http.StatusBadRequest, "reading body: " + err.Error()
	}
	if err := jsonlimit.CheckDepth(body, l.cfg.MaxDepth); err != nil {
		return nil, http.StatusBadRequest, "body is not accepted: " + err.Error()
	}
	if !gjson.ValidBytes(body) {
		return body, http.StatusBadRequest, "body is not JSON: " + jsonError(body)
	}
	return body, 0, ""
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

// jsonError describes why body is not JSON (slow path, rejections only).
func jsonError(body []byte) string {
	if len(body) == 0 {
		return "empty body"
	}
	var v json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil {
		return err.Error()
	}
	return "invalid JSON"
}

// newEvent is the event of request r, received now, answered status.
func (l *Listener) newEvent(r *http.Request, body []byte, status int) *Event {
	return &Event{
		ReceivedAt: l.cfg.Now(),
		Method:     r.Method,
		Path:       r.URL.Path,
		Header:     r.Header,
		Body:       body,
		Status:     status,
	}
}

func (l *Listener) reject(w http.ResponseWriter, r *http.Request, status int, reason string, body []byte) {
	l.rejected.Add(1)
	ev := l.newEvent(r, body, status)
	ev.Reason = reason
	if body != nil && jsonlimit.CheckDepth(body, l.cfg.MaxDepth) == nil && gjson.ValidBytes(body) {
		ev.Envelope = Classify(body)
	} else {
		ev.Envelope = Envelope{Family: FamilyUnknown, Kind: "unknown"}
	}
	l.tryEnqueue(ev)
	w.Header()["Content-Type"] = textPlain
	w.WriteHeader(status)
	_, _ = io.WriteString(w, reason+"\n") //nolint:gosec // G705: text/plain, never HTML
}

// verify checks the event's proof of origin for its family.
func (l *Listener) verify(ev *Event, h http.Header) {
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
		if _, err := signature.VerifyMonday(h.Get("Authorization"), l.cfg.MondaySecret, l.cfg.Now()); err != nil {
			ev.Verification = Failed
			ev.VerifyNote = err.Error()
			return
		}
		ev.Verification = Verified
	}
}
