// Package credstoretest helps tests that need the real OS keychain.
package credstoretest

import (
	"os"
	"testing"

	"github.com/lcwh/lcwh/internal/credstore"
)

// RequireSecretService skips t, saying why, unless the OS keychain works
// (on Linux a Secret Service such as gnome-keyring on the session D-Bus).
// With CI=true it fails instead: CI installs one (.ci/run) and must not
// pass by skipping.
func RequireSecretService(t testing.TB) {
	t.Helper()
	err := credstore.ProbeKeyring(nil)
	if err == nil {
		return
	}
	msg := "no usable OS keychain (" + err.Error() + "); on Linux run under " +
		"dbus-run-session with gnome-keyring-daemon --unlock --components=secrets, as .ci/run does"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
