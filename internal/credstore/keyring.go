package credstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
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
type KeyringError struct {
	Cause string
	// TimedOut says the call did not answer in time: it may still complete.
	TimedOut bool
}

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

// OSKeyring is the system keychain through zalando/go-keyring. Where that
// goes over D-Bus, a machine without a session bus has no keychain: the
// calls fail at once rather than autolaunch a bus.
type OSKeyring struct{}

// Get reads the secret of service and user from the keychain.
func (OSKeyring) Get(service, user string) (string, error) {
	if err := sessionBus(os.LookupEnv); err != nil {
		return "", err
	}
	return keyring.Get(service, user)
}

// Set stores s as the secret of service and user.
func (OSKeyring) Set(service, user, s string) error {
	if err := sessionBus(os.LookupEnv); err != nil {
		return err
	}
	return keyring.Set(service, user, s)
}

// Delete removes the secret of service and user.
func (OSKeyring) Delete(service, user string) error {
	if err := sessionBus(os.LookupEnv); err != nil {
		return err
	}
	return keyring.Delete(service, user)
}

// KeyringStore keeps each profile's record as one JSON keychain item.
//
// A keychain call that does not answer within Timeout fails with a
// KeyringError (TimedOut) but keeps running: a locked keychain may still
// take the write once the user unlocks it. Alone (credential_store:
// keyring) that write is the one reported as failed; Auto tracks it so it
// never outlives a newer copy.
type KeyringStore struct {
	Keyring Keyring
	Timeout time.Duration // KeyringTimeout when zero

	once sync.Once
	lk   *lock // set by Open; else a lock within this process
	// after, when set, replaces the timer (tests time calls out by hand).
	after func(time.Duration) <-chan time.Time
}

// NewKeyring returns a store on the OS keychain.
func NewKeyring() *KeyringStore { return &KeyringStore{Keyring: OSKeyring{}} }

func (k *KeyringStore) lock() *lock {
	k.once.Do(func() {
		if k.lk == nil {
			k.lk = newLock("")
		}
	})
	return k.lk
}

// call runs fn with the timeout. When it times out, late receives fn's
// result once it returns (the goroutine keeps running).
func (k *KeyringStore) call(fn func() error) (late <-chan error, err error) {
	d := k.Timeout
	if d <= 0 {
		d = KeyringTimeout
	}
	var timeout <-chan time.Time
	if k.after != nil {
		timeout = k.after(d)
	} else {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		if err == nil || errors.Is(err, keyring.ErrNotFound) {
			return nil, err
		}
		return nil, &KeyringError{Cause: err.Error()}
	case <-timeout:
		return done, &KeyringError{Cause: fmt.Sprintf("no answer within %s", d), TimedOut: true}
	}
}

// entry reads the profile's keychain item; nil when there is none.
func (k *KeyringStore) entry(profile string) (*entry, error) {
	var s string
	_, err := k.call(func() (err error) {
		s, err = k.Keyring.Get(Key(profile), keyringUser)
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var e entry
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		return nil, fmt.Errorf("keychain item %s is not an lcwh credential: %w", Key(profile), err)
	}
	return &e, nil
}

// put writes e as the profile's keychain item. When the call times out,
// late reports when it ends.
func (k *KeyringStore) put(profile string, e *entry) (late <-chan error, err error) {
	c := *e
	c.Store, c.Pending = "", nil
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return k.call(func() error { return k.Keyring.Set(Key(profile), keyringUser, string(b)) })
}

// remove deletes the profile's keychain item; a missing one is not an error.
func (k *KeyringStore) remove(profile string) (late <-chan error, err error) {
	late, err = k.call(func() error { return k.Keyring.Delete(Key(profile), keyringUser) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, nil
	}
	return late, err
}

// Get reads the profile's record from the keychain.
func (k *KeyringStore) Get(profile string) (*Record, error) {
	e, err := k.entry(profile)
	if err != nil {
		return nil, err
	}
	if r := e.record(BackendKeyring); r != nil {
		return r, nil
	}
	return nil, ErrNotFound
}

// Set writes the profile's record to the keychain.
func (k *KeyringStore) Set(profile string, r *Record) error {
	return k.lock().do(func() error {
		if _, err := k.put(profile, &entry{Record: *r, Seq: nextSeq(time.Now())}); err != nil {
			return err
		}
		r.Store = BackendKeyring
		return nil
	})
}

// Delete removes the profile's keychain item; a missing one is not an error.
func (k *KeyringStore) Delete(profile string) error {
	return k.lock().do(func() error {
		_, err := k.remove(profile)
		return err
	})
}

// Update implements Store.
func (k *KeyringStore) Update(profile string, fn func(cur *Record) (*Record, error)) error {
	return k.lock().do(func() error {
		e, err := k.entry(profile)
		if err != nil {
			return err
		}
		next, err := fn(e.record(BackendKeyring))
		if err != nil || next == nil {
			return err
		}
		var prev int64
		if e != nil {
			prev = e.Seq
		}
		if _, err := k.put(profile, &entry{Record: *next, Seq: nextSeq(time.Now(), prev)}); err != nil {
			return err
		}
		next.Store = BackendKeyring
		return nil
	})
}

// ProbeKeyring writes, reads back and deletes a throwaway item through kr
// (the OS keychain when nil), each call bounded by KeyringTimeout: nil
// means a Secret Service (or Keychain, or Credential Manager) answers.
func ProbeKeyring(kr Keyring) error {
	if kr == nil {
		kr = OSKeyring{}
	}
	k := &KeyringStore{Keyring: kr}
	profile := fmt.Sprintf("probe-%d", os.Getpid())
	if _, err := k.put(profile, &entry{Record: Record{Method: "probe"}}); err != nil {
		return err
	}
	e, err := k.entry(profile)
	if _, derr := k.remove(profile); err == nil {
		err = derr
	}
	if err == nil && (e == nil || e.Method != "probe") {
		err = errors.New("the keychain did not return the item just written")
	}
	return err
}
