// Package lease describes webhooks that `lcwh listen --register` creates for
// the length of one run. The lease lives in the webhook's description, the
// only free-text field the Configuration API keeps (configuration-api.md),
// so any later lcwh run, on any machine, can tell whose webhook it is and
// whether its owner is gone:
//
//	lcwh lease <id> <host> pid <pid> until <RFC 3339 time>
//
// The format is part of lcwh's public contract: change it only additively.
package lease

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Prefix starts every lease description.
const Prefix = "lcwh lease "

// Lease is one run's claim on the webhooks it registered.
type Lease struct {
	ID    string
	Host  string
	PID   int
	Until time.Time
}

// New makes a lease for this process that expires after ttl.
func New(host string, pid int, now time.Time, ttl time.Duration) Lease {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return Lease{ID: hex.EncodeToString(b[:]), Host: sanitizeHost(host), PID: pid, Until: now.Add(ttl).UTC().Truncate(time.Second)}
}

// Description is the webhook description that carries the lease.
func (l Lease) Description() string {
	return fmt.Sprintf("%s%s %s pid %d until %s", Prefix, l.ID, l.Host, l.PID, l.Until.UTC().Format(time.RFC3339))
}

// Parse reads a description; ok is false when it is not a lease.
func Parse(desc string) (Lease, bool) {
	if !strings.HasPrefix(desc, Prefix) {
		return Lease{}, false
	}
	f := strings.Fields(strings.TrimPrefix(desc, Prefix))
	if len(f) != 6 || f[2] != "pid" || f[4] != "until" {
		return Lease{}, false
	}
	pid, err := strconv.Atoi(f[3])
	if err != nil || pid <= 0 {
		return Lease{}, false
	}
	until, err := time.Parse(time.RFC3339, f[5])
	if err != nil {
		return Lease{}, false
	}
	return Lease{ID: f[0], Host: f[1], PID: pid, Until: until}, true
}

// Stale reports whether the lease's owner is gone: its time is up, or it
// was taken on this host by a process that no longer runs. A lease from
// another host is only stale once its time is up, since its pid means
// nothing here.
func (l Lease) Stale(host string, now time.Time, alive func(pid int) bool) (bool, string) {
	if !now.Before(l.Until) {
		return true, "expired at " + l.Until.Format(time.RFC3339)
	}
	if l.Host == sanitizeHost(host) && !alive(l.PID) {
		return true, fmt.Sprintf("process %d on %s is gone", l.PID, l.Host)
	}
	return false, ""
}

// ErrNoHost is returned when the host name cannot be read.
var ErrNoHost = errors.New("cannot read the host name")

// sanitizeHost keeps the description a single parseable line.
func sanitizeHost(h string) string {
	h = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, h)
	if h == "" {
		return "unknown-host"
	}
	return h
}
