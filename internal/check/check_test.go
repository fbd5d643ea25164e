package check

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
)

// Pauses the tests tell apart in their Sleep.
const (
	testRetryPause   = 3 * time.Millisecond
	testSlowInterval = 7 * time.Millisecond
)

// sleeps records Options.Sleep calls and never waits.
type sleeps struct {
	mu sync.Mutex
	ds []time.Duration
	// onSlow, when set, runs at the first slow-client pause.
	onSlow func()
	once   sync.Once
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.ds = append(s.ds, d)
	s.mu.Unlock()
	if d == testSlowInterval && s.onSlow != nil {
		s.once.Do(s.onSlow)
	}
	return ctx.Err()
}

func (s *sleeps) count(d time.Duration) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, x := range s.ds {
		if x == d {
			n++
		}
	}
	return n
}

// testOptions points the suite at h with the test secret, a client built
// on NewTransport, a fixed seed, a clock that moves only when a handler
// moves it (latency is never measured in real time) and pauses that never
// wait.
func testOptions(t *testing.T, h http.Handler) (Options, *sleeps) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &sleeps{}
	return Options{URL: srv.URL + "/webhooks", Secret: testSecret, Client: &http.Client{Transport: NewTransport()},
		Seed: 1, Sleep: s.sleep, RetryPause: testRetryPause, SlowInterval: testSlowInterval, Now: newClock().Now}, s
}

