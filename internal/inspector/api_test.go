package inspector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/listener"
)

// allSamples adds one event of every catalog kind (ids 1..56) and returns them.
func allSamples(t *testing.T, ts *testServer) []*listener.Event {
	t.Helper()
	var evs []*listener.Event
	for i, k := range catalog.All() {
		ev := sample(t, uint64(i+1), k.Name)
		ts.Add(ev)
		evs = append(evs, ev)
	}
	return evs
}

func TestInfo(t *testing.T) {
	ts := start(t, Config{Live: true, Version: "1.2.3", Routes: []listener.Route{{URL: "http://u:pw@127.0.0.1:3000/hooks"}}})
	ts.SetListenURL("http://127.0.0.1:8080/")
	allSamples(t, ts)
	var info infoJSON
	ts.getJSON("/api/info", &info)
	want := infoJSON{Mode: "live", Version: "1.2.3", MaxEvents: DefaultMaxEvents, MaxBytes: DefaultMaxBytes, Kept: 56,
		OldestID: 1, NewestID: 56, Forward: []string{"http://u:xxxxx@127.0.0.1:3000/hooks"}, Files: []string{},
		LastEventID: 56, ListenURL: "http://127.0.0.1:8080/"}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestListFilters(t *testing.T) {
	ts := start(t, Config{Live: true})
	evs := allSamples(t, ts)
	dup := event(57, evs[0].Body)
	dup.Duplicate = true
	ts.Add(dup)
	bad := event(0, []byte(`{"action":"incoming_chat"`))
	bad.Status, bad.Reason, bad.Envelope = 400, "body is not JSON: unexpected end", listener.Envelope{Family: listener.FamilyUnknown, Kind: "unknown"}
	ts.Add(bad)
	failed := sample(t, 58, "incoming_event")
	failed.Verification, failed.VerifyNote = listener.Failed, "webhook_id \"w\" sent no secret_key"
	ts.Add(failed)
	count := func(q string) int {
		t.Helper()
		var l listJSON
		ts.getJSON("/api/events?limit=1000"+q, &l)
		return len(l.Events)
	}
	tests := []struct {
		q    string
		want int
	}{
		{"", 59},
		{"&family=livechat", 40},
		{"&family=monday", 12},
		{"&kind=incoming_chat", 2},
		{"&duplicate=true", 1},
		{"&duplicate=false", 58},
		{"&status=rejected", 1},
		{"&verified=false", 1},
		{"&verified=none", 58},
		{"&q=SALESFORCE", 5}, // three samples and the two copies; any case
		{"&q=nothing-like-this", 0},
		{"&family=livechat&kind=incoming_event&verified=false", 1},
	}
	for _, tt := range tests {
		if got := count(tt.q); got != tt.want {
			t.Errorf("%q: %d events, want %d", tt.q, got, tt.want)
		}
	}
	var l listJSON
	ts.getJSON("/api/events?limit=2", &l)
	if len(l.Events) != 2 || l.Events[0].ID != 59 || l.Events[1].ID != 58 || !l.HasMore || l.Kept != 59 {
		t.Fatalf("first page: %+v", l)
	}
	rej := l.Events[1]
	if rej.Status != 400 || rej.Reason == "" || rej.Kind != "unknown" {
		t.Errorf("the rejection row: %+v", rej)
	}
	ts.getJSON("/api/events?limit=2&before=58", &l)
	if l.Events[0].ID != 57 || l.Events[1].ID != 56 {
		t.Errorf("before=58: %d, %d", l.Events[0].ID, l.Events[1].ID)
	}
	r := l.Events[0]
	if !r.Duplicate || r.Summary == "" || len(r.Fields) == 0 || r.ReceivedAt == nil {
		t.Errorf("row: %+v", r)
	}
	for _, q := range []string{"?limit=0", "?limit=x", "?before=x", "?verified=maybe", "?status=odd"} {
		if code, _, _ := ts.do(ts.req("GET", "/api/events"+q, "")); code != 400 {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
}

func TestDetail(t *testing.T) {
	ts := start(t, Config{Live: true, Routes: []listener.Route{{URL: "http://127.0.0.1:3000/"}}})
	ev := sample(t, 1, "incoming_event")
	ev.Verification, ev.VerifyNote = listener.Failed, `webhook_id "w" sent secret_key abc****(24 chars), which matches none of the 1 secret(s) tried`
	ts.Add(ev)
	ts.AddForward(&listener.ForwardResult{Event: ev, URL: "http://127.0.0.1:3000/", Status: 500, Latency: 1500 * time.Microsecond,
		Header: http.Header{"X-App": {"yes"}}, Body: []byte("boom")})
	var d detailJSON
	ts.getJSON("/api/events/1", &d)
	if d.RequestLine != "POST /webhooks" || d.Headers["Authorization"] == "Bearer abcdefghijklmnop" || !strings.HasPrefix(d.Headers["Authorization"], "Bearer abc") {
		t.Errorf("request line %q, Authorization %q (want redacted)", d.RequestLine, d.Headers["Authorization"])
	}
	secret := jsonField(t, ev.Body, "secret_key")
	if strings.Contains(d.Body, secret) || !d.Redacted || !d.BodyIsJSON {
		t.Errorf("body shows secret_key %q (redacted %v)", secret, d.Redacted)
	}
	if d.Verification.State != "failed" || d.Verification.Mark != "✗" || !strings.Contains(d.Verification.Explanation, "matches none of the 1 secret(s)") {
		t.Errorf("verification %+v", d.Verification)
	}
	if !strings.HasPrefix(d.Description, "A new event") || d.DocsURL != "https://platform.text.com/docs/management/webhooks#incoming-event" {
		t.Errorf("catalog line %q %q", d.Description, d.DocsURL)
	}
	f := d.Forward
	if f == nil || f.Status != 500 || f.LatencyMS != 1.5 || f.Headers["X-App"] != "yes" || f.Body == nil || *f.Body != "boom" || d.ForwardTo != "http://127.0.0.1:3000/" {
		t.Errorf("forward %+v", f)
	}
	ts.getJSON("/api/events/1?reveal=1", &d)
	if !strings.Contains(d.Body, secret) || d.Headers["Authorization"] != "Bearer abcdefghijklmnop" || d.Body != string(ev.Body) {
		t.Error("reveal=1 does not show the body and headers as they arrived")
	}
	for path, want := range map[string]int{"/api/events/2": 404, "/api/events/x": 400} {
		if code, _, _ := ts.do(ts.req("GET", path, "")); code != want {
			t.Errorf("%s: %d, want %d", path, code, want)
		}
	}
}

func jsonField(t *testing.T, body []byte, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[name].(string)
	if s == "" {
		t.Fatalf("no %s in the sample", name)
	}
	return s
}

func TestExplanations(t *testing.T) {
	s := &Server{}
	for _, tt := range []struct {
		e    entry
		want string
	}{
		{entry{family: "livechat", verify: eventlog.VerifyOK}, "secret_key matched"},
		{entry{family: "monday", verify: eventlog.VerifyOK}, "JWT verified"},
		{entry{family: "livechat"}, "no --secret was given"},
		{entry{family: "app"}, "no --client-id"},
		{entry{family: "unknown"}, "not a LiveChat"},
		{entry{family: "livechat", status: 413, reason: "too big"}, "answered 413"},
		{entry{family: "livechat", verify: eventlog.VerifyFailed, source: "f:1"}, "reason is not saved"},
	} {
		if got := s.explain(&tt.e).Explanation; !strings.Contains(got, tt.want) {
			t.Errorf("%+v: %q, want it to say %q", tt.e, got, tt.want)
		}
	}
}

func TestBodyIsTheExactBytes(t *testing.T) {
	ts := start(t, Config{Live: true})
	raw := []byte("{\"action\":\"incoming_event\",\"webhook_id\":\"w\",\"payload\":{\"event\":{\"text\":\"caf\xe9\"}}}\r\n")
	ts.Add(event(1, raw))
	code, h, got := ts.do(ts.req("GET", "/api/events/1/body", ""))
	if code != 200 || !bytes.Equal(got, raw) {
		t.Fatalf("%d %q, want the bytes %q", code, got, raw)
	}
	if h.Get("Content-Type") != "application/octet-stream" || !strings.Contains(h.Get("Content-Disposition"), `filename="event-1.json"`) {
		t.Errorf("headers %v", h)
	}
}

// capture is an app that records what it is sent and answers codes in turn.
type capture struct {
	mu     sync.Mutex
	bodies [][]byte
	header []http.Header
	codes  []int
	srv    *httptest.Server
}

func newCapture(t *testing.T, codes ...int) *capture {
	t.Helper()
	c := &capture{codes: codes}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.bodies = append(c.bodies, b)
		c.header = append(c.header, r.Header.Clone())
		code := 200
		if len(c.codes) > 0 {
			code, c.codes = c.codes[0], c.codes[1:]
		}
		c.mu.Unlock()
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "answer "+http.StatusText(code))
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *capture) got() ([][]byte, []http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bodies, c.header
}

// replayLine is any line of a replay's answer (progressJSON or doneJSON).
type replayLine struct {
	progressJSON
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
}

func ndjson(t *testing.T, b []byte) []replayLine {
	t.Helper()
	var out []replayLine
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var p replayLine
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("%v in %s", err, b)
		}
		out = append(out, p)
	}
}

