package check

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/signature"
)

// Example handlers, one per way of breaking LiveChat's contract, built on
// one that keeps it.

const (
	testSecret   = "s3cr3t-value-for-tests"
	testClientID = "0805e283233042b37f460ed8fbf22160"
	testMonday   = "monday-client-secret"
)

// fakeClock is the injected clock: handlers move it to pretend they took time.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// handler keeps the contract unless a field says otherwise.
type handler struct {
	// status answers accepted deliveries (200 when 0).
	status int
	// trustAll skips every verification (accepts forgeries).
	trustAll bool
	// strict decodes the envelope refusing unknown fields, with a 500.
	strict bool
	// dedupWebhookID answers 500 to a webhook_id it has seen.
	dedupWebhookID bool
	// needChat answers 500 to an incoming_event of a chat it has not seen.
	needChat bool
	// block never answers (until the client gives up).
	block bool
	// clock, advance: each delivery "takes" advance on the injected clock.
	clock   *fakeClock
	advance time.Duration
	// now is the clock monday JWTs are checked against.
	now func() time.Time

	mu       sync.Mutex
	webhooks map[string]bool
	chats    map[string]bool
	bodies   [][]byte
	headers  []http.Header
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read: "+err.Error(), http.StatusBadRequest)
		return
	}
	if h.block {
		// Once the body is read the server notices the client hanging up.
		<-r.Context().Done()
		return
	}
	if h.clock != nil {
		h.clock.Advance(h.advance)
	}
	h.mu.Lock()
	h.bodies = append(h.bodies, body)
	h.headers = append(h.headers, r.Header.Clone())
	h.mu.Unlock()
	if r.Method != http.MethodPost || !json.Valid(body) {
		http.Error(w, "not a JSON POST", http.StatusBadRequest)
		return
	}
	if !h.trustAll && !h.verify(r, body) {
		http.Error(w, "forged", http.StatusUnauthorized)
		return
	}
	if code, msg := h.process(body); code != 0 {
		http.Error(w, msg, code)
		return
	}
	status := h.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

// verify checks whichever proof the body's family has.
func (h *handler) verify(r *http.Request, body []byte) bool {
	switch {
	case gjson.GetBytes(body, "action").Exists():
		got := gjson.GetBytes(body, "secret_key").String()
		return subtle.ConstantTimeCompare([]byte(got), []byte(testSecret)) == 1
	case gjson.GetBytes(body, "clientID").Exists() || gjson.GetBytes(body, "applicationID").Exists():
		return gjson.GetBytes(body, "clientID").String() == testClientID
	default:
		now := time.Now
		if h.now != nil {
			now = h.now
		}
		_, err := signature.VerifyMonday(r.Header.Get("Authorization"), []byte(testMonday), now())
		return err == nil
	}
}

// process is the handler's "business logic", where the flaws live.
func (h *handler) process(body []byte) (int, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.strict {
		var env struct {
			WebhookID      string          `json:"webhook_id"`
			SecretKey      string          `json:"secret_key"`
			Action         string          `json:"action"`
			OrganizationID string          `json:"organization_id"`
			Payload        json.RawMessage `json:"payload"`
			AdditionalData json.RawMessage `json:"additional_data"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&env); err != nil {
			return 500, "decode: " + err.Error()
		}
	}
	if h.dedupWebhookID {
		id := gjson.GetBytes(body, "webhook_id").String()
		if h.webhooks == nil {
			h.webhooks = map[string]bool{}
		}
		if h.webhooks[id] {
			return 500, "duplicate key value violates unique constraint \"deliveries_pkey\""
		}
		h.webhooks[id] = true
	}
	if h.needChat {
		if h.chats == nil {
			h.chats = map[string]bool{}
		}
		switch gjson.GetBytes(body, "action").String() {
		case "incoming_chat":
			h.chats[gjson.GetBytes(body, "payload.chat.id").String()] = true
		case "incoming_event":
			if !h.chats[gjson.GetBytes(body, "payload.chat_id").String()] {
				return 500, "TypeError: Cannot read properties of undefined (reading 'messages')"
			}
		}
	}
	return 0, ""
}

func (h *handler) got() ([][]byte, []http.Header) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.bodies...), append([]http.Header(nil), h.headers...)
}

// pool wraps a handler with a pool of 10 workers and no queue during the
// parallel check: the 11th delivery in flight gets a 503. Workers hold
// their slot until that has happened, so the overlap does not depend on
// scheduling; outside the parallel check it passes straight through.
type pool struct {
	inner    http.Handler
	mu       sync.Mutex
	active   bool
	inflight int
	full     chan struct{}
	once     sync.Once
}

func newPool(inner http.Handler) *pool { return &pool{inner: inner, full: make(chan struct{})} }

// progress is Options.Progress: it tells the pool when parallel runs.
func (p *pool) progress(e Event) {
	if e.Check == Parallel {
		p.mu.Lock()
		p.active = e.Result == nil
		p.mu.Unlock()
	}
}

func (p *pool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if !p.active {
		p.mu.Unlock()
		p.inner.ServeHTTP(w, r)
		return
	}
	if p.inflight >= 10 {
		p.mu.Unlock()
		p.once.Do(func() { close(p.full) })
		http.Error(w, "worker pool exhausted", http.StatusServiceUnavailable)
		return
	}
	p.inflight++
	p.mu.Unlock()
	select {
	case <-p.full:
	case <-r.Context().Done():
	}
	p.inner.ServeHTTP(w, r)
	p.mu.Lock()
	p.inflight--
	p.mu.Unlock()
}

// impatient answers 408 when the body stalls: a server whose read timeout
// is shorter than the pause between the pieces of a slow body. The test's
// Sleep closes stalled at the first pause and waits for handled.
type impatient struct {
	inner   http.Handler
	stalled chan struct{}
	handled chan struct{}
	once    sync.Once
}

func (h *impatient) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	done := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(r.Body)
		done <- b
	}()
	select {
	case b := <-done:
		r.Body = io.NopCloser(bytes.NewReader(b))
		h.inner.ServeHTTP(w, r)
	case <-h.stalled:
		http.Error(w, "request body timeout", http.StatusRequestTimeout)
		h.once.Do(func() { close(h.handled) })
	}
}
