// Package listener receives webhooks. Each valid request is read within
// bounds, verified, written to the record sink (the --save file, or the
// --json stream) and only then acknowledged; behind a bounded queue the
// listener counts, marks duplicates, forwards and hands events out on a
// channel. It never prints: commands render what comes out of Events and
// Notices (so it is tested and benchmarked without a terminal).
package listener

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// Defaults of the bounds a Config leaves at zero.
const (
	// DefaultMaxBody is the default request body limit (10 MiB).
	DefaultMaxBody = 10 << 20
	// DefaultQueueSize is how many acknowledged events may wait to be shown
	// or forwarded before answers slow down.
	DefaultQueueSize = 1024
	// DefaultQueueBytes bounds the bodies waiting in the queue, so a burst of
	// large bodies slows the answers instead of growing the heap.
	DefaultQueueBytes = 64 << 20
	// DefaultMaxDepth is the deepest nesting of arrays and objects accepted;
	// LiveChat's payloads nest about ten levels.
	DefaultMaxDepth = jsonlimit.MaxDepth
	// DefaultReadTimeout bounds reading one request, headers and body: a
	// sender that trickles a body cannot hold a connection (or Ctrl-C)
	// longer. LiveChat itself gives up after 10 s (webhooks.md §3).
	DefaultReadTimeout = 30 * time.Second
	// DefaultIdleTimeout closes keep-alive connections left idle.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultDrainTimeout bounds the drain after a stop: handlers still
	// waiting, queued events, forwards.
	DefaultDrainTimeout = 30 * time.Second
	// stopReadGrace is how long a request still sending its body at a stop
	// may go on before it is cut off (it was never acknowledged).
	stopReadGrace = time.Second
)

// DuplicateWindow is how long a body counts as a duplicate of an earlier
// identical one: LiveChat retries within about a minute (webhooks.md §3).
const DuplicateWindow = 2 * time.Minute

// Verification is the outcome of checking an event's proof of origin.
type Verification int8

const (
	// Unverified means no secret was configured for this family.
	Unverified Verification = iota
	// Verified means the secret, client id or JWT matched.
	Verified
	// Failed means a check was configured and did not pass.
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
	// MaxDepth bounds nesting in bodies (DefaultMaxDepth when 0).
	MaxDepth int
	// Secrets are accepted LiveChat secret_key values.
	Secrets []string
	// ClientIDs are accepted App Webhooks clientID values.
	ClientIDs []string
	// MondaySecret verifies monday.com's Authorization JWT.
	MondaySecret []byte
	// RequireSecret answers 401 to events that are not Verified.
	RequireSecret bool
	// QueueSize and QueueBytes bound the queue between acknowledging and
	// processing, in events and in body bytes.
	QueueSize  int
	QueueBytes int64
	// Save is the record sink: every accepted event's record (Encode) is
	// written here before the event is answered 200. A sink with Stat and
	// Truncate (an *os.File) has a failed write cut back to the last whole
	// record. Nil: events are acknowledged once queued.
	Save io.Writer
	// Encode formats an event's record; AppendRecord when nil.
	Encode func(dst []byte, ev *Event) []byte
	// Fsync syncs the sink after each batch, so an acknowledged event
	// survives power loss too (Save must have Sync).
	Fsync bool
	// Forward routes events to the app being built.
	Forward            []Route
	ForwardConcurrency int
	ForwardTimeout     time.Duration
	// HTTPClient forwards; it must not follow redirects (build it with
	// internal/httpclient, NoRedirect). Nil: one without --debug logging.
	HTTPClient *http.Client
	// Actions limits the kinds emitted and forwarded (all when empty).
	// Every accepted event is still saved.
	Actions []string
	// Emit sends events and rejections out on Events; false (--quiet) sends
	// only forward results.
	Emit bool
	// Observer, when set, is handed every event Emit would send and every
	// forward result, whether or not Emit is set, in the listener's own
	// goroutines: no channel, no goroutine to wake.
	Observer Observer
	// ReadTimeout, IdleTimeout and DrainTimeout override the defaults.
	ReadTimeout  time.Duration
	IdleTimeout  time.Duration
	DrainTimeout time.Duration
	// DuplicateLimit bounds the duplicate index (DuplicateLimit when 0).
	DuplicateLimit int
	Now            func() time.Time
}

