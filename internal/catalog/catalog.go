// Package catalog holds every webhook kind lcwh can imitate, an embedded
// sample body for each (written after ../shared/livechat), and the generator
// that turns a sample into a fresh delivery: new ids, timestamps around now,
// the caller's secret, and --set overrides.
package catalog

import (
	"embed"
	"fmt"
	"sync"
)

//go:embed samples
var samplesFS embed.FS

// Sample returns the embedded sample of k exactly as stored.
func Sample(k Kind) ([]byte, error) {
	b, err := samplesFS.ReadFile(k.file())
	if err != nil {
		return nil, fmt.Errorf("sample for %s: %w", k.Name, err)
	}
	return b, nil
}

// templates caches compiled samples; compiling happens on first use of a
// kind so start-up never parses the 56 files.
type templates struct {
	mu sync.Mutex
	m  map[string]*template
}

func (t *templates) get(k Kind) (*template, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tp, ok := t.m[k.Name]; ok {
		return tp, nil
	}
	raw, err := Sample(k)
	if err != nil {
		return nil, err
	}
	tp, err := compile(raw)
	if err != nil {
		return nil, fmt.Errorf("sample for %s: %w", k.Name, err)
	}
	if t.m == nil {
		t.m = map[string]*template{}
	}
	t.m[k.Name] = tp
	return tp, nil
}