func TestCurlSendsTheSameBytes(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: cannot run the command")
	}
	app := newCapture(t)
	ts := start(t, Config{Live: true})
	raw := []byte(`{"action":"incoming_event","webhook_id":"w","payload":{"event":{"text":"it's $HOME \"quoted\" \\ back"}}}` + "\n")
	ts.Add(event(1, raw))
	code, _, cmd := ts.do(ts.req("GET", "/api/events/1/curl?to="+app.srv.URL+"/x", ""))
	if code != 200 || !strings.HasPrefix(string(cmd), "curl -sS -X POST '"+app.srv.URL+"/x'") {
		t.Fatalf("%d %s", code, cmd)
	}
	if out, err := exec.CommandContext(context.Background(), "sh", "-c", string(cmd)).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	bodies, hs := app.got()
	if len(bodies) != 1 || !bytes.Equal(bodies[0], raw) || hs[0].Get("Authorization") != "Bearer abcdefghijklmnop" {
		t.Fatalf("curl sent %q with %v", bodies, hs)
	}
}

func TestReplay(t *testing.T) {
	app := newCapture(t, 500, 503, 200)
	ts := start(t, Config{Live: true, Routes: []listener.Route{{URL: app.srv.URL + "/hooks"}}})
	raw := []byte("{\"action\":\"incoming_chat\",\"webhook_id\":\"w\"}\n")
	ts.Add(event(1, raw))
	code, h, b := ts.do(ts.req("POST", "/api/replay", `{"ids":[1]}`))
	if code != 200 || h.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("%d %s", code, b)
	}
	lines := ndjson(t, b)
	var types []string
	for _, p := range lines {
		types = append(types, p.Type)
	}
	if diff := cmp.Diff([]string{"attempt", "attempt", "attempt", "result", "done"}, types); diff != "" {
		t.Fatalf("lines (-want +got):\n%s\n%s", diff, b)
	}
	if lines[0].Status != 500 || lines[0].OK || lines[0].Attempt != 1 || lines[2].Status != 200 || !lines[2].OK || lines[2].Attempt != 3 {
		t.Errorf("attempts %+v", lines[:3])
	}
	if r := lines[3]; !r.OK || r.Attempts != 3 || r.ID != 1 || r.URL != app.srv.URL+"/hooks" || lines[4].Delivered != 1 || lines[4].Failed != 0 || !lines[4].OK {
		t.Errorf("result %+v, done %+v", r, lines[4])
	}
	bodies, hs := app.got()
	for i, got := range bodies {
		if !bytes.Equal(got, raw) {
			t.Errorf("attempt %d sent %q, want the bytes %q", i+1, got, raw)
		}
		if hs[i].Get("Authorization") != "Bearer abcdefghijklmnop" || hs[i].Get("Content-Type") != "application/json" {
			t.Errorf("attempt %d headers %v", i+1, hs[i])
		}
	}
	for body, want := range map[string]int{
		`{"ids":[]}`:                             400,
		`{"ids":[9]}`:                            404,
		`{"ids":[1],"to":"ftp://x"}`:             400,
		`{"ids":[1],"to":"not a url"}`:           400,
		`not json`:                               400,
		`{"ids":[1],"to":"` + app.srv.URL + `"}`: 200,
	} {
		if code, _, b := ts.do(ts.req("POST", "/api/replay", body)); code != want {
			t.Errorf("%s: %d, want %d (%s)", body, code, want, b)
		}
	}
}