// Event is one request, accepted (Status 200) or rejected.
type Event struct {
	Seq        uint64
	ReceivedAt time.Time
	Method     string
	Path       string
	// Header is nil on accepted events of a listener that neither emits,
	// observes nor forwards (nothing would read it): their records are
	// written from the request's headers as they arrived.
	Header http.Header
	Body   []byte
	Envelope
	Verification Verification
	// VerifyNote explains a failed verification; never contains a secret.
	VerifyNote string
	Duplicate  bool
	// Status is the HTTP status answered; Reason says why when not 200.
	Status int
	Reason string

	// holds counts who still needs the event (consumer, display, forward);
	// its share of the queue budget is released when the last one is done.
	holds atomic.Int32
	// hash is the duplicate index's hash of Body, taken by the handler
	// for every event it queues as accepted.
	hash uint64
}

// Accepted reports whether the event was acknowledged with 200.
func (e *Event) Accepted() bool { return e.Status == http.StatusOK }

// ForwardResult is the outcome of forwarding one event.
type ForwardResult struct {
	Event   *Event
	URL     string
	Status  int
	Latency time.Duration
	// Header is the app's response header; Body the start of its
	// response body (at most 4 KiB, whatever the status).
	Header http.Header
	Body   []byte
	Err    error
	// Refused is set when nothing listens at URL.
	Refused bool
}

// Observer takes events as the consumer processes them (before they are
// shown or forwarded) and forward results as they come (listen --web's
// inspector). Its methods run in the consumer and forward goroutines, so
// they must return at once and never wait on anything else: a slow
// Observer slows the acks. What they are given is theirs to keep (the
// listener never reuses an event) and never to change.
type Observer interface {
	// Add is given each event that Emit would send on Events: accepted
	// ones within Actions, and rejections.
	Add(ev *Event)
	// AddForward is given each forward result, after its event's Add.
	AddForward(res *ForwardResult)
}

// Item is what comes out of Events: exactly one of Event and Forward is set.
// The reader calls Done once it has shown the item: until then the event
// counts against the queue's bounds, so a display that falls behind slows
// the answers instead of growing the heap.
type Item struct {
	Event   *Event
	Forward *ForwardResult
	l       *Listener
}

// Done releases the item's share of the queue; call it once per item.
func (it Item) Done() {
	if it.l != nil && it.Event != nil {
		it.l.drop(it.Event)
	}
}

// NoticeKind says what changed about the record sink.
type NoticeKind int8

const (
	// SaveFailed means a write failed; events are answered 503 until one works.
	SaveFailed NoticeKind = iota + 1
	// SaveResumed means writes work again; events are answered 200 again.
	SaveResumed
	// SinkClosed means the sink is gone for good (the stdout it writes was closed).
	SinkClosed
)

// Notice reports a change of the record sink's health, at once and apart
// from Events (which a stalled display may hold up).
type Notice struct {
	Kind NoticeKind
	Err  error
	// Saved is how many records are in the sink so far; Refused how many
	// events were answered 503 because their record could not be written.
	Saved   int64
	Refused int64
}

// Stats are the counters printed in the summary.
type Stats struct {
	Received   int // acknowledged with 200
	Rejected   int // answered 4xx
	Refused    int // answered 503: the record could not be written
	Saved      int // records written to the sink
	Verified   int
	Failed     int
	Duplicates int
	Forwarded  int
	ForwardErr int
	ByKind     map[string]int
	// Unprocessed counts acknowledged events that were not shown or
	// forwarded: non-zero only after Abort or a drain that timed out.
	Unprocessed int
	// Cut counts requests whose body was still arriving at the stop.
	Cut int
}

// cutReads ends the grace of bodies still arriving after a stop: reads
// fail from now on (ServeHTTP's requests watch l.reading themselves).
func (l *Listener) cutReads() {
	l.stopRead()
	l.srv.cutReads()
}

