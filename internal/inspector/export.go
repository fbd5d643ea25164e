package inspector

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lcwh/lcwh/internal/eventlog"
)

// maxIDs bounds the ids one request may name.
const maxIDs = 100000

// parseIDs reads "3,5,7-9" (empty: nil, meaning every kept event).
func parseIDs(s string) (map[uint64]bool, error) {
	if s == "" {
		return nil, nil
	}
	out := map[uint64]bool{}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 64)
		b := a
		if err == nil && isRange {
			b, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 64)
		}
		if err != nil || b < a || uint64(len(out))+(b-a) >= maxIDs {
			return nil, errors.New(`ids is a list of event ids and ranges, e.g. "3,5,7-9"`)
		}
		for id := a; id <= b; id++ {
			out[id] = true
		}
	}
	return out, nil
}

// handleExport downloads the selection (?ids=, else every kept event) in
// the --save format (format=jsonl) or as HAR 1.2 (format=har).
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ids, err := parseIDs(q.Get("ids"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	format := q.Get("format")
	if format == "" {
		format = "jsonl"
	}
	if format != "jsonl" && format != "har" {
		writeError(w, http.StatusBadRequest, "format is jsonl (the --save format) or har (HAR 1.2)")
		return
	}
	all, _ := s.hub.snapshot()
	sel := make([]view, 0, len(all))
	for _, v := range all {
		if ids == nil || ids[v.id] {
			sel = append(sel, v)
		}
	}
	h := w.Header()
	name := "lcwh-events-" + s.cfg.Now().UTC().Format("20060102-150405")
	if format == "har" {
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.har"`)
		_ = json.NewEncoder(w).Encode(s.har(sel))
		return
	}
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Content-Disposition", `attachment; filename="`+name+`.jsonl"`)
	var buf []byte
	for _, v := range sel {
		buf = eventlog.Append(buf[:0], recordOf(v.entry))
		if _, err := w.Write(buf); err != nil {
			return
		}
	}
}

func recordOf(e *entry) *eventlog.Record {
	return &eventlog.Record{ReceivedAt: e.at, Method: e.method, Path: e.path, Header: e.header,
		Body: e.body, BodyValid: e.bodyValid, Verify: e.verify}
}

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): each event is
// an entry whose request is the webhook and whose response is lcwh's
// answer; the forward result is the custom field _forward. Secrets are
// redacted as on the page.
type harLog struct {
	Log struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harEntry struct {
	Started  string         `json:"startedDateTime"`
	Time     float64        `json:"time"`
	Request  harRequest     `json:"request"`
	Response harResponse    `json:"response"`
	Cache    struct{}       `json:"cache"`
	Timings  map[string]int `json:"timings"`
	Comment  string         `json:"comment,omitempty"`
	Forward  *forwardJSON   `json:"_forward,omitempty"`
}

type harRequest struct {
	Method      string  `json:"method"`
	URL         string  `json:"url"`
	HTTPVersion string  `json:"httpVersion"`
	Cookies     []harNV `json:"cookies"`
	Headers     []harNV `json:"headers"`
	QueryString []harNV `json:"queryString"`
	PostData    harPost `json:"postData"`
	HeadersSize int     `json:"headersSize"`
	BodySize    int     `json:"bodySize"`
}

type harPost struct {
	MimeType string  `json:"mimeType"`
	Params   []harNV `json:"params"`
	Text     string  `json:"text"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Encoding string `json:"encoding,omitempty"`
}

func (s *Server) har(sel []view) *harLog {
	out := &harLog{}
	out.Log.Version = "1.2"
	out.Log.Creator = harCreator{Name: "lcwh", Version: s.cfg.Version}
	out.Log.Entries = make([]harEntry, 0, len(sel))
	for _, v := range sel {
		out.Log.Entries = append(out.Log.Entries, harOf(v))
	}
	return out
}

func harOf(v view) harEntry {
	at := v.at
	if at.IsZero() {
		at = time.Unix(0, 0)
	}
	hs := headerJSON(v.header, false)
	headers := make([]harNV, 0, len(hs))
	for _, k := range sortedNames(v.header) {
		headers = append(headers, harNV{k, hs[k]})
	}
	body := redactBody(v.body)
	mime := "application/json"
	if ct := hs["Content-Type"]; ct != "" {
		mime = ct
	}
	answer := "ok\n"
	status := v.status
	if status == 0 {
		status = http.StatusOK
	}
	if status != http.StatusOK {
		answer = v.reason + "\n"
	}
	e := harEntry{
		Started: at.UTC().Format(time.RFC3339Nano),
		Request: harRequest{Method: v.method, URL: "http://lcwh.invalid" + v.path, HTTPVersion: "HTTP/1.1",
			Cookies: []harNV{}, Headers: headers, QueryString: []harNV{},
			PostData:    harPost{MimeType: mime, Params: []harNV{}, Text: text(body)},
			HeadersSize: -1, BodySize: len(v.body)},
		Response: harResponse{Status: status, StatusText: http.StatusText(status), HTTPVersion: "HTTP/1.1",
			Cookies: []harNV{}, Headers: []harNV{{"Content-Type", "text/plain; charset=utf-8"}},
			Content:     harContent{Size: len(answer), MimeType: "text/plain; charset=utf-8", Text: answer},
			HeadersSize: -1, BodySize: len(answer)},
		Timings: map[string]int{"send": 0, "wait": 0, "receive": 0},
		Comment: "received by lcwh listen; the request URL's host is not recorded",
	}
	if text(body) != string(body) {
		e.Comment += "; the body is not valid UTF-8: _body_b64 in the --save export holds its bytes"
		e.Request.PostData.Text = base64.StdEncoding.EncodeToString(body)
		e.Request.PostData.MimeType = "application/octet-stream;base64"
	}
	if v.fwd != nil {
		f := row(v).Forward
		e.Forward = f
		e.Time = f.LatencyMS
	}
	return e
}
