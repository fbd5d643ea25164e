package credstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/lcwh/lcwh/internal/atomicfile"
)

// File keeps every profile's record in one JSON file (mode 0600, written
// atomically), keyed by Key(profile).
type File struct {
	Path string
	mu   sync.Mutex
}

// NewFile returns a File store at path (config.Dir()/credentials.json).
func NewFile(path string) *File { return &File{Path: path} }

func (f *File) load() (map[string]Record, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]Record{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read credentials file: %w", err)
	}
	recs := map[string]Record{}
	if len(b) == 0 {
		return recs, nil
	}
	if err := json.Unmarshal(b, &recs); err != nil {
		return nil, fmt.Errorf("credentials file %s is not valid JSON (delete it and log in again): %w", f.Path, err)
	}
	return recs, nil
}

func (f *File) save(recs map[string]Record) error {
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

// Get reads the profile's record.
func (f *File) Get(profile string) (*Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	recs, err := f.load()
	if err != nil {
		return nil, err
	}
	r, ok := recs[Key(profile)]
	if !ok {
		return nil, ErrNotFound
	}
	r.Store = BackendFile
	return &r, nil
}

// Set writes the profile's record, keeping the others.
func (f *File) Set(profile string, r *Record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	recs, err := f.load()
	if err != nil {
		return err
	}
	recs[Key(profile)] = *r
	if err := f.save(recs); err != nil {
		return err
	}
	r.Store = BackendFile
	return nil
}

// Delete removes the profile's record; the file goes when it is empty.
func (f *File) Delete(profile string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
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
