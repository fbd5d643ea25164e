package build

import (
	"runtime/debug"
	"testing"
)

func TestResolveLdflagsWin(t *testing.T) {
	got := resolve("1.2.3", "abc", "2026-01-01", func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "zzz"}}}, true
	})
	if got.Version != "1.2.3" || got.Commit != "abc" || got.Date != "2026-01-01" {
		t.Fatalf("got %+v, want ldflags values", got)
	}
}

func TestResolveFallsBackToBuildInfo(t *testing.T) {
	got := resolve("", "", "", func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Version: "v0.4.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef"},
			{Key: "vcs.time", Value: "2026-11-20T10:00:00Z"},
		}}, true
	})
	if got.Version != "0.4.0" || got.Commit != "0123456789abcdef" || got.Date != "2026-11-20T10:00:00Z" {
		t.Fatalf("got %+v", got)
	}
	if got.ShortCommit() != "0123456789ab" {
		t.Fatalf("short commit %q", got.ShortCommit())
	}
}

func TestResolveDevel(t *testing.T) {
	got := resolve("", "", "", func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true
	})
	if got.Version != "dev" || got.Commit != "unknown" || got.Date != "unknown" {
		t.Fatalf("got %+v", got)
	}
}
