// Package listener receives webhooks: it acknowledges each valid request
// at once, verifies it, queues it, and behind the queue saves, forwards and
// hands events out on a channel. It never prints: commands render what
// comes out of Events (so it is tested and benchmarked without a terminal).
package listener

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// DefaultMaxBody is the default request body limit (10 MiB).
const DefaultMaxBody = 10 << 20

// DuplicateWindow is how long a body counts as a duplicate of an earlier
// identical one: LiveChat retries within about a minute (webhooks.md §3).
const DuplicateWindow = 2 * time.Minute

// Verification is the outcome of checking an event's proof of origin.
type Verification int8

const (
	// Unverified: no secret was configured for this family.
	Unverified Verification = iota
	// Verified: the secret, client id or JWT matched.
	Verified
	// Failed: a check was configured and did not pass.
	Failed
)

// Route sends events of Kind (all kinds when empty) to URL.
type Route struct {
	Kind string
	URL  string
}

// Config is everything a Listener needs; zero values are usable defaults.
type Config struct {
	// Path limits accepted POSTs to one path; empty accepts every path.
	Path    string
	MaxBody int64
	// Secrets are accepted LiveChat secret_key values.
	Secrets []string
	// ClientIDs are accepted App Webhooks clientID values.
	ClientIDs []string
	// MondaySecret verifies monday.com's Authorization JWT.
	MondaySecret []byte
	// RequireSecret answers 401 to events that are not Verified.
	RequireSecret bool
	// QueueSize bounds the queue between acknowledging and processing.
	QueueSize int
	// Save receives one JSON line per accepted event.
	Save io.Writer
	// Forward routes events to the app being built.
	Forward            []Route
	ForwardConcurrency int
	ForwardTimeout     time.Duration
	HTTPClient         *http.Client
	// Actions limits the kinds emitted and forwarded (all when empty).
	// Every accepted event is still saved.
	Actions []string
	// Emit sends events and rejections out on Events; false (--quiet) sends
	// only forward results.
	Emit bool
	Now  func() time.Time
}

// Event is one request, accepted (Status 200) or rejected.
type Event struct {
	Seq        uint64
	ReceivedAt time.Time
	Method     string
	Path       string
	Header     http.Header
	Body       []byte
	Envelope
	Verification Verification
	// VerifyNote explains a failed verification; never contains a secret.
	VerifyNote string
	Duplicate  bool
	// Status is the HTTP status answered; Reason says why when not 200.
	Status int
	Reason string
}

// Accepted reports whether the event was acknowledged with 200.
func (e *Event) Accepted() bool { return e.Status == http.StatusOK }

// ForwardResult is the outcome of forwarding one event.
type ForwardResult struct {
	Event   *Event
	URL     string
	Status  int
	Latency time.Duration
	// Body is the app's response when it was not 2xx (at most 4 KiB).
	Body []byte
	Err  error
	// Refused is set when nothing listens at URL.
	Refused bool
}

// Item is what comes out of Events: exactly one field is set.
type Item struct {
	Event   *Event
	Forward *ForwardResult
}

// Stats are the counters printed in the summary.
type Stats struct {
	Received   int // accepted with 200
	Rejected   int
	Verified   int
	Failed     int
	Duplicates int
	Forwarded  int
	ForwardErr int
	ByKind     map[string]int
	// Unprocessed counts events still queued (only non-zero on a forced stop).
	Unprocessed int
}

// Listener is one receiving HTTP server.
type Listener struct {
	cfg     Config
	ln      net.Listener
	srv     *http.Server
	queue   chan *Event
	fq      chan *Event
	out     chan Item
	seq     atomic.Uint64
	actions map[string]bool

	save  *bufio.Writer
	rec   []byte
	seed  maphash.Seed
	seen  map[uint64]int64
	prune int64

	stats      Stats
	forwarded  atomic.Int64
	forwardErr atomic.Int64
	saveErr    error
	done       chan struct{}
}

// New makes a Listener; call Bind then Run.
func New(cfg Config) *Listener {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1024
	}
	if cfg.ForwardConcurrency <= 0 {
		cfg.ForwardConcurrency = 1
	}
	if cfg.ForwardTimeout <= 0 {
		cfg.ForwardTimeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	l := &Listener{
		cfg:   cfg,
		queue: make(chan *Event, cfg.QueueSize),
		out:   make(chan Item, 256),
		seed:  maphash.MakeSeed(),
		seen:  map[uint64]int64{},
		done:  make(chan struct{}),
	}
	l.stats.ByKind = map[string]int{}
	if len(cfg.Actions) > 0 {
		l.actions = map[string]bool{}
		for _, a := range cfg.Actions {
			l.actions[a] = true
		}
	}
	if cfg.Save != nil {
		l.save = bufio.NewWriterSize(cfg.Save, 64<<10)
	}
	if len(cfg.Forward) > 0 {
		l.fq = make(chan *Event, cfg.QueueSize)
	}
	return l
}

