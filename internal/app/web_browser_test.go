package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/commands/factory"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/testbrowser"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "rewrite docs/guides/images/web-inspector-*.png from the browser test")

const browserSecret = "k3Jd8sLq0vXz4NwP7rTy2uBm"

// chromium finds the browser, or skips (fails under CI=true) saying why.
func chromium(t *testing.T) string { t.Helper(); return testbrowser.Find(t) }

// browser starts a headless Chromium with a fresh profile.
func browser(t *testing.T, exe string) context.Context { t.Helper(); return testbrowser.Start(t, exe) }

// appCapture is the app a replay reaches.
type appCapture struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (c *appCapture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.bodies = append(c.bodies, b)
	c.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

func (c *appCapture) got() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.bodies...)
}

// listenWeb runs `lcwh listen --web` through the real tree and returns the
// listener's URL and the inspector's.
func listenWeb(t *testing.T, e *treeEnv, save string) (string, string) {
	t.Helper()
	hook, page, _ := listenWebArgs(t, e, "--secret", browserSecret, "--save", save, "--quiet")
	return hook, page
}

// listenWebArgs runs `lcwh listen --web` with more flags; it returns the
// listener's URL, the inspector's, and the command's stdout.
func listenWebArgs(t *testing.T, e *treeEnv, args ...string) (string, string, *lockedWriter) {
	t.Helper()
	port := freePort(t)
	stderr := &lockedWriter{want: "Ctrl-C to stop", seen: make(chan struct{})}
	stdout := &lockedWriter{}
	ready := stderr.seen
	ios, _ := iostreams.Test()
	ios.ErrOut, ios.Out = stderr, stdout
	lookup := func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	argv := append([]string{"listen", "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--path", "/webhooks",
		"--web", "--web-addr", "127.0.0.1:0"}, args...)
	go func() { done <- Run(ctx, factory.NewWith(build.Info{Version: "test"}, ios, lookup), argv) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("listen exited %d:\n%s", code, stderr.String())
		}
	})
	select {
	case <-ready:
	case code := <-done:
		done <- code
		t.Fatalf("listen exited %d before listening:\n%s", code, stderr.String())
	}
	m := regexp.MustCompile(`inspector: (http://127\.0\.0\.1:\d+/\?token=[\w-]+)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no inspector URL in the banner:\n%s", stderr.String())
	}
	return "http://127.0.0.1:" + strconv.Itoa(port) + "/webhooks", m[1], stdout
}

func post(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
}

// TestWebInspectorInABrowser is the web inspector tried as a new user
// would: `lcwh listen --web`, a real Chromium on the printed URL, then
// `lcwh send-sample --all`: every event shows up live; one opens with its
// body and headers; replaying it reaches the app byte for byte; a forged
// secret shows ✗ with the listener's explanation; an event carrying
// <script> shows that text and runs nothing. Run with -update-screenshots
// to rewrite the guide's screenshots.
func TestWebInspectorInABrowser(t *testing.T) {
	exe := chromium(t)
	e := newEnv(t)
	save := filepath.Join(t.TempDir(), "events.jsonl")
	fwdSrv := httptest.NewServer(&appCapture{}) // the app listen forwards to
	defer fwdSrv.Close()
	hook, pageURL, _ := listenWebArgs(t, e, "--secret", browserSecret, "--save", save, "--quiet", "--forward-to", fwdSrv.URL+"/hooks")
	app := &appCapture{} // where the replay goes
	appSrv := httptest.NewServer(app)
	defer appSrv.Close()

	ctx := browser(t, exe)
	rs := recordRequests(ctx, t)
	var alerts []string
	var dmu sync.Mutex
	opened := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opened {
			if err != nil {
				return
			}
			dmu.Lock()
			alerts = append(alerts, ev.Message)
			dmu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	do(ctx, t, "open the page",
		chromedp.EmulateViewport(1400, 860),
		chromedp.Navigate(pageURL),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#conn.live`)))
	eval[bool](ctx, t, `(() => { window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI)); window.jsErrors = []; window.addEventListener('error', (e) => window.jsErrors.push(String(e.message))); return true; })()`)

	if r := e.run("send-sample", "--all", "--url", hook, "--secret", browserSecret); r.code != 0 {
		t.Fatalf("send-sample --all: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	n := len(catalog.All())
	poll(ctx, t, "all the events show up live", `document.getElementById('counts').textContent.startsWith('`+strconv.Itoa(n)+` event(s)')`)
	// Newest first: the ids on screen go down, with no repeat.
	if desc := eval[bool](ctx, t, `(() => { const ids = [...document.querySelectorAll('#rows .row[data-id]')].map((r) => +r.dataset.id);
		return ids.length > 20 && ids.every((id, i) => i === 0 || id < ids[i - 1]); })()`); !desc {
		t.Error("the rows on screen are not newest first")
	}
	if kinds := eval[int](ctx, t, `document.getElementById('f-kind').options.length - 1`); kinds != n {
		t.Errorf("the kind filter lists %d kinds, want %d", kinds, n)
	}
	screenshot(ctx, t, "list")

	// Open incoming_chat: filter the list by kind, click its row.
	pick(ctx, t, "f-kind", "incoming_chat")
	poll(ctx, t, "one incoming_chat, forwarded", onlyRow(`r.querySelector('.c-kind').textContent === 'incoming_chat' && r.querySelector('.c-fwd').textContent.startsWith('200 ')`))
	do(ctx, t, "open it", chromedp.Click(chromedp.CSS(`#rows .row[data-id] .c-kind`)), chromedp.WaitVisible(chromedp.CSS(`#detail #body`)))
	headers, body, detail := text(ctx, t, `#detail table.kv`), text(ctx, t, `#detail #body`), text(ctx, t, `#detail`)
	if !strings.Contains(headers, "Content-Type") || !strings.Contains(body, `"action": "incoming_chat"`) {
		t.Errorf("the detail shows headers %q and body %.200q", headers, body)
	}
	if !strings.Contains(detail, "Forwarded to the app"+fwdSrv.URL+"/hooks → 200") || !strings.Contains(detail, "What this is: ") {
		t.Errorf("the detail does not show the app's answer and what the event is: %.2000q", detail)
	}
	if strings.Contains(body, browserSecret) {
		t.Error("the body shows secret_key unredacted before Reveal")
	}
	if m := regexp.MustCompile(`\D1 (keys|items)\b`).FindString(body); m != "" || !strings.Contains(body, " keys ") {
		t.Errorf("a folded value's count reads %q (want \"1 key\", \"2 keys\")", m)
	}
	screenshot(ctx, t, "detail")

	do(ctx, t, "replay it",
		chromedp.SetValue(chromedp.CSS(`#detail input[aria-label="replay to"]`), appSrv.URL+"/hooks"),
		chromedp.Click(chromedp.CSS(`#btn-replay`)),
		chromedp.WaitVisible(chromedp.CSS(`#replay-log li[data-type="done"]`)))
	if replayed := text(ctx, t, `#replay-log`); !strings.Contains(replayed, "✓ delivered") || !strings.Contains(replayed, "1 delivered, 0 failed") {
		t.Errorf("replay log %q", replayed)
	}
	got := app.got()
	if want := savedBody(t, save, "incoming_chat"); len(got) != 1 || !bytes.Equal(got[0], want) {
		t.Fatalf("the app got %d bodies; want the %d saved bytes exactly", len(got), len(want))
	}

	// A forged secret: ✗ and the listener's own explanation.
	post(t, hook, `{"action":"incoming_event","webhook_id":"forged-1","secret_key":"not-the-right-secret-at-all","payload":{"chat_id":"F1","event":{"text":"forged"}}}`)
	pick(ctx, t, "f-kind", "")
	pick(ctx, t, "f-verified", "false")
	poll(ctx, t, "the forged event", onlyRow(`r.querySelector('.c-mark').textContent === '✗'`))
	do(ctx, t, "open it", chromedp.Click(chromedp.CSS(`#rows .row[data-id] .c-kind`)), chromedp.WaitVisible(chromedp.CSS(`#verification.failed`)))
	mark := text(ctx, t, `#rows .row[data-id] .c-mark`)
	if why := text(ctx, t, `#verification`); mark != "✗" || !strings.HasPrefix(why, "✗ not verified:") ||
		!strings.Contains(why, `webhook_id "forged-1"`) || !strings.Contains(why, "matches none of the 1 secret(s)") {
		t.Errorf("mark %q, verification says %q", mark, why)
	}

	// A rejected request is in the list too, marked with its status.
	resp, err := http.Post(hook, "application/json", strings.NewReader(`{"action":"incoming_event",`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	pick(ctx, t, "f-verified", "")
	pick(ctx, t, "f-status", "rejected")
	poll(ctx, t, "the rejected request", onlyRow(`r.classList.contains('rejected')`))
	if badge, cls := text(ctx, t, `#rows .row[data-id] .c-mark`), eval[string](ctx, t, `document.querySelector('#rows .row[data-id]').className`); resp.StatusCode != 400 ||
		badge != "400" || !strings.Contains(cls, "rejected") {
		t.Errorf("answered %d; the row shows %q with classes %q, want 400 and rejected", resp.StatusCode, badge, cls)
	}
	pick(ctx, t, "f-status", "")

	// Markup in an event is text.
	xss := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	post(t, hook, `{"action":"incoming_event","webhook_id":"xss-1","secret_key":"`+browserSecret+`","payload":{"chat_id":"X1","event":{"text":"`+xss+`"}}}`)
	do(ctx, t, "search", chromedp.SendKeys(chromedp.CSS(`#f-q`), "xss-1"))
	poll(ctx, t, "the event with markup", onlyRow(`r.querySelector('.c-sum').textContent.includes('alert(1)')`))
	sum := text(ctx, t, `#rows .row[data-id] .c-sum`)
	do(ctx, t, "open it", chromedp.Click(chromedp.CSS(`#rows .row[data-id] .c-kind`)))
	poll(ctx, t, "its body", `(document.querySelector('#detail #body') || {textContent: ''}).textContent.includes('xss-1')`)
	xbody := text(ctx, t, `#detail #body`)
	if !strings.Contains(sum, xss) || !strings.Contains(xbody, "<script>alert(1)</script>") {
		t.Errorf("the markup is not shown as text: row %q, body %.300q", sum, xbody)
	}
	scripts, imgs := eval[int](ctx, t, `document.querySelectorAll('script').length`), eval[int](ctx, t, `document.querySelectorAll('img').length`)
	dmu.Lock()
	if scripts != 1 || imgs != 0 || len(alerts) > 0 {
		t.Errorf("the event's markup ran: %d script elements, %d img, alerts %q", scripts, imgs, alerts)
	}
	dmu.Unlock()
	// The charts draw (inline SVG), and nothing the page did broke its
	// Content-Security-Policy or threw.
	do(ctx, t, "open the charts", chromedp.Click(chromedp.ID("btn-charts")))
	poll(ctx, t, "the charts", `document.querySelectorAll('#chart-kinds svg rect').length > 0 && !!document.querySelector('#chart-latency svg')`)
	if v := eval[[]string](ctx, t, `window.cspViolations`); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations: %q", v)
	}
	if v := eval[[]string](ctx, t, `window.jsErrors`); len(v) > 0 {
		t.Errorf("the page threw: %q", v)
	}
	if n, out := rs.elsewhere(origin(pageURL)); n < 4 || len(out) > 0 {
		t.Errorf("the page made %d requests; %d went elsewhere: %q", n, len(out), out)
	}
	checkRefusals(t, pageURL)
}

// onlyRow is a page expression: the list shows one row, and it passes
// test (about r). A filter applies at the next frame, so waiting for "one
// row" alone could see the row of the filter before.
func onlyRow(test string) string {
	return `(() => { const rs = document.querySelectorAll('#rows .row[data-id]'); if (rs.length !== 1) return false; const r = rs[0]; return ` + test + `; })()`
}

// checkRefusals: the real tree's inspector refuses a rebinding Host and a
// cross-origin replay.
func checkRefusals(t *testing.T, pageURL string) {
	t.Helper()
	base, token, _ := strings.Cut(pageURL, "/?token=")
	for _, tt := range []struct {
		name   string
		method string
		edit   func(*http.Request)
		want   int
	}{
		{"Host evil.example", http.MethodGet, func(r *http.Request) { r.Host = "evil.example" }, http.StatusMisdirectedRequest},
		{"cross-origin replay", http.MethodPost, func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }, http.StatusForbidden},
		{"no token", http.MethodGet, func(r *http.Request) { r.Header.Del("Authorization") }, http.StatusUnauthorized},
	} {
		path := "/api/events"
		if tt.method == http.MethodPost {
			path = "/api/replay"
		}
		r, _ := http.NewRequestWithContext(context.Background(), tt.method, base+path, strings.NewReader(`{"ids":[1],"to":"http://127.0.0.1:1/"}`))
		r.Header.Set("Authorization", "Bearer "+token)
		tt.edit(r)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
}

func do(ctx context.Context, t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// poll waits until expr is true in the page (it polls there, not here).
func poll(ctx context.Context, t *testing.T, what, expr string) {
	t.Helper()
	testbrowser.Poll(ctx, t, what, expr)
}

func eval[T any](ctx context.Context, t *testing.T, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

func text(ctx context.Context, t *testing.T, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// pick chooses value in the select with id, as a user does.
func pick(ctx context.Context, t *testing.T, id, value string) {
	t.Helper()
	do(ctx, t, "choose "+value+" in "+id, chromedp.SetValue(chromedp.ID(id), value))
	eval[bool](ctx, t, `document.getElementById('`+id+`').dispatchEvent(new Event('change'))`)
}

// savedBody is the exact body of the first saved event of kind.
func savedBody(t *testing.T, save, kind string) []byte {
	t.Helper()
	f, err := os.Open(save)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := eventlog.NewReader(f)
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("no %s in %s", kind, save)
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(rec.Body, []byte(`"action": "`+kind+`"`)) || bytes.Contains(rec.Body, []byte(`"action":"`+kind+`"`)) {
			return rec.Body
		}
	}
}

// screenshot writes the guide's picture only with -update-screenshots.
func screenshot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil || len(png) < 1000 {
		t.Fatalf("screenshot %s: %d bytes, %v", name, len(png), err)
	}
	if !*updateScreenshots {
		return
	}
	path := filepath.Join("..", "..", "docs", "guides", "images", "web-inspector-"+name+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
