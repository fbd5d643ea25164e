package livechatfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/sender"
	"github.com/lcwh/lcwh/internal/webhooks"
)

// TriggerRequest asks the fake to deliver one event to the webhooks
// registered for its action, as LiveChat would (POST /_lcwh/trigger).
type TriggerRequest struct {
	// Kind is a catalog kind of the livechat family (it equals the action).
	Kind string `json:"kind"`
	// Sets are --set path=value overrides of the sample, applied before the
	// per-webhook fields (webhook_id, secret_key, additional_data).
	Sets []string `json:"sets,omitempty"`
	// Timeout, Retries, NoRetry and RetryInterval shape delivery as in
	// sender.Options; zero values are LiveChat's (10 s, 3 retries, ~1 min).
	Timeout       Duration `json:"timeout,omitempty"`
	Retries       int      `json:"retries,omitempty"`
	NoRetry       bool     `json:"no_retry,omitempty"`
	RetryInterval Duration `json:"retry_interval,omitempty"`
}

// Duration is a time.Duration that marshals as a Go duration string ("1.5s").
type Duration time.Duration

// MarshalJSON writes d as "1.5s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "1.5s" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("duration must be a string like \"10s\": %w", err)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// TriggerResult is what a trigger did: one Delivery per webhook the event
// was sent to and one Skip per registered webhook it was not sent to.
type TriggerResult struct {
	Kind       string     `json:"kind"`
	Registered int        `json:"registered"`
	Deliveries []Delivery `json:"deliveries"`
	Skipped    []Skip     `json:"skipped"`
}

// Delivery is the outcome of sending to one webhook, after retries.
type Delivery struct {
	WebhookID     string  `json:"webhook_id"`
	OwnerClientID string  `json:"owner_client_id"`
	Type          string  `json:"type"`
	URL           string  `json:"url"`
	OK            bool    `json:"ok"`
	Status        int     `json:"status"`
	Attempts      int     `json:"attempts"`
	LatencyMS     float64 `json:"latency_ms"`
	Error         string  `json:"error,omitempty"`
	Warning       string  `json:"warning,omitempty"`
	// Unevaluated names registered filters the sandbox could not evaluate
	// on the sample; the webhook was delivered as if they matched.
	Unevaluated []string `json:"unevaluated_filters,omitempty"`
}

// Skip is a registered webhook of the action that was not delivered.
type Skip struct {
	WebhookID     string `json:"webhook_id"`
	OwnerClientID string `json:"owner_client_id"`
	Type          string `json:"type"`
	URL           string `json:"url"`
	Reason        string `json:"reason"`
}

// TriggerError is a trigger the fake refuses: Type is "unknown_kind",
// "not_livechat" or "validation".
type TriggerError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

func (e *TriggerError) Error() string { return e.Message }

// target is one registered webhook with what delivery needs.
type target struct {
	hook     Webhook
	owner    string
	org      string
	disabled bool
}

// Trigger delivers a fresh sample of req.Kind to every webhook registered
// for that action, each with its own webhook_id, secret_key and requested
// additional_data, through a sender with LiveChat's semantics. License
// webhooks of a client whose license webhooks are disabled are skipped
// (bot webhooks are not affected, configuration-api.md §6.6); filters are
// evaluated where the sample allows (see webhooks.Evaluate). Deliveries run in
// parallel, one per webhook, as LiveChat sends each registration its own copy.
func (s *Server) Trigger(ctx context.Context, client sender.Options, req TriggerRequest) (*TriggerResult, error) {
	k, ok := catalog.Lookup(req.Kind)
	if !ok {
		return nil, &TriggerError{Type: "unknown_kind", Message: (&catalog.UnknownKindError{Name: req.Kind}).Error()}
	}
	if k.Family != catalog.LiveChat {
		return nil, &TriggerError{Type: "not_livechat", Message: fmt.Sprintf("%s is a %s webhook, not a Configuration API webhook", k.Name, k.Family)}
	}
	sets, err := catalog.ParseSets(req.Sets)
	if err != nil {
		return nil, &TriggerError{Type: "validation", Message: err.Error()}
	}
	base, err := s.generator().Body(k, catalog.Params{Sets: sets})
	if err != nil {
		return nil, &TriggerError{Type: "validation", Message: err.Error()}
	}
	targets := s.targets(k.Name)
	res := &TriggerResult{Kind: k.Name, Registered: len(targets), Deliveries: []Delivery{}, Skipped: []Skip{}}
	var send []target
	var bodies [][]byte
	var unevaluated [][]string
	for _, t := range targets {
		skip := Skip{WebhookID: t.hook.ID, OwnerClientID: t.owner, Type: t.hook.Type, URL: t.hook.URL}
		if t.disabled {
			skip.Reason = "license webhooks are disabled for this client id (lcwh enable)"
			res.Skipped = append(res.Skipped, skip)
			continue
		}
		v := webhooks.Evaluate(base, t.owner, t.hook.Filters)
		if !v.Match {
			skip.Reason = v.Reason
			res.Skipped = append(res.Skipped, skip)
			continue
		}
		body, err := personalise(base, t)
		if err != nil {
			return nil, &TriggerError{Type: "validation", Message: err.Error()}
		}
		send = append(send, t)
		bodies = append(bodies, body)
		unevaluated = append(unevaluated, v.Unevaluated)
	}
	res.Deliveries = s.deliverAll(ctx, client, send, bodies, unevaluated)
	return res, nil
}

