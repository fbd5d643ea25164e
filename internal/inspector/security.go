package inspector

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// contentSecurityPolicy allows the page its own scripts, styles and
// requests and nothing else: no inline script, no other origin, no frames,
// no forms posted anywhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// hostRule is which Host headers name this server. A name that resolves
// through DNS could point anywhere (DNS rebinding): only the bound address,
// localhost and, for a wildcard bind, IP literals are accepted.
type hostRule struct {
	canonical string // what the printed URL uses
	port      string
	exact     map[string]bool
	anyIP     bool
}

func newHostRule(host string, port int) hostRule {
	p := strconv.Itoa(port)
	r := hostRule{port: p, exact: map[string]bool{}}
	ip := net.ParseIP(host)
	switch {
	case host == "" || (ip != nil && ip.IsUnspecified()):
		r.anyIP = true
		r.canonical = net.JoinHostPort("127.0.0.1", p)
	default:
		r.canonical = net.JoinHostPort(host, p)
	}
	r.exact[r.canonical] = true
	if host == "localhost" || (ip != nil && ip.IsLoopback()) || r.anyIP {
		r.exact[net.JoinHostPort("localhost", p)] = true
	}
	return r
}

func (r hostRule) allows(hostport string) bool {
	if r.exact[strings.ToLower(hostport)] {
		return true
	}
	if !r.anyIP {
		return false
	}
	h, p, err := net.SplitHostPort(hostport)
	return err == nil && p == r.port && net.ParseIP(h) != nil
}

// IsLoopback reports whether host (of --web-addr) keeps the inspector on
// this machine.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// authorised reports whether r carries the run's token: the cookie the
// page got, or Authorization: Bearer for scripts.
func (s *Server) authorised(r *http.Request) bool {
	if c, err := r.Cookie(s.cookie); err == nil && s.tokenIs(c.Value) {
		return true
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return s.tokenIs(a[7:])
	}
	return false
}

func (s *Server) tokenIs(v string) bool {
	return subtle.ConstantTimeCompare([]byte(v), []byte(s.token)) == 1
}

// sameOrigin reports whether a state-changing request comes from the
// page itself: Origin must be this server (as named in Host, which is
// checked already), and a browser's Sec-Fetch-Site must agree.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	return r.Header.Get("Origin") == "http://"+r.Host
}

// setTokenCookie hands the page its token: HttpOnly (no script reads it),
// SameSite=Strict (no other site's request carries it).
func (s *Server) setTokenCookie(w http.ResponseWriter) {
	// Not Secure: the inspector speaks plain HTTP on loopback, where a
	// Secure cookie would never be sent back.
	c := &http.Cookie{Name: s.cookie, Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode} //nolint:gosec // not Secure on purpose, see above
	http.SetCookie(w, c)
}

// ServeHTTP applies the security rules, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if !s.hosts.allows(r.Host) {
		writeError(w, http.StatusMisdirectedRequest, "Host "+strconv.Quote(r.Host)+" is not this inspector's address (http://"+s.hosts.canonical+"/); requests naming another host are refused (DNS rebinding)")
		return
	}
	if r.URL.Path == "/" && r.Method == http.MethodGet {
		s.serveIndex(w, r)
		return
	}
	if !s.authorised(r) {
		writeError(w, http.StatusUnauthorized, "missing or wrong token: open the URL lcwh printed (it carries the token), or send Authorization: Bearer <token>")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "cross-origin request refused: Origin must be http://"+r.Host)
		return
	}
	s.mux.ServeHTTP(w, r)
}
