package inspector

import (
	"net/http"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/listener"
)

// BenchmarkAdd is what the listener's consumer pays per event with --web
// (Server.Add, called by listener.Observer), on a hub that is full, so
// each Add also lets the oldest entry go: the steady state of a flood.
func BenchmarkAdd(b *testing.B) {
	body := []byte(`{"webhook_id":"w","secret_key":"k","action":"incoming_chat","organization_id":"o","payload":{"chat":{"id":"C"}}}`)
	s, err := New(Config{Live: true, Token: testToken})
	if err != nil {
		b.Fatal(err)
	}
	evs := make([]*listener.Event, 1024)
	for i := range evs {
		evs[i] = &listener.Event{
			Seq: uint64(i + 1), ReceivedAt: time.Unix(1700000000, 0), Method: http.MethodPost, Path: "/webhooks",
			Header: http.Header{"Content-Type": {"application/json"}}, Body: body, Status: http.StatusOK,
			Envelope: listener.Classify(body),
		}
	}
	for i := range DefaultMaxEvents {
		s.Add(evs[i%len(evs)])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.Add(evs[i%len(evs)])
	}
}
