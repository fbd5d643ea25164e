// Package ngrok reads the tunnels of a running ngrok agent from its local
// API (GET http://127.0.0.1:4040/api/tunnels, https://ngrok.com/docs/agent/api/)
// and picks the one that points at a local port.
package ngrok

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/termtext"
)

// DefaultAPI is the agent API's base URL unless web_addr is changed.
const DefaultAPI = "http://127.0.0.1:4040"

// Tunnel is one element of the agent's tunnel list (the fields lcwh reads).
type Tunnel struct {
	Name      string `json:"name"`
	PublicURL string `json:"public_url"`
	Proto     string `json:"proto"`
	Config    struct {
		Addr string `json:"addr"`
	} `json:"config"`
}

// ErrNoAgent means nothing answered at the agent API address.
var ErrNoAgent = errors.New("no ngrok agent is running")

// DefaultTimeout bounds a request to the agent API when Tunnels builds
// its own client: the agent is local and answers at once or not at all.
const DefaultTimeout = 5 * time.Second

// Tunnels lists the agent's tunnels. base is the API base URL
// ("http://127.0.0.1:4040"). hc nil means an httpclient client with
// DefaultTimeout; pass one from httpclient.New (Factory.HTTPOptions) so
// --debug logs the call. A refused connection is ErrNoAgent. Errors show
// the URL without its userinfo.
func Tunnels(ctx context.Context, hc *http.Client, base string) ([]Tunnel, error) {
	if hc == nil {
		hc = httpclient.New(httpclient.Options{Timeout: DefaultTimeout})
	}
	raw := strings.TrimRight(base, "/") + "/api/tunnels"
	u := termtext.RedactURL(raw)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, fmt.Errorf("ngrok agent API %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, fmt.Errorf("%w (nothing answers at %s)", ErrNoAgent, u)
		}
		return nil, fmt.Errorf("ngrok agent API %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("ngrok agent API %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ngrok agent API %s: HTTP %d", u, resp.StatusCode)
	}
	return Parse(body)
}

// Parse decodes the body of GET /api/tunnels.
func Parse(body []byte) ([]Tunnel, error) {
	var out struct {
		Tunnels []Tunnel `json:"tunnels"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("ngrok agent API: unexpected answer: %w", err)
	}
	return out.Tunnels, nil
}

// hostPort is addr's host:port: a URL's host with its scheme's default
// port when it names none, anything else as it is.
func hostPort(addr string) (string, bool) {
	if !strings.Contains(addr, "://") {
		return addr, true
	}
	u, err := url.Parse(addr)
	if err != nil {
		return "", false
	}
	if u.Port() != "" {
		return u.Host, true
	}
	switch u.Scheme {
	case "http":
		return u.Host + ":80", true
	case "https":
		return u.Host + ":443", true
	}
	return u.Host, true
}

// AddrPort returns the local port a tunnel's config.addr points at when it
// is on this machine: "http://localhost:8080", "localhost:8080",
// "127.0.0.1:8080", "[::1]:8080" or a bare "8080" (ngrok's own shorthand).
func AddrPort(addr string) (int, bool) {
	addr = strings.TrimSpace(addr)
	if p, err := strconv.Atoi(addr); err == nil {
		return p, p > 0 && p < 65536
	}
	hostport, ok := hostPort(addr)
	if !ok {
		return 0, false
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return 0, false
	}
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || (!ip.IsLoopback() && !ip.IsUnspecified()) {
			return 0, false
		}
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p >= 65536 {
		return 0, false
	}
	return p, true
}

// ForPort returns the https tunnel that points at port on this machine.
func ForPort(tunnels []Tunnel, port int) (Tunnel, bool) {
	for _, t := range tunnels {
		p, ok := AddrPort(t.Config.Addr)
		if ok && p == port && strings.HasPrefix(t.PublicURL, "https://") {
			return t, true
		}
	}
	return Tunnel{}, false
}