// TestReplayFails: nothing listens at the target: every attempt fails,
// and the closing line says so.
func TestReplayFails(t *testing.T) {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := "http://" + ln.Addr().String() + "/hooks"
	ln.Close()
	ts := start(t, Config{Live: true})
	ts.Add(event(1, []byte(`{"action":"incoming_chat"}`)))
	_, _, b := ts.do(ts.req("POST", "/api/replay", `{"ids":[1],"to":"`+gone+`"}`))
	lines := ndjson(t, b)
	last := lines[len(lines)-1]
	if last.Type != "done" || last.OK || last.Delivered != 0 || last.Failed != 1 || lines[len(lines)-2].OK {
		t.Errorf("lines %+v", lines)
	}
}

func TestReplayNeedsATarget(t *testing.T) {
	ts := start(t, Config{})
	ts.Add(event(1, []byte(`{"action":"incoming_chat"}`)))
	code, _, b := ts.do(ts.req("POST", "/api/replay", `{"ids":[1]}`))
	if code != 400 || !strings.Contains(string(b), "no --forward-to target") {
		t.Fatalf("%d %s", code, b)
	}
}

func TestSend(t *testing.T) {
	app := newCapture(t)
	ts := start(t, Config{Live: true})
	ts.Add(event(1, []byte(`{"action":"incoming_chat"}`)))
	code, _, b := ts.do(ts.req("POST", "/api/send", `{"to":"`+app.srv.URL+`","body":"{\"action\": oops}"}`))
	if code != 400 || !strings.Contains(string(b), "not valid JSON") {
		t.Fatalf("invalid JSON: %d %s", code, b)
	}
	if bodies, _ := app.got(); len(bodies) != 0 {
		t.Fatalf("invalid JSON was sent: %q", bodies)
	}
	code, _, b = ts.do(ts.req("POST", "/api/send", `{"to":"`+app.srv.URL+`","body":"{\"action\":\"edited\"}","from":1}`))
	lines := ndjson(t, b)
	if code != 200 || len(lines) != 3 || !lines[1].OK || lines[2].Delivered != 1 || !lines[2].OK {
		t.Fatalf("%d %s", code, b)
	}
	bodies, hs := app.got()
	if string(bodies[0]) != `{"action":"edited"}` || hs[0].Get("Authorization") != "Bearer abcdefghijklmnop" {
		t.Errorf("sent %q %v", bodies, hs)
	}
}

