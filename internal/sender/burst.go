package sender

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Burst describes many deliveries to run.
type Burst struct {
	// Count is the number of deliveries; 0 means until Duration ends.
	Count int
	// Concurrency is the number of deliveries in flight; 1 (the default)
	// sends in order, one after the other, as one license would.
	Concurrency int
	// Rate caps deliveries started per second; 0 means as fast as possible.
	Rate float64
	// Duration stops starting deliveries after it has passed; 0 means no limit.
	Duration time.Duration
	// Next builds delivery i: it appends a fresh body to buf and returns the
	// request whose Body is the appended bytes. Workers call it concurrently,
	// each with its own buffer; the bytes stay untouched until every attempt
	// of that delivery is over.
	Next func(i int, buf []byte) (Request, error)
}

// Delivery is one finished delivery of a burst.
type Delivery struct {
	Index  int
	URL    string
	Result Result
}

// Summary totals a burst.
type Summary struct {
	Sent      int
	Succeeded int
	Failed    int
	// Retried counts deliveries that needed more than one attempt.
	Retried int
	// Warned counts successes with a 2xx other than 200.
	Warned    int
	Elapsed   time.Duration
	ReqPerSec float64
	P50       time.Duration
	P90       time.Duration
	P99       time.Duration
	Max       time.Duration
	// Status counts deliveries by last HTTP status; 0 means no response.
	Status map[int]int
	// FirstError is the error of the lowest-numbered failed delivery.
	FirstError error
}

// workerStats are one worker's tallies, merged at the end so the hot path
// shares nothing but the index counter.
type workerStats struct {
	lat                              []time.Duration
	status                           [600]int
	other                            map[int]int
	sent, ok, failed, retried, warns int
	firstErr                         error
	firstIdx                         int
}

func (w *workerStats) add(i int, r Result) {
	w.sent++
	w.lat = append(w.lat, r.Latency)
	switch {
	case r.Status >= 0 && r.Status < len(w.status):
		w.status[r.Status]++
	default:
		if w.other == nil {
			w.other = map[int]int{}
		}
		w.other[r.Status]++
	}
	if r.Err == nil {
		w.ok++
	} else {
		w.failed++
		if w.firstErr == nil || i < w.firstIdx {
			w.firstErr, w.firstIdx = r.Err, i
		}
	}
	if r.Attempts > 1 {
		w.retried++
	}
	if r.Warning != "" {
		w.warns++
	}
}

// Burst runs b. Each finished delivery is sent on out when out is not nil
// (out is closed on return); the caller must keep receiving from it. The
// summary covers every delivery started before ctx ended.
func (s *Sender) Burst(ctx context.Context, b Burst, out chan<- Delivery) Summary {
	if out != nil {
		defer close(out)
	}
	conc := max(b.Concurrency, 1)
	if b.Count > 0 {
		conc = min(conc, b.Count)
	}
	start := s.opts.Now()
	claim := s.claimer(ctx, b, start)
	pool := &sync.Pool{}
	stats := make([]workerStats, conc)
	var wg sync.WaitGroup
	for w := range conc {
		st := &stats[w]
		if b.Count > 0 {
			st.lat = make([]time.Duration, 0, b.Count/conc+1)
		}
		wg.Go(func() { s.worker(ctx, b, claim, pool, st, out) })
	}
	wg.Wait()
	return tally(stats, s.opts.Now().Sub(start))
}

func (s *Sender) worker(ctx context.Context, b Burst, claim func() (int, bool), pool *sync.Pool,
	st *workerStats, out chan<- Delivery) {
	fc := fastConn{h: &h1conn{s: s, ctx: ctx}}
	defer fc.h.close()
	for {
		i, ok := claim()
		if !ok {
			return
		}
		bp, _ := pool.Get().(*[]byte)
		if bp == nil {
			bp = new([]byte)
			*bp = make([]byte, 0, 4096)
		}
		req, err := b.Next(i, (*bp)[:0])
		var res Result
		switch {
		case err != nil:
			res = Result{Err: err}
		case fc.ok(req.URL):
			res = s.deliverFast(fc.h, req) // copies the body: the buffer is free again
		default:
			res = s.deliver(ctx, req)
		}
		switch {
		case err == nil && res.unsettled:
			// The transport may still read this buffer: leave it to the GC.
		case len(req.Body) > 0 && cap(*bp) > 0 && &req.Body[0] == &(*bp)[:1][0]:
			if cap(req.Body) <= maxPooledBody {
				*bp = req.Body[:0] // keep the grown slice
				pool.Put(bp)
			}
		default:
			pool.Put(bp) // Next did not use the buffer
		}
		st.add(i, res)
		if out != nil {
			out <- Delivery{Index: i, URL: req.URL, Result: res}
		}
	}
}

// fastConn remembers whether the last URL could use the worker's own
// connection, so the check runs once per distinct URL.
type fastConn struct {
	h   *h1conn
	url string
	yes bool
}

func (f *fastConn) ok(u string) bool {
	if u != f.url {
		f.url, f.yes = u, f.h.s.fastTarget(u)
		f.h.close()
	}
	return f.yes
}

// claimer hands out delivery indices: from a shared counter when unpaced,
// from a pacing goroutine when Rate is set.
func (s *Sender) claimer(ctx context.Context, b Burst, start time.Time) func() (int, bool) {
	expired := func() bool {
		return ctx.Err() != nil || (b.Duration > 0 && s.opts.Now().Sub(start) >= b.Duration)
	}
	if b.Rate <= 0 {
		var next atomic.Int64
		return func() (int, bool) {
			if expired() {
				return 0, false
			}
			i := int(next.Add(1) - 1)
			return i, b.Count <= 0 || i < b.Count
		}
	}
	ch := make(chan int)
	go func() {
		defer close(ch)
		interval := time.Duration(float64(time.Second) / b.Rate)
		for i := 0; b.Count <= 0 || i < b.Count; i++ {
			if wait := start.Add(time.Duration(i) * interval).Sub(s.opts.Now()); wait > 0 {
				if s.opts.Sleep(ctx, wait) != nil {
					return
				}
			}
			if expired() {
				return
			}
			select {
			case ch <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() (int, bool) {
		i, ok := <-ch
		return i, ok
	}
}

func tally(stats []workerStats, elapsed time.Duration) Summary {
	sum := Summary{Elapsed: elapsed, Status: map[int]int{}}
	var lat []time.Duration
	firstIdx := -1
	for i := range stats {
		st := &stats[i]
		if st.firstErr != nil && (firstIdx < 0 || st.firstIdx < firstIdx) {
			sum.FirstError, firstIdx = st.firstErr, st.firstIdx
		}
		sum.Sent += st.sent
		sum.Succeeded += st.ok
		sum.Failed += st.failed
		sum.Retried += st.retried
		sum.Warned += st.warns
		lat = append(lat, st.lat...)
		for code, n := range st.status {
			if n > 0 {
				sum.Status[code] += n
			}
		}
		for code, n := range st.other {
			sum.Status[code] += n
		}
	}
	if elapsed > 0 {
		sum.ReqPerSec = float64(sum.Sent) / elapsed.Seconds()
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		sum.P50, sum.P90, sum.P99 = percentile(lat, 50), percentile(lat, 90), percentile(lat, 99)
		sum.Max = lat[len(lat)-1]
	}
	return sum
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}
