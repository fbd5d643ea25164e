package termtext

import (
	"net/url"
	"strings"
)

// RedactedUser replaces what a URL's userinfo would reveal: a password
// becomes "xxxxx" as (*url.URL).Redacted writes it, and a user name
// without a password, which is often a token, becomes "xxxxx" too.
const RedactedUser = "xxxxx"

// RedactURL returns raw with its userinfo hidden (user:xxxxx@ or
// xxxxx@), for printing a URL that came from the user or a server. Text
// that is not a URL is returned unchanged, and one that does not parse is
// redacted by hand, so a malformed URL cannot slip a password through.
func RedactURL(raw string) string {
	if !strings.Contains(raw, "@") {
		return raw
	}
	if u, err := url.Parse(raw); err == nil {
		if u.User == nil {
			return raw
		}
		return RedactUserinfo(u).String()
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	user := RedactedUser
	if name, _, hasPass := strings.Cut(rest[:at], ":"); hasPass {
		user = name + ":" + RedactedUser
	}
	return scheme + "://" + user + rest[at:]
}

// RedactUserinfo returns u, or a copy of it with the userinfo hidden as
// RedactURL describes.
func RedactUserinfo(u *url.URL) *url.URL {
	if u == nil || u.User == nil {
		return u
	}
	c := *u
	if _, hasPass := u.User.Password(); hasPass {
		c.User = url.UserPassword(u.User.Username(), RedactedUser)
	} else {
		c.User = url.User(RedactedUser)
	}
	return &c
}

// URL returns raw ready to print: userinfo hidden (RedactURL) and
// terminal controls removed (Line).
func URL(raw string) string {
	return Line(RedactURL(raw))
}
