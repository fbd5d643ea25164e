package listener

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/signature"
)

var (
	okBody     = []byte("ok\n")
	healthBody = []byte("lcwh listen: ok (POST webhooks here)\n")
)

// ServeHTTP acknowledges first: the answer is sent once the body is read,
// valid, verified when required, and queued.
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		if r.Method == http.MethodGet && r.URL.Path == "/" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
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
	body, status, reason := l.readBody(r)
	if status != 0 {
		l.reject(w, r, status, reason, body)
		return
	}
	ev := &Event{
		ReceivedAt: l.cfg.Now(),
		Method:     r.Method,
		Path:       r.URL.Path,
		Header:     r.Header,
		Body:       body,
		Status:     http.StatusOK,
		Envelope:   Classify(body),
	}
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
	l.queue <- ev // blocks when full: backpressure, never a drop
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(okBody)
}

func (l *Listener) readBody(r *http.Request) ([]byte, int, string) {
	max := l.cfg.MaxBody
	if r.ContentLength > max {
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes is over --max-body %d", r.ContentLength, max)
	}
	var body []byte
	if r.ContentLength >= 0 {
		body = make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, http.StatusBadRequest, "reading body: " + err.Error()
		}
	} else {
		b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			return nil, http.StatusBadRequest, "reading body: " + err.Error()
		}
		if int64(len(b)) > max {
			return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over --max-body %d bytes", max)
		}
		body = b
	}
	if !gjson.ValidBytes(body) {
		return body, http.StatusBadRequest, "body is not JSON: " + jsonError(body)
	}
	return body, 0, ""
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

func (l *Listener) reject(w http.ResponseWriter, r *http.Request, status int, reason string, body []byte) {
	ev := &Event{
		ReceivedAt: l.cfg.Now(),
		Method:     r.Method,
		Path:       r.URL.Path,
		Header:     r.Header,
		Body:       body,
		Status:     status,
		Reason:     reason,
	}
	if body != nil && gjson.ValidBytes(body) {
		ev.Envelope = Classify(body)
	} else {
		ev.Envelope = Envelope{Family: FamilyUnknown, Kind: "unknown"}
	}
	l.queue <- ev
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, reason+"\n")
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
		ev.VerifyNote = fmt.Sprintf("clientID %q matches none of the %d --client-id value(s)", ev.ClientID, len(l.cfg.ClientIDs))
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
