//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sender

import (
	"errors"
	"net"
	"syscall"
)

// peerOpen reports whether the peer of an idle connection has neither
// closed nor reset it and sent nothing unasked, with one non-blocking
// MSG_PEEK read (no byte is consumed). net/http learns the same from the
// read loop it keeps on every idle connection; a worker's own connection
// asks just before reusing it, so a receiver that closed a kept-alive
// connection (a keep-alive timeout) costs a fresh connection, not a failed
// delivery. A close that lands after this check is still caught by the
// nothing-written rule or reported as a failure, never resent.
func peerOpen(nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	open := true
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// EAGAIN: nothing to read, the connection is open and quiet.
		// Anything else is not: no error means a byte nobody asked for, or
		// EOF (0 bytes); another error is a reset.
		open = errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK)
		return true // never wait for readiness
	})
	return err == nil && open
}
