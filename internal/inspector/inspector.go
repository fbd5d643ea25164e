// Package inspector is the web inspector of `lcwh listen --web` and
// `lcwh inspect --web`: a page served from the binary (embedded assets, no
// network) that lists the events as they arrive, shows each one whole and
// replays it through internal/sender. It is one more consumer of the
// listener's events, handed each one by the listener itself as a
// listener.Observer (Add, AddForward), or of saved files (AddRecord); it
// never reaches into the listener.
//
// Its HTTP API is JSON (docs/guides/web-inspector.md): the list, the
// details, a server-sent events feed that resumes with Last-Event-ID,
// exports (JSONL, HAR), a JSON diff, charts' data, replay. A page on
// localhost is reachable by every site the browser visits, so every
// request must name the bound address in Host (DNS rebinding), carry the
// run's token (cookie or bearer) and, to change anything, a same-origin
// Origin; answers carry a strict Content-Security-Policy.
package inspector

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/sender"
)

// DefaultAddr is where the inspector listens unless told otherwise.
const DefaultAddr = "127.0.0.1:4040"

// nextFreeTries is how many ports after a taken default one are tried.
const nextFreeTries = 20

// Checks says which verifications the listener runs, to explain an event
// shown as unverified.
type Checks struct {
	Secrets   int
	ClientIDs int
	Monday    bool
}

// Config shapes a Server; zero values are usable defaults.
type Config struct {
	// Live is set for listen --web: the page follows a live feed. Unset,
	// the page shows what AddRecord was given (inspect --web).
	Live bool
	// Routes are the listener's --forward-to routes: the replay target
	// "the forward target" of an event.
	Routes []listener.Route
	// Checks are the listener's verifications (for the explanations).
	Checks Checks
	// ListenURL is where the listener takes webhooks (shown on the page).
	ListenURL string
	// Files are the files inspect --web read (for the page's title).
	Files []string
	// HTTPClient sends replays (internal/httpclient; nil: sender's own).
	HTTPClient *http.Client
	// SenderOptions tune replays (tests shorten the pauses).
	SenderOptions sender.Options
	// MaxEvents and MaxBytes bound what is kept in memory.
	MaxEvents int
	MaxBytes  int64
	// FlushEvery is the least time between two messages of the live feed
	// (events arriving meanwhile go out together); 0 means 100 ms, a
	// negative value sends at once (tests).
	FlushEvery time.Duration
	// FloodEvery replaces FlushEvery after a message that had to skip
	// rows (a flood): the page is then redrawn about once a second, so an
	// open page costs the machine the listener runs on next to nothing
	// however fast events come. 0 means 1 s (0 too when FlushEvery is
	// negative); a negative value means FlushEvery.
	FloodEvery time.Duration
	// BatchLimit is the most rows one feed message carries for the page;
	// more changes in one flush are a flood: the older ones are announced
	// as skipped and the next message waits FloodEvery (0: 500, so a
	// burst like send-sample --all with forwarding, 112 changes, is
	// shown whole, and a flood costs the page 500 rows a second).
	BatchLimit int
	// FloodRows is how many of the newest rows a flood's message carries
	// (0: 100, at most BatchLimit): a screenful and then some; the page
	// loads the rest on demand.
	FloodRows int
	// Token is the run's secret; empty draws one (tests set it).
	Token string
	// Version is lcwh's version, shown on the page and in HAR exports.
	Version string
	Now     func() time.Time
}

// Server serves the inspector.
type Server struct {
	cfg    Config
	hub    *hub
	sender *sender.Sender
	token  string
	cookie string
	ln     net.Listener
	srv    *http.Server
	hosts  hostRule
	mux    *http.ServeMux
	// base ends the live feeds and replays when the server closes.
	base   context.Context
	cancel context.CancelFunc
	once   sync.Once
	// feeds counts the connected readers of the live feed.
	feeds atomic.Int64
}

// New makes a Server; call Bind, then Serve.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	switch {
	case cfg.FloodEvery == 0 && cfg.FlushEvery >= 0:
		cfg.FloodEvery = time.Second
	case cfg.FloodEvery <= 0:
		cfg.FloodEvery = max(cfg.FlushEvery, 0)
	}
	switch {
	case cfg.FlushEvery == 0:
		cfg.FlushEvery = 100 * time.Millisecond
	case cfg.FlushEvery < 0:
		cfg.FlushEvery = 0
	}
	if cfg.BatchLimit <= 0 {
		cfg.BatchLimit = 500
	}
	if cfg.FloodRows <= 0 {
		cfg.FloodRows = 100
	}
	cfg.FloodRows = min(cfg.FloodRows, cfg.BatchLimit)
	tok := cfg.Token
	if tok == "" {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("draw the inspector's token: %w", err)
		}
		tok = base64.RawURLEncoding.EncodeToString(b[:])
	}
	s := &Server{cfg: cfg, token: tok, hub: newHub(cfg.MaxEvents, cfg.MaxBytes, len(cfg.Routes) > 0),
		sender: sender.New(cfg.HTTPClient, cfg.SenderOptions)}
	s.base, s.cancel = context.WithCancel(context.Background())
	s.mux = s.routes()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	return s, nil
}

