// Package eventview turns what the engine yields (a listener.Event, a
// listener.ForwardResult, an eventlog.Record) into the render.EventView and
// render.Forward that every view draws: the terminal lines and --json of
// listen, inspect and demo, and anything later that shows events. It holds
// no drawing of its own.
package eventview

import (
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
)

// FromEvent is how a received event is shown.
func FromEvent(ev *listener.Event) render.EventView {
	return render.EventView{
		Time:       ev.ReceivedAt,
		Family:     string(ev.Family),
		Kind:       ev.Kind,
		Known:      ev.Known,
		WebhookID:  ev.WebhookID,
		Verify:     ev.Verification.Outcome(),
		VerifyNote: ev.VerifyNote,
		Duplicate:  ev.Duplicate,
		Status:     ev.Status,
		Reason:     ev.Reason,
		Method:     ev.Method,
		Path:       ev.Path,
		Headers:    ev.Header,
		Body:       ev.Body,
		BodyValid:  ev.Accepted(),
		Secrets:    ev.Secrets,
	}
}

// FromRecord is how a read record is shown: classified from its body, as
// the listener classified it when it arrived.
func FromRecord(rec *eventlog.Record) render.EventView {
	env := listener.Classify(rec.Body)
	return render.EventView{
		Time:      rec.ReceivedAt,
		Family:    string(env.Family),
		Kind:      env.Kind,
		Known:     env.Known,
		WebhookID: env.WebhookID,
		Verify:    rec.Verify,
		Method:    rec.Method,
		Path:      rec.Path,
		Headers:   rec.Header,
		Body:      rec.Body,
		BodyValid: rec.BodyValid,
	}
}

// FromForward is how the result of forwarding an event is shown.
func FromForward(f *listener.ForwardResult) *render.Forward {
	v := &render.Forward{Kind: f.Event.Kind, URL: f.URL, Status: f.Status, Latency: f.Latency, Body: f.Body}
	if f.Err != nil {
		v.Err = f.Err.Error()
	}
	return v
}
