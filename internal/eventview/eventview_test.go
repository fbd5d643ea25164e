package eventview

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
)

var at = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func TestFromEvent(t *testing.T) {
	body := []byte(`{"action":"incoming_chat","webhook_id":"w1"}`)
	hdr := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		verification listener.Verification
		status       int
		want         render.Verify
		valid        bool
	}{
		{listener.Unverified, http.StatusOK, render.VerifyNone, true},
		{listener.Verified, http.StatusOK, render.VerifyOK, true},
		{listener.Failed, http.StatusUnauthorized, render.VerifyFailed, false},
	} {
		ev := &listener.Event{ReceivedAt: at, Method: "POST", Path: "/hooks", Header: hdr, Body: body,
			Envelope:     listener.Envelope{Family: catalog.LiveChat, Kind: "incoming_chat", Known: true, WebhookID: "w1"},
			Verification: tc.verification, VerifyNote: "note", Duplicate: true, Status: tc.status, Reason: "why"}
		want := render.EventView{Time: at, Family: "livechat", Kind: "incoming_chat", Known: true, WebhookID: "w1",
			Verify: tc.want, VerifyNote: "note", Duplicate: true, Status: tc.status, Reason: "why",
			Method: "POST", Path: "/hooks", Headers: hdr, Body: body, BodyValid: tc.valid}
		if diff := cmp.Diff(want, FromEvent(ev)); diff != "" {
			t.Errorf("verification %v status %d (-want +got):\n%s", tc.verification, tc.status, diff)
		}
	}
}

// TestFromRecord: a record is classified from its body, as the listener
// classifies a request, and keeps its saved outcome.
func TestFromRecord(t *testing.T) {
	body := []byte(`{"type":"install","data":{"account_id":7}}`)
	rec := &eventlog.Record{Line: 3, Form: eventlog.FormRecord, ReceivedAt: at, Method: "POST", Path: "/m",
		Verify: eventlog.VerifyFailed, Header: map[string][]string{"A": {"b"}}, Body: body, BodyValid: true}
	want := render.EventView{Time: at, Family: "monday", Kind: "install", Known: true, Verify: render.VerifyFailed,
		Method: "POST", Path: "/m", Headers: rec.Header, Body: body, BodyValid: true}
	if diff := cmp.Diff(want, FromRecord(rec)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := FromRecord(&eventlog.Record{Body: []byte(`[1]`)}); got.Family != "unknown" || got.Known || got.BodyValid {
		t.Errorf("not an envelope: %+v", got)
	}
}

func TestFromForward(t *testing.T) {
	ev := &listener.Event{Envelope: listener.Envelope{Kind: "incoming_event"}}
	f := &listener.ForwardResult{Event: ev, URL: "http://127.0.0.1:1/x", Status: 502, Latency: time.Millisecond,
		Body: []byte("bad gateway"), Err: errors.New("HTTP 502")}
	want := &render.Forward{Kind: "incoming_event", URL: f.URL, Status: 502, Latency: time.Millisecond, Body: f.Body, Err: "HTTP 502"}
	if diff := cmp.Diff(want, FromForward(f)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	f.Err = nil
	if got := FromForward(f); got.Err != "" {
		t.Errorf("no error shown as %q", got.Err)
	}
}
