package sender

import (
	"context"
	"net/http"
	"net/url"
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
	// Stop, once closed, ends the burst gently: no delivery or retry starts
	// any more, and the attempts in flight finish (each within the timeout)
	// and count by their outcome. Ending the context instead aborts them:
	// they count as Interrupted.
	Stop <-chan struct{}
	// Next builds delivery i: it appends a fresh body to buf and returns the
	// request whose Body is the appended bytes. Workers call it concurrently,
	// each with its own buffer; the bytes stay untouched until every attempt
	// of that delivery is over. The Header it returns is read, never kept:
	// every request's headers are built from it afresh.
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
	// Sent counts deliveries started: Succeeded + Failed + Interrupted.
	Sent      int
	Succeeded int
	Failed    int
	// Interrupted counts deliveries aborted with an attempt in flight:
	// whether they arrived is unknown.
	Interrupted int
	// Retried counts deliveries that needed more than one attempt.
	Retried int
	// Warned counts successes with a 2xx other than 200.
	Warned int
	// Stopped is set when Stop or the context ended the burst before it
	// ran out of deliveries.
	Stopped   bool
	Elapsed   time.Duration
	ReqPerSec float64
	// Latency percentiles cover succeeded and failed deliveries.
	P50 time.Duration
	P90 time.Duration
	P99 time.Duration
	Max time.Duration
	// Status counts deliveries by last HTTP status; 0 means no response.
	Status map[int]int
	// FirstError is the error of the lowest-numbered failed delivery.
	FirstError error
}

// workerStats are one worker's tallies, merged at the end so the hot path
// shares nothing but the index counter.
type workerStats struct {
	lat                                   []time.Duration
	status                                [600]int
	other                                 map[int]int
	sent, ok, failed, cut, retried, warns int
	firstErr                              error
	firstIdx                              int
}

func (w *workerStats) add(i int, r Result) {
	w.sent++
	switch {
	case r.Status >= 0 && r.Status < len(w.status):
		w.status[r.Status]++
	default:
		if w.other == nil {
			w.other = map[int]int{}
		}
		w.other[r.Status]++
	}
	switch {
	case r.Err == nil:
		w.ok++
	case r.Interrupted():
		w.cut++
	default:
		w.failed++
		if w.firstErr == nil || i < w.firstIdx {
			w.firstErr, w.firstIdx = r.Err, i
		}
	}
	if !r.Interrupted() {
		w.lat = append(w.lat, r.Latency)
	}
	if r.Attempts > 1 {
		w.retried++
	}
	if r.Warning != "" {
		w.warns++
	}
}

// burstRun is what the workers of one burst share.
type burstRun struct {
	s       *Sender
	b       Burst
	ctx     context.Context // aborts attempts
	soft    context.Context // ctx, or Stop closed: ends pauses and pacing
	claim   func() (int, bool)
	pool    sync.Pool
	out     chan<- Delivery
	stopped atomic.Bool
}

// Burst runs b. Each finished delivery is sent on out when out is not nil
// (out is closed on return); the caller must keep receiving from it. The
// summary covers every delivery started.
func (s *Sender) Burst(ctx context.Context, b Burst, out chan<- Delivery) Summary {
	if out != nil {
		defer close(out)
	}
	conc := max(b.Concurrency, 1)
	if b.Count > 0 {
		conc = min(conc, b.Count)
	}
	soft, cancel := softContext(ctx, b.Stop)
	defer cancel()
	start := s.opts.Now()
	run := &burstRun{s: s, b: b, ctx: ctx, soft: soft, out: out}
	run.claim = run.claimer(start)
	stats := make([]workerStats, conc)
	var wg sync.WaitGroup
	for w := range conc {
		st := &stats[w]
		if b.Count > 0 {
			st.lat = make([]time.Duration, 0, b.Count/conc+1)
		}
		wg.Go(func() { run.worker(st) })
	}
	wg.Wait()
	sum := tally(stats, s.opts.Now().Sub(start))
	sum.Stopped = run.stopped.Load()
	return sum
}

