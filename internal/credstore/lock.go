package credstore

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/rogpeppe/go-internal/lockedfile"
)

// LockName is the lock file, next to credentials.json, that every lcwh
// process takes before it changes a stored credential.
const LockName = "credentials.lock"

// lock serialises read-modify-write of the credentials across processes
// (an flock(2)-style lock on a well-known file through
// rogpeppe/go-internal/lockedfile) and, for a store with no directory,
// within this process only.
type lock struct {
	file  *lockedfile.Mutex // nil: this process only
	local sync.Mutex
}

// newLock returns the lock of the credentials kept in dir ("" means a lock
// within this process only).
func newLock(dir string) *lock {
	if dir == "" {
		return &lock{}
	}
	return &lock{file: lockedfile.MutexAt(filepath.Join(dir, LockName))}
}

// do runs fn holding the lock. A process killed while holding it releases
// it with its file descriptors, so a crash never leaves the store locked.
func (l *lock) do(fn func() error) error {
	if l.file == nil {
		l.local.Lock()
		defer l.local.Unlock()
		return fn()
	}
	if err := os.MkdirAll(filepath.Dir(l.file.Path), 0o700); err != nil {
		return fmt.Errorf("lock credentials: %w", err)
	}
	unlock, err := l.file.Lock()
	if err != nil {
		return fmt.Errorf("lock credentials (%s): %w", l.file.Path, err)
	}
	defer unlock()
	return fn()
}
