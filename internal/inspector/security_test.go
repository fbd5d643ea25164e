package inspector

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/signature"
)

// TestSecurityRules: the answers a page on localhost must give to what
// another site, a rebinding DNS name or a process without the token sends.
func TestSecurityRules(t *testing.T) {
	ts := start(t, Config{Live: true})
	ts.Add(sample(t, 1, "incoming_chat"))
	port := ts.base[strings.LastIndex(ts.base, ":")+1:]
	tests := []struct {
		name   string
		method string
		path   string
		edit   func(*http.Request)
		want   int
	}{
		{"page's own request", "GET", "/api/events", nil, 200},
		{"localhost names it too", "GET", "/api/info", func(r *http.Request) { r.Host = "localhost:" + port }, 200},
		{"Host evil.example (DNS rebinding)", "GET", "/api/events", func(r *http.Request) { r.Host = "evil.example" }, 421},
		{"Host evil.example on its port", "GET", "/", func(r *http.Request) { r.Host = "evil.example:" + port }, 421},
		{"another port", "GET", "/api/info", func(r *http.Request) { r.Host = "127.0.0.1:1" }, 421},
		{"missing token", "GET", "/api/events", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"missing token, page", "GET", "/", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"missing token, feed", "GET", "/api/stream", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"missing token, assets", "GET", "/assets/app.js", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"wrong token", "GET", "/api/events/1", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, 401},
		{"wrong token in the URL", "GET", "/?token=nope", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"cross-origin replay POST", "POST", "/api/replay", func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }, 403},
		{"replay POST without Origin", "POST", "/api/replay", func(r *http.Request) { r.Header.Del("Origin") }, 403},
		{"cross-site fetch metadata", "POST", "/api/send", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, 403},
		{"replay POST without token", "POST", "/api/replay", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"other method", "DELETE", "/api/events/1", nil, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.req(tt.method, tt.path, `{"ids":[1],"to":"http://127.0.0.1:1/"}`)
			if tt.edit != nil {
				tt.edit(r)
			}
			code, h, body := ts.do(r)
			if code != tt.want {
				t.Fatalf("status %d, want %d: %s", code, tt.want, body)
			}
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("framing/sniffing headers missing: %v", h)
			}
		})
	}
}

// TestTokenBecomesCookie: the printed URL sets an HttpOnly, SameSite=Strict
// cookie with which the page's requests then pass.
func TestTokenBecomesCookie(t *testing.T) {
	ts := start(t, Config{Live: true})
	if !strings.HasSuffix(ts.URL(), "/?token="+testToken) || !strings.HasPrefix(ts.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %q", ts.URL())
	}
	r := ts.req("GET", "/?token="+testToken, "")
	r.Header.Del("Authorization")
	code, h, body := ts.do(r)
	if code != 200 || !strings.Contains(string(body), `<script src="/assets/app.js"`) {
		t.Fatalf("page: %d %s", code, body)
	}
	if strings.Contains(string(body), "<script>") || strings.Contains(string(body), "style=") {
		t.Error("the page has an inline script or style (the CSP forbids them)")
	}
	if csp := h.Get("Content-Security-Policy"); csp != contentSecurityPolicy || strings.Contains(csp, "unsafe") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("page's Content-Security-Policy %q", csp)
	}
	var c *http.Cookie
	for _, x := range (&http.Response{Header: h}).Cookies() {
		c = x
	}
	if c == nil || c.Value != testToken || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" {
		t.Fatalf("cookie %+v, want the token, HttpOnly, SameSite=Strict, Path=/", c)
	}
	r = ts.req("GET", "/api/info", "")
	r.Header.Del("Authorization")
	r.AddCookie(c)
	if code, _, body := ts.do(r); code != 200 {
		t.Fatalf("with the cookie: %d %s", code, body)
	}
}

func TestHostRule(t *testing.T) {
	tests := []struct {
		bind string
		host string
		want bool
	}{
		{"127.0.0.1", "127.0.0.1:4040", true},
		{"127.0.0.1", "localhost:4040", true},
		{"127.0.0.1", "LOCALHOST:4040", true},
		{"127.0.0.1", "127.0.0.1", false},
		{"127.0.0.1", "evil.example:4040", false},
		{"127.0.0.1", "127.0.0.2:4040", false},
		{"::1", "[::1]:4040", true},
		{"0.0.0.0", "192.168.1.7:4040", true},
		{"0.0.0.0", "attacker.example:4040", false},
		{"0.0.0.0", "192.168.1.7:4041", false},
		{"192.168.1.7", "192.168.1.7:4040", true},
		{"192.168.1.7", "localhost:4040", false},
	}
	for _, tt := range tests {
		if got := newHostRule(tt.bind, 4040).allows(tt.host); got != tt.want {
			t.Errorf("bound %s, Host %s: allowed %v, want %v", tt.bind, tt.host, got, tt.want)
		}
	}
}

