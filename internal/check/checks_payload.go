package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
)

// Names of the future API additions forward-compat delivers.
const (
	newAction    = "lcwh_check_new_action"
	newAppEvent  = "lcwh_check_new_event"
	newMonday    = "lcwh_check_new_type"
	newEventType = "lcwh_check_new_event_type"
)

// judgedRep is rep(f) when its first delivery was accepted.
func (r *runner) judgedRep(f catalog.Family) (catalog.Kind, bool) {
	k, ok := r.rep(f)
	return k, ok && r.baseOK[k.Name]
}

// forwardCompat is forward-compat: every kind with a new field in every
// object, an unknown action (event, type) per family and, for LiveChat,
// an incoming_event of an unknown event type, all accepted.
func (r *runner) forwardCompat(ctx context.Context) Result {
	kinds, notes := r.judged()
	if len(kinds) == 0 {
		return Result{Status: Skip, Summary: "not graded: every first delivery was refused (see status-200)", Details: notes}
	}
	var ds []delivery
	for _, k := range kinds {
		d := r.b.fresh(k)
		d.label, d.body = k.Name+" with a new field in every object", withNewFields(d.body)
		ds = append(ds, d)
	}
	if k, ok := r.judgedRep(catalog.LiveChat); ok {
		d := r.b.fresh(k)
		d.label = "an unknown action (" + newAction + ")"
		d.body = setRaw(set(d.body, "action", newAction), "payload", `{"id":"`+newAction+`"}`)
		e := r.b.fresh(k)
		e.label = "incoming_event of an unknown event type (" + newEventType + ")"
		e.body = set(e.body, "payload.event.type", newEventType)
		ds = append(ds, d, e)
	}
	if k, ok := r.judgedRep(catalog.App); ok {
		d := r.b.fresh(k)
		d.label = "an unknown App Webhooks event (" + newAppEvent + ")"
		d.body = setRaw(set(d.body, "event", newAppEvent), "payload", `{}`)
		ds = append(ds, d)
	}
	if k, ok := r.judgedRep(catalog.Monday); ok {
		d := r.b.fresh(k)
		d.label = "an unknown monday.com event (" + newMonday + ")"
		d.body = set(d.body, "type", newMonday)
		ds = append(ds, d)
	}
	var outs []outcome
	for _, d := range ds {
		outs = append(outs, r.deliver(ctx, d))
	}
	r.record(ForwardCompat, true, outs...)
	return r.grade(outs, notes, whyForwardCompat, fixForwardCompat,
		fmt.Sprintf("%s accepted: a new field at every level of each kind, unknown actions and event types", plural(len(outs), "delivery")))
}

