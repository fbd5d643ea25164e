package inspector

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/testbrowser"
)

// TestPageRefreshesStaleRows: forward results that came in a flood are
// left out of the feed's messages (the page is told its rows are stale),
// and the page fetches its rows again after the flood, so every row shows
// its forward status in the end; none stays pending.
func TestPageRefreshesStaleRows(t *testing.T) {
	exe := testbrowser.Find(t)
	// Changes gather for 200 ms, and more than three at once are a flood
	// of which the page is sent the newest three.
	ts := start(t, Config{Live: true, FlushEvery: 200 * time.Millisecond, BatchLimit: 3, FloodRows: 3,
		Routes: []listener.Route{{URL: "http://127.0.0.1:9/app"}}})
	ctx := testbrowser.Start(t, exe)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.base+"/?token="+testToken),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`))); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	var evs []*listener.Event
	for i := uint64(1); i <= 10; i++ {
		ev := event(i, []byte(`{"action":"incoming_chat"}`))
		evs = append(evs, ev)
		ts.Add(ev)
		// One at a time: no flood yet.
		testbrowser.Poll(ctx, t, "the rows so far", `document.querySelectorAll('#rows .row[data-id]').length === `+strconv.FormatUint(i, 10))
	}
	// Ten forward results at once: a flood.
	for _, ev := range evs {
		ts.AddForward(&listener.ForwardResult{Event: ev, URL: "http://127.0.0.1:9/app", Status: 200, Latency: time.Millisecond})
	}
	testbrowser.Poll(ctx, t, "every row forwarded", `(() => { const rs = [...document.querySelectorAll('#rows .row[data-id]')];
		return rs.length === 10 && rs.every((r) => r.querySelector('.c-fwd').textContent.startsWith('200 ')); })()`)
}

// TestPageGapRowLoads: a flood of new rows gives the page the newest and a
// gap row for the rest; clicking the gap fetches those events into the
// list in their place, newest first.
func TestPageGapRowLoads(t *testing.T) {
	exe := testbrowser.Find(t)
	ts := start(t, Config{Live: true, FlushEvery: 200 * time.Millisecond, BatchLimit: 3, FloodRows: 3})
	ctx := testbrowser.Start(t, exe)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.base+"/?token="+testToken),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`))); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	for i := uint64(1); i <= 10; i++ {
		ts.Add(event(i, []byte(`{"action":"incoming_chat"}`)))
	}
	ids := `[...document.querySelectorAll('#rows .row[data-id]')].map((r) => r.dataset.id).join(',')`
	testbrowser.Poll(ctx, t, "the newest three and a gap", `document.querySelector('#rows .row.gap') !== null && `+ids+` === '10,9,8'`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#rows .row.gap`))); err != nil {
		t.Fatalf("click the gap: %v", err)
	}
	testbrowser.Poll(ctx, t, "all ten, no gap", `document.querySelector('#rows .row.gap') === null && `+ids+` === '10,9,8,7,6,5,4,3,2,1'`)
}
