// Package build holds the version information stamped into the binary.
//
// Release builds set the variables with -ldflags -X; a plain `go install`
// build has no ldflags, so Info falls back to the module and VCS data the Go
// toolchain records in the binary, which keeps `lcwh version` truthful either way.
package build

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by -ldflags "-X github.com/lcwh/lcwh/internal/build.Version=…" and friends.
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info describes the running binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

// Current returns the ldflags values, completed from debug.ReadBuildInfo.
func Current() Info {
	return resolve(Version, Commit, Date, debug.ReadBuildInfo)
}

func resolve(version, commit, date string, read func() (*debug.BuildInfo, bool)) Info {
	info := Info{Version: version, Commit: commit, Date: date,
		GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi, ok := read(); ok {
		info.complete(bi)
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	if info.Date == "" {
		info.Date = "unknown"
	}
	return info
}

// complete fills what ldflags left empty from the build info of a
// `go install` or `go build` in a checkout.
func (i *Info) complete(bi *debug.BuildInfo) {
	if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		i.Version = strings.TrimPrefix(bi.Main.Version, "v")
	}
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && i.Commit == "":
			i.Commit = s.Value
		case s.Key == "vcs.time" && i.Date == "":
			i.Date = s.Value
		case s.Key == "vcs.modified" && s.Value == "true" && i.Commit != "" && !strings.HasSuffix(i.Commit, "-dirty"):
			i.Commit += "-dirty"
		}
	}
}

// ShortCommit is the first 12 characters of the commit, for human output.
func (i Info) ShortCommit() string {
	if len(i.Commit) > 12 && !strings.HasSuffix(i.Commit, "-dirty") {
		return i.Commit[:12]
	}
	return i.Commit
}
