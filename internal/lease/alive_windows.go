//go:build windows

package lease

import "os"

// Alive reports whether a process with pid runs on this machine.
// FindProcess on Windows opens the process, which fails once it has exited.
func Alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
