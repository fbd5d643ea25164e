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