// TestChangesNeedTokenAndOrigin: a state-changing request passes with the
// page's cookie and its own Origin; the cookie alone (a cross-origin form
// or fetch a browser would send it with, were SameSite not Strict) is
// refused, and so is the Origin alone.
func TestChangesNeedTokenAndOrigin(t *testing.T) {
	app := newCapture(t)
	ts := start(t, Config{Live: true})
	ts.Add(event(1, []byte(`{"action":"incoming_chat"}`)))
	cookie := &http.Cookie{Name: ts.cookie, Value: testToken}
	body := `{"to":"` + app.srv.URL + `","body":"{\"action\":\"edited\"}","from":1}`
	tests := []struct {
		name   string
		cookie bool
		origin string
		want   int
	}{
		{"cookie and same origin", true, ts.base, 200},
		{"cookie, another origin", true, "http://evil.example", 403},
		{"cookie, a look-alike origin", true, ts.base + ".evil.example", 403},
		{"cookie, no origin", true, "", 403},
		{"same origin, no token", false, ts.base, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.req("POST", "/api/send", body)
			r.Header.Del("Authorization")
			r.Header.Del("Origin")
			if tt.cookie {
				r.AddCookie(cookie)
			}
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if code, _, b := ts.do(r); code != tt.want {
				t.Fatalf("status %d, want %d: %s", code, tt.want, b)
			}
		})
	}
	if bodies, _ := app.got(); len(bodies) != 1 {
		t.Errorf("the app got %d sends, want only the allowed one", len(bodies))
	}
}

// TestBindNextFree: a taken default port moves to the next free one (the
// URL and the Host rule follow it); an address the user named does not.
func TestBindNextFree(t *testing.T) {
	var lc net.ListenConfig
	taken, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	port := taken.Addr().(*net.TCPAddr).Port

	s, err := New(Config{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Bind(addr, false); !errors.As(err, new(*PortInUseError)) {
		t.Fatalf("a named address that is taken: %v, want PortInUseError", err)
	}
	bound, err := s.Bind(addr, true)
	if err != nil {
		t.Fatalf("next free: %v", err)
	}
	defer s.Close()
	got := bound.(*net.TCPAddr).Port
	if got <= port || got > port+nextFreeTries {
		t.Fatalf("bound port %d, want one of the next %d after %d", got, nextFreeTries, port)
	}
	if want := "http://127.0.0.1:" + strconv.Itoa(got) + "/?token=" + testToken; s.URL() != want {
		t.Errorf("URL %q, want %q", s.URL(), want)
	}
	if !s.hosts.allows("127.0.0.1:"+strconv.Itoa(got)) || s.hosts.allows(addr) {
		t.Error("the Host rule does not follow the bound port")
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.0.0.2": true, "::1": true, "localhost": true,
		"": false, "0.0.0.0": false, "::": false, "192.168.1.7": false, "example.com": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestDeepBodyFromFileIsRedacted: a saved file may hold a body nested far
// deeper than the listener accepts (inspect --web reads any file). Its
// detail and export still redact the secret_key, and the server lives:
// gjson's recursive validator overflowed the stack here (a fatal error
// that ended the process) before redaction checked the body iteratively.
func TestDeepBodyFromFileIsRedacted(t *testing.T) {
	ts := start(t, Config{})
	const secret = "abcdefghijklmnopqrstuvwx"
	body := `{"secret_key":"` + secret + `","x":` + strings.Repeat("[", 10<<20) + strings.Repeat("]", 10<<20) + "}"
	ts.AddRecord(&eventlog.Record{Method: http.MethodPost, Path: "/webhooks", Body: []byte(body)}, "deep.jsonl:1")
	var d struct {
		Body     string `json:"body"`
		Redacted bool   `json:"redacted"`
	}
	ts.getJSON("/api/events/1", &d)
	if !d.Redacted || strings.Contains(d.Body, secret) || !strings.Contains(d.Body, signature.Redact(secret)) {
		t.Fatalf("detail of the deep body: redacted=%v, secret shown=%v", d.Redacted, strings.Contains(d.Body, secret))
	}
	code, _, exp := ts.do(ts.req(http.MethodGet, "/api/export", ""))
	if code != http.StatusOK || strings.Contains(string(exp), secret) {
		t.Fatalf("export: %d, secret shown=%v", code, strings.Contains(string(exp), secret))
	}
}
