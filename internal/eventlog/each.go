package eventlog

import (
	"errors"
	"io"
)

// Each reads r to the end: fn gets every event, skip every line that holds
// none (err a *LineError, bad true) and a cut last line (err an
// *IncompleteError, bad false: a line cut short was never acknowledged, so
// it is worth a word, not a failure). It returns nil at the end of the
// input, fn's first error, or the error that stopped reading. One loop for
// every command that reads saved events, so they agree on what a bad line
// is.
func Each(r *Reader, fn func(*Record) error, skip func(err error, bad bool)) error {
	for {
		rec, err := r.Next()
		var le *LineError
		var ie *IncompleteError
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.As(err, &ie):
			skip(err, false)
		case errors.As(err, &le):
			skip(err, true)
		case err != nil:
			return err
		default:
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
}
