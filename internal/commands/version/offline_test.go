package version_test

import (
	"context"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/app"
	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
)

// TestVersionIsOffline pins the promise in `lcwh version --help`: no update
// check, no telemetry. It runs the whole command tree (root hooks included)
// through app.Run and fails on any of:
//
//   - a call to a Factory func outside the local-only allowlist below. Every
//     func field is found by reflection, so a dependency added to the Factory
//     later (an HTTP or API client, credentials, a browser opener) is
//     forbidden here without anyone editing this test;
//   - a request through http.DefaultTransport (http.Get, http.DefaultClient);
//   - a DNS lookup through net.DefaultResolver, which every net/http
//     transport, however it was built, uses to resolve a host name.
//
// It cannot see a dial to a literal IP address with a private transport;
// code review has to catch that.
//
// Not parallel: it swaps process-wide net/http and net defaults.
func TestVersionIsOffline(t *testing.T) {
	forbidNetwork(t)

	for _, args := range [][]string{{"version"}, {"version", "--json"}, {"--version"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			ios, ts := iostreams.Test()
			f := offlineFactory(t, ios)
			if code := app.Run(context.Background(), f, args); code != cmdutil.ExitOK {
				t.Fatalf("exit %d, stderr %q", code, ts.ErrOut.String())
			}
			if !strings.Contains(ts.Out.String(), "9.8.7") {
				t.Errorf("stdout %q does not report the version", ts.Out.String())
			}
			if ts.ErrOut.Len() != 0 {
				t.Errorf("stderr %q, want nothing (no update notice)", ts.ErrOut.String())
			}
		})
	}
}

// localOnly lists the Factory funcs that cannot reach the network. Add a
// field here only if that stays true.
var localOnly = map[string]bool{"Config": true, "LookupEnv": true, "Now": true}

// offlineFactory returns a Factory whose func fields all fail the test when
// called, except the local-only ones, which get harmless stand-ins.
func offlineFactory(t *testing.T, ios *iostreams.IOStreams) *cmdutil.Factory {
	t.Helper()
	f := &cmdutil.Factory{}
	v := reflect.ValueOf(f).Elem()
	for i := 0; i < v.NumField(); i++ {
		field, sf := v.Field(i), v.Type().Field(i)
		if sf.Type.Kind() != reflect.Func || !sf.IsExported() {
			continue
		}
		name := sf.Name
		field.Set(reflect.MakeFunc(sf.Type, func([]reflect.Value) []reflect.Value {
			t.Errorf("lcwh version called Factory.%s; version must not touch the network or credentials", name)
			out := make([]reflect.Value, sf.Type.NumOut())
			for j := range out {
				out[j] = reflect.Zero(sf.Type.Out(j))
			}
			return out
		}))
	}
	for name := range localOnly {
		if _, ok := v.Type().FieldByName(name); !ok {
			t.Fatalf("localOnly names Factory.%s, which no longer exists", name)
		}
	}
	env := func(string) (string, bool) { return "", false }
	f.IOStreams = ios
	f.Build = build.Info{Version: "9.8.7", Commit: "0123456789abcdef", Date: "2026-11-25T10:00:00Z",
		GoVersion: "go1.26.8", OS: "linux", Arch: "amd64"}
	f.ConfigOptions = &config.Options{Path: t.TempDir() + "/config.yaml", LookupEnv: env}
	f.LookupEnv = env
	f.Now = func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }
	f.Debug = new(bool)
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) { return config.Load(*f.ConfigOptions) })
	return f
}

// forbidNetwork makes the process-wide HTTP transport and DNS resolver fail
// the test on use, and restores them afterwards.
func forbidNetwork(t *testing.T) {
	t.Helper()
	oldTransport, oldResolver := http.DefaultTransport, net.DefaultResolver
	t.Cleanup(func() { http.DefaultTransport, net.DefaultResolver = oldTransport, oldResolver })
	http.DefaultTransport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("lcwh version sent an HTTP request: %s %s", r.Method, r.URL.Redacted())
		return nil, errOffline
	})
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(_ context.Context, network, addr string) (net.Conn, error) {
		t.Errorf("lcwh version resolved a host name (%s %s)", network, addr)
		return nil, errOffline
	}}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var errOffline = &net.OpError{Op: "dial", Net: "tcp", Err: errString("network use is forbidden in this test")}

type errString string

func (e errString) Error() string { return string(e) }