// Listener is one receiving HTTP server.
type Listener struct {
	cfg     Config
	ln      net.Listener
	srv     *server
	actions map[string]bool
	journal *journal
	encode  func([]byte, *Event) []byte
	// headerless: nothing but the record reads an accepted event's
	// headers (no display, Observer, forwarding or custom encoder), so
	// ev.Header is left nil and the record is written from the request's.
	headerless bool

	queue   chan *Event
	fq      chan *Event
	budget  *semaphore.Weighted
	out     chan Item
	notices chan Notice
	seq     atomic.Uint64

	// qmu guards closing the queue against handlers still sending to it.
	qmu     sync.RWMutex
	qclosed bool
	release chan struct{} // closed: handlers waiting for queue room give up
	// released is done when release is closed (for the byte budget).
	released    context.Context
	cancelWaits context.CancelFunc
	// reading is cancelled a grace period after a stop, cutting off
	// request bodies that are still arriving.
	reading    context.Context
	stopRead   context.CancelFunc
	readGrace  time.Duration
	abort      chan struct{}
	abortOnce  sync.Once
	inflight   atomic.Int64
	processing atomic.Int64
	stopping   atomic.Bool
	idle       chan struct{}

	received, rejected, verified, failed, cut atomic.Int64

	smu   sync.Mutex // guards the consumer's counters for snapshots
	dups  int
	kinds map[string]int

	dedupe     *dedupe
	forwarded  atomic.Int64
	forwardErr atomic.Int64
}

// New makes a Listener; call Bind then Run.
func New(cfg Config) *Listener {
	cfg = withDefaults(cfg)
	l := &Listener{
		cfg:     cfg,
		queue:   make(chan *Event, cfg.QueueSize),
		budget:  semaphore.NewWeighted(cfg.QueueBytes),
		out:     make(chan Item, 256),
		notices: make(chan Notice, 16),
		release: make(chan struct{}),
		abort:   make(chan struct{}),
		idle:    make(chan struct{}, 1),
		kinds:   map[string]int{},
		dedupe:  newDedupe(cfg.DuplicateLimit),
		encode:  cfg.Encode,
	}
	l.srv = l.newServer()
	l.reading, l.stopRead = context.WithCancel(context.Background())
	l.readGrace = stopReadGrace
	l.released, l.cancelWaits = context.WithCancel(context.Background())
	if l.encode == nil {
		l.encode = AppendRecord
		l.headerless = !cfg.Emit && cfg.Observer == nil && len(cfg.Forward) == 0
	}
	if len(cfg.Actions) > 0 {
		l.actions = map[string]bool{}
		for _, a := range cfg.Actions {
			l.actions[a] = true
		}
	}
	if cfg.Save != nil {
		l.journal = newJournal(cfg.Save, cfg.Fsync, l.notice)
	}
	if len(cfg.Forward) > 0 {
		l.fq = make(chan *Event, cfg.QueueSize)
	}
	return l
}

