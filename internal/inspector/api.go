package inspector

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
)

// Bounds of one page of the list.
const (
	defaultPage = 100
	maxPage     = 1000
)

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /assets/{name}", s.serveAsset)
	m.HandleFunc("GET /api/info", s.handleInfo)
	m.HandleFunc("GET /api/events", s.handleList)
	m.HandleFunc("GET /api/events/{id}", s.handleDetail)
	m.HandleFunc("GET /api/events/{id}/body", s.handleBody)
	m.HandleFunc("GET /api/events/{id}/curl", s.handleCurl)
	m.HandleFunc("GET /api/stream", s.handleStream)
	m.HandleFunc("GET /api/export", s.handleExport)
	m.HandleFunc("GET /api/diff", s.handleDiff)
	m.HandleFunc("GET /api/stats", s.handleStats)
	m.HandleFunc("POST /api/replay", s.handleReplay)
	m.HandleFunc("POST /api/send", s.handleSend)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(m, w, r) })
	return m
}

// notFound answers 405 for a known path asked with another method, else 404.
func notFound(m *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		r2 := r.Clone(r.Context())
		r2.Method = method
		if _, p := m.Handler(r2); p != "/" && p != "" {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+": use "+method)
			return
		}
	}
	writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path+" (see docs/guides/web-inspector.md)")
}

type infoJSON struct {
	Mode      string   `json:"mode"`
	Version   string   `json:"version"`
	MaxEvents int      `json:"max_events"`
	MaxBytes  int64    `json:"max_bytes"`
	Kept      int      `json:"kept"`
	Dropped   uint64   `json:"dropped"`
	OldestID  uint64   `json:"oldest_id"`
	NewestID  uint64   `json:"newest_id"`
	Forward   []string `json:"forward_targets"`
	Files     []string `json:"files"`
	// LastEventID is the live feed's position now: GET /api/stream?after=
	// it sends only what happens from here on.
	LastEventID uint64 `json:"last_event_id"`
	ListenURL   string `json:"listen_url"`
	// LiveFeeds is how many readers of GET /api/stream are connected now
	// (an open page is one): scripts wait on it.
	LiveFeeds int64 `json:"live_feeds"`
}

func (s *Server) handleInfo(w http.ResponseWriter, _ *http.Request) {
	kept, oldest, newest, dropped := s.hub.counts()
	info := infoJSON{Mode: "files", Version: s.cfg.Version, MaxEvents: s.hub.maxEvents, MaxBytes: s.hub.maxBytes,
		Kept: kept, Dropped: dropped, OldestID: oldest, NewestID: newest, Forward: []string{}, Files: s.cfg.Files,
		LastEventID: s.hub.lastSeq(), ListenURL: s.cfg.ListenURL, LiveFeeds: s.feeds.Load()}
	if s.cfg.Live {
		info.Mode = "live"
	}
	if info.Files == nil {
		info.Files = []string{}
	}
	for _, r := range s.cfg.Routes {
		t := redactURL(r.URL)
		if r.Kind != "" {
			t = r.Kind + "=" + t
		}
		info.Forward = append(info.Forward, t)
	}
	writeJSON(w, http.StatusOK, info)
}

// filter is the query of GET /api/events.
type filter struct {
	before, after uint64
	limit         int
	family, kind  string
	verified      string // "true", "false", "none" or ""
	duplicate     string // "true", "false" or ""
	status        string // "accepted", "rejected" or ""
	q             []byte // lower-cased
}

