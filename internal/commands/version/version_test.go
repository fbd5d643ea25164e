package version

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/iostreams"
)

var info = build.Info{Version: "1.2.3", Commit: "0123456789abcdef", Date: "2026-11-25T10:00:00Z", GoVersion: "go1.26.8", OS: "linux", Arch: "amd64"}

func TestVersionText(t *testing.T) {
	ios, ts := iostreams.Test()
	if err := versionRun(&Options{IO: ios, Info: info}); err != nil {
		t.Fatal(err)
	}
	want := "lcwh version 1.2.3 (commit 0123456789ab, built 2026-11-25T10:00:00Z)\ngo1.26.8 linux/amd64\n"
	if diff := cmp.Diff(want, ts.Out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if ts.ErrOut.Len() != 0 {
		t.Errorf("stderr: %q", ts.ErrOut.String())
	}
}

// TestVersionJSONFields pins the documented --json field set.
func TestVersionJSONFields(t *testing.T) {
	ios, ts := iostreams.Test()
	if err := versionRun(&Options{IO: ios, Info: info, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(ts.Out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"version": "1.2.3", "commit": "0123456789abcdef", "date": "2026-11-25T10:00:00Z",
		"go_version": "go1.26.8", "os": "linux", "arch": "amd64"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
