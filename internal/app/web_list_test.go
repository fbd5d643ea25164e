package app

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// requests records every URL the page asks its browser for.
type requests struct {
	mu   sync.Mutex
	urls []string
}

func recordRequests(ctx context.Context, t *testing.T) *requests {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enable the network domain: %v", err)
	}
	rs := &requests{}
	sent := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range sent {
			if err != nil {
				return
			}
			rs.mu.Lock()
			rs.urls = append(rs.urls, ev.Request.URL)
			rs.mu.Unlock()
		}
	}()
	return rs
}

// origin is the scheme, host and port of the inspector's URL.
func origin(pageURL string) string {
	base, _, _ := strings.Cut(pageURL, "/?token=")
	return base
}

// elsewhere returns the requests that went anywhere but origin.
func (rs *requests) elsewhere(origin string) (n int, out []string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, u := range rs.urls {
		if !strings.HasPrefix(u, origin+"/") && !strings.HasPrefix(u, "data:") {
			out = append(out, u)
		}
	}
	return len(rs.urls), out
}

// TestWebInspectorTenThousand: the page over the 10,000 events the
// inspector keeps (10,050 sent): every one is in the list, which draws
// only the rows on screen; the keyboard moves, opens and searches; the
// end of the list is the oldest event kept; and the page loads nothing
// from anywhere but the inspector.
func TestWebInspectorTenThousand(t *testing.T) {
	exe := chromium(t)
	e := newEnv(t)
	hook, pageURL := listenWeb(t, e, filepath.Join(t.TempDir(), "events.jsonl"))
	if r := e.run("send-sample", "incoming_event", "--url", hook, "--secret", browserSecret,
		"--count", "10050", "--concurrency", "8", "--no-retry"); r.code != 0 {
		t.Fatalf("send-sample --count 10050: %d\n%s", r.code, r.stderr)
	}
	var info struct {
		Kept     int    `json:"kept"`
		Dropped  int    `json:"dropped"`
		OldestID uint64 `json:"oldest_id"`
		NewestID uint64 `json:"newest_id"`
	}
	apiGet(t, pageURL, "/api/info", &info)
	if info.Kept != 10000 || info.Dropped != 50 {
		t.Fatalf("the inspector keeps %d and dropped %d, want 10000 and 50", info.Kept, info.Dropped)
	}

	ctx := browser(t, exe)
	rs := recordRequests(ctx, t)
	do(ctx, t, "open the page",
		chromedp.EmulateViewport(1400, 860),
		chromedp.Navigate(pageURL),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)))
	poll(ctx, t, "the whole list", `document.getElementById('counts').textContent.startsWith('10000 event(s)')`)
	if n := eval[int](ctx, t, `document.querySelectorAll('#rows .row').length`); n == 0 || n > 100 {
		t.Errorf("%d rows in the page for 10,000 events: want only those on screen (a virtual list)", n)
	}
	top := eval[string](ctx, t, `document.querySelector('#rows .row.cur').dataset.id`)
	if top != strconv.FormatUint(info.NewestID, 10) {
		t.Errorf("the first row is event %s, want the newest, %d", top, info.NewestID)
	}

	// A render that changes nothing keeps the rows' elements: a click
	// (mouse down, then up) on a row lands even while the page redraws.
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise((done) => {
		const before = [...document.querySelectorAll('#rows .row')];
		window.dispatchEvent(new Event('resize'));
		requestAnimationFrame(() => requestAnimationFrame(() => {
			const after = [...document.querySelectorAll('#rows .row')];
			done(before.length > 0 && before.length === after.length && before.every((n, i) => n === after[i]));
		}));
	})`, chromedp.EvalAwaitPromise))
	if err != nil || !kept {
		t.Errorf("a render without changes replaced the rows' elements (%v)", err)
	}

	// j j j k: the cursor is on the third row; Enter opens that event.
	do(ctx, t, "move with the keys", chromedp.Focus(chromedp.ID("list")),
		chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("k"))
	poll(ctx, t, "the cursor on the third row", `(document.querySelector('#rows .row.cur') || {dataset: {}}).dataset.index === '2'`)
	cur := eval[string](ctx, t, `document.querySelector('#rows .row.cur').dataset.id`)
	do(ctx, t, "open with Enter", chromedp.KeyEvent("\r"))
	poll(ctx, t, "its detail", `!document.getElementById('detail').hidden && (document.getElementById('detail').dataset.id === '`+cur+`')`)
	do(ctx, t, "/ searches", chromedp.Focus(chromedp.ID("list")), chromedp.KeyEvent("/"))
	if id := eval[string](ctx, t, `document.activeElement.id`); id != "f-q" {
		t.Errorf("after / the focus is on %q, want the search box", id)
	}

	// The end of the list is the oldest event kept.
	eval[bool](ctx, t, `(() => { const v = document.getElementById('viewport'); v.scrollTop = v.scrollHeight; v.dispatchEvent(new Event('scroll')); return true; })()`)
	oldest := strconv.FormatUint(info.OldestID, 10)
	poll(ctx, t, "the oldest row drawn", `[...document.querySelectorAll('#rows .row[data-id]')].some((r) => r.dataset.id === '`+oldest+`')`)

	if n, out := rs.elsewhere(origin(pageURL)); n < 4 || len(out) > 0 {
		t.Errorf("the page made %d requests; %d went elsewhere: %q", n, len(out), out)
	}
}

// TestWebInspectorRowsReused: when events arrive while the page is open,
// the rows pushed off screen give their elements to the rows that came
// (a redraw changes texts, not elements), and every row drawn still shows
// its own event: kind, time, summary and mark as the API has them, its
// selection and nothing else's.
func TestWebInspectorRowsReused(t *testing.T) {
	exe := chromium(t)
	e := newEnv(t)
	hook, pageURL := listenWeb(t, e, filepath.Join(t.TempDir(), "events.jsonl"))
	ctx := browser(t, exe)
	do(ctx, t, "open the page",
		chromedp.EmulateViewport(1400, 860),
		chromedp.Navigate(pageURL),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#conn.live`)))
	if r := e.run("send-sample", "--all", "--url", hook, "--secret", browserSecret); r.code != 0 {
		t.Fatalf("send-sample --all: %d\n%s", r.code, r.stderr)
	}
	poll(ctx, t, "56 events", `document.getElementById('counts').textContent.startsWith('56 event(s)')`)
	// Remember which element shows which event, and select the fourth row.
	picked := eval[string](ctx, t, `(() => {
		window.shown = new Map([...document.querySelectorAll('#rows .row[data-id]')].map((n) => [n, n.dataset.id]));
		const n = document.querySelectorAll('#rows .row[data-id]')[3];
		n.querySelector('input[type=checkbox]').click();
		return n.dataset.id;
	})()`)
	if r := e.run("send-sample", "incoming_event", "--count", "12", "--url", hook, "--secret", browserSecret); r.code != 0 {
		t.Fatalf("send-sample --count 12: %d\n%s", r.code, r.stderr)
	}
	poll(ctx, t, "68 events", `document.getElementById('counts').textContent.startsWith('68 event(s)')`)
	// Compared with what the API says of each drawn event.
	check := `(async () => {
		const page = await (await fetch('/api/events?limit=1000', { credentials: 'same-origin' })).json();
		const byId = new Map(page.events.map((r) => [String(r.id), r]));
		const rows = [...document.querySelectorAll('#rows .row[data-id]')];
		const bad = [];
		let reused = 0, prev = Infinity;
		for (const n of rows) {
			const r = byId.get(n.dataset.id);
			if (!r) { bad.push('no event ' + n.dataset.id); continue; }
			if (Number(n.dataset.id) >= prev) bad.push('row ' + n.dataset.id + ' is not older than the one above');
			prev = Number(n.dataset.id);
			const kind = n.querySelector('.c-kind').textContent;
			if (kind !== r.kind) bad.push(n.dataset.id + ': kind ' + kind + ', want ' + r.kind);
			const fam = n.querySelector('.c-fam');
			if (fam.textContent !== r.family || !fam.classList.contains('fam-' + r.family)) bad.push(n.dataset.id + ': family ' + fam.className + ' ' + fam.textContent);
			const sum = n.querySelector('.c-sum').textContent;
			const fields = r.fields.map((f) => f.label + '=' + f.value).join(' ');
			if (!sum.startsWith(fields)) bad.push(n.dataset.id + ': summary ' + sum + ', want ' + fields);
			const mark = (r.verified === true ? '✓' : r.verified === false ? '✗' : '·') + (r.duplicate ? ' dup' : '');
			if (n.querySelector('.c-mark').textContent !== mark) bad.push(n.dataset.id + ': mark ' + n.querySelector('.c-mark').textContent + ', want ' + mark);
			const sel = n.querySelector('input[type=checkbox]').checked;
			if (sel !== (n.dataset.id === window.picked)) bad.push(n.dataset.id + ': selected ' + sel);
			if (window.shown && window.shown.has(n) && window.shown.get(n) !== n.dataset.id) reused++;
		}
		return JSON.stringify({ bad, reused, rows: rows.length });
	})()`
	eval[bool](ctx, t, `(() => { window.picked = '`+picked+`'; return true; })()`)
	var got struct {
		Bad    []string
		Reused int
		Rows   int
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](check, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Bad) > 0 || got.Rows == 0 {
		t.Errorf("%d rows drawn; wrong: %q", got.Rows, got.Bad)
	}
	if got.Reused == 0 {
		t.Errorf("no element of the %d rows drawn shows another event than before: new rows were built, not given the elements of the rows pushed off screen", got.Rows)
	}
	// Scrolled halfway, the rows drawn are still each their own event.
	eval[bool](ctx, t, `(() => { const v = document.getElementById('viewport'); v.scrollTop = v.scrollHeight / 2; v.dispatchEvent(new Event('scroll')); return true; })()`)
	poll(ctx, t, "the middle of the list", `document.querySelector('#rows .row[data-id]').dataset.id < '60'`)
	if out, err = chromedp.Run(ctx, chromedp.Evaluate[string](check, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	got.Bad = nil
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Bad) > 0 || got.Rows == 0 {
		t.Errorf("scrolled: %d rows drawn; wrong: %q", got.Rows, got.Bad)
	}
}
