//go:build unix

package lease

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"
)

// Alive reports whether a process with pid runs on this machine. Signal 0
// checks existence without touching the process; EPERM means it exists but
// belongs to someone else. A zombie (killed, not yet reaped by its parent)
// still answers signal 0, so on Linux its /proc state decides.
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return !zombie(pid)
}

// zombie reads the state field of /proc/<pid>/stat ("pid (comm) S …");
// where there is no /proc it says no.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && statZombie(b)
}

// statZombie parses a /proc/<pid>/stat line; comm may hold spaces and
// parentheses, so the state is found after the last ')'.
func statZombie(b []byte) bool {
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}
