//go:build !unix || darwin

package credstore

// sessionBus is nil where the keychain is not reached over D-Bus (macOS
// Keychain, Windows Credential Manager).
func sessionBus(func(string) (string, bool)) error { return nil }