func TestExportJSONL(t *testing.T) {
	ts := start(t, Config{Live: true})
	evs := allSamples(t, ts)
	code, h, b := ts.do(ts.req("GET", "/api/export?format=jsonl&ids=2,5-7", ""))
	if code != 200 || !strings.Contains(h.Get("Content-Disposition"), ".jsonl") {
		t.Fatalf("%d %v", code, h)
	}
	r := eventlog.NewReader(bytes.NewReader(b))
	var got []int
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, ev := range evs {
			if bytes.Equal(ev.Body, rec.Body) && rec.Form == eventlog.FormRecord && rec.Header["Authorization"][0] == "Bearer abcdefghijklmnop" {
				got = append(got, i+1)
			}
		}
	}
	if diff := cmp.Diff([]int{2, 5, 6, 7}, got); diff != "" {
		t.Errorf("exported (-want +got):\n%s", diff)
	}
	for _, q := range []string{"?ids=x", "?ids=5-2", "?format=xml"} {
		if code, _, _ := ts.do(ts.req("GET", "/api/export"+q, "")); code != 400 {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
}

func TestExportHAR(t *testing.T) {
	ts := start(t, Config{Live: true, Routes: []listener.Route{{URL: "http://127.0.0.1:3000/"}}})
	evs := allSamples(t, ts)
	ts.AddForward(&listener.ForwardResult{Event: evs[0], URL: "http://127.0.0.1:3000/", Status: 200, Latency: 2 * time.Millisecond})
	code, _, b := ts.do(ts.req("GET", "/api/export?format=har", ""))
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	var har struct {
		Log struct {
			Version string `json:"version"`
			Creator struct{ Name string }
			Entries []struct {
				StartedDateTime string
				Request         struct {
					Method   string
					Headers  []harNV
					PostData struct{ MimeType, Text string }
				}
				Response struct{ Status int }
				Forward  *forwardJSON `json:"_forward"`
			}
		}
	}
	if err := json.Unmarshal(b, &har); err != nil {
		t.Fatal(err)
	}
	if har.Log.Version != "1.2" || har.Log.Creator.Name != "lcwh" || len(har.Log.Entries) != 56 {
		t.Fatalf("log %s %s %d entries", har.Log.Version, har.Log.Creator.Name, len(har.Log.Entries))
	}
	e := har.Log.Entries[0]
	secret := jsonField(t, evs[0].Body, "secret_key")
	if e.Request.Method != "POST" || e.Response.Status != 200 || strings.Contains(e.Request.PostData.Text, secret) || e.Forward == nil || e.Forward.Status != 200 {
		t.Errorf("entry %+v", e)
	}
	if _, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err != nil {
		t.Error(err)
	}
}

func TestDiff(t *testing.T) {
	ts := start(t, Config{Live: true})
	ts.Add(event(1, []byte(`{"action":"a","secret_key":"0123456789abcdef","payload":{"n":1,"x":[1,2],"gone":true}}`)))
	ts.Add(event(2, []byte(`{"action":"b","secret_key":"0123456789abcdef","payload":{"n":1.0,"x":[1],"new":null}}`)))
	var d struct {
		Differences []diffJSON `json:"differences"`
	}
	ts.getJSON("/api/diff?a=1&b=2", &d)
	str := func(s string) *string { return &s }
	want := []diffJSON{
		{Path: "action", Op: "changed", A: str(`"a"`), B: str(`"b"`)},
		{Path: "payload.gone", Op: "removed", A: str("true")},
		{Path: "payload.n", Op: "changed", A: str("1"), B: str("1.0")},
		{Path: "payload.new", Op: "added", B: str("null")},
		{Path: "payload.x[1]", Op: "removed", A: str("2")},
	}
	if diff := cmp.Diff(want, d.Differences); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if code, _, _ := ts.do(ts.req("GET", "/api/diff?a=1&b=9", "")); code != 404 {
		t.Errorf("unknown b: %d", code)
	}
}

func TestStats(t *testing.T) {
	ts := start(t, Config{Live: true, Routes: []listener.Route{{URL: "http://127.0.0.1:3000/"}}})
	for i := 1; i <= 100; i++ {
		ev := sample(t, uint64(i), "incoming_event")
		ts.Add(ev)
		ts.AddForward(&listener.ForwardResult{Event: ev, Status: 200, Latency: time.Duration(i) * time.Millisecond})
	}
	var st statsJSON
	ts.getJSON("/api/stats", &st)
	if st.Total != 100 || st.ByKind["incoming_event"] != 100 {
		t.Errorf("counts %+v", st.ByKind)
	}
	l := st.Latency
	if l.Count != 100 || l.P50 != 50 || l.P90 != 90 || l.P99 != 99 || l.Max != 100 {
		t.Errorf("latency %+v", l)
	}
	sum := 0
	for _, n := range l.Histogram {
		sum += n
	}
	if sum != 100 || len(l.Histogram) != len(l.Bounds)+1 {
		t.Errorf("histogram %v", l.Histogram)
	}
	total := 0
	for _, b := range st.Timeline.Buckets {
		total += b["incoming_event"]
	}
	if total != 100 || st.Timeline.BucketSeconds <= 0 {
		t.Errorf("timeline %+v", st.Timeline)
	}
}

func TestAssets(t *testing.T) {
	ts := start(t, Config{Live: true})
	for name, ct := range map[string]string{"/assets/app.js": "text/javascript", "/assets/app.css": "text/css"} {
		code, h, b := ts.do(ts.req("GET", name, ""))
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), ct) || len(b) < 100 {
			t.Errorf("%s: %d %s %d bytes", name, code, h.Get("Content-Type"), len(b))
		}
	}
	if code, _, _ := ts.do(ts.req("GET", "/assets/../inspector.go", "")); code == 200 {
		t.Error("a path outside the assets was served")
	}
	// The page never writes event text as markup.
	js, _ := assets.ReadFile("assets/app.js")
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if bytes.Contains(js, []byte(bad)) {
			t.Errorf("app.js uses %s", bad)
		}
	}
}

// TestUnknownAndWrongMethod: an unknown path is a JSON 404 naming the
// guide; a known one asked with the wrong method is a 405 with Allow.
func TestUnknownAndWrongMethod(t *testing.T) {
	ts := start(t, Config{Live: true})
	tests := []struct {
		method, path string
		want         int
		allow        string
	}{
		{"GET", "/api/nothing", 404, ""},
		{"GET", "/api/replay", 405, "POST"},
		{"POST", "/api/events", 405, "GET"},
		{"PUT", "/api/send", 405, "POST"},
	}
	for _, tt := range tests {
		code, h, b := ts.do(ts.req(tt.method, tt.path, `{}`))
		var e struct {
			Error string `json:"error"`
		}
		if code != tt.want || h.Get("Allow") != tt.allow || json.Unmarshal(b, &e) != nil || e.Error == "" {
			t.Errorf("%s %s: %d Allow %q %s; want %d Allow %q and a JSON error", tt.method, tt.path, code, h.Get("Allow"), b, tt.want, tt.allow)
		}
	}
}