func (r *burstRun) worker(st *workerStats) {
	s := r.s
	c := &conn{s: s, ctx: r.ctx}
	defer c.close()
	var direct directCache
	for {
		i, ok := r.claim()
		if !ok {
			return
		}
		bp, _ := r.pool.Get().(*[]byte)
		if bp == nil {
			bp = new([]byte)
			*bp = make([]byte, 0, 4096)
		}
		req, err := r.b.Next(i, (*bp)[:0])
		var res Result
		switch {
		case err != nil:
			res = Result{Err: err}
		case direct.ok(s, req.URL):
			// The body is written before each attempt returns: the
			// buffer is free again whatever happened.
			res = s.deliver(r.ctx, r.soft, r.b.Stop, req, c.attempt)
		default:
			res = s.deliver(r.ctx, r.soft, r.b.Stop, req, s.attempt)
		}
		switch {
		case err == nil && res.unsettled:
			// The transport may still read this buffer: leave it to the GC.
		case len(req.Body) > 0 && cap(*bp) > 0 && &req.Body[0] == &(*bp)[:1][0]:
			if cap(req.Body) <= maxPooledBody {
				*bp = req.Body[:0] // keep the grown slice
				r.pool.Put(bp)
			}
		default:
			r.pool.Put(bp) // Next did not use the buffer
		}
		st.add(i, res)
		if r.out != nil {
			r.out <- Delivery{Index: i, URL: req.URL, Result: res}
		}
	}
}

// maxPooledBody bounds the buffers a burst keeps for reuse.
const maxPooledBody = 64 << 10

// directCache remembers whether the last URL may use the worker's own
// connection, so the check runs once per distinct URL.
type directCache struct {
	url string
	yes bool
}

func (d *directCache) ok(s *Sender, raw string) bool {
	if raw != d.url {
		d.url, d.yes = raw, s.directTarget(raw)
	}
	return d.yes
}

// directTarget reports whether raw may use a worker's own connection: a
// plain http:// URL that no proxy variable covers, with DirectBursts set.
func (s *Sender) directTarget(raw string) bool {
	if !s.opts.DirectBursts {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return false
	}
	p, err := http.ProxyFromEnvironment(&http.Request{URL: u})
	return err == nil && p == nil
}

// claimer hands out delivery indices: from a shared counter when unpaced,
// from a pacing goroutine when Rate is set. Stop is looked at directly (not
// only through soft) so that no index is handed out once it is closed.
func (r *burstRun) claimer(start time.Time) func() (int, bool) {
	b, s := r.b, r.s
	ended := func() bool {
		if r.soft.Err() != nil || stopped(b.Stop) {
			r.stopped.Store(true)
			return true
		}
		return b.Duration > 0 && s.opts.Now().Sub(start) >= b.Duration
	}
	if b.Rate <= 0 {
		return countClaimer(b.Count, ended)
	}
	return r.pacedClaimer(start, ended)
}

// countClaimer hands out 0, 1, … from a shared counter, up to count (0:
// no limit), until ended.
func countClaimer(count int, ended func() bool) func() (int, bool) {
	var next atomic.Int64
	return func() (int, bool) {
		if (count > 0 && int(next.Load()) >= count) || ended() {
			return 0, false
		}
		i := int(next.Add(1) - 1)
		return i, count <= 0 || i < count
	}
}

// pacedClaimer hands out indices from a goroutine that releases one each
// 1/Rate seconds after start, until ended.
func (r *burstRun) pacedClaimer(start time.Time, ended func() bool) func() (int, bool) {
	b, s := r.b, r.s
	ch := make(chan int)
	go func() {
		defer close(ch)
		interval := time.Duration(float64(time.Second) / b.Rate)
		for i := 0; b.Count <= 0 || i < b.Count; i++ {
			if wait := start.Add(time.Duration(i) * interval).Sub(s.opts.Now()); wait > 0 {
				if s.opts.Sleep(r.soft, wait) != nil {
					ended()
					return
				}
			}
			if ended() {
				return
			}
			select {
			case ch <- i:
			case <-r.soft.Done():
				ended()
				return
			}
		}
	}()
	return func() (int, bool) {
		i, ok := <-ch
		if ok && ended() {
			return 0, false
		}
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
		sum.Interrupted += st.cut
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
