package sender

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/catalog"
)

func TestBurstCountsAndDistinctBodies(t *testing.T) {
	for _, conc := range []int{1, 7} {
		t.Run(fmt.Sprint("c", conc), func(t *testing.T) {
			rec := &recorder{status: 200}
			srv := newServer(t, rec)
			s := New(srv.Client(), Options{})
			k, _ := catalog.Lookup("incoming_event")
			gen := catalog.NewGenerator(1, nil)
			out := make(chan Delivery)
			var got []int
			done := make(chan Summary)
			go func() {
				done <- s.Burst(context.Background(), Burst{Count: 150, Concurrency: conc,
					Next: func(i int, buf []byte) (Request, error) {
						b, err := gen.AppendBody(buf, k, "")
						return Request{URL: srv.URL, Body: b}, err
					}}, out)
			}()
			for d := range out {
				got = append(got, d.Index)
			}
			sum := <-done
			if sum.Sent != 150 || sum.Succeeded != 150 || sum.Failed != 0 || len(got) != 150 {
				t.Fatalf("summary %+v, %d deliveries", sum, len(got))
			}
			if diff := cmp.Diff(map[int]int{200: 150}, sum.Status); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
			bodies := rec.got()
			seen := map[string]bool{}
			for _, b := range bodies {
				seen[string(b)] = true
			}
			if len(bodies) != 150 || len(seen) != 150 {
				t.Errorf("receiver got %d bodies, %d distinct; want 150, 150", len(bodies), len(seen))
			}
			if conc == 1 {
				for i, idx := range got {
					if idx != i {
						t.Fatalf("concurrency 1 delivered out of order: %v", got[:i+1])
					}
				}
			}
		})
	}
}

func TestBurstFailuresAndRate(t *testing.T) {
	srv := newServer(t, &recorder{status: 500})
	fs := &fakeSleep{}
	s := New(srv.Client(), Options{NoRetry: true, Sleep: fs.sleep})
	sum := s.Burst(context.Background(), Burst{Count: 4, Rate: 1000,
		Next: func(int, []byte) (Request, error) { return Request{URL: srv.URL, Body: []byte(`{}`)}, nil }}, nil)
	if sum.Sent != 4 || sum.Failed != 4 || sum.Status[500] != 4 || sum.FirstError == nil {
		t.Fatalf("summary %+v", sum)
	}
	for _, p := range fs.pauses {
		if p > time.Second/1000*4 {
			t.Errorf("pause %s longer than the rate allows", p)
		}
	}
}

func TestBurstDuration(t *testing.T) {
	srv := newServer(t, &recorder{status: 200})
	// A clock that moves one second per reading ends a 3 s burst quickly.
	var tick time.Duration
	now := func() time.Time { tick += time.Second; return time.Unix(0, 0).Add(tick) }
	s := New(srv.Client(), Options{Now: now})
	sum := s.Burst(context.Background(), Burst{Duration: 3 * time.Second,
		Next: func(int, []byte) (Request, error) { return Request{URL: srv.URL, Body: []byte(`{}`)}, nil }}, nil)
	if sum.Sent < 1 || sum.Sent > 3 {
		t.Fatalf("sent %d, want 1..3", sum.Sent)
	}
}

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i))
	}
	for p, want := range map[int]time.Duration{50: 50, 90: 90, 99: 99, 100: 100} {
		if got := percentile(lat, p); got != want {
			t.Errorf("p%d = %d, want %d", p, got, want)
		}
	}
	if got := percentile(lat[:1], 99); got != 1 {
		t.Errorf("p99 of one = %d", got)
	}
}
