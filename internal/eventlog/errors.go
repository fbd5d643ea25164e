package eventlog

import (
	"errors"
	"strconv"
)

// Reasons a LineError gives (compare with errors.Is on LineError.Err).
var (
	ErrNotJSON       = errors.New("not valid JSON")
	ErrUnterminated  = errors.New("not valid JSON (unterminated document)")
	ErrNoBody        = errors.New("saved record without a body")
	ErrTooLong       = errors.New("longer than " + strconv.Itoa(MaxLine>>20) + " MiB, the most lcwh reads as one record")
	ErrBodyBase64    = errors.New("body_b64 is not valid base64")
	ErrBodyWS        = errors.New("body_ws does not fit the body")
	ErrHeadersBase64 = errors.New("headers_b64 is not valid base64")
	ErrOffsets       = errors.New("body_lf / body_cr offsets do not match the body")
)

// LineError reports a line (or the multi-line document that starts on it)
// that holds no readable event. Reading goes on after it.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return "line " + strconv.Itoa(e.Line) + ": " + e.Err.Error() }

func (e *LineError) Unwrap() error { return e.Err }

// IncompleteError reports that the input ends in a line with no newline
// that does not parse: a record cut off by a writer that stopped while
// writing it (killed, disk full). The listener acknowledges an event only
// after its whole line is written, so such a record was never
// acknowledged. It is never a LineError, and it is the last result before
// io.EOF.
type IncompleteError struct {
	Line int
	Size int // bytes of the cut line
}

func (e *IncompleteError) Error() string {
	return "line " + strconv.Itoa(e.Line) + ": incomplete last record (" + strconv.Itoa(e.Size) +
		" bytes, no newline): the writer stopped while writing it, so it was never acknowledged"
}

// VersionError reports a record whose "v" is not a version this package
// reads: written by a newer lcwh, or edited by hand.
type VersionError struct {
	V string // the raw "v" value
}

func (e *VersionError) Error() string {
	return "record version " + e.V + " is not one this lcwh reads (it reads versions 2 to " + strconv.Itoa(Version) +
		" and files without a version); update lcwh"
}
