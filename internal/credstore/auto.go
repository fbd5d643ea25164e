package credstore

import (
	"errors"
	"fmt"
	"path/filepath"
)

// Modes of the credential_store setting.
const (
	ModeAuto    = "auto"
	ModeKeyring = "keyring"
	ModeFile    = "file"
)

// Auto prefers the keychain and falls back to the file when the keychain is
// unavailable. A record written to the keychain removes any file copy, so
// one profile never has two diverging credentials.
type Auto struct {
	Keyring Store
	File    Store
}

// Get reads the keychain first, then the file.
func (a *Auto) Get(profile string) (*Record, error) {
	r, err := a.Keyring.Get(profile)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrKeyringUnavailable) {
		return nil, err
	}
	return a.File.Get(profile)
}

// Set writes to the keychain, or to the file when the keychain is unavailable.
func (a *Auto) Set(profile string, r *Record) error {
	err := a.Keyring.Set(profile, r)
	if err == nil {
		_ = a.File.Delete(profile)
		return nil
	}
	if !errors.Is(err, ErrKeyringUnavailable) {
		return err
	}
	return a.File.Set(profile, r)
}

// Delete removes the record from both places.
func (a *Auto) Delete(profile string) error {
	kerr := a.Keyring.Delete(profile)
	ferr := a.File.Delete(profile)
	if errors.Is(kerr, ErrKeyringUnavailable) {
		kerr = nil
	}
	return errors.Join(kerr, ferr)
}

// FilePath is the fallback credentials file in the config directory.
func FilePath(configDir string) string { return filepath.Join(configDir, "credentials.json") }

// Open returns the Store for mode (auto, keyring or file). kr is the
// keychain to use (nil means the OS keychain).
func Open(mode, configDir string, kr Keyring) (Store, error) {
	if kr == nil {
		kr = OSKeyring{}
	}
	ks := &KeyringStore{Keyring: kr}
	fs := NewFile(FilePath(configDir))
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
