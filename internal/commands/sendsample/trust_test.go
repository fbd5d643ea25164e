package sendsample

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/lcwh/lcwh/internal/cmdutil"
)

// holdReceiver tells arrived about each request and answers 200 only once
// release is called (or the client goes away).
func holdReceiver(t *testing.T) (url string, arrived chan struct{}, release func(), rec *receiver) {
	t.Helper()
	rec = &receiver{status: 200}
	arrived = make(chan struct{}, 100)
	held := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.bodies = append(rec.bodies, b)
		rec.headers = append(rec.headers, r.Header.Clone())
		rec.mu.Unlock()
		arrived <- struct{}{}
		select {
		case <-held:
		case <-r.Context().Done():
		}
	}))
	var once sync.Once
	release = func() { once.Do(func() { close(held) }) }
	t.Cleanup(srv.Close)
	t.Cleanup(release)
	return srv.URL + "/webhooks", arrived, release, rec
}

// noticeWriter is a stderr that reports when a write contains want.
type noticeWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	want   string
	notice chan struct{}
}

func (w *noticeWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if bytes.Contains(p, []byte(w.want)) {
		w.notice <- struct{}{}
	}
	return w.buf.Write(p)
}

func (w *noticeWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// startBurst runs a 3-wide burst against a holding receiver with Ctrl-C
// replaced by sigs and stderr by a noticeWriter watching for "stopping".
func startBurst(t *testing.T, url string, sigs chan os.Signal, extra ...string) (<-chan result, *noticeWriter) {
	t.Helper()
	errw := &noticeWriter{want: "stopping", notice: make(chan struct{}, 1)}
	done := make(chan result, 1)
	args := append([]string{"incoming_event", "--url", url, "--count", "100", "--concurrency", "3"}, extra...)
	go func() {
		done <- runWith(t, "", hooks{opts: func(o *SendSampleOptions) {
			o.Interrupts = sigs
			o.IO.ErrOut = errw
		}}, args...)
	}()
	return done, errw
}

func TestCtrlCLetsInFlightDeliveriesFinish(t *testing.T) {
	url, arrived, release, rec := holdReceiver(t)
	sigs := make(chan os.Signal)
	done, errw := startBurst(t, url, sigs, "--json")
	for range 3 {
		<-arrived
	}
	sigs <- os.Interrupt
	<-errw.notice // no delivery starts from here on
	release()
	r := <-done
	if r.code != cmdutil.ExitInterrupted {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var sum map[string]jsonSummary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatal(err)
	}
	s := sum["summary"]
	if s.Sent != 3 || s.Succeeded != 3 || s.Failed != 0 || s.Interrupted != 0 || !s.Stopped || len(lines) != 4 {
		t.Errorf("summary %+v over %d lines: want the 3 in flight succeeded", s, len(lines))
	}
	if bodies, _ := rec.got(); len(bodies) != 3 {
		t.Errorf("receiver got %d", len(bodies))
	}
	if !strings.Contains(errw.String(), "stopping: no new deliveries; waiting for those in flight (at most 10s). Ctrl-C again to abort them.") {
		t.Errorf("stderr %q", errw.String())
	}
}

func TestSecondCtrlCCountsInterruptedNotFailed(t *testing.T) {
	url, arrived, _, _ := holdReceiver(t)
	sigs := make(chan os.Signal)
	done, errw := startBurst(t, url, sigs)
	for range 3 {
		<-arrived
	}
	sigs <- os.Interrupt
	<-errw.notice
	sigs <- os.Interrupt
	r := <-done
	if r.code != cmdutil.ExitInterrupted {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	for _, want := range []string{"Sent 3 in ", "(stopped by Ctrl-C): 0 succeeded, 0 failed, 3 interrupted (outcome unknown), 0 retried",
		"Latency none (no delivery completed)\nStatus none: 3\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(errw.String(), "aborting: deliveries in flight count as interrupted (outcome unknown)") {
		t.Errorf("stderr %q", errw.String())
	}
}

func TestSecondCtrlCSingleDeliveryJSON(t *testing.T) {
	url, arrived, _, _ := holdReceiver(t)
	sigs := make(chan os.Signal)
	errw := &noticeWriter{want: "stopping", notice: make(chan struct{}, 1)}
	done := make(chan result, 1)
	go func() {
		done <- runWith(t, "", hooks{opts: func(o *SendSampleOptions) { o.Interrupts, o.IO.ErrOut = sigs, errw }},
			"incoming_chat", "incoming_event", "--url", url, "--json")
	}()
	<-arrived
	sigs <- os.Interrupt
	<-errw.notice
	sigs <- os.Interrupt
	r := <-done
	var d jsonDelivery
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	if r.code != cmdutil.ExitInterrupted || d.Name != "incoming_chat" || !d.Interrupted || d.OK || d.Error != "interrupted (outcome unknown)" {
		t.Errorf("exit %d, delivery %+v", r.code, d)
	}
}

func TestDebugLogsRedacted(t *testing.T) {
	rec, url := startReceiver(t, 200)
	debugOn := hooks{factory: func(f *cmdutil.Factory) { *f.Debug = true }}
	r := runWith(t, "", debugOn, "incoming_chat", "--url", url, "--secret", "s3cr3t-key-value")
	if r.code != 0 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	for _, want := range []string{"> POST " + url, "> User-Agent: lcwh/test", `> {"action":"incoming_chat"`, "< 200 OK"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("debug log lacks %q:\n%s", want, r.stderr)
		}
	}
	t.Setenv("LCWH_MONDAY_SECRET", "monday-client-secret")
	r = runWith(t, "", debugOn, "install", "--url", url, "--count", "3", "--concurrency", "2")
	if r.code != 0 {
		t.Fatalf("burst: exit %d: %v", r.code, r.err)
	}
	if n := strings.Count(r.stderr, "> POST "+url); n != 3 {
		t.Errorf("burst logged %d requests, want 3:\n%s", n, r.stderr)
	}
	_, headers := rec.got()
	jwt := headers[len(headers)-1].Get("Authorization")
	if jwt == "" || strings.Contains(r.stderr, jwt) || strings.Contains(r.stderr, "s3cr3t-key-value") ||
		!strings.Contains(r.stderr, "> Authorization: ****") {
		t.Errorf("secrets in the debug log:\n%s", r.stderr)
	}
	if quiet := run(t, "", "incoming_chat", "--url", url); strings.Contains(quiet.stderr, "> POST") {
		t.Errorf("logged without --debug: %q", quiet.stderr)
	}
}

func TestBurstHonoursHostAndHeaders(t *testing.T) {
	var mu sync.Mutex
	hosts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts[r.Host+"|"+r.Header.Get("X-Trace")]++
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	r := run(t, "", "incoming_event", "--url", srv.URL+"/webhooks", "--count", "20", "--concurrency", "4",
		"-H", "Host: tunnel.example", "-H", "X-Trace: 7")
	if r.code != 0 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hosts) != 1 || hosts["tunnel.example|7"] != 20 {
		t.Errorf("receiver saw %v, want tunnel.example|7 20 times", hosts)
	}
}

func TestSeedSendsIdenticalBodies(t *testing.T) {
	rec, url := startReceiver(t, 200)
	for range 2 {
		if r := run(t, "", "--family", "livechat", "--url", url, "--seed", "7", "--no-retry"); r.code != 0 {
			t.Fatalf("exit %d: %v", r.code, r.err)
		}
	}
	bodies, _ := rec.got()
	half := len(bodies) / 2
	if half == 0 || len(bodies) != 2*half {
		t.Fatalf("%d bodies", len(bodies))
	}
	for i := range half {
		if !bytes.Equal(bodies[i], bodies[half+i]) {
			t.Errorf("body %d differs between two --seed 7 runs:\n%s\n%s", i, bodies[i], bodies[half+i])
		}
	}
}
