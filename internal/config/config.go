// Package config resolves lcwh's settings: a flag beats its LCWH_<KEY>
// environment variable, which beats the config file (the chosen profile,
// then the top level), which beats the built-in default. Each run builds its
// own viper instance; nothing here is global.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// Source says where a resolved value came from.
type Source string

// The sources, in precedence order; `lcwh config list` shows their names.
const (
	SourceFlag    Source = "flag"
	SourceEnv     Source = "env"
	SourceFile    Source = "file"
	SourceProfile Source = "profile"
	SourceDefault Source = "default"
)

// Options locate the config file and the profile.
type Options struct {
	// Path is --config; empty means LCWH_CONFIG, then the XDG default.
	Path string
	// Profile is --profile; empty means LCWH_PROFILE, then the top level.
	Profile string
	// LookupEnv reads the environment (os.LookupEnv outside tests).
	LookupEnv func(string) (string, bool)
	// Warn, when set, receives one line per problem Load tolerates (an
	// unknown key in the file), once per Load.
	Warn func(msg string)
}

// Config is the resolved configuration for one run.
type Config struct {
	v         *viper.Viper
	path      string
	profile   string
	lookupEnv func(string) (string, bool)
	fileKeys  map[string]bool
	profKeys  map[string]bool
	profiles  []string
	flags     map[string]*pflag.Flag
}

// FileError is a config file that cannot be read or parsed.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("config file %s: %v", e.Path, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// Hint says how to get out of a broken file.
func (e *FileError) Hint() string {
	if errors.Is(e.Err, ErrIsDirectory) {
		return fmt.Sprintf("Point --config (or LCWH_CONFIG) at a YAML file, such as %s, or move the directory out of the way.",
			filepath.Join(e.Path, "config.yaml"))
	}
	return fmt.Sprintf("Fix the YAML in %s, or point --config / LCWH_CONFIG at another file.", e.Path)
}

// ProfileError names a profile that the config file does not define.
type ProfileError struct {
	Name, Path string
	Known      []string
}

func (e *ProfileError) Error() string {
	return fmt.Sprintf("profile %q is not defined in %s", e.Name, e.Path)
}

// Hint says how to create the profile or pick an existing one.
func (e *ProfileError) Hint() string {
	h := fmt.Sprintf("Create it with \"lcwh config set --profile %s KEY VALUE\"", e.Name)
	if len(e.Known) > 0 {
		h += fmt.Sprintf(", or use one of: %v", e.Known)
	}
	return h + "."
}

// DefaultPath returns LCWH_CONFIG, else $XDG_CONFIG_HOME/lcwh/config.yaml,
// else ~/.config/lcwh/config.yaml.
func DefaultPath(lookupEnv func(string) (string, bool)) string {
	if p, ok := lookupEnv("LCWH_CONFIG"); ok && p != "" {
		return p
	}
	return filepath.Join(Dir(lookupEnv), "config.yaml")
}

// Dir is lcwh's configuration directory (credentials live there too).
func Dir(lookupEnv func(string) (string, bool)) string {
	if x, ok := lookupEnv("XDG_CONFIG_HOME"); ok && x != "" {
		return filepath.Join(x, "lcwh")
	}
	home, _ := lookupEnv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".config", "lcwh")
}

// Load reads the config file (a missing file is fine) and prepares resolution.
func Load(opts Options) (*Config, error) {
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	c := &Config{
		v:         viper.New(),
		path:      opts.Path,
		profile:   opts.Profile,
		lookupEnv: opts.LookupEnv,
		fileKeys:  map[string]bool{},
		profKeys:  map[string]bool{},
		flags:     map[string]*pflag.Flag{},
	}
	if c.path == "" {
		c.path = DefaultPath(opts.LookupEnv)
	}
	if c.profile == "" {
		c.profile, _ = opts.LookupEnv("LCWH_PROFILE")
	}
	for _, k := range knownKeys {
		c.v.SetDefault(k.Name, k.Default)
	}
	doc, err := readFile(c.path)
	if err != nil {
		return nil, err
	}
	if err := c.apply(doc); err != nil {
		return nil, err
	}
	if err := checkValues(c.path, doc, c.profile); err != nil {
		return nil, err
	}
	if opts.Warn != nil {
		for _, msg := range unknownKeys(doc) {
			opts.Warn(fmt.Sprintf("config file %s: %s", c.path, msg))
		}
	}
	// Environment values are merged over the file through the injected
	// LookupEnv (viper's AutomaticEnv would read the process environment
	// behind the caller's back); bound flags still win over both.
	env := map[string]any{}
	for _, k := range knownKeys {
		if v, ok := c.lookupEnv(k.Env()); ok && v != "" {
			env[k.Name] = v
		}
	}
	if err := c.v.MergeConfigMap(env); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) apply(doc fileDoc) error {
	top := map[string]any{}
	for k, val := range doc.top {
		top[k] = val
		c.fileKeys[k] = true
	}
	if err := c.v.MergeConfigMap(top); err != nil {
		return &FileError{Path: c.path, Err: err}
	}
	for name := range doc.profiles {
		c.profiles = append(c.profiles, name)
	}
	sort.Strings(c.profiles)
	if c.profile == "" {
		return nil
	}
	prof, ok := doc.profiles[c.profile]
	if !ok {
		return &ProfileError{Name: c.profile, Path: c.path, Known: c.profiles}
	}
	for k := range prof {
		c.profKeys[k] = true
	}
	if err := c.v.MergeConfigMap(prof); err != nil {
		return &FileError{Path: c.path, Err: err}
	}
	return nil
}