// payloadEdge is payload-edge: non-ASCII and emoji text, a 1 MiB chat,
// additional_data {} and absent, and a charset in Content-Type.
func (r *runner) payloadEdge(ctx context.Context) Result {
	var ds []delivery
	variant := func(k catalog.Kind, what string, edit func([]byte) []byte) delivery {
		d := r.b.fresh(k)
		d.label = k.Name + " " + what
		if edit != nil {
			d.body = edit(d.body)
		}
		return d
	}
	if k, ok := r.judgedRep(catalog.LiveChat); ok {
		ds = append(ds,
			variant(k, "with non-ASCII and emoji text", func(b []byte) []byte { return set(b, "payload.event.text", unicodeText) }),
			variant(k, "with additional_data {}", func(b []byte) []byte { return setRaw(b, "additional_data", "{}") }),
			variant(k, "without additional_data", func(b []byte) []byte { return del(b, "additional_data") }))
		cs := variant(k, "with Content-Type: application/json; charset=utf-8", nil)
		cs.header = withHeader(cs.header, "Content-Type", "application/json; charset=utf-8")
		ds = append(ds, cs)
	}
	if k, ok := catalog.Lookup("incoming_chat"); ok && r.baseOK[k.Name] {
		d := r.b.fresh(k)
		body, n := bigChat(d.body)
		d.body, d.label = body, fmt.Sprintf("incoming_chat of %s (%d events)", sizeOf(len(body)), n)
		ds = append(ds, d)
	}
	for _, f := range []catalog.Family{catalog.App, catalog.Monday} {
		k, ok := r.judgedRep(f)
		if !ok {
			continue
		}
		paths := []string{"applicationName"}
		if f == catalog.Monday {
			paths = []string{"data.user_name", "data.account_name"}
		}
		ds = append(ds, variant(k, "with non-ASCII and emoji names", func(b []byte) []byte {
			for _, p := range paths {
				b = set(b, p, strings.Split(unicodeText, "\n")[0])
			}
			return b
		}))
		cs := variant(k, "with Content-Type: application/json; charset=utf-8", nil)
		cs.header = withHeader(cs.header, "Content-Type", "application/json; charset=utf-8")
		ds = append(ds, cs)
	}
	if len(ds) == 0 {
		return skipped("not graded: every first delivery was refused (see status-200)")
	}
	var outs []outcome
	for _, d := range ds {
		outs = append(outs, r.deliver(ctx, d))
	}
	r.record(PayloadEdge, true, outs...)
	return r.grade(outs, nil, whyPayloadEdge, fixPayloadEdge,
		fmt.Sprintf("%s accepted: emoji and non-Latin text, a %s chat, additional_data {} and absent, a charset in Content-Type",
			plural(len(outs), "delivery"), sizeOf(BigBody)))
}

// bigChat grows an incoming_chat's thread with messages until the body
// reaches BigBody; it returns the body and its number of events.
func bigChat(body []byte) ([]byte, int) {
	c := chatOf(body)
	users := gjson.GetBytes(body, "payload.chat.users.#.id").Array()
	created := gjson.GetBytes(body, "payload.chat.thread.created_at").String()
	raw := gjson.GetBytes(body, "payload.chat.thread.events")
	events := raw.Array()
	rest := len(body) - len(raw.Raw) // the body around the events array
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, e := range events {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(e.Raw)
	}
	n := len(events)
	filler := strings.Repeat("The quick brown fox jumps over the lazy dog; zażółć gęślą jaźń 👋 ", 12)
	for rest+buf.Len()+1 < BigBody {
		author := ""
		if len(users) > 0 {
			author = users[n%len(users)].String()
		}
		ev, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("%s_%d", c.thread, 1000+n), "type": "message",
			"author_id": author, "created_at": created, "visibility": "all", "text": fmt.Sprintf("Message %d. %s", n, filler)})
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.Write(ev)
		n++
	}
	buf.WriteByte(']')
	return setRaw(body, "payload.chat.thread.events", buf.String()), n
}

// sizeOf prints a body size: 1.0 MiB, 12 KiB.
func sizeOf(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// slowClient is slow-client: a body sent in pieces over a few seconds
// still gets its answer.
func (r *runner) slowClient(ctx context.Context) Result {
	kinds, notes := r.judged()
	if len(kinds) == 0 {
		return Result{Status: Skip, Summary: "not graded: every first delivery was refused (see status-200)", Details: notes}
	}
	k := kinds[0]
	if rep, ok := r.judgedRep(catalog.LiveChat); ok {
		k = rep
	}
	spread := time.Duration(r.o.SlowChunks-1) * r.o.SlowInterval
	d := r.b.fresh(k)
	d.slow = true
	d.label = fmt.Sprintf("%s sent in %d pieces over %s", k.Name, r.o.SlowChunks, spread)
	o := r.deliver(ctx, d)
	r.record(SlowClient, false, o)
	if o.accepted() && !o.paced {
		return skipped("not graded: the HTTP client did not pace the body (build it on check.NewTransport)")
	}
	return r.grade([]outcome{o}, nil, whySlowClient, fixSlowClient,
		fmt.Sprintf("answered %d after a body sent in %d pieces over %s", o.status, r.o.SlowChunks, spread))
}
