//go:build unix && !darwin

package credstore

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
)

// errNoSessionBus stands in for the keychain when there is no D-Bus session
// bus: go-keyring's Secret Service client would otherwise run dbus-launch
// (when installed), which starts a session bus and keyring daemon that
// outlive lcwh, one per run, on every headless machine.
var errNoSessionBus = errors.New("no D-Bus session bus for the Secret Service (DBUS_SESSION_BUS_ADDRESS is not set)")

// sessionBus reports whether a session bus can be found the way godbus
// finds one without autolaunching: DBUS_SESSION_BUS_ADDRESS, else
// /run/user/<uid>/bus or /run/user/<uid>/dbus-session.
func sessionBus(lookupEnv func(string) (string, bool)) error {
	if a, _ := lookupEnv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	run := filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(run, name)); err == nil {
			return nil
		}
	}
	return errNoSessionBus
}
