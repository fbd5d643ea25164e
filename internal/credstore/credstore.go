// Package credstore keeps lcwh's credentials per profile: in the OS keychain
// (zalando/go-keyring, behind a timeout) when there is one, else in a 0600
// JSON file next to the config. Callers see one Store; Record.Store says
// which backend holds a credential so `lcwh auth status` can tell the user.
package credstore

import (
	"errors"
	"strings"
	"time"
)

// ErrNotFound means the profile has no stored credential.
var ErrNotFound = errors.New("no stored credential")

// Backend names, as shown by `lcwh auth status`.
const (
	BackendKeyring = "keyring"
	BackendFile    = "file"
	BackendMemory  = "memory"
)

// Record is one stored login. Tokens and the client secret never leave the
// store except through `lcwh auth token` and the API transport.
type Record struct {
	Method         string    `json:"method"` // "pat" or "oauth"
	AccountID      string    `json:"account_id,omitempty"`
	OrganizationID string    `json:"organization_id,omitempty"`
	ClientID       string    `json:"client_id,omitempty"`
	ClientSecret   string    `json:"client_secret,omitempty"` // server-side apps refresh with it
	AccessToken    string    `json:"access_token"`
	RefreshToken   string    `json:"refresh_token,omitempty"`
	Expiry         time.Time `json:"expiry,omitzero"`
	Scopes         []string  `json:"scopes,omitempty"`
	Region         string    `json:"region,omitempty"`
	// Store is the backend the record was read from or written to; not stored.
	Store string `json:"-"`
}

// Store reads and writes the credential of a profile ("" is the default profile).
type Store interface {
	Get(profile string) (*Record, error)
	Set(profile string, r *Record) error
	Delete(profile string) error
	// Update is a read-modify-write that no other lcwh process sharing the
	// store can interleave with: fn gets the profile's record as stored now
	// (nil when there is none) and returns the record to store, or nil to
	// store nothing. Everything fn does, network calls included, runs under
	// the lock; an error from fn is returned as is and nothing is stored.
	Update(profile string, fn func(cur *Record) (*Record, error)) error
}

// entry is a Record as stored, with what the stores need to tell copies
// apart. Old files and keychain items, without these fields, still read.
type entry struct {
	Record
	// Seq orders writes: the copy with the higher Seq was written last
	// (unix nanoseconds of the write, bumped past the previous value).
	Seq int64 `json:"seq,omitempty"`
	// Deleted marks a tombstone: the login was removed while a keychain
	// write that timed out could still land (see Auto).
	Deleted bool `json:"deleted,omitempty"`
	// Pending lists the processes whose keychain call for this profile
	// timed out and may still complete (Auto's file copy only).
	Pending []Writer `json:"keyring_pending,omitempty"`
}

// Writer identifies a process on a host.
type Writer struct {
	PID  int    `json:"pid"`
	Host string `json:"host"`
}

// nextSeq is a write sequence later than every one in prev and, while the
// clock does not go back, than any write made before.
func nextSeq(now time.Time, prev ...int64) int64 {
	seq := now.UnixNano()
	for _, p := range prev {
		if p >= seq {
			seq = p + 1
		}
	}
	return seq
}

// record returns a copy of the entry's Record (nil for a tombstone or nil).
func (e *entry) record(backend string) *Record {
	if e == nil || e.Deleted {
		return nil
	}
	r := e.Record
	r.Scopes = append([]string(nil), e.Scopes...)
	r.Store = backend
	return &r
}

// Key is the name a profile's credential is stored under: "lcwh:<profile>",
// "lcwh:default" for the default profile.
func Key(profile string) string {
	if profile == "" {
		profile = "default"
	}
	return "lcwh:" + profile
}

// RegionOf returns the region prefix of a LiveChat token ("dal" for
// "dal:abc", "fra-a" for "fra-a:…"), or "".
func RegionOf(token string) string {
	r, _, ok := strings.Cut(token, ":")
	if !ok || r == "" || len(r) > 16 {
		return ""
	}
	return r
}
