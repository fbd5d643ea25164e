package config

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/lcwh/lcwh/internal/termtext"
)

// Kind says how a key's value is validated.
type Kind int

// The kinds of value a key takes.
const (
	KindString Kind = iota
	KindURL
	KindPort
	KindVersion
	KindEnum
)

// Key is one known setting. The table below is the single place a key is
// declared; docs (`lcwh help environment`, README) are generated from it.
type Key struct {
	Name        string
	Default     string
	Description string
	Kind        Kind
	Enum        []string
	// Secret keys print redacted in `config list`.
	Secret bool
}

// Env is the environment variable that sets the key.
func (k Key) Env() string { return EnvPrefix + strings.ToUpper(k.Name) }

// EnvPrefix starts every lcwh environment variable.
const EnvPrefix = "LCWH_"

var knownKeys = []Key{
	{Name: "api_url", Default: "https://api.livechatinc.com", Kind: KindURL,
		Description: "Base URL of the LiveChat API (Configuration API lives under it)"},
	{Name: "accounts_url", Default: "https://accounts.livechat.com", Kind: KindURL,
		Description: "Base URL of the LiveChat accounts (OAuth) server"},
	{Name: "api_version", Default: "3.6", Kind: KindVersion,
		Description: "Configuration API version used in request paths"},
	{Name: "client_id", Kind: KindString,
		Description: "OAuth client id of your LiveChat app (webhooks are registered per client id)"},
	{Name: "account_id", Kind: KindString,
		Description: "LiveChat account id (for Personal Access Tokens)"},
	{Name: "sandbox_url", Default: "http://127.0.0.1:8484", Kind: KindURL,
		Description: "Base URL of a running `lcwh sandbox` (used by sandbox trigger and sandbox env)"},
	{Name: "listen_port", Default: "8080", Kind: KindPort,
		Description: "Port `lcwh listen` binds to"},
	{Name: "credential_store", Default: "auto", Kind: KindEnum, Enum: []string{"auto", "keyring", "file"},
		Description: "Where logins are stored: the OS keychain with a 0600 file fallback (auto), only the keychain, or only the file (headless CI)"},
	{Name: "secret", Kind: KindString, Secret: true,
		Description: "Webhook secret_key: put in samples, verified by listen"},
	{Name: "monday_secret", Kind: KindString, Secret: true,
		Description: "monday.com signing secret: signs send-sample's lifecycle JWTs, verified by listen; HS256 is an assumption"},
}

// Keys returns every known key, sorted by name.
func Keys() []Key {
	out := append([]Key(nil), knownKeys...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// KeyNames returns the sorted names of every known key.
func KeyNames() []string {
	var names []string
	for _, k := range Keys() {
		names = append(names, k.Name)
	}
	return names
}

// Lookup finds a key by name.
func Lookup(name string) (Key, bool) {
	for _, k := range knownKeys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// UnknownKeyError names a key lcwh does not know.
type UnknownKeyError struct{ Name string }

func (e *UnknownKeyError) Error() string { return fmt.Sprintf("unknown configuration key %q", e.Name) }

// Hint lists the keys that exist.
func (e *UnknownKeyError) Hint() string {
	return "Known keys: " + strings.Join(KeyNames(), ", ") + "."
}

// ExitCode makes an unknown key a usage error.
func (e *UnknownKeyError) ExitCode() int { return 2 }

// Validate checks value for the key named name.
func Validate(name, value string) error {
	k, ok := Lookup(name)
	if !ok {
		return &UnknownKeyError{Name: name}
	}
	return k.Validate(value)
}

// Validate checks value against the key's kind.
func (k Key) Validate(value string) error {
	switch k.Kind {
	case KindURL:
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s must be an absolute http(s) URL such as %s, not %q", k.Name, k.Default, value)
		}
	case KindPort:
		if _, err := ParsePort(value); err != nil {
			return fmt.Errorf("%s: %w", k.Name, err)
		}
	case KindVersion:
		if _, err := strconv.ParseFloat(value, 64); err != nil || strings.Count(value, ".") != 1 {
			return fmt.Errorf("%s must look like 3.6, not %q", k.Name, value)
		}
	case KindEnum:
		for _, e := range k.Enum {
			if value == e {
				return nil
			}
		}
		return fmt.Errorf("%s must be one of %s, not %q", k.Name, strings.Join(k.Enum, ", "), value)
	}
	return nil
}

// ParsePort parses a TCP port number (1–65535).
func ParsePort(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%q is not a port number (1-65535)", s)
	}
	return n, nil
}

// Redact hides a secret value, keeping a short prefix so two values can be told apart.
func Redact(v string) string {
	if v == "" {
		return ""
	}
	if len(v) <= 8 {
		return "****"
	}
	return termtext.Line(termtext.Truncate(v, 3, "")) + "****"
}
