package cmdutil

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// urlExample is the shape of a good value, shown in the errors.
const urlExample = "http://127.0.0.1:8080/webhooks"

// ParseHTTPURL checks the value of flag (named as typed, "--url") is an
// absolute http:// or https:// URL with a host and, when one is given, a
// port from 1 to 65535, and returns it parsed. Anything else is a usage
// error (exit 2) that names the flag, says what is wrong and shows a good
// value; a password in the value is masked in the message.
func ParseHTTPURL(flag, value string) (*url.URL, error) {
	shown := redactUserinfo(value)
	bad := func(why string) error {
		return FlagErrorf("invalid %s %q: %s (e.g. %s)", flag, shown, why, urlExample)
	}
	scheme, rest, ok := strings.Cut(value, "://")
	if !ok || (!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https")) {
		return nil, bad("not an absolute http(s) URL")
	}
	// The port is checked by hand first: url.Parse's message for a bad
	// one quotes the whole URL (password included), and it accepts any
	// number of digits.
	if port, ok := portOf(authority(rest)); ok {
		if err := checkPort(port); err != "" {
			return nil, bad(err)
		}
	}
	u, err := url.Parse(value)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, bad("not an absolute http(s) URL with a host")
	}
	return u, nil
}

// authority is the host part after "scheme://": up to the path, query or
// fragment.
func authority(rest string) string {
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return rest[:i]
	}
	return rest
}

// portOf returns what follows the host's colon, if there is one; an
// IPv6 literal's colons are inside brackets.
func portOf(auth string) (string, bool) {
	hostport := auth[strings.LastIndex(auth, "@")+1:]
	if strings.HasPrefix(hostport, "[") {
		end := strings.Index(hostport, "]")
		if end < 0 || !strings.HasPrefix(hostport[end+1:], ":") {
			return "", false
		}
		return hostport[end+2:], true
	}
	i := strings.LastIndex(hostport, ":")
	if i < 0 {
		return "", false
	}
	return hostport[i+1:], true
}

// checkPort says what is wrong with a port, or "". An empty port (host:)
// means the scheme's default, as net/http reads it.
func checkPort(port string) string {
	if port == "" {
		return ""
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return fmt.Sprintf("port %q is not a number", port)
		}
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Sprintf("port %s is out of range (1-65535)", port)
	}
	return ""
}

// redactUserinfo masks the password of a URL that may not parse.
func redactUserinfo(value string) string {
	scheme, rest, ok := strings.Cut(value, "://")
	if !ok {
		return value
	}
	auth := authority(rest)
	at := strings.LastIndex(auth, "@")
	if at < 0 {
		return value
	}
	user, _, hasPass := strings.Cut(auth[:at], ":")
	if !hasPass {
		return value
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