// PortInUseError says the inspector's address is taken.
type PortInUseError struct {
	Addr string
	Err  error
}

func (e *PortInUseError) Error() string {
	return "cannot serve the inspector on " + e.Addr + ": the port is already in use"
}
func (e *PortInUseError) Unwrap() error { return e.Err }

// Bind opens addr; with nextFree a taken port is followed by the next
// ones (up to 20), as for the default address.
func (s *Server) Bind(addr string, nextFree bool) (net.Addr, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--web-addr %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("--web-addr %q: the port must be a number from 0 to 65535", addr)
	}
	tries := 1
	if nextFree && port != 0 {
		tries = nextFreeTries
	}
	var lc net.ListenConfig
	for i := range tries {
		a := net.JoinHostPort(host, strconv.Itoa(port+i))
		ln, err := lc.Listen(context.Background(), "tcp", a)
		if err == nil {
			s.ln = ln
			bound := ln.Addr().(*net.TCPAddr)
			s.hosts = newHostRule(host, bound.Port)
			s.cookie = "lcwh_inspector_" + strconv.Itoa(bound.Port)
			return bound, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("serve the inspector on %s: %w", a, err)
		}
		if i == tries-1 {
			return nil, &PortInUseError{Addr: a, Err: err}
		}
	}
	return nil, errors.New("unreachable")
}

// SetListenURL names where the listener takes webhooks (shown on the
// page); call it before Serve.
func (s *Server) SetListenURL(u string) { s.cfg.ListenURL = u }

// URL is the page's address with the run's token: the one link that
// opens it (the token then lives in a cookie).
func (s *Server) URL() string {
	return "http://" + s.hosts.canonical + "/?token=" + s.token
}

// Token is the run's token, for scripts (Authorization: Bearer).
func (s *Server) Token() string { return s.token }

// Serve answers until ctx ends or Close is called.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		return errors.New("inspector: Serve before Bind")
	}
	stop := context.AfterFunc(ctx, s.Close)
	defer stop()
	err := s.srv.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) || (errors.Is(err, net.ErrClosed) && s.base.Err() != nil) {
		return nil
	}
	return err
}

// Close ends the live feeds and replays and stops the server (within a
// second for requests still being answered).
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		if s.ln != nil {
			// Not served yet: Shutdown does not close a listener Serve
			// never took.
			_ = s.ln.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if s.srv.Shutdown(ctx) != nil {
			_ = s.srv.Close()
		}
	})
}

// The listener hands the inspector its events itself (listen --web).
var _ listener.Observer = (*Server)(nil)

// Add takes one event from the listener (accepted or rejected): it is
// listener.Observer's Add, called in the listener's consumer goroutine.
// It is O(1) under a short lock (one small allocation; the summary is
// drawn when the page asks) and never waits on the page: the live feeds
// read the hub apart, at their own pace.
func (s *Server) Add(ev *listener.Event) { s.hub.add(fromEvent(ev)) }

// AddForward attaches a forward result to its event (listener.Observer's
// AddForward, called in the forward worker).
func (s *Server) AddForward(f *listener.ForwardResult) {
	if f.Event != nil {
		s.hub.attach(f.Event.Seq, fromForward(f))
	}
}

// AddRecord takes one saved event; source names its file and line.
func (s *Server) AddRecord(rec *eventlog.Record, source string) {
	s.hub.add(fromRecord(rec, source))
}

// Dropped is how many events were let go to keep within the bounds.
func (s *Server) Dropped() uint64 {
	_, _, _, d := s.hub.counts()
	return d
}

// MaxEvents is the bound on the events kept in memory.
func (s *Server) MaxEvents() int { return s.hub.maxEvents }

// route is the forward target of kind: its own route first, else the
// plain one (as the listener picks it).
func (s *Server) route(kind string) string {
	def := ""
	for _, r := range s.cfg.Routes {
		if r.Kind == kind {
			return r.URL
		}
		if r.Kind == "" && def == "" {
			def = r.URL
		}
	}
	return def
}
