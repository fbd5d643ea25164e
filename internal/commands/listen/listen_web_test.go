package listen

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/lcwh/lcwh/internal/inspector"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/render"
)

// TestWithoutWebNothingIsPaid: without --web no inspector is made (nothing
// bound, nothing handed over) and a --quiet listener emits no events at
// all, as before the inspector existed. With --web the listener hands the
// inspector every event itself (Observer): a --quiet --web listener still
// emits nothing on Events, so no event crosses to another goroutine.
func TestWithoutWebNothingIsPaid(t *testing.T) {
	ios, _ := iostreams.Test()
	est := render.NewStyles(ios.ErrOut, false)
	web, err := bindWeb(&Options{IO: ios, WebAddr: "127.0.0.1:0"}, est)
	if err != nil || web != nil || web.hub() != nil {
		t.Fatalf("bindWeb without --web: %v, %v", web, err)
	}
	var buf bytes.Buffer
	web.announce(&buf, est, &Options{Open: true, OpenBrowser: func(string) error { t.Error("a browser was opened"); return nil }})
	web.serve(t.Context(), "http://127.0.0.1:1/")
	web.stop()
	if buf.Len() != 0 {
		t.Errorf("the banner names an inspector: %q", buf.String())
	}
	hub, err := inspector.New(inspector.Config{Live: true})
	if err != nil {
		t.Fatal(err)
	}
	save := &bytes.Buffer{}
	sk := sinks{record: save, recordName: "f"}
	for _, tt := range []struct {
		name     string
		opts     Options
		hub      *inspector.Server
		emit     bool
		observed bool
	}{
		{"--quiet --save", Options{Quiet: true}, nil, false, false},
		{"--quiet --save --web", Options{Quiet: true, Web: true}, hub, false, true},
		{"--save", Options{}, nil, true, false},
		{"--save --web", Options{Web: true}, hub, true, true},
	} {
		cfg := listenerConfig(&tt.opts, sk, tt.hub)
		if cfg.Emit != tt.emit || (cfg.Observer != nil) != tt.observed {
			t.Errorf("%s: Emit %v, Observer %v; want Emit %v, observed %v", tt.name, cfg.Emit, cfg.Observer, tt.emit, tt.observed)
		}
	}
}

// TestWebBanner: with --web the banner prints the inspector's URL and its
// bound, and a non-loopback --web-addr is warned about.
func TestWebBanner(t *testing.T) {
	ios, ts := iostreams.Test()
	est := render.NewStyles(ios.ErrOut, false)
	web, err := bindWeb(&Options{IO: ios, Web: true, WebAddr: "127.0.0.1:0", WebAddrSet: true}, est)
	if err != nil {
		t.Fatal(err)
	}
	defer web.stop()
	var buf bytes.Buffer
	var opened string
	web.announce(&buf, est, &Options{Open: true, OpenBrowser: func(u string) error { opened = u; return nil }})
	if u := web.srv.URL(); !bytes.Contains(buf.Bytes(), []byte("inspector: "+u+" (keeps the last 10000 events)")) || opened != u {
		t.Errorf("banner %q, opened %q, want %s", buf.String(), opened, u)
	}
	if ts.ErrOut.Len() != 0 {
		t.Errorf("a loopback address was warned about: %q", ts.ErrOut.String())
	}
}

// TestWarnExposed: anything but loopback in --web-addr is warned about
// (checked without binding one: tests stay on loopback).
func TestWarnExposed(t *testing.T) {
	ios, _ := iostreams.Test()
	est := render.NewStyles(ios.ErrOut, false)
	for addr, warn := range map[string]bool{
		"127.0.0.1:4040": false, "localhost:4040": false, "[::1]:4040": false,
		"0.0.0.0:4040": true, ":4040": true, "192.168.1.7:4040": true,
	} {
		var buf bytes.Buffer
		warnExposed(&buf, est, addr, &net.TCPAddr{Port: 4040})
		if got := strings.Contains(buf.String(), "exposes the inspector"); got != warn {
			t.Errorf("%s: warned %v, want %v (%q)", addr, got, warn, buf.String())
		}
	}
}
