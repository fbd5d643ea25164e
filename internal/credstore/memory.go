package credstore

import "sync"

// Memory is an in-process Store for tests.
type Memory struct {
	mu   sync.Mutex
	recs map[string]Record
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{recs: map[string]Record{}} }

// Get returns a copy of the profile's record.
func (m *Memory) Get(profile string) (*Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[Key(profile)]
	if !ok {
		return nil, ErrNotFound
	}
	r.Scopes = append([]string(nil), r.Scopes...)
	r.Store = BackendMemory
	return &r, nil
}

// Set stores a copy of r.
func (m *Memory) Set(profile string, r *Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *r
	c.Scopes = append([]string(nil), r.Scopes...)
	m.recs[Key(profile)] = c
	r.Store = BackendMemory
	return nil
}

// Delete removes the profile's record; deleting nothing is not an error.
func (m *Memory) Delete(profile string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.recs, Key(profile))
	return nil
}

// Update implements Store under the store's mutex.
func (m *Memory) Update(profile string, fn func(cur *Record) (*Record, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var cur *Record
	if r, ok := m.recs[Key(profile)]; ok {
		r.Scopes = append([]string(nil), r.Scopes...)
		r.Store = BackendMemory
		cur = &r
	}
	next, err := fn(cur)
	if err != nil || next == nil {
		return err
	}
	c := *next
	c.Scopes = append([]string(nil), next.Scopes...)
	m.recs[Key(profile)] = c
	next.Store = BackendMemory
	return nil
}
