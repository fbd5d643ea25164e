package listener

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/signature"
)

const testSecret = "k3Jd8sLq0vXz4NwP7rTy2uBm"

var fixedNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// syncBuffer is a save target tests can read after Run returns.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := strings.TrimRight(s.b.String(), "\n")
	if t == "" {
		return nil
	}
	return strings.Split(t, "\n")
}

type running struct {
	l      *Listener
	url    string
	cancel context.CancelFunc
	done   chan struct{}
	stats  Stats
	err    error
	items  []Item
	drain  bool
}

// start runs a listener; when drain is set a goroutine collects Events.
func start(t *testing.T, cfg Config, drain bool) *running {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return fixedNow }
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = testClient()
	}
	l := New(cfg)
	addr, err := l.Bind("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{l: l, url: "http://" + addr.String(), cancel: cancel, done: make(chan struct{}), drain: drain}
	var collected sync.WaitGroup
	if drain {
		collected.Add(1)
		go func() {
			defer collected.Done()
			for it := range l.Events() {
				it.Done()
				r.items = append(r.items, it)
			}
		}()
	}
	go func() {
		r.stats, r.err = l.Run(ctx)
		collected.Wait()
		close(r.done)
	}()
	t.Cleanup(func() { r.stop() })
	return r
}

// testClient is a forwarding client as listen builds one: internal/httpclient,
// redirects not followed.
func testClient() *http.Client {
	return httpclient.New(httpclient.Options{Version: "test", NoRedirect: true})
}

func (r *running) stop() {
	r.cancel()
	<-r.done
}