func withDefaults(cfg Config) Config {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = DefaultMaxDepth
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.QueueBytes <= 0 {
		cfg.QueueBytes = DefaultQueueBytes
	}
	if cfg.ForwardConcurrency <= 0 {
		cfg.ForwardConcurrency = 1
	}
	if cfg.ForwardTimeout <= 0 {
		cfg.ForwardTimeout = 30 * time.Second
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = DefaultDrainTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = httpclient.New(httpclient.Options{Timeout: cfg.ForwardTimeout, NoRedirect: true})
	}
	return cfg
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
	ln, err := net.Listen("tcp", addr) //nolint:noctx // binding is immediate; Run's context governs the server
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
// results, in processing order. It is closed once nothing more will be
// sent (not after Abort). A reader that stops slows the acks once the queue is full.
func (l *Listener) Events() <-chan Item { return l.out }

// Notices reports changes of the record sink's health. Sends never block:
// a reader that falls behind misses notices, never events.
func (l *Listener) Notices() <-chan Notice { return l.notices }

func (l *Listener) notice(n Notice) {
	select {
	case l.notices <- n:
	default:
	}
}

// Queued is how many acknowledged events wait to be processed.
func (l *Listener) Queued() int {
	n := len(l.queue)
	if l.fq != nil {
		n += len(l.fq)
	}
	return n
}

// Pending is how many events the listener still holds: requests being
// read or saved, plus acknowledged events not yet shown or forwarded.
func (l *Listener) Pending() int {
	// fasthttp calls the handler once the headers are in, so a request
	// still arriving before that is seen through its connection; from the
	// handler's start it is in inflight.
	return int(l.inflight.Load()) + l.srv.serving() + int(l.processing.Load())
}

// Abort ends a Run at once: connections are closed, and Run returns after
// the record sink's current write (bounded) without waiting for the
// display or forwards. Every acknowledged event is already in the sink.
func (l *Listener) Abort() { l.abortOnce.Do(func() { close(l.abort) }) }

// Run serves until ctx is done, then stops accepting, drains within
// DrainTimeout, and closes Events. After Abort it returns at once. The
// returned Stats are final.
func (l *Listener) Run(ctx context.Context) (Stats, error) {
	if l.ln == nil {
		return Stats{}, errors.New("listener: Run before Bind")
	}
	var workers sync.WaitGroup
	if l.fq != nil {
		for range l.cfg.ForwardConcurrency {
			workers.Add(1)
			go func() { defer workers.Done(); l.forwardLoop() }()
		}
	}
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		l.consume()
		if l.fq != nil {
			close(l.fq)
		}
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- l.srv.serve(l.ln) }()

	var err error
	select {
	case <-ctx.Done():
	case <-l.abort:
	case err = <-serveErr:
	}
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	drained := l.stop(consumed, &workers)
	return l.snapshot(drained), err
}

// stop shuts the server down and drains; it reports whether every queued
// event was processed (so Events could be closed).
//
//nolint:funlen // one shutdown sequence read in order (43 statements); left whole while the listener is being tuned.
func (l *Listener) stop(consumed <-chan struct{}, workers *sync.WaitGroup) bool {
	deadline := time.NewTimer(l.cfg.DrainTimeout)
	defer deadline.Stop()
	finished := make(chan struct{})
	defer close(finished)
	giveUp := make(chan struct{})
	go func() {
		select {
		case <-deadline.C:
		case <-l.abort:
		case <-finished:
		}
		close(giveUp)
	}()
	cutReads := time.AfterFunc(l.readGrace, l.cutReads)
	defer cutReads.Stop()
	select {
	case <-l.abort:
		l.cutReads()
		l.srv.close()
	default:
	}
	shut := make(chan struct{})
	go func() {
		sctx, cancel := context.WithCancel(context.Background())
		go func() { <-giveUp; cancel() }()
		_ = l.srv.shutdown(sctx)
		cancel()
		close(shut)
	}()
	select {
	case <-shut:
	case <-giveUp:
		l.srv.close()
	}
	l.closeQueue()
	workersDone := make(chan struct{})
	go func() { <-consumed; workers.Wait(); close(workersDone) }()
	drained := false
	select {
	case <-workersDone:
		// Nothing is sent on Events any more: close it, then wait until
		// the reader has shown what it holds (Item.Done).
		close(l.out)
		drained = l.waitIdle(giveUp)
	case <-giveUp:
	}
	if l.journal != nil {
		// The batch being written finishes (an acknowledged event is never
		// cut short); a sink stalled beyond a second is abandoned.
		grace := time.NewTimer(time.Second)
		defer grace.Stop()
		l.journal.close(grace.C)
	}
	return drained
}

// waitIdle waits until every event was released by its holders.
func (l *Listener) waitIdle(giveUp <-chan struct{}) bool {
	l.stopping.Store(true)
	for l.processing.Load() > 0 {
		select {
		case <-l.idle:
		case <-giveUp:
			return l.processing.Load() == 0
		}
	}
	return true
}

// closeQueue releases handlers still waiting for room, then closes the
// queue once none can send to it any more.
func (l *Listener) closeQueue() {
	close(l.release)
	l.cancelWaits()
	l.qmu.Lock()
	l.qclosed = true
	close(l.queue)
	l.qmu.Unlock()
}

