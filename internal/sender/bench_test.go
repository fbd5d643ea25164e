package sender

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lcwh/lcwh/internal/catalog"
)

// BenchmarkBurst measures the burst hot path: generate a fresh
// incoming_event body into a pooled buffer, POST it over the worker's own
// connection, drain the response. The receiver runs in the same process, so
// the figure is the pair's cost.
func BenchmarkBurst(b *testing.B) { benchBurst(b, nil, true) }

// BenchmarkBurstNetHTTP is the same through net/http's transport.
func BenchmarkBurstNetHTTP(b *testing.B) {
	benchBurst(b, &http.Client{Transport: NewTransport(8)}, false)
}

func benchBurst(b *testing.B, client *http.Client, direct bool) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	const conc = 8
	s := New(client, Options{Conns: conc, DirectBursts: direct})
	k, _ := catalog.Lookup("incoming_event")
	gen := catalog.NewGenerator(1, nil)
	b.ReportAllocs()
	b.ResetTimer()
	sum := s.Burst(context.Background(), Burst{Count: b.N, Concurrency: conc,
		Next: func(_ int, buf []byte) (Request, error) {
			body, err := gen.AppendBody(buf, k, "")
			return Request{URL: srv.URL, Body: body, Header: http.Header{"Content-Type": {"application/json"}}}, err
		}}, nil)
	if sum.Failed > 0 {
		b.Fatalf("failed: %v", sum.FirstError)
	}
}
