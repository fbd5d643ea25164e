package credstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringTimeout bounds every keychain call: a locked or absent Secret
// Service can otherwise block a command indefinitely.
const KeyringTimeout = 3 * time.Second

// keyringUser is the account name under which lcwh stores its items; the
// service name is Key(profile).
const keyringUser = "lcwh"

// ErrKeyringUnavailable means the OS keychain could not be used (none
// installed, locked, or it did not answer in time).
var ErrKeyringUnavailable = errors.New("OS keychain unavailable")

// KeyringError is ErrKeyringUnavailable with its cause and a hint.
type KeyringError struct{ Cause string }

func (e *KeyringError) Error() string { return ErrKeyringUnavailable.Error() + ": " + e.Cause }

// Is makes errors.Is(err, ErrKeyringUnavailable) true.
func (e *KeyringError) Is(target error) bool { return target == ErrKeyringUnavailable }

// Hint says how to do without a keychain.
func (e *KeyringError) Hint() string {
	return "Set LCWH_CREDENTIAL_STORE=file (or credential_store: file, or auto) to keep logins in a 0600 file instead."
}

// Keyring is the subset of go-keyring lcwh uses; tests inject fakes.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// OSKeyring is the system keychain through zalando/go-keyring.
type OSKeyring struct{}

func (OSKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (OSKeyring) Set(service, user, s string) error        { return keyring.Set(service, user, s) }
func (OSKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// KeyringStore keeps each profile's record as one JSON keychain item.
type KeyringStore struct {
	Keyring Keyring
	Timeout time.Duration // KeyringTimeout when zero
}

// NewKeyring returns a store on the OS keychain.
func NewKeyring() *KeyringStore { return &KeyringStore{Keyring: OSKeyring{}} }

// call runs fn with the timeout. A timed-out call keeps running in its
// goroutine; its result is dropped.
func (k *KeyringStore) call(fn func() error) error {
	d := k.Timeout
	if d <= 0 {
		d = KeyringTimeout
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		if err == nil || errors.Is(err, keyring.ErrNotFound) {
			return err
		}
		return &KeyringError{Cause: err.Error()}
	case <-t.C:
		return &KeyringError{Cause: fmt.Sprintf("no answer within %s", d)}
	}
}

// Get reads the profile's record from the keychain.
func (k *KeyringStore) Get(profile string) (*Record, error) {
	var s string
	err := k.call(func() (err error) {
		s, err = k.Keyring.Get(Key(profile), keyringUser)
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, fmt.Errorf("keychain item %s is not an lcwh credential: %w", Key(profile), err)
	}
	r.Store = BackendKeyring
	return &r, nil
}

// Set writes the profile's record to the keychain.
func (k *KeyringStore) Set(profile string, r *Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := k.call(func() error { return k.Keyring.Set(Key(profile), keyringUser, string(b)) }); err != nil {
		return err
	}
	r.Store = BackendKeyring
	return nil
}

// Delete removes the profile's keychain item; a missing one is not an error.
func (k *KeyringStore) Delete(profile string) error {
	err := k.call(func() error { return k.Keyring.Delete(Key(profile), keyringUser) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}
