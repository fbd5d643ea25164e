package credstore

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"
)

// Modes of the credential_store setting.
const (
	ModeAuto    = "auto"
	ModeKeyring = "keyring"
	ModeFile    = "file"
)

// Auto prefers the keychain and falls back to the file when the keychain is
// unavailable. The rule that keeps a profile from having two copies that
// disagree:
//
//   - Every copy carries a write sequence, and a read takes the copy written
//     last, keychain or file.
//   - A keychain write that succeeds removes the file copy: one copy.
//   - A keychain call that times out (KeyringTimeout) may still complete:
//     go-keyring unlocks the collection, which can wait for the user, and
//     then writes. The file copy, written at once, becomes the authoritative
//     one and lists the process in Pending. While a process listed there is
//     alive nobody touches the keychain item: writes go to the file and a
//     delete leaves a tombstone there. The process whose call timed out
//     settles it when the call ends: it takes itself off Pending and, when
//     no one is left, makes the keychain match the file and removes the file
//     copy. A process that exits first can no longer write; the next write
//     drops it from Pending.
//
// Every change holds the store's lock file, so the rule also holds between
// lcwh processes.
type Auto struct {
	Keyring *KeyringStore
	File    *File

	late sync.WaitGroup // keychain calls that timed out, until settled
}

func (a *Auto) lock() *lock { return a.File.lock() }

// newest picks the copy written last. A tie goes to the file: old copies
// carry no sequence, and two copies existed only after a keychain call
// timed out and the file was written after it.
func newest(ke, fe *entry) (*entry, string) {
	if fe == nil {
		return ke, BackendKeyring
	}
	if ke == nil || fe.Seq >= ke.Seq {
		return fe, BackendFile
	}
	return ke, BackendKeyring
}

// entries reads both copies; an unavailable keychain counts as empty.
func (a *Auto) entries(profile string) (ke, fe *entry, err error) {
	ke, err = a.Keyring.entry(profile)
	if err != nil && !errors.Is(err, ErrKeyringUnavailable) {
		return nil, nil, err
	}
	fe, err = a.File.entry(profile)
	return ke, fe, err
}

// Get returns the copy written last.
func (a *Auto) Get(profile string) (*Record, error) {
	ke, fe, err := a.entries(profile)
	if err != nil {
		return nil, err
	}
	e, backend := newest(ke, fe)
	if r := e.record(backend); r != nil {
		return r, nil
	}
	return nil, ErrNotFound
}

// Set writes to the keychain, or to the file when the keychain is unavailable.
func (a *Auto) Set(profile string, r *Record) error {
	return a.lock().do(func() error {
		fe, err := a.File.entry(profile)
		if err != nil {
			return err
		}
		return a.write(profile, fe, r, 0)
	})
}

// Delete removes the record from both places.
func (a *Auto) Delete(profile string) error {
	return a.lock().do(func() error {
		fe, err := a.File.entry(profile)
		if err != nil {
			return err
		}
		return a.write(profile, fe, nil, 0)
	})
}

// Update implements Store.
func (a *Auto) Update(profile string, fn func(cur *Record) (*Record, error)) error {
	return a.lock().do(func() error {
		ke, fe, err := a.entries(profile)
		if err != nil {
			return err
		}
		e, backend := newest(ke, fe)
		next, err := fn(e.record(backend))
		if err != nil || next == nil {
			return err
		}
		var floor int64
		if ke != nil {
			floor = ke.Seq
		}
		return a.write(profile, fe, next, floor)
	})
}

// write stores r (nil deletes) by the rule above; fe is the file's entry
// and floor a sequence the new one must pass. The lock is held.
func (a *Auto) write(profile string, fe *entry, r *Record, floor int64) error {
	prev := []int64{floor}
	var pending []Writer
	if fe != nil {
		prev = append(prev, fe.Seq)
		pending = alive(fe.Pending)
	}
	e := &entry{Seq: nextSeq(time.Now(), prev...), Deleted: r == nil}
	if r != nil {
		e.Record = *r
	}
	if len(pending) > 0 {
		e.Pending = pending
		return a.putFile(profile, e, r)
	}
	var late <-chan error
	var err error
	if r != nil {
		late, err = a.Keyring.put(profile, e)
	} else {
		late, err = a.Keyring.remove(profile)
	}
	switch {
	case err == nil:
		if r != nil {
			r.Store = BackendKeyring
		}
		return a.File.remove(profile)
	case late != nil:
		e.Pending = []Writer{self()}
		if err := a.putFile(profile, e, r); err != nil {
			return err
		}
		a.watch(profile, late)
		return nil
	case !errors.Is(err, ErrKeyringUnavailable):
		return err
	case r == nil && (fe == nil || !fe.Deleted):
		return a.File.remove(profile)
	}
	// The keychain cannot be written now: the file holds the newest copy
	// (or a tombstone, when the keychain may still hold a late one).
	return a.putFile(profile, e, r)
}

func (a *Auto) putFile(profile string, e *entry, r *Record) error {
	if err := a.File.put(profile, e); err != nil {
		return err
	}
	if r != nil {
		r.Store = BackendFile
	}
	return nil
}

// watch settles profile once late reports that this process's timed-out
// keychain call has ended, whatever its result.
func (a *Auto) watch(profile string, late <-chan error) {
	a.late.Add(1)
	go func() {
		defer a.late.Done()
		<-late //nolint:errcheck // landed or not, the call is over; settle decides from the file
		_ = a.lock().do(func() error { return a.settle(profile) })
	}()
}

// settle takes this process off the file entry's Pending and, when no
// keychain call can land any more, writes the file's copy (or tombstone)
// through to the keychain, which removes the file copy when it succeeds.
func (a *Auto) settle(profile string) error {
	fe, err := a.File.entry(profile)
	if err != nil || fe == nil {
		return err
	}
	fe.Pending = without(alive(fe.Pending), self())
	if len(fe.Pending) > 0 {
		return a.File.put(profile, fe)
	}
	var r *Record
	if !fe.Deleted {
		rec := fe.Record
		r = &rec
	}
	return a.write(profile, fe, r, fe.Seq)
}

// FilePath is the fallback credentials file in the config directory.
func FilePath(configDir string) string { return filepath.Join(configDir, "credentials.json") }

// Open returns the Store for mode (auto, keyring or file). kr is the
// keychain to use (nil means the OS keychain).
func Open(mode, configDir string, kr Keyring) (Store, error) {
	if kr == nil {
		kr = OSKeyring{}
	}
	lk := newLock(configDir)
	ks := &KeyringStore{Keyring: kr, lk: lk}
	fs := &File{Path: FilePath(configDir), lk: lk}
	switch mode {
	case "", ModeAuto:
		return &Auto{Keyring: ks, File: fs}, nil
	case ModeKeyring:
		return ks, nil
	case ModeFile:
		return fs, nil
	}
	return nil, fmt.Errorf("credential_store must be one of auto, keyring, file, not %q", mode)
}
