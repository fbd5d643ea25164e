package sender

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// StatusError is a response other than 2xx.
type StatusError struct {
	Status int
	// Location is the redirect target of a 3xx, if given.
	Location string
}

func (e *StatusError) Error() string {
	if e.Status >= 300 && e.Status < 400 {
		loc := e.Location
		if loc == "" {
			loc = "(no Location header)"
		}
		return fmt.Sprintf("redirected with %d to %s; redirects are not followed", e.Status, loc)
	}
	return fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
}

// RefusedError means nothing listens at the target address.
type RefusedError struct {
	Addr string
	Err  error
}

func (e *RefusedError) Error() string { return "connection refused to " + e.Addr }
func (e *RefusedError) Unwrap() error { return e.Err }

// ClosedError means the connection was closed or reset before a complete
// response came. When any of the request had been written the receiver may
// have processed it, so it is not resent on the spot; only the LiveChat retry
// schedule sends it again.
type ClosedError struct {
	Addr string
	Err  error
}

func (e *ClosedError) Error() string {
	return "connection to " + e.Addr + " closed before a response"
}
func (e *ClosedError) Unwrap() error { return e.Err }

// TimeoutError means an attempt got no complete response within the timeout.
type TimeoutError struct{ Timeout time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no response within %s (the per-attempt timeout)", e.Timeout)
}

// ErrInterrupted matches (errors.Is) the error of a delivery whose attempt
// was in flight when the caller aborted it (the context ended): whether the
// receiver got it is unknown, so it is neither a success nor a failure.
var ErrInterrupted = errors.New("interrupted (outcome unknown)")

// interruptedError is ErrInterrupted that also unwraps to the context's
// error, so errors.Is(err, context.Canceled) keeps working for callers.
type interruptedError struct{ cause error }

func (e *interruptedError) Error() string        { return ErrInterrupted.Error() }
func (e *interruptedError) Unwrap() error        { return e.cause }
func (e *interruptedError) Is(target error) bool { return target == ErrInterrupted }

// ErrBadURL is returned for a URL that is not absolute http(s).
var ErrBadURL = errors.New("not an absolute http(s) URL")

// CheckURL validates a target URL.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: %w", raw, ErrBadURL)
	}
	return nil
}

// classify turns a transport error into the error a Result carries. ctx is
// the caller's context (abort), timedOut says the attempt's own deadline
// passed. Both paths (net/http and a worker's own connection) use it, so the
// same fault gives the same error.
func (s *Sender) classify(ctx context.Context, timedOut bool, u *url.URL, err error) error {
	switch {
	case ctx.Err() != nil:
		return &interruptedError{cause: ctx.Err()}
	case timedOut || isTimeout(err):
		return &TimeoutError{Timeout: s.opts.Timeout}
	case isRefused(err):
		return &RefusedError{Addr: hostPort(u), Err: err}
	case isClosed(err):
		return &ClosedError{Addr: hostPort(u), Err: err}
	}
	return fmt.Errorf("POST %s: %w", u.Redacted(), err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// isClosed: the peer closed (EOF) or reset the connection mid-exchange, or
// the transport closed it after such a failure.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

func isInterrupted(err error) bool { return errors.Is(err, ErrInterrupted) }
