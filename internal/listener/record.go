package listener

import (
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// AppendRecord appends ev as one --save line in the eventlog format (see
// eventlog.Append and docs/guides/json-reference.md): "v":2, received_at,
// method, path, verified (true/false/null), headers and the body, kept
// byte for byte (raw JSON when exact, else body_b64 beside a readable
// body). The line is valid UTF-8 and JSON and ends in a newline.
func AppendRecord(dst []byte, ev *Event) []byte {
	rec := eventlog.Record{
		ReceivedAt: ev.ReceivedAt,
		Method:     ev.Method,
		Path:       ev.Path,
		Header:     ev.Header,
		Body:       ev.Body,
		// readBody validated an accepted body as JSON, so the writer need
		// not again; the depth is checked here until readBody checks it too.
		// TODO(#11): drop the CheckDepth once readBody runs it.
		BodyValid: ev.Accepted() && jsonlimit.CheckDepth(ev.Body, jsonlimit.MaxDepth) == nil,
	}
	switch ev.Verification {
	case Verified:
		rec.Verify = eventlog.VerifyOK
	case Failed:
		rec.Verify = eventlog.VerifyFailed
	}
	return eventlog.Append(dst, &rec)
}