type fileDoc struct {
	top      map[string]any
	profiles map[string]map[string]any
}

func readFile(path string) (fileDoc, error) {
	doc := fileDoc{top: map[string]any{}, profiles: map[string]map[string]any{}}
	b, err := readConfig(path)
	if errors.Is(err, os.ErrNotExist) {
		return doc, nil
	}
	if err != nil {
		return doc, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return doc, nil
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return doc, &FileError{Path: path, Err: err}
	}
	for k, val := range raw {
		if k != "profiles" {
			doc.top[k] = scalarString(val)
			continue
		}
		profs, ok := val.(map[string]any)
		if !ok && val != nil {
			return doc, &FileError{Path: path, Err: errors.New("profiles must be a mapping of profile names to keys")}
		}
		for name, pv := range profs {
			pm, ok := pv.(map[string]any)
			if !ok && pv != nil {
				return doc, &FileError{Path: path, Err: fmt.Errorf("profiles.%s must be a mapping of keys to values", name)}
			}
			m := map[string]any{}
			for pk, pval := range pm {
				m[pk] = scalarString(pval)
			}
			doc.profiles[name] = m
		}
	}
	return doc, nil
}

func scalarString(v any) any {
	switch v.(type) {
	case map[string]any, []any:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// BindFlag makes flag f (when set on the command line) win for key.
func (c *Config) BindFlag(key string, f *pflag.Flag) {
	if f == nil {
		return
	}
	c.flags[key] = f
	_ = c.v.BindPFlag(key, f)
}

// Get returns the resolved value of key.
func (c *Config) Get(key string) string { return c.v.GetString(key) }

// Source says where key's value comes from.
func (c *Config) Source(key string) Source {
	if f, ok := c.flags[key]; ok && f.Changed {
		return SourceFlag
	}
	if k, ok := Lookup(key); ok {
		// viper ignores empty variables, so an empty one is not a source either.
		if v, set := c.lookupEnv(k.Env()); set && v != "" {
			return SourceEnv
		}
	}
	if c.profKeys[key] {
		return SourceProfile
	}
	if c.fileKeys[key] {
		return SourceFile
	}
	return SourceDefault
}

// Port returns key parsed as a port, with an error naming where the bad value came from.
func (c *Config) Port(key string) (int, error) {
	p, err := ParsePort(c.Get(key))
	if err != nil {
		return 0, c.sourceError(key, err)
	}
	return p, nil
}

// URL returns key validated as an http(s) URL.
func (c *Config) URL(key string) (string, error) {
	val := c.Get(key)
	if err := Validate(key, val); err != nil {
		return "", c.sourceError(key, err)
	}
	return val, nil
}

func (c *Config) sourceError(key string, err error) error {
	switch c.Source(key) {
	case SourceEnv:
		k, _ := Lookup(key)
		return fmt.Errorf("environment variable %s: %w", k.Env(), err)
	case SourceFile:
		return &ValueError{Path: c.path, Key: key, Err: err}
	case SourceProfile:
		return &ValueError{Path: c.path, Profile: c.profile, Key: key, Err: err}
	}
	return err
}

// Path is the config file in use (it may not exist yet).
func (c *Config) Path() string { return c.path }

// Profile is the active profile, "" for the top level.
func (c *Config) Profile() string { return c.profile }

// Profiles lists the profiles the file defines.
func (c *Config) Profiles() []string { return c.profiles }

// Checked returns the key's value after validating it against its kind
// (enum, URL, port…), naming the flag, variable or file that set a bad value.
func (c *Config) Checked(key string) (string, error) {
	val := c.Get(key)
	if err := Validate(key, val); err != nil {
		return "", c.sourceError(key, err)
	}
	return val, nil
}