func (s *Server) generator() *catalog.Generator {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen == nil {
		s.gen = catalog.NewGenerator(0, s.Now)
	}
	return s.gen
}

// targets lists the webhooks of action across owners, in registration order
// per owner and owners sorted, with the license-webhooks state of each.
func (s *Server) targets(action string) []target {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []target
	for _, owner := range sortedKeys(s.state.Webhooks) {
		org := ""
		if app := s.state.Apps[owner]; app != nil {
			org = app.OrganizationID
		}
		for _, h := range s.state.Webhooks[owner] {
			if h.Action != action {
				continue
			}
			disabled := h.Type == livechat.TypeLicense && s.state.Disabled[org+"/"+owner]
			out = append(out, target{hook: *h, owner: owner, org: org, disabled: disabled})
		}
	}
	return out
}

// personalise sets the registration's webhook_id and secret_key, the
// owner's organization_id, and keeps only the additional_data keys the
// webhook requested ({} when none, webhooks.md §1).
func personalise(base []byte, t target) ([]byte, error) {
	body, err := sjson.SetBytes(base, "webhook_id", t.hook.ID)
	if err == nil {
		body, err = sjson.SetBytes(body, "secret_key", t.hook.SecretKey)
	}
	if err == nil && t.org != "" {
		body, err = sjson.SetBytes(body, "organization_id", t.org)
	}
	if err != nil {
		return nil, err
	}
	ad := map[string]json.RawMessage{}
	for _, key := range t.hook.AdditionalData {
		if v := additionalValue(base, key); v != nil {
			ad[key] = v
		}
	}
	raw, err := json.Marshal(ad)
	if err != nil {
		return nil, err
	}
	return sjson.SetRawBytes(body, "additional_data", raw)
}

// additionalValue is the sample's value of an additional_data key, else one
// derived from payload.chat (its properties or its users' ids), else nil
// (configuration actions have no chat: the key is left out).
func additionalValue(body []byte, key string) json.RawMessage {
	if v := gjson.GetBytes(body, "additional_data."+key); v.Exists() {
		return json.RawMessage(v.Raw)
	}
	switch key {
	case livechat.DataChatProperties:
		if v := gjson.GetBytes(body, "payload.chat.properties"); v.Exists() {
			return json.RawMessage(v.Raw)
		}
	case livechat.DataChatPresenceUserIDs:
		if ids := webhooks.ChatUserIDs(body); ids != nil {
			b, _ := json.Marshal(ids)
			return b
		}
	}
	return nil
}

func (s *Server) deliverAll(ctx context.Context, opts sender.Options, ts []target, bodies [][]byte, unevaluated [][]string) []Delivery {
	out := make([]Delivery, len(ts))
	snd := sender.New(s.deliveryClient(), opts)
	var wg sync.WaitGroup
	for i := range ts {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			t := ts[i]
			r := snd.Deliver(ctx, sender.Request{URL: t.hook.URL, Body: bodies[i]})
			d := Delivery{WebhookID: t.hook.ID, OwnerClientID: t.owner, Type: t.hook.Type, URL: t.hook.URL,
				OK: r.OK(), Status: r.Status, Attempts: r.Attempts, Warning: r.Warning, Unevaluated: unevaluated[i],
				LatencyMS: float64(r.Latency.Microseconds()) / 1000}
			if r.Err != nil {
				d.Error = r.Err.Error()
			}
			out[i] = d
		}(i)
	}
	wg.Wait()
	return out
}

// deliveryClient sends trigger deliveries; tests may set
// Server.DeliveryClient. Keep-alive is off: triggers are seconds apart, and
// a receiver closing an idle connection (Node's default is 5 s) just as a
// POST reuses it would fail that attempt (POST is not replayed) and show a
// retry that LiveChat would not have made.
func (s *Server) deliveryClient() *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.DeliveryClient == nil {
		t := sender.NewTransport(4)
		t.DisableKeepAlives = true
		s.DeliveryClient = httpclient.New(httpclient.Options{Base: t, Debug: s.DeliveryLog, NoRedirect: true})
	}
	return s.DeliveryClient
}
