package config

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/lcwh/lcwh/internal/suggest"
)

// ErrIsDirectory means the config path names a directory.
var ErrIsDirectory = errors.New("is a directory, not a file")

// readConfig reads the config file at path; a directory is ErrIsDirectory
// rather than read(2)'s EISDIR, so the message says what to do.
func readConfig(path string) ([]byte, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, &FileError{Path: path, Err: ErrIsDirectory}
	}
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, &FileError{Path: path, Err: err}
	}
	return b, err
}

// ValueError is a value in the config file that its key does not accept.
type ValueError struct {
	Path    string
	Profile string // "" for the top level
	Key     string
	Err     error
}

func (e *ValueError) Error() string {
	where := ""
	if e.Profile != "" {
		where = "profile " + e.Profile + ": "
	}
	return fmt.Sprintf("config file %s: %s%v", e.Path, where, e.Err)
}

func (e *ValueError) Unwrap() error { return e.Err }

// Hint names the command that fixes the value, and the file.
func (e *ValueError) Hint() string {
	cmd := "lcwh config set " + e.Key + " VALUE"
	if e.Profile != "" {
		cmd = "lcwh config set --profile " + e.Profile + " " + e.Key + " VALUE"
	}
	return fmt.Sprintf("Fix it with %q (\"lcwh help environment\" says what %s takes), or edit %s.", cmd, e.Key, e.Path)
}

// checkValues validates every known key the file sets at the top level and
// in the active profile: a bad value fails every command that reads the
// configuration, naming the file and key, before it can be used.
func checkValues(path string, doc fileDoc, profile string) error {
	sections := []struct {
		profile string
		keys    map[string]any
	}{{"", doc.top}}
	if profile != "" {
		sections = append(sections, struct {
			profile string
			keys    map[string]any
		}{profile, doc.profiles[profile]})
	}
	for _, sec := range sections {
		for _, name := range sortedKeys(sec.keys) {
			k, ok := Lookup(name)
			if !ok {
				continue
			}
			var err error
			if s, isString := sec.keys[name].(string); isString {
				err = k.Validate(s)
			} else {
				err = fmt.Errorf("%s must be a single value, not a list or mapping", name)
			}
			if err != nil {
				return &ValueError{Path: path, Profile: sec.profile, Key: name, Err: err}
			}
		}
	}
	return nil
}

// unknownKeys lists the file's keys that lcwh does not know, each as it
// would be written in the file (profiles.NAME.KEY inside a profile), with
// the closest known key when one is near.
func unknownKeys(doc fileDoc) []string {
	var out []string
	describe := func(prefix, name string) string {
		msg := fmt.Sprintf("unknown key %q is ignored", prefix+name)
		if near := suggest.Closest(name, KeyNames(), 1); len(near) == 1 {
			msg += fmt.Sprintf("; did you mean %q?", near[0])
		} else {
			msg += " (\"lcwh config list\" shows the known keys)"
		}
		return msg
	}
	for _, name := range sortedKeys(doc.top) {
		if _, ok := Lookup(name); !ok {
			out = append(out, describe("", name))
		}
	}
	var profiles []string
	for p := range doc.profiles {
		profiles = append(profiles, p)
	}
	sort.Strings(profiles)
	for _, p := range profiles {
		for _, name := range sortedKeys(doc.profiles[p]) {
			if _, ok := Lookup(name); !ok {
				out = append(out, describe("profiles."+p+".", name))
			}
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