func parseFilter(r *http.Request) (filter, string) {
	q := r.URL.Query()
	f := filter{limit: defaultPage, family: q.Get("family"), kind: q.Get("kind"),
		verified: q.Get("verified"), duplicate: q.Get("duplicate"), status: q.Get("status")}
	var err error
	for _, p := range []struct {
		name string
		dst  *uint64
	}{{"before", &f.before}, {"after", &f.after}} {
		if v := q.Get(p.name); v != "" {
			if *p.dst, err = strconv.ParseUint(v, 10, 64); err != nil {
				return f, p.name + " must be an event id"
			}
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.limit, err = strconv.Atoi(v); err != nil || f.limit < 1 || f.limit > maxPage {
			return f, "limit must be 1 to " + strconv.Itoa(maxPage)
		}
	}
	if !oneOf(f.verified, "", "true", "false", "none") || !oneOf(f.duplicate, "", "true", "false") || !oneOf(f.status, "", "accepted", "rejected") {
		return f, "verified is true, false or none; duplicate true or false; status accepted or rejected"
	}
	if t := q.Get("q"); t != "" {
		f.q = bytes.ToLower([]byte(t))
	}
	return f, ""
}

func oneOf(v string, set ...string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

func (f *filter) match(v view) bool {
	switch {
	case f.before != 0 && v.id >= f.before, f.after != 0 && v.id <= f.after:
		return false
	case f.family != "" && v.family != f.family, f.kind != "" && v.kind != f.kind:
		return false
	case f.duplicate != "" && (f.duplicate == "true") != v.dup:
		return false
	case f.status != "" && (f.status == "accepted") != v.accepted():
		return false
	case f.verified != "" && verifyName(v.verify) != f.verified:
		return false
	}
	return f.q == nil || containsFold(v.body, f.q) || containsFold([]byte(v.kind), f.q)
}

// containsFold reports whether b holds the lower-case ASCII needle,
// ignoring ASCII case, without copying b.
func containsFold(b, needle []byte) bool {
	if len(needle) == 0 {
		return true
	}
	first := needle[0]
	for i := 0; i+len(needle) <= len(b); i++ {
		if lower(b[i]) != first {
			continue
		}
		j := 1
		for j < len(needle) && lower(b[i+j]) == needle[j] {
			j++
		}
		if j == len(needle) {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

type listJSON struct {
	Events   []rowJSON `json:"events"`
	Kept     int       `json:"kept"`
	Dropped  uint64    `json:"dropped"`
	OldestID uint64    `json:"oldest_id"`
	NewestID uint64    `json:"newest_id"`
	HasMore  bool      `json:"has_more"`
}

// handleList answers a page of the list, newest first.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	f, bad := parseFilter(r)
	if bad != "" {
		writeError(w, http.StatusBadRequest, bad)
		return
	}
	all, dropped := s.hub.snapshot()
	out := listJSON{Events: []rowJSON{}, Kept: len(all), Dropped: dropped}
	if len(all) > 0 {
		out.OldestID, out.NewestID = all[0].id, all[len(all)-1].id
	}
	for i := len(all) - 1; i >= 0; i-- {
		if !f.match(all[i]) {
			continue
		}
		if len(out.Events) == f.limit {
			out.HasMore = true
			break
		}
		out.Events = append(out.Events, row(all[i]))
	}
	writeJSON(w, http.StatusOK, out)
}

// lookup finds the event named by the path's {id}, answering 404 itself.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) (view, bool) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "the event id must be a number")
		return view{}, false
	}
	e, f := s.hub.get(id)
	if e == nil {
		_, oldest, _, _ := s.hub.counts()
		msg := "no event " + strconv.FormatUint(id, 10)
		if id < oldest {
			msg += ": it is older than the last " + strconv.Itoa(s.hub.maxEvents) + " the inspector keeps (it is still in the --save file)"
		}
		writeError(w, http.StatusNotFound, msg)
		return view{}, false
	}
	return view{e, f}, true
}

// handleBody answers the exact bytes of a body, as a download.
func (s *Server) handleBody(w http.ResponseWriter, r *http.Request) {
	v, ok := s.lookup(w, r)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="event-`+strconv.FormatUint(v.id, 10)+`.json"`)
	// Opened directly, the bytes must not run as a document either.
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	_, _ = w.Write(v.body)
}

// handleCurl answers a curl command that sends the event again: to ?to=,
// else the forward target, else the path it arrived on at this listener's
// address as the page knows it (?to is then needed).
func (s *Server) handleCurl(w http.ResponseWriter, r *http.Request) {
	v, ok := s.lookup(w, r)
	if !ok {
		return
	}
	to := r.URL.Query().Get("to")
	if to == "" {
		to = s.route(v.kind)
	}
	if to == "" {
		to = "http://127.0.0.1:8080" + v.path
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(curlCommand(v.entry, to)))
}

// curlCommand is a POSIX shell command that sends e's body bytes and
// replayed headers to url.
func curlCommand(e *entry, url string) string {
	var b strings.Builder
	b.WriteString("curl -sS -X POST " + shellQuote(url))
	for _, k := range replayHeaderNames {
		if vs := e.header[k]; len(vs) > 0 && (k != "Authorization" || e.exact) {
			b.WriteString(" \\\n  -H " + shellQuote(k+": "+strings.Join(vs, ", ")))
		}
	}
	if len(e.header["Content-Type"]) == 0 {
		b.WriteString(" \\\n  -H 'Content-Type: application/json'")
	}
	b.WriteString(" \\\n  --data-binary " + shellQuote(string(e.body)) + "\n")
	return b.String()
}

// shellQuote quotes s for a POSIX shell: single quotes, each ' as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
