package credstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/lcwh/lcwh/internal/atomicfile"
)

// File keeps every profile's record in one JSON file (mode 0600, replaced
// atomically), keyed by Key(profile). Reads need no lock: a rename never
// shows a half-written file. Every read-modify-write holds the lock file
// credentials.lock in the same directory, so lcwh processes sharing the
// file never lose each other's changes (two refreshes of single-use
// refresh tokens, say).
type File struct {
	Path string

	once sync.Once
	lk   *lock
}

// NewFile returns a File store at path (config.Dir()/credentials.json).
func NewFile(path string) *File { return &File{Path: path} }

func (f *File) lock() *lock {
	f.once.Do(func() {
		if f.lk == nil {
			f.lk = newLock(filepath.Dir(f.Path))
		}
	})
	return f.lk
}

func (f *File) load() (map[string]entry, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]entry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read credentials file: %w", err)
	}
	recs := map[string]entry{}
	if len(b) == 0 {
		return recs, nil
	}
	if err := json.Unmarshal(b, &recs); err != nil {
		return nil, fmt.Errorf("credentials file %s is not valid JSON (delete it and log in again): %w", f.Path, err)
	}
	return recs, nil
}

func (f *File) save(recs map[string]entry) error {
	if len(recs) == 0 {
		if err := os.Remove(f.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove credentials file: %w", err)
		}
		return nil
	}
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(f.Path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write credentials file: %w", err)
	}
	return nil
}

// entry returns the profile's stored entry, tombstones included; nil when
// there is none.
func (f *File) entry(profile string) (*entry, error) {
	recs, err := f.load()
	if err != nil {
		return nil, err
	}
	e, ok := recs[Key(profile)]
	if !ok {
		return nil, nil
	}
	return &e, nil
}

// put stores e for the profile, keeping the other profiles. Locked by the caller.
func (f *File) put(profile string, e *entry) error {
	recs, err := f.load()
	if err != nil {
		return err
	}
	c := *e
	c.Store = ""
	recs[Key(profile)] = c
	return f.save(recs)
}

// remove drops the profile's entry; the file goes when it is empty. Locked by the caller.
func (f *File) remove(profile string) error {
	recs, err := f.load()
	if err != nil {
		return err
	}
	if _, ok := recs[Key(profile)]; !ok {
		return nil
	}
	delete(recs, Key(profile))
	return f.save(recs)
}

// Get reads the profile's record.
func (f *File) Get(profile string) (*Record, error) {
	e, err := f.entry(profile)
	if err != nil {
		return nil, err
	}
	if r := e.record(BackendFile); r != nil {
		return r, nil
	}
	return nil, ErrNotFound
}

// Set writes the profile's record, keeping the others.
func (f *File) Set(profile string, r *Record) error {
	return f.lock().do(func() error { return f.setLocked(profile, r) })
}

func (f *File) setLocked(profile string, r *Record) error {
	cur, err := f.entry(profile)
	if err != nil {
		return err
	}
	var prev int64
	if cur != nil {
		prev = cur.Seq
	}
	if err := f.put(profile, &entry{Record: *r, Seq: nextSeq(time.Now(), prev)}); err != nil {
		return err
	}
	r.Store = BackendFile
	return nil
}

// Delete removes the profile's record; the file goes when it is empty.
func (f *File) Delete(profile string) error {
	return f.lock().do(func() error { return f.remove(profile) })
}

// Update implements Store.
func (f *File) Update(profile string, fn func(cur *Record) (*Record, error)) error {
	return f.lock().do(func() error {
		cur, err := f.Get(profile)
		if errors.Is(err, ErrNotFound) {
			cur, err = nil, nil
		}
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil || next == nil {
			return err
		}
		return f.setLocked(profile, next)
	})
}