func run(t *testing.T, o Options) *Report {
	t.Helper()
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// grades maps each check to its grade.
func grades(rep *Report) map[ID]Status {
	out := map[ID]Status{}
	for _, c := range rep.Checks {
		out[c.ID] = c.Status
	}
	return out
}

// allPass is the grade of a correct handler without --via-sandbox,
// changed by the overrides.
func allPass(over map[ID]Status) map[ID]Status {
	want := map[ID]Status{Registration: Skip}
	for _, id := range IDs()[1:] {
		want[id] = Pass
	}
	for id, s := range over {
		want[id] = s
	}
	return want
}

func restSkipped(over map[ID]Status) map[ID]Status {
	want := map[ID]Status{}
	for _, id := range IDs() {
		want[id] = Skip
	}
	for id, s := range over {
		want[id] = s
	}
	return want
}

func result(t *testing.T, rep *Report, id ID) Result {
	t.Helper()
	r, ok := rep.Result(id)
	if !ok {
		t.Fatalf("no result for %s", id)
	}
	return r
}

func wantDetail(t *testing.T, r Result, substr string) {
	t.Helper()
	for _, d := range r.Details {
		if strings.Contains(d, substr) {
			return
		}
	}
	t.Errorf("%s details lack %q:\n%s", r.ID, substr, strings.Join(r.Details, "\n"))
}

// TestHandlers grades one example handler per failure mode; each fails
// exactly the check that covers its flaw.
func TestHandlers(t *testing.T) {
	tests := []struct {
		name  string
		h     *handler
		setup func(*Options, http.Handler) http.Handler
		want  map[ID]Status
		check func(*testing.T, *Report)
	}{
		{name: "correct", h: &handler{}, want: allPass(nil), check: func(t *testing.T, rep *Report) {
			if !rep.OK || rep.Failed() || rep.Counts != (Counts{Passed: 9, Skipped: 1}) {
				t.Errorf("counts %+v ok %v", rep.Counts, rep.OK)
			}
		}},
		{name: "answers 201", h: &handler{status: 201}, want: allPass(map[ID]Status{Status200: Fail}),
			check: func(t *testing.T, rep *Report) {
				r := result(t, rep, Status200)
				wantDetail(t, r, "incoming_event: answered 201 Created (LiveChat counts only 200 as delivered)")
				if r.Summary != "3 of 3 kinds not answered 200" || !strings.Contains(r.Why, "retried up to 3 times") || r.Fix == "" {
					t.Errorf("status-200 %+v", r)
				}
			}},
		{name: "accepts a forged secret", h: &handler{trustAll: true}, want: allPass(map[ID]Status{ForgedSecret: Fail}),
			check: func(t *testing.T, rep *Report) {
				r := result(t, rep, ForgedSecret)
				wantDetail(t, r, "incoming_event with a wrong secret_key (last character changed): answered 200 OK")
				wantDetail(t, r, "incoming_event without secret_key: answered 200 OK")
				if r.Summary != "3 of 3 forged deliveries accepted" {
					t.Errorf("summary %q", r.Summary)
				}
			}},
		{name: "accepts a forged secret, --accepts-forged", h: &handler{trustAll: true},
			setup: func(o *Options, h http.Handler) http.Handler { o.AcceptsForged = true; return h },
			want:  allPass(map[ID]Status{ForgedSecret: Warn}),
			check: func(t *testing.T, rep *Report) {
				if r := result(t, rep, ForgedSecret); r.Fix != fixForgedAccepted || rep.Failed() {
					t.Errorf("forged-secret %+v", r)
				}
			}},
		{name: "500s on an unknown field", h: &handler{strict: true}, want: allPass(map[ID]Status{ForwardCompat: Fail}),
			check: func(t *testing.T, rep *Report) {
				r := result(t, rep, ForwardCompat)
				wantDetail(t, r, `incoming_chat with a new field in every object: answered 500 Internal Server Error: decode: json: unknown field "lcwh_check_new_field"`)
			}},
		{name: "500s on a repeated webhook_id", h: &handler{dedupWebhookID: true}, want: allPass(map[ID]Status{Retry: Fail}),
			check: func(t *testing.T, rep *Report) {
				r := result(t, rep, Retry)
				wantDetail(t, r, "incoming_event repeated at once: answered 500 Internal Server Error: duplicate key")
				wantDetail(t, r, "incoming_event repeated after 3ms: answered 500")
				wantDetail(t, r, "incoming_event (a new event with the same webhook_id): answered 500")
				if !strings.Contains(r.Summary, "webhook_id names the registration, not the delivery") {
					t.Errorf("summary %q", r.Summary)
				}
			}},
		{name: "fails under 20 parallel deliveries", h: &handler{},
			setup: func(o *Options, h http.Handler) http.Handler {
				p := newPool(h)
				o.Progress = p.progress
				return p
			},
			want: allPass(map[ID]Status{Parallel: Fail}),
			check: func(t *testing.T, rep *Report) {
				r := result(t, rep, Parallel)
				if !strings.HasSuffix(r.Summary, "of 20 deliveries sent at once were refused or not answered in time") || r.Deliveries != 20 {
					t.Errorf("parallel %+v", r)
				}
				wantDetail(t, r, "answered 503 Service Unavailable: worker pool exhausted")
			}},
		{name: "500s when incoming_event comes first", h: &handler{needChat: true}, want: allPass(map[ID]Status{Order: Fail}),
			check: func(t *testing.T, rep *Report) {
				r := result(t, rep, Order)
				wantDetail(t, r, "incoming_event before its chat's incoming_chat: answered 500 Internal Server Error: TypeError")
				if r.Summary != "1 of 5 deliveries refused" {
					t.Errorf("summary %q", r.Summary)
				}
			}},
		{name: "takes 11 s (short timeout)", h: &handler{block: true},
			setup: func(o *Options, h http.Handler) http.Handler { o.Timeout = 30 * time.Millisecond; return h },
			want:  restSkipped(map[ID]Status{Latency: Fail}),
			check: func(t *testing.T, rep *Report) {
				r := result(t, rep, Latency)
				wantDetail(t, r, "incoming_chat: no answer within 30ms")
				if s := result(t, rep, Retry).Summary; s != "not run: no first delivery was answered within 30ms (see latency)" {
					t.Errorf("retry summary %q", s)
				}
				if rep.Deliveries != 3 {
					t.Errorf("deliveries %d, want only the first 3", rep.Deliveries)
				}
			}},
		{name: "takes 11 s (injected clock)", h: &handler{advance: 11 * time.Second},
			setup: func(o *Options, h http.Handler) http.Handler {
				c := newClock()
				h.(*handler).clock, o.Now = c, c.Now
				return h
			},
			want: restSkipped(map[ID]Status{Status200: Pass, Latency: Fail}),
			check: func(t *testing.T, rep *Report) {
				r := result(t, rep, Latency)
				wantDetail(t, r, "incoming_event: answered after 11.00s, past the 10s LiveChat waits")
				if r.Latency == nil || r.Latency.Max != 11000 {
					t.Errorf("latency %+v", r.Latency)
				}
			}},
		{name: "answers after 1.5 s (injected clock)", h: &handler{advance: 1500 * time.Millisecond},
			setup: func(o *Options, h http.Handler) http.Handler {
				c := newClock()
				h.(*handler).clock, o.Now = c, c.Now
				// Parallel deliveries would each see the others' advances.
				o.Run = map[ID]bool{}
				for _, id := range IDs() {
					o.Run[id] = id != Parallel
				}
				return h
			},
			want: allPass(map[ID]Status{Latency: Warn, Parallel: Skip}),
			check: func(t *testing.T, rep *Report) {
				r := result(t, rep, Latency)
				if !strings.HasSuffix(r.Summary, "33 of 33 deliveries took over 1s; p50 1.50s, p99 1.50s, max 1.50s") {
					t.Errorf("latency summary %q", r.Summary)
				}
				if rep.Failed() || !strings.Contains(r.Fix, "Acknowledge first, process later") {
					t.Errorf("latency %+v", r)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h http.Handler = tt.h
			o, _ := testOptions(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
			if tt.setup != nil {
				h = tt.setup(&o, h)
			}
			rep := run(t, o)
			if diff := cmp.Diff(tt.want, grades(rep)); diff != "" {
				t.Errorf("grades (-want +got):\n%s\n%s", diff, dump(rep))
			}
			if tt.check != nil {
				tt.check(t, rep)
			}
		})
	}
}

func dump(rep *Report) string {
	b, _ := json.MarshalIndent(rep.Checks, "", "  ")
	return string(b)
}

func TestSlowClient(t *testing.T) {
	imp := &impatient{inner: &handler{}, stalled: make(chan struct{}), handled: make(chan struct{})}
	o, s := testOptions(t, imp)
	s.onSlow = func() {
		close(imp.stalled)
		<-imp.handled
	}
	rep := run(t, o)
	if diff := cmp.Diff(allPass(map[ID]Status{SlowClient: Fail}), grades(rep)); diff != "" {
		t.Fatalf("grades (-want +got):\n%s\n%s", diff, dump(rep))
	}
	r := result(t, rep, SlowClient)
	if !strings.Contains(r.Details[0], "incoming_event sent in 10 pieces over 63ms: ") || !strings.Contains(r.Fix, "read timeout of at least 10 s") {
		t.Errorf("slow-client %+v", r)
	}
}

// TestSlowClientPaces proves the body goes out in pieces, with a pause
// between each, and arrives whole.
func TestSlowClientPaces(t *testing.T) {
	h := &handler{}
	o, s := testOptions(t, h)
	o.Run = map[ID]bool{SlowClient: true}
	rep := run(t, o)
	r := result(t, rep, SlowClient)
	if r.Status != Pass || r.Summary != "answered 200 after a body sent in 10 pieces over 63ms" {
		t.Fatalf("slow-client %+v", r)
	}
	if n := s.count(testSlowInterval); n != DefaultSlowChunks-1 {
		t.Errorf("%d pauses, want %d", n, DefaultSlowChunks-1)
	}
	bodies, _ := h.got()
	if last := bodies[len(bodies)-1]; !json.Valid(last) || gjson.GetBytes(last, "action").String() != "incoming_event" {
		t.Errorf("slow body arrived broken: %.80s", last)
	}
}

// TestSlowClientNeedsPacingTransport: a client not built on NewTransport
// cannot pace, and the check says so rather than pass.
func TestSlowClientNeedsPacingTransport(t *testing.T) {
	o, _ := testOptions(t, &handler{})
	o.Client = &http.Client{}
	o.Run = map[ID]bool{SlowClient: true}
	r := result(t, run(t, o), SlowClient)
	if r.Status != Skip || !strings.Contains(r.Summary, "did not pace the body") {
		t.Errorf("slow-client %+v", r)
	}
}

func TestRedirectIsAFailure(t *testing.T) {
	o, _ := testOptions(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://example.com/webhooks/", http.StatusFound)
	}))
	o.Run = map[ID]bool{Status200: true}
	r := result(t, run(t, o), Status200)
	if r.Status != Fail {
		t.Fatalf("status-200 %+v", r)
	}
	wantDetail(t, r, "incoming_chat: answered 302 Found → https://example.com/webhooks/ (redirects are not followed")
}

func TestStatusHints(t *testing.T) {
	for code, want := range map[int]string{401: "pass --secret", 404: "is the path right?", 405: "accept POST",
		413: "size limit", 500: "see its log", 204: "only 200"} {
		o, _ := testOptions(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }))
		o.Run = map[ID]bool{Status200: true}
		r := result(t, run(t, o), Status200)
		wantDetail(t, r, want)
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := Run(context.Background(), Options{URL: url, Client: &http.Client{Transport: NewTransport()}})
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "connection refused") || ue.Hint() == "" {
		t.Fatalf("err = %v", err)
	}
}

