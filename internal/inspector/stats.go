package inspector

import (
	"net/http"
	"sort"
	"time"
)

// timelineBuckets is how many columns the events-over-time chart has.
const timelineBuckets = 30

// niceSteps are the bucket widths the timeline picks from.
var niceSteps = []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}

// latencyBounds are the upper bounds (ms) of the latency histogram's bars.
var latencyBounds = []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000}

type statsJSON struct {
	Total    int            `json:"total"`
	ByKind   map[string]int `json:"by_kind"`
	Timeline timelineJSON   `json:"timeline"`
	Latency  latencyJSON    `json:"latency"`
}

type timelineJSON struct {
	Start         *time.Time       `json:"start"`
	BucketSeconds float64          `json:"bucket_seconds"`
	Buckets       []map[string]int `json:"buckets"`
}

type latencyJSON struct {
	Count     int       `json:"count"`
	P50       float64   `json:"p50_ms"`
	P90       float64   `json:"p90_ms"`
	P99       float64   `json:"p99_ms"`
	Max       float64   `json:"max_ms"`
	Bounds    []float64 `json:"bounds_ms"`
	Histogram []int     `json:"histogram"`
}

// handleStats answers what the charts draw: events per kind over time and
// the distribution of forward latencies, over the kept events.
func (s *Server) handleStats(w http.ResponseWriter, _ *http.Request) {
	all, _ := s.hub.snapshot()
	st := statsJSON{Total: len(all), ByKind: map[string]int{}, Timeline: timeline(all), Latency: latency(all)}
	for _, v := range all {
		st.ByKind[v.kind]++
	}
	writeJSON(w, http.StatusOK, st)
}

func timeline(all []view) timelineJSON {
	var first, last time.Time
	for _, v := range all {
		if v.at.IsZero() {
			continue
		}
		if first.IsZero() || v.at.Before(first) {
			first = v.at
		}
		if v.at.After(last) {
			last = v.at
		}
	}
	tl := timelineJSON{Buckets: []map[string]int{}}
	if first.IsZero() {
		return tl
	}
	step := niceSteps[len(niceSteps)-1]
	for _, st := range niceSteps {
		if last.Sub(first) < st*timelineBuckets {
			step = st
			break
		}
	}
	start := first.UTC().Truncate(step)
	tl.Start, tl.BucketSeconds = &start, step.Seconds()
	n := int(last.Sub(start)/step) + 1
	tl.Buckets = make([]map[string]int, min(n, timelineBuckets+1))
	for i := range tl.Buckets {
		tl.Buckets[i] = map[string]int{}
	}
	for _, v := range all {
		if v.at.IsZero() {
			continue
		}
		i := min(int(v.at.Sub(start)/step), len(tl.Buckets)-1)
		tl.Buckets[i][v.kind]++
	}
	return tl
}

func latency(all []view) latencyJSON {
	var ls []float64
	for _, v := range all {
		if v.fwd != nil && v.fwd.err == "" {
			ls = append(ls, ms(v.fwd.latency))
		}
	}
	l := latencyJSON{Count: len(ls), Bounds: latencyBounds, Histogram: make([]int, len(latencyBounds)+1)}
	if len(ls) == 0 {
		return l
	}
	sort.Float64s(ls)
	pick := func(p int) float64 { return ls[min(len(ls)-1, (len(ls)*p+99)/100-1)] }
	l.P50, l.P90, l.P99, l.Max = pick(50), pick(90), pick(99), ls[len(ls)-1]
	for _, x := range ls {
		i := sort.SearchFloat64s(latencyBounds, x)
		l.Histogram[i]++
	}
	return l
}
