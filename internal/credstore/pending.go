package credstore

import (
	"os"
	"slices"

	"github.com/lcwh/lcwh/internal/lease"
)

// self is this process.
func self() Writer {
	host, _ := os.Hostname()
	return Writer{PID: os.Getpid(), Host: host}
}

// alive keeps the writers that may still be running: this process, those
// whose process exists, and those on another host (which cannot be asked,
// so they stay until their own process settles them).
func alive(ws []Writer) []Writer {
	me := self()
	var out []Writer
	for _, w := range ws {
		if w.Host != me.Host || w.PID == me.PID || lease.Alive(w.PID) {
			out = append(out, w)
		}
	}
	return out
}

// without drops the first occurrence of w.
func without(ws []Writer, w Writer) []Writer {
	if i := slices.Index(ws, w); i >= 0 {
		return slices.Delete(slices.Clone(ws), i, i+1)
	}
	return ws
}