func post(t *testing.T, url string, body []byte, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func sample(t *testing.T, kind string) []byte {
	t.Helper()
	k, ok := catalog.Lookup(kind)
	if !ok {
		t.Fatalf("no kind %s", kind)
	}
	b, err := catalog.Sample(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestResponseCodes(t *testing.T) {
	r := start(t, Config{MaxBody: 4096, Path: "/hook", Secrets: []string{testSecret}, RequireSecret: true, Emit: true}, true)
	good := sample(t, "incoming_event")
	wrong := bytes.Replace(good, []byte(testSecret), []byte("wrong-secret-value-here"), 1)
	tests := []struct {
		name, method, path string
		body               []byte
		want               int
		wantText           string
	}{
		{"valid", http.MethodPost, "/hook", good, 200, "ok"},
		{"not json", http.MethodPost, "/hook", []byte("{nope"), 400, "not JSON"},
		{"empty", http.MethodPost, "/hook", nil, 400, "empty body"},
		{"too large", http.MethodPost, "/hook", bytes.Repeat([]byte(" "), 5000), 413, "--max-body"},
		{"wrong secret", http.MethodPost, "/hook", wrong, 401, "matches none"},
		{"other method", http.MethodPut, "/hook", good, 405, "not allowed"},
		{"other path", http.MethodPost, "/elsewhere", good, 404, "--path"},
		{"health", http.MethodGet, "/", nil, 200, "lcwh listen: ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, r.url+tt.path, bytes.NewReader(tt.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want || !strings.Contains(string(b), tt.wantText) {
				t.Errorf("got %d %q, want %d containing %q", resp.StatusCode, b, tt.want, tt.wantText)
			}
			if strings.Contains(string(b), testSecret) {
				t.Errorf("response leaks the secret: %q", b)
			}
		})
	}
	r.stop()
	if r.stats.Received != 1 || r.stats.Rejected != 6 {
		t.Errorf("stats = %+v, want 1 received, 6 rejected", r.stats)
	}
	var statuses []int
	for _, it := range r.items {
		statuses = append(statuses, it.Event.Status)
	}
	if diff := cmp.Diff([]int{200, 400, 400, 413, 401, 405, 404}, statuses); diff != "" {
		t.Errorf("emitted statuses (-want +got):\n%s", diff)
	}
}

func TestClassifyEveryKind(t *testing.T) {
	for _, k := range catalog.All() {
		body, err := catalog.Sample(k)
		if err != nil {
			t.Fatal(err)
		}
		env := Classify(body)
		if env.Family != k.Family || env.Kind != k.Name || !env.Known {
			t.Errorf("%s: got family %s kind %s known %v", k.Name, env.Family, env.Kind, env.Known)
		}
	}
	for _, body := range []string{`{}`, `[1,2]`, `"x"`, `{"hello":"world"}`, `{"type":"x"}`} {
		if env := Classify([]byte(body)); env.Family != FamilyUnknown || env.Kind != "unknown" {
			t.Errorf("%s: got %+v, want unknown", body, env)
		}
	}
	if env := Classify([]byte(`{"action":"brand_new","webhook_id":"w"}`)); env.Family != catalog.LiveChat || env.Known {
		t.Errorf("unknown action: got %+v", env)
	}
}

func TestVerification(t *testing.T) {
	mondaySecret := []byte("monday-signing-secret")
	good, err := signature.SignMonday(mondaySecret, "https://x", 1, 2, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	badSig, _ := signature.SignMonday([]byte("another-secret"), "https://x", 1, 2, fixedNow)
	expired, _ := signature.SignMonday(mondaySecret, "https://x", 1, 2, fixedNow.Add(-time.Hour))
	lc := sample(t, "incoming_chat")
	app := sample(t, "application_installed")
	mon := sample(t, "install")
	cfg := Config{
		Secrets:      []string{"other", testSecret},
		ClientIDs:    []string{"9cbf3a968289727cb3cdfe83ab1d9836"},
		MondaySecret: mondaySecret,
	}
	tests := []struct {
		name   string
		cfg    Config
		body   []byte
		auth   string
		want   Verification
		noteIn string
	}{
		{"secret ok", cfg, lc, "", Verified, ""},
		{"secret wrong", cfg, bytes.Replace(lc, []byte(testSecret), []byte("zzzzzzzzzzzzzzzzzzzzzzzz"), 1), "", Failed, `sent secret_key zzz****(24 chars), which matches none of the 2 secret(s) tried`},
		{"secret missing", cfg, []byte(`{"action":"incoming_chat","webhook_id":"w1"}`), "", Failed, `webhook_id "w1" sent no secret_key`},
		{"no secret configured", Config{}, lc, "", Unverified, ""},
		{"client id ok", cfg, app, "", Verified, ""},
		{"client id wrong", Config{ClientIDs: []string{"abc"}}, app, "", Failed, "clientID"},
		{"monday ok bearer", cfg, mon, "Bearer " + good, Verified, ""},
		{"monday ok bare", cfg, mon, good, Verified, ""},
		{"monday bad signature", cfg, mon, badSig, Failed, "signature does not match"},
		{"monday expired", cfg, mon, expired, Failed, "expired"},
		{"monday missing", cfg, mon, "", Failed, "missing"},
		{"monday alg none", cfg, mon, "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJleHAiOjQxMDI0NDQ4MDB9.", Failed, "only HS256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Now = func() time.Time { return fixedNow }
			l := New(tt.cfg)
			ev := &Event{Envelope: Classify(tt.body)}
			h := http.Header{}
			if tt.auth != "" {
				h.Set("Authorization", tt.auth)
			}
			l.verify(ev, &request{header: h})
			if ev.Verification != tt.want || !strings.Contains(ev.VerifyNote, tt.noteIn) {
				t.Errorf("got %v %q, want %v containing %q", ev.Verification, ev.VerifyNote, tt.want, tt.noteIn)
			}
			if strings.Contains(ev.VerifyNote, testSecret) || strings.Contains(ev.VerifyNote, "zzzzzzzzzzzz") || strings.Contains(ev.VerifyNote, "9cbf3a968289727cb3cdfe83ab1d9836") {
				t.Errorf("note leaks a secret: %q", ev.VerifyNote)
			}
		})
	}
}

func TestDuplicates(t *testing.T) {
	clock := fixedNow
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	r := start(t, Config{Emit: true, Now: now}, true)
	body := sample(t, "incoming_event")
	post(t, r.url, body, nil)
	post(t, r.url, body, nil)
	mu.Lock()
	clock = clock.Add(3 * time.Minute)
	mu.Unlock()
	post(t, r.url, body, nil)
	post(t, r.url, sample(t, "incoming_chat"), nil)
	r.stop()
	var got []bool
	for _, it := range r.items {
		got = append(got, it.Event.Duplicate)
	}
	if diff := cmp.Diff([]bool{false, true, false, false}, got); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
}

func TestForwardOrderAndRoutes(t *testing.T) {
	var mu sync.Mutex
	var got []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.URL.Path+" "+r.Header.Get("Content-Type")+" "+string(b))
		mu.Unlock()
		if r.URL.Path == "/fail" {
			http.Error(w, "boom", 500)
		}
	}))
	defer app.Close()
	r := start(t, Config{Emit: true, Forward: []Route{
		{Kind: "incoming_chat", URL: app.URL + "/chats"},
		{URL: app.URL + "/rest"},
		{Kind: "chat_deactivated", URL: app.URL + "/fail"},
	}}, true)
	var want []string
	for i := 0; i < 30; i++ {
		body := []byte(fmt.Sprintf(`{"action":"incoming_event","webhook_id":"w","n":%d}`, i))
		path := "/rest"
		switch i % 3 {
		case 1:
			body = []byte(fmt.Sprintf(`{"action":"incoming_chat","webhook_id":"w","n":%d}`, i))
			path = "/chats"
		case 2:
			body = []byte(fmt.Sprintf(`{"action":"chat_deactivated","webhook_id":"w","n":%d}`, i))
			path = "/fail"
		}
		if code, _ := post(t, r.url, body, nil); code != 200 {
			t.Fatalf("post %d: %d", i, code)
		}
		want = append(want, path+" application/json "+string(body))
	}
	r.stop()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("forwarded (-want +got):\n%s", diff)
	}
	if r.stats.Forwarded != 20 || r.stats.ForwardErr != 10 {
		t.Errorf("stats %+v, want 20 forwarded, 10 failed", r.stats)
	}
	for _, it := range r.items {
		if it.Forward != nil && it.Forward.Status == 500 && string(it.Forward.Body) != "boom\n" {
			t.Errorf("failed forward body = %q", it.Forward.Body)
		}
	}
}