// TestHandlerGoesAway: a handler that dies mid-run fails the check that
// killed it, and the rest are skipped instead of failing one by one.
func TestHandlerGoesAway(t *testing.T) {
	var srv *httptest.Server
	var once sync.Once
	inner := &handler{}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(r.Body)
		if bytes.Contains(buf.Bytes(), []byte(newFieldKey)) {
			once.Do(func() { go srv.Close() })
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			_ = conn.Close()
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
		inner.ServeHTTP(w, r)
	}))
	defer srv.Close()
	s := &sleeps{}
	rep := run(t, Options{URL: srv.URL, Secret: testSecret, Client: &http.Client{Transport: NewTransport()},
		Seed: 1, Sleep: s.sleep, Now: newClock().Now})
	g := grades(rep)
	if g[ForwardCompat] != Fail || g[PayloadEdge] != Skip || g[SlowClient] != Skip {
		t.Fatalf("grades %v\n%s", g, dump(rep))
	}
	if r := result(t, rep, PayloadEdge); r.Summary != "not run: the handler stopped accepting connections during forward-compat" {
		t.Errorf("payload-edge %q", r.Summary)
	}
}

func TestOnlyAndSkip(t *testing.T) {
	h := &handler{}
	o, _ := testOptions(t, h)
	o.Run = map[ID]bool{Retry: true}
	rep := run(t, o)
	want := restSkipped(map[ID]Status{Retry: Pass})
	if diff := cmp.Diff(want, grades(rep)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if r := result(t, rep, Latency); r.Summary != "not selected (--skip / --only)" {
		t.Errorf("latency %q", r.Summary)
	}
	// 3 first deliveries + 4 per kind (twice at once, once late, a new event).
	if bodies, _ := h.got(); len(bodies) != 3+3*4 || rep.Deliveries != 15 {
		t.Errorf("%d bodies, report says %d", len(bodies), rep.Deliveries)
	}
}

// TestDeliveriesLookReal: bodies are fresh, related and carry the
// caller's secret, headers and Content-Type.
func TestDeliveriesLookReal(t *testing.T) {
	h := &handler{}
	o, _ := testOptions(t, h)
	o.Header = http.Header{"X-Trace": {"7"}}
	o.Run = map[ID]bool{Status200: true, Order: true, PayloadEdge: true}
	run(t, o)
	bodies, headers := h.got()
	main := gjson.GetBytes(bodies[0], "payload.chat.id").String()
	if gjson.GetBytes(bodies[0], "action").String() != "incoming_chat" || main == "" {
		t.Fatalf("first delivery %.100s", bodies[0])
	}
	ids := map[string]bool{}
	events := map[string]bool{}
	for i, b := range bodies {
		if headers[i].Get("X-Trace") != "7" || !strings.HasPrefix(headers[i].Get("Content-Type"), "application/json") {
			t.Errorf("delivery %d headers %v", i, headers[i])
		}
		if s := gjson.GetBytes(b, "secret_key").String(); s != testSecret {
			t.Errorf("delivery %d secret_key %q", i, s)
		}
		wh := gjson.GetBytes(b, "webhook_id").String()
		if ids[wh] {
			t.Errorf("webhook_id %s twice", wh)
		}
		ids[wh] = true
		if ev := gjson.GetBytes(b, "payload.event.id").String(); ev != "" {
			if events[ev] {
				t.Errorf("event id %s twice", ev)
			}
			events[ev] = true
		}
	}
	ev := bodies[1]
	if gjson.GetBytes(ev, "action").String() != "incoming_event" || gjson.GetBytes(ev, "payload.chat_id").String() != main ||
		gjson.GetBytes(ev, "payload.thread_id").String() != gjson.GetBytes(bodies[0], "payload.chat.thread.id").String() {
		t.Errorf("incoming_event is not in the first chat: %.200s", ev)
	}
	if gjson.GetBytes(bodies[2], "payload.chat_id").String() == main {
		t.Error("chat_deactivated closed the chat later events use")
	}
	var big, charset, noAD bool
	for i, b := range bodies {
		big = big || len(b) >= BigBody && json.Valid(b)
		charset = charset || headers[i].Get("Content-Type") == "application/json; charset=utf-8"
		noAD = noAD || gjson.GetBytes(b, "action").Exists() && !gjson.GetBytes(b, "additional_data").Exists()
	}
	if !big || !charset || !noAD {
		t.Errorf("payload-edge variants missing: 1 MiB %v, charset %v, no additional_data %v", big, charset, noAD)
	}
}

func TestOtherFamilies(t *testing.T) {
	clock := newClock()
	h := &handler{now: clock.Now}
	o, _ := testOptions(t, h)
	o.Now = clock.Now
	o.Kinds = slices.Concat(catalog.ByFamily(catalog.App)[:1], catalog.ByFamily(catalog.Monday)[:1])
	o.ClientID, o.MondaySecret = testClientID, testMonday
	rep := run(t, o)
	if diff := cmp.Diff(allPass(map[ID]Status{Order: Skip}), grades(rep)); diff != "" {
		t.Fatalf("(-want +got):\n%s\n%s", diff, dump(rep))
	}
	r := result(t, rep, ForgedSecret)
	if r.Summary != "6 forged deliveries refused (401)" {
		t.Errorf("forged-secret %q", r.Summary)
	}
	// A handler that checks nothing fails every forgery of both families.
	h2 := &handler{trustAll: true}
	o2, _ := testOptions(t, h2)
	o2.Kinds, o2.ClientID, o2.MondaySecret, o2.Now = o.Kinds, testClientID, testMonday, clock.Now
	r = result(t, run(t, o2), ForgedSecret)
	for _, want := range []string{"another app's clientID", "expired JWT", "signed with another secret", `alg "none"`, "without Authorization"} {
		wantDetail(t, r, want)
	}
}

func TestForgedSkippedWithoutSecrets(t *testing.T) {
	o, _ := testOptions(t, &handler{trustAll: true})
	o.Secret = ""
	o.Run = map[ID]bool{ForgedSecret: true}
	r := result(t, run(t, o), ForgedSecret)
	if r.Status != Skip || !strings.Contains(r.Summary, "pass --secret") {
		t.Errorf("forged-secret %+v", r)
	}
}

// TestForgedNotGradedWhenAllRefused: a handler refusing everything (wrong
// --secret) does not pass forged-secret by accident.
func TestForgedNotGradedWhenAllRefused(t *testing.T) {
	o, _ := testOptions(t, &handler{})
	o.Secret = "not-the-handlers-secret"
	rep := run(t, o)
	if g := grades(rep); g[Status200] != Fail || g[ForgedSecret] != Skip || g[Retry] != Skip {
		t.Fatalf("grades %v", g)
	}
	wantDetail(t, result(t, rep, Status200), "pass --secret")
}

func TestJUnit(t *testing.T) {
	o, _ := testOptions(t, &handler{status: 201})
	rep := run(t, o)
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, rep, time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Timestamp string `xml:"timestamp,attr"`
			Cases     []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != len(IDs()) || doc.Tests != len(IDs()) || doc.Failures != 1 {
		t.Fatalf("suites %+v", doc)
	}
	for i, c := range doc.Suites[0].Cases {
		if !strings.HasPrefix(c.Name, string(IDs()[i])+": ") {
			t.Errorf("case %d is %q", i, c.Name)
		}
	}
	st := doc.Suites[0].Cases[1]
	if st.Failure == nil || st.Failure.Message != "3 of 3 kinds not answered 200" || !strings.Contains(st.Failure.Text, "Fix: Answer exactly 200") {
		t.Errorf("status-200 case %+v", st)
	}
	if doc.Suites[0].Cases[0].Skipped == nil {
		t.Error("registration is not skipped")
	}
}

// TestJSONFields pins the --json field set: adding is fine, renaming or
// removing breaks users.
func TestJSONFields(t *testing.T) {
	o, _ := testOptions(t, &handler{})
	o.Run = map[ID]bool{Latency: true}
	b, err := json.Marshal(run(t, o))
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	_ = json.Unmarshal(b, &top)
	var checks []map[string]json.RawMessage
	_ = json.Unmarshal(top["checks"], &checks)
	var counts, lat map[string]any
	_ = json.Unmarshal(top["counts"], &counts)
	_ = json.Unmarshal(checks[2]["latency_ms"], &lat)
	if diff := cmp.Diff([]string{"checks", "counts", "deliveries", "duration_ms", "kinds", "ok", "timeout_ms", "url"}, keys(top)); diff != "" {
		t.Errorf("report fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"deliveries", "details", "duration_ms", "fix", "id", "latency_ms", "status", "summary", "title", "why"}, keys(checks[0])); diff != "" {
		t.Errorf("check fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"failed", "passed", "skipped", "warned"}, keys(counts)); diff != "" {
		t.Errorf("counts fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"max", "p50", "p99"}, keys(lat)); diff != "" {
		t.Errorf("latency fields (-want +got):\n%s", diff)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCancelMidRun: cancelling (Ctrl-C) stops the run with ctx's error.
func TestCancelMidRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n int
	var mu sync.Mutex
	inner := &handler{}
	o, _ := testOptions(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		if n == 5 {
			cancel()
		}
		mu.Unlock()
		inner.ServeHTTP(w, r)
	}))
	if _, err := Run(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// TestEchoedSecretIsHidden: a handler that echoes the body in its error
// does not make the report print the secret.
func TestEchoedSecretIsHidden(t *testing.T) {
	o, _ := testOptions(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(500)
		_, _ = w.Write(b[:200])
	}))
	o.Run = map[ID]bool{Status200: true}
	rep := run(t, o)
	b, _ := json.Marshal(rep)
	if bytes.Contains(b, []byte(testSecret)) || !bytes.Contains(b, []byte(`\"secret_key\": \"****\"`)) {
		t.Errorf("report: %s", b)
	}
}
