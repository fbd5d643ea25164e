package inspector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/sender"
)

// replayHeaderNames are the headers sent again with a body, as lcwh
// replay sends them: the content headers and monday.com's Authorization.
var replayHeaderNames = []string{"Content-Type", "Content-Encoding", "Authorization"}

// maxSendBody bounds an edited body (the listener's default --max-body).
const maxSendBody = 10 << 20

type replayRequest struct {
	IDs []uint64 `json:"ids"`
	// To is the URL; empty sends each event to its forward target.
	To string `json:"to"`
}

type sendRequest struct {
	To   string `json:"to"`
	Body string `json:"body"`
	// From copies the replayed headers of that event (optional).
	From uint64 `json:"from"`
}

// progressJSON is one line of a replay's NDJSON answer (docs: "Replay").
type progressJSON struct {
	Type      string  `json:"type"` // attempt, result, done
	ID        uint64  `json:"id,omitempty"`
	URL       string  `json:"url,omitempty"`
	Attempt   int     `json:"attempt,omitempty"`
	Attempts  int     `json:"attempts,omitempty"`
	Status    int     `json:"status"`
	LatencyMS float64 `json:"latency_ms"`
	OK        bool    `json:"ok"`
	Error     string  `json:"error,omitempty"`
	Warning   string  `json:"warning,omitempty"`
	Body      string  `json:"body,omitempty"`
}

// doneJSON is the last line of a replay's answer.
type doneJSON struct {
	Type      string `json:"type"` // done
	Delivered int    `json:"delivered"`
	Failed    int    `json:"failed"`
	// OK says every delivery succeeded.
	OK bool `json:"ok"`
}

// delivery is one body to send and where.
type delivery struct {
	id     uint64
	to     string
	body   []byte
	header http.Header
	note   string
}

func readJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 2*maxSendBody))
	if err := dec.Decode(dst); err != nil {
		writeError(w, http.StatusBadRequest, "the request body is not the JSON this endpoint takes: "+err.Error())
		return false
	}
	return true
}

// checkTarget accepts absolute http and https URLs.
func checkTarget(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL", raw)
	}
	return nil
}

func replayHeader(e *entry) http.Header {
	h := http.Header{}
	for _, k := range replayHeaderNames {
		if k == "Authorization" && !e.exact {
			continue // a --json stream line holds it redacted
		}
		if vs := e.header[k]; len(vs) > 0 {
			h.Set(k, strings.Join(vs, ", "))
		}
	}
	return h
}

// handleReplay sends kept events again with LiveChat's delivery rules
// and streams each attempt's outcome as NDJSON.
func (s *Server) handleReplay(w http.ResponseWriter, r *http.Request) {
	var req replayRequest
	if !readJSON(w, r, &req) {
		return
	}
	if len(req.IDs) == 0 {
		writeError(w, http.StatusBadRequest, "ids: name at least one event")
		return
	}
	if req.To != "" {
		if err := checkTarget(req.To); err != nil {
			writeError(w, http.StatusBadRequest, "to: "+err.Error())
			return
		}
	}
	ds := make([]delivery, 0, len(req.IDs))
	for _, id := range req.IDs {
		e, _ := s.hub.get(id)
		if e == nil {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no event %d (no longer kept?)", id))
			return
		}
		d := delivery{id: id, to: req.To, body: e.body, header: replayHeader(e)}
		if d.to == "" {
			if d.to = s.route(e.kind); d.to == "" {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("event %d: there is no --forward-to target for %s; give a URL", id, e.kind))
				return
			}
		}
		if !e.exact {
			d.note = "this event was read from a --json stream: secret_key and Authorization were redacted there, so this is not the request that arrived"
		}
		ds = append(ds, d)
	}
	s.deliver(w, r, ds)
}

// handleSend sends an edited body (edit-and-send); invalid JSON is refused.
func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) {
	var req sendRequest
	if !readJSON(w, r, &req) {
		return
	}
	if err := checkTarget(req.To); err != nil {
		writeError(w, http.StatusBadRequest, "to: "+err.Error())
		return
	}
	body := []byte(req.Body)
	switch {
	case len(body) > maxSendBody:
		writeError(w, http.StatusRequestEntityTooLarge, "body: over 10 MiB")
		return
	case !jsonlimit.Valid(body, jsonlimit.MaxDepth):
		writeError(w, http.StatusBadRequest, "body: not valid JSON (or nested deeper than 1000 levels); nothing was sent")
		return
	}
	d := delivery{to: req.To, body: body, header: http.Header{"Content-Type": {"application/json"}}}
	if req.From != 0 {
		if e, _ := s.hub.get(req.From); e != nil {
			d.id, d.header = e.id, replayHeader(e)
			d.header.Del("Content-Encoding") // the edited body is sent as typed
		}
	}
	s.deliver(w, r, []delivery{d})
}

// deliver sends ds one after the other, streaming every attempt, each
// delivery's result and a closing line.
func (s *Server) deliver(w http.ResponseWriter, r *http.Request, ds []delivery) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	emit := func(p any) {
		_ = enc.Encode(p)
		_ = rc.Flush()
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.base, cancel)
	defer stop()
	var delivered, failed int
	for _, d := range ds {
		shown := redactURL(d.to)
		n := 0
		res := s.sender.DeliverEach(ctx, sender.Request{URL: d.to, Body: d.body, Header: d.header}, func(a sender.Result) {
			n += a.Attempts
			emit(progress("attempt", d.id, shown, a, n))
		})
		p := progress("result", d.id, shown, res, 0)
		p.Attempts = res.Attempts
		if d.note != "" && p.Warning == "" {
			p.Warning = d.note
		}
		emit(p)
		if res.OK() {
			delivered++
		} else {
			failed++
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			break
		}
	}
	emit(doneJSON{Type: "done", Delivered: delivered, Failed: failed, OK: failed == 0})
}

func progress(typ string, id uint64, url string, res sender.Result, attempt int) progressJSON {
	p := progressJSON{Type: typ, ID: id, URL: url, Attempt: attempt, Status: res.Status,
		LatencyMS: ms(res.Latency), OK: res.OK(), Warning: res.Warning}
	if res.Err != nil {
		p.Error = res.Err.Error()
	}
	if len(res.RespBody) > 0 {
		p.Body = text(res.RespBody)
	}
	return p
}
