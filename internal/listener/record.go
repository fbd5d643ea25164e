package listener

import (
	"github.com/valyala/fasthttp"

	"github.com/lcwh/lcwh/internal/eventlog"
)

// AppendRecord appends ev as one --save line in the eventlog format (see
// eventlog.Append and docs/guides/json-reference.md): "v":3, received_at,
// method, path, verified (true/false/null), headers and the body, kept
// byte for byte (raw JSON when exact, else body_ws or body_b64 beside a
// readable body). The line is valid UTF-8 and JSON and ends in a newline.
func AppendRecord(dst []byte, ev *Event) []byte {
	rec := recordOf(ev)
	return eventlog.Append(dst, &rec)
}

func recordOf(ev *Event) eventlog.Record {
	return eventlog.Record{
		ReceivedAt: ev.ReceivedAt,
		Method:     ev.Method,
		Path:       ev.Path,
		Header:     ev.Header,
		Body:       ev.Body,
		// readBody checked an accepted body's depth (MaxDepth, never above
		// jsonlimit.MaxDepth in lcwh) and validity: the writer need not again.
		BodyValid: ev.Accepted(),
		Verify:    ev.Verification.Outcome(),
	}
}

// appendRecord appends ev's record through the configured encoder, or,
// for a headerless event (no one but the record reads its headers), as
// AppendRecord would from the request's headers as they are: fasthttp's,
// read in place while the handler runs, without building ev.Header.
func (l *Listener) appendRecord(dst []byte, ev *Event, rq *request, sc *scratch) []byte {
	if ev.Header != nil {
		return l.encode(dst, ev)
	}
	rec := recordOf(ev)
	if rq.header != nil || rq.fh == nil {
		rec.Header = rq.headers()
		return eventlog.Append(dst, &rec)
	}
	rec.Fields = fieldsOf(rq.fh, sc.fields[:0])
	sc.fields = rec.Fields
	return eventlog.Append(dst, &rec)
}

// fieldsOf appends h's fields as headerOf reads them (canonical names, in
// arrival order, Host and Transfer-Encoding left out) to dst. The names
// and values are views of h's buffer: valid only while the handler runs.
func fieldsOf(h *fasthttp.RequestHeader, dst []eventlog.Field) []eventlog.Field {
	for k, v := range h.AllInOrder() {
		if skipHeader(k) {
			continue
		}
		dst = append(dst, eventlog.Field{Name: bstr(k), Value: bstr(v)})
	}
	return dst
}

// Outcome is v as a record's "verified" outcome (and as it is shown).
func (v Verification) Outcome() eventlog.Verify {
	switch v {
	case Verified:
		return eventlog.VerifyOK
	case Failed:
		return eventlog.VerifyFailed
	}
	return eventlog.VerifyNone
}
