package listener

import (
	"github.com/lcwh/lcwh/internal/eventlog"
)

// AppendRecord appends ev as one --save line in the eventlog format (see
// eventlog.Append and docs/guides/json-reference.md): "v":3, received_at,
// method, path, verified (true/false/null), headers and the body, kept
// byte for byte (raw JSON when exact, else body_ws or body_b64 beside a
// readable body). The line is valid UTF-8 and JSON and ends in a newline.
func AppendRecord(dst []byte, ev *Event) []byte {
	rec := eventlog.Record{
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
	return eventlog.Append(dst, &rec)
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
