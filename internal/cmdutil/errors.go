// Package cmdutil holds what every command shares: the Factory of
// dependencies, typed errors that carry exit codes and hints, and small flag
// and output helpers.
package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes, documented in `lcwh help exit-codes`.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitAuth        = 4
	ExitInterrupted = 130
)

// FlagError is a usage mistake: bad flag, argument or combination. Exit 2.
type FlagError struct{ err error }

func (e *FlagError) Error() string { return e.err.Error() }
func (e *FlagError) Unwrap() error { return e.err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{err: fmt.Errorf(format, args...)}
}

// FlagErrorWrap marks err as a usage error.
func FlagErrorWrap(err error) error { return &FlagError{err: err} }

// ExitError is an error with an explicit exit code and an optional hint
// telling the user how to fix it; app.Main prints the hint on its own line.
type ExitError struct {
	Code int
	Err  error
	Hint string
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// WithHint wraps err so that app.Main prints hint under it. Exit 1.
func WithHint(err error, hint string) error {
	return &ExitError{Code: ExitFailure, Err: err, Hint: hint}
}

// UsageHint is a usage error (exit 2) with a hint.
func UsageHint(err error, hint string) error {
	return &ExitError{Code: ExitUsage, Err: err, Hint: hint}
}

// AuthError is an authentication problem (missing or rejected credential). Exit 4.
func AuthError(err error, hint string) error {
	return &ExitError{Code: ExitAuth, Err: err, Hint: hint}
}

// ErrSilent means the command already explained the failure; exit 1, print nothing.
var ErrSilent = errors.New("silent error")

// ErrCancel means the user interrupted or declined; exit 130.
var ErrCancel = errors.New("interrupted")

// Hinter is implemented by errors that know how the user can fix them.
type Hinter interface{ Hint() string }

// HintOf returns the first hint found in err's chain, or "".
func HintOf(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if x, ok := e.(*ExitError); ok && x.Hint != "" { //nolint:errorlint // walking the chain by hand
			return x.Hint
		}
		if h, ok := e.(Hinter); ok && h.Hint() != "" {
			return h.Hint()
		}
	}
	return ""
}

// Coder is implemented by errors from lower packages that know their exit code.
type Coder interface{ ExitCode() int }

// ExitCodeOf maps an error to the process exit code.
func ExitCodeOf(err error) int {
	if err == nil {
		return ExitOK
	}
	var fe *FlagError
	if errors.As(err, &fe) {
		return ExitUsage
	}
	var xe *ExitError
	if errors.As(err, &xe) {
		return xe.Code
	}
	if errors.Is(err, ErrCancel) {
		return ExitInterrupted
	}
	var c Coder
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	return ExitFailure
}