// PortInUseError says the address is taken.
type PortInUseError struct {
	Addr string
	Err  error
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("cannot listen on %s: the port is already in use", e.Addr)
}
func (e *PortInUseError) Unwrap() error { return e.Err }

// Bind opens the TCP listener on addr ("host:port"; port 0 picks one).
func (l *Listener) Bind(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, &PortInUseError{Addr: addr, Err: err}
		}
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	l.ln = ln
	return ln.Addr(), nil
}

// Events is the stream of accepted and rejected events and forward
// results, in processing order. It is closed when Run has drained.
// The caller must keep reading it: a reader that stops slows the acks.
func (l *Listener) Events() <-chan Item { return l.out }

// Queued is how many acknowledged events wait to be processed.
func (l *Listener) Queued() int {
	n := len(l.queue)
	if l.fq != nil {
		n += len(l.fq)
	}
	return n
}

// Run serves until ctx is done, then stops accepting, drains the queue,
// flushes the save file, waits for forwards and closes Events. The
// returned Stats are final.
func (l *Listener) Run(ctx context.Context) (Stats, error) {
	if l.ln == nil {
		return Stats{}, errors.New("listener: Run before Bind")
	}
	l.srv = &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second}
	var fwg sync.WaitGroup
	if l.fq != nil {
		for i := 0; i < l.cfg.ForwardConcurrency; i++ {
			fwg.Add(1)
			go func() { defer fwg.Done(); l.forwardLoop() }()
		}
	}
	cdone := make(chan struct{})
	go func() { defer close(cdone); l.consume() }()

	serveErr := make(chan error, 1)
	go func() { serveErr <- l.srv.Serve(l.ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	// Stop accepting; Shutdown waits for handlers, which may be blocked
	// on a full queue until the consumer (still running) makes room.
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	_ = l.srv.Shutdown(sctx)
	cancel()
	close(l.queue)
	<-cdone
	if l.fq != nil {
		close(l.fq)
	}
	fwg.Wait()
	close(l.out)
	st := l.stats
	st.Forwarded = int(l.forwarded.Load())
	st.ForwardErr = int(l.forwardErr.Load())
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil && l.saveErr != nil {
		err = fmt.Errorf("save events: %w", l.saveErr)
	}
	return st, err
}

// consume is the single goroutine behind the queue: dedupe, count, save,
// forward, emit. It flushes the save file whenever the queue runs empty.
func (l *Listener) consume() {
	for {
		ev, ok := l.next()
		if !ok {
			break
		}
		l.process(ev)
	}
	l.flush()
}

// next takes the next queued event. When the queue is empty it first lets
// the handlers run a few times, so a busy listener writes the save file in
// large batches, then flushes before blocking, so an idle listener always
// has every acknowledged event on disk.
func (l *Listener) next() (*Event, bool) {
	for range 3 {
		select {
		case ev, ok := <-l.queue:
			return ev, ok
		default:
			runtime.Gosched()
		}
	}
	select {
	case ev, ok := <-l.queue:
		return ev, ok
	default:
		l.flush()
		ev, ok := <-l.queue
		return ev, ok
	}
}

func (l *Listener) flush() {
	if l.save != nil && l.save.Buffered() > 0 {
		if err := l.save.Flush(); err != nil && l.saveErr == nil {
			l.saveErr = err
		}
	}
}

func (l *Listener) process(ev *Event) {
	if !ev.Accepted() {
		l.stats.Rejected++
		if l.cfg.Emit {
			l.out <- Item{Event: ev}
		}
		return
	}
	l.stats.Received++
	l.stats.ByKind[ev.Kind]++
	switch ev.Verification {
	case Verified:
		l.stats.Verified++
	case Failed:
		l.stats.Failed++
	}
	ev.Duplicate = l.duplicate(ev)
	if ev.Duplicate {
		l.stats.Duplicates++
	}
	if l.save != nil {
		l.rec = AppendRecord(l.rec[:0], ev)
		if _, err := l.save.Write(l.rec); err != nil && l.saveErr == nil {
			l.saveErr = err
		}
	}
	if l.actions != nil && !l.actions[ev.Kind] {
		return
	}
	if l.fq != nil && l.route(ev.Kind) != "" {
		l.fq <- ev
	}
	if l.cfg.Emit {
		l.out <- Item{Event: ev}
	}
}

// duplicate reports whether the same body arrived within DuplicateWindow,
// pruning old hashes now and then so memory stays bounded.
func (l *Listener) duplicate(ev *Event) bool {
	now := ev.ReceivedAt.UnixNano()
	h := maphash.Bytes(l.seed, ev.Body)
	prev, seen := l.seen[h]
	l.seen[h] = now
	if now-l.prune > int64(DuplicateWindow/4) {
		l.prune = now
		for k, t := range l.seen {
			if now-t > int64(DuplicateWindow) {
				delete(l.seen, k)
			}
		}
	}
	return seen && now-prev <= int64(DuplicateWindow)
}
