package sender

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
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
					Next: func(_ int, buf []byte) (Request, error) {
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

// holdServer answers each request only once release is closed (or the
// client goes away), telling arrived about each request first.
func holdServer(t *testing.T) (url string, arrived chan struct{}, release func(), rec *recorder) {
	t.Helper()
	arrived = make(chan struct{}, 100)
	held := make(chan struct{})
	rec = &recorder{status: 200}
	srv := newServer(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.bodies = append(rec.bodies, body)
		rec.mu.Unlock()
		arrived <- struct{}{}
		select {
		case <-held:
		case <-r.Context().Done():
			return
		}
	}))
	var once sync.Once
	release = func() { once.Do(func() { close(held) }) }
	t.Cleanup(release)
	return srv.URL, arrived, release, rec
}

func burstSender(direct bool) *Sender {
	if direct {
		return New(nil, Options{DirectBursts: true})
	}
	return New(&http.Client{Transport: NewTransport(3)}, Options{})
}

func TestBurstStopLetsInFlightFinish(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(fmt.Sprint("direct=", direct), func(t *testing.T) {
			url, arrived, release, rec := holdServer(t)
			stop := make(chan struct{})
			done := make(chan Summary)
			go func() {
				done <- burstSender(direct).Burst(context.Background(), Burst{Count: 50, Concurrency: 3, Stop: stop,
					Next: func(_ int, buf []byte) (Request, error) {
						return Request{URL: url, Body: append(buf, `{}`...)}, nil
					}}, nil)
			}()
			for range 3 {
				<-arrived
			}
			close(stop) // Ctrl-C with three deliveries in flight
			release()
			sum := <-done
			if sum.Sent != 3 || sum.Succeeded != 3 || sum.Failed != 0 || sum.Interrupted != 0 || !sum.Stopped {
				t.Errorf("summary %+v, want the 3 in flight counted as succeeded", sum)
			}
			if n := len(rec.got()); n != 3 {
				t.Errorf("receiver got %d", n)
			}
		})
	}
}

func TestBurstAbortCountsInterrupted(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(fmt.Sprint("direct=", direct), func(t *testing.T) {
			url, arrived, _, _ := holdServer(t)
			stop := make(chan struct{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := make(chan Delivery, 10)
			done := make(chan Summary)
			go func() {
				done <- burstSender(direct).Burst(ctx, Burst{Count: 50, Concurrency: 3, Stop: stop,
					Next: func(_ int, buf []byte) (Request, error) {
						return Request{URL: url, Body: append(buf, `{}`...)}, nil
					}}, out)
			}()
			for range 3 {
				<-arrived
			}
			close(stop)
			cancel() // the second Ctrl-C
			sum := <-done
			if sum.Sent != 3 || sum.Interrupted != 3 || sum.Failed != 0 || sum.Succeeded != 0 || sum.FirstError != nil || !sum.Stopped {
				t.Errorf("summary %+v, want 3 interrupted, none failed", sum)
			}
			for d := range out {
				if !d.Result.Interrupted() || !errors.Is(d.Result.Err, ErrInterrupted) || !errors.Is(d.Result.Err, context.Canceled) ||
					d.Result.Err.Error() != "interrupted (outcome unknown)" {
					t.Errorf("delivery %d: %v", d.Index, d.Result.Err)
				}
			}
		})
	}
}

func TestBurstStopEndsRetries(t *testing.T) {
	rec := &recorder{status: 500}
	srv := newServer(t, rec)
	stop := make(chan struct{})
	// Ctrl-C during the pause before the first retry.
	s := New(nil, Options{DirectBursts: true, Sleep: func(context.Context, time.Duration) error {
		close(stop)
		return nil
	}})
	sum := s.Burst(context.Background(), Burst{Count: 5, Stop: stop,
		Next: func(int, []byte) (Request, error) { return Request{URL: srv.URL, Body: []byte(`{}`)}, nil }}, nil)
	if sum.Sent != 1 || sum.Failed != 1 || sum.Retried != 0 || !sum.Stopped || len(rec.got()) != 1 {
		t.Errorf("summary %+v, %d requests; want one delivery, one attempt", sum, len(rec.got()))
	}
}

func TestDeliverStopWaitsForTheAttempt(t *testing.T) {
	url, arrived, release, _ := holdServer(t)
	stop := make(chan struct{})
	done := make(chan Result)
	go func() {
		done <- New(nil, Options{}).DeliverStop(context.Background(), stop, Request{URL: url, Body: []byte(`{}`)})
	}()
	<-arrived
	close(stop)
	release()
	if res := <-done; !res.OK() || res.Attempts != 1 {
		t.Errorf("got %+v", res)
	}
}