func TestForwardRefused(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	r := start(t, Config{Emit: true, Forward: []Route{{URL: deadURL}}}, true)
	post(t, r.url, sample(t, "incoming_chat"), nil)
	post(t, r.url, sample(t, "incoming_chat"), nil)
	r.stop()
	n := 0
	for _, it := range r.items {
		if it.Forward != nil {
			n++
			if !it.Forward.Refused || !strings.Contains(it.Forward.Err.Error(), "does not seem to be running") {
				t.Errorf("forward err = %v", it.Forward.Err)
			}
		}
	}
	if n != 2 || r.stats.Received != 2 {
		t.Errorf("%d forward results, stats %+v; listening should go on", n, r.stats)
	}
}

// TestDrainOnShutdown fills the queue while nobody reads Events, stops the
// listener, and checks every request answered 200 is in the save file.
func TestDrainOnShutdown(t *testing.T) {
	save := &syncBuffer{}
	r := start(t, Config{Emit: true, QueueSize: 4, Save: save}, false)
	const n = 400
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		acked int
	)
	client := &http.Client{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := []byte(fmt.Sprintf(`{"action":"incoming_event","webhook_id":"w","n":%d}`, i))
			resp, err := client.Post(r.url, "application/json", bytes.NewReader(body))
			if err != nil {
				return // refused after shutdown began: never acknowledged
			}
			resp.Body.Close()
			if resp.StatusCode == 200 {
				mu.Lock()
				acked++
				mu.Unlock()
			}
		}(i)
	}
	// Wait until the queue is full and handlers are blocked (backpressure).
	for r.l.Queued() < 4 {
		runtime.Gosched()
	}
	r.cancel()
	go func() {
		for it := range r.l.Events() {
			it.Done()
		}
	}()
	<-r.done
	wg.Wait()
	if r.err != nil {
		t.Fatal(r.err)
	}
	lines := save.Lines()
	if len(lines) < acked || acked == 0 {
		t.Fatalf("saved %d lines, acked %d", len(lines), acked)
	}
	if r.stats.Received != len(lines) {
		t.Errorf("stats.Received %d != saved %d", r.stats.Received, len(lines))
	}
}

func TestPortInUse(t *testing.T) {
	a := New(Config{})
	addr, err := a.Bind("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.ln.Close()
	b := New(Config{})
	_, err = b.Bind(addr.String())
	var pe *PortInUseError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want PortInUseError", err)
	}
}

func FuzzClassify(f *testing.F) {
	for _, k := range catalog.All() {
		b, _ := catalog.Sample(k)
		f.Add(b)
	}
	f.Add([]byte(`{"action":1,"webhook_id":null}`))
	f.Add([]byte(`{"type":"x","data":[]}`))
	f.Add([]byte(`{"secret_key":"\u0000"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		env := Classify(body)
		if env.Family == "" || env.Kind == "" && env.Family == FamilyUnknown {
			t.Fatalf("empty classification %+v", env)
		}
		rec := AppendRecord(nil, &Event{Body: body, Header: http.Header{"A": {"\n"}}})
		if bytes.Count(rec, []byte("\n")) != 1 {
			t.Fatalf("record spans lines: %q", rec)
		}
	})
}