func (l *Listener) snapshot(drained bool) Stats {
	st := Stats{
		Received:   int(l.received.Load()),
		Rejected:   int(l.rejected.Load()),
		Verified:   int(l.verified.Load()),
		Failed:     int(l.failed.Load()),
		Cut:        int(l.cut.Load()),
		Forwarded:  int(l.forwarded.Load()),
		ForwardErr: int(l.forwardErr.Load()),
	}
	if l.journal != nil {
		st.Saved = int(l.journal.saved.Load())
		st.Refused = int(l.journal.refused.Load())
	}
	l.smu.Lock()
	st.Duplicates = l.dups
	st.ByKind = make(map[string]int, len(l.kinds))
	for k, n := range l.kinds {
		st.ByKind[k] = n
	}
	l.smu.Unlock()
	if !drained {
		st.Unprocessed = int(l.processing.Load())
	}
	return st
}

// enqueue hands an event to the consumer, waiting for room (backpressure,
// never a drop). It fails only when the listener is stopping for good.
func (l *Listener) enqueue(ev *Event) bool {
	n := min(int64(len(ev.Body)), l.cfg.QueueBytes)
	if l.budget.Acquire(l.released, n) != nil {
		return false
	}
	l.qmu.RLock()
	defer l.qmu.RUnlock()
	if l.qclosed {
		l.budget.Release(n)
		return false
	}
	l.processing.Add(1)
	select {
	case l.queue <- ev:
		return true
	case <-l.release:
		l.processing.Add(-1)
		l.budget.Release(n)
		return false
	}
}

// done releases an event's share of the queue budget.
func (l *Listener) done(ev *Event) {
	l.budget.Release(min(int64(len(ev.Body)), l.cfg.QueueBytes))
	if l.processing.Add(-1) == 0 && l.stopping.Load() {
		select {
		case l.idle <- struct{}{}:
		default:
		}
	}
}

// tryEnqueue queues a rejection for display only if there is room at
// once: a rejected request was not acknowledged, so it may be dropped.
func (l *Listener) tryEnqueue(ev *Event) {
	n := min(int64(len(ev.Body)), l.cfg.QueueBytes)
	if !l.budget.TryAcquire(n) {
		return
	}
	l.qmu.RLock()
	defer l.qmu.RUnlock()
	if !l.qclosed {
		l.processing.Add(1)
		select {
		case l.queue <- ev:
			return
		default:
			l.processing.Add(-1)
		}
	}
	l.budget.Release(n)
}

// consume is the single goroutine behind the queue: dedupe, count,
// forward, emit.
func (l *Listener) consume() {
	for ev := range l.queue {
		l.process(ev)
	}
}

func (l *Listener) process(ev *Event) {
	if !ev.Accepted() {
		l.observe(ev)
		ev.holds.Store(1 + b2i(l.cfg.Emit))
		if l.cfg.Emit {
			l.emit(Item{Event: ev, l: l})
		}
		l.drop(ev)
		return
	}
	ev.Duplicate = l.dedupe.seen(ev.hash, ev.ReceivedAt)
	l.smu.Lock()
	l.kinds[ev.Kind]++
	if ev.Duplicate {
		l.dups++
	}
	l.smu.Unlock()
	shown := l.actions == nil || l.actions[ev.Kind]
	if shown {
		l.observe(ev)
	}
	emitted := shown && l.cfg.Emit
	forwarded := shown && l.fq != nil && l.route(ev.Kind) != ""
	ev.holds.Store(1 + b2i(emitted) + b2i(forwarded))
	if emitted {
		l.emit(Item{Event: ev, l: l})
	}
	if forwarded {
		select {
		case l.fq <- ev: // the forward worker drops its hold
		case <-l.abort:
			l.drop(ev)
		}
	}
	l.drop(ev)
}

// observe hands ev to the Observer, if any.
func (l *Listener) observe(ev *Event) {
	if l.cfg.Observer != nil {
		l.cfg.Observer.Add(ev)
	}
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// drop releases one hold on ev; the last one releases its queue share.
func (l *Listener) drop(ev *Event) {
	if ev.holds.Add(-1) == 0 {
		l.done(ev)
	}
}

// emit waits for the reader of Events, or gives up at Abort.
func (l *Listener) emit(it Item) {
	select {
	case l.out <- it:
	case <-l.abort:
	}
}

// isClosedPipe reports whether err means the reader of a pipe is gone.
func isClosedPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrClosed)
}
