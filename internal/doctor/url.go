package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/sjson"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/ngrok"
	"github.com/lcwh/lcwh/internal/sender"
)

// ngrokSuffixes are the domains of ngrok's public URLs.
var ngrokSuffixes = []string{".ngrok.io", ".ngrok.app", ".ngrok.dev", ".ngrok-free.app", ".ngrok-free.dev", ".ngrok.pizza"}

// ngrokTimeout bounds the question to the local ngrok agent.
const ngrokTimeout = 5 * time.Second

// target is one URL to check with the webhook that sends there (none for
// a --url nobody registered).
type target struct {
	url  string
	hook *hook
}

// checkURL: each URL absolute https on a host LiveChat can reach; an ngrok
// URL's tunnel still up (the agent's local API); with Probe, one delivery.
func checkURL(ctx context.Context, f *facts) Item {
	const title = "URL"
	targets := urlTargets(f)
	if len(targets) == 0 {
		return skipped(IDURL, title, "not checked: no webhook URL and no --url")
	}
	it := newItem(IDURL, title)
	for _, t := range targets {
		checkOneURL(ctx, f, &it, t)
	}
	if !f.opts.Probe {
		it.found("not probed: --probe POSTs a sample to each URL and reports the answer")
	}
	return it
}

func urlTargets(f *facts) []target {
	var out []target
	seen := map[string]bool{}
	for i := range f.relevant {
		h := &f.relevant[i]
		if !seen[h.URL] {
			seen[h.URL] = true
			out = append(out, target{url: h.URL, hook: h})
		}
	}
	if u := f.opts.URL; u != "" && !seen[u] {
		out = append(out, target{url: u})
	}
	return out
}

func checkOneURL(ctx context.Context, f *facts, it *Item, t target) {
	u, err := url.Parse(t.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		it.raise(Fail)
		it.found(t.url + ": not an absolute http(s) URL; LiveChat cannot deliver to it")
		it.addFix(reachableFix(f, t)...)
		return
	}
	host := u.Hostname()
	if why := localHost(host); why != "" {
		if f.opts.LocalAPI {
			it.found(fmt.Sprintf("%s: %s is %s: fine here, api_url is on this machine (lcwh sandbox), which delivers to it", t.url, host, why))
		} else {
			it.raise(Fail)
			it.found(fmt.Sprintf("%s: %s is %s, which LiveChat's servers cannot reach", t.url, host, why))
			it.addFix(reachableFix(f, t)...)
		}
	} else {
		if u.Scheme == "http" {
			it.raise(Warn)
			it.found(t.url + ": plain http: every delivery carries secret_key unencrypted, and whether LiveChat delivers to http:// URLs is undocumented")
			it.addFix("Register an https URL instead (a tunnel gives one: lcwh listen --register ACTION --public-url auto).")
		} else {
			it.found(t.url + ": absolute https on a public host")
		}
		if isNgrok(host) {
			checkTunnel(ctx, f, it, t, u)
		}
	}
	if f.opts.Probe {
		probe(ctx, f, it, t)
	}
}

// localHost says why LiveChat cannot reach host ("" when it may): loopback,
// private, link-local or a name that only resolves on a local network. No
// name is resolved (doctor makes no DNS queries).
func localHost(host string) string {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return "this machine (loopback)"
	}
	if ip := net.ParseIP(h); ip != nil {
		switch {
		case ip.IsLoopback():
			return "this machine (loopback)"
		case ip.IsUnspecified():
			return "the unspecified address"
		case ip.IsPrivate():
			return "a private network address"
		case ip.IsLinkLocalUnicast():
			return "a link-local address"
		}
		return ""
	}
	for _, s := range []string{".local", ".internal", ".lan", ".home.arpa"} {
		if strings.HasSuffix(h, s) {
			return "a local network name"
		}
	}
	if !strings.Contains(h, ".") {
		return "a name without a domain (local network only)"
	}
	return ""
}

func isNgrok(host string) bool {
	h := strings.ToLower(host)
	for _, s := range ngrokSuffixes {
		if strings.HasSuffix(h, s) {
			return true
		}
	}
	return false
}

// reachableFix points at a tunnel, and drops the unreachable webhook.
func reachableFix(f *facts, t target) []string {
	action := "ACTION"
	switch {
	case t.hook != nil:
		action = t.hook.Action
	case f.opts.Action != "":
		action = f.opts.Action
	}
	fix := []string{"Receive through a public tunnel instead (start one with: ngrok http PORT):",
		f.fix.listenRegister(action, "auto", nil, "")}
	if t.hook != nil && t.hook.lease == nil {
		fix = append(fix, f.fix.unregister(t.hook.ID))
	}
	return fix
}

// checkTunnel asks the local ngrok agent whether u's tunnel is up.
func checkTunnel(ctx context.Context, f *facts, it *Item, t target, u *url.URL) {
	ctx, cancel := context.WithTimeout(ctx, ngrokTimeout)
	defer cancel()
	api := f.opts.NgrokAPI
	if api == "" {
		api = ngrok.DefaultAPI
	}
	// A nil client makes ngrok build its own through internal/httpclient.
	tunnels, err := ngrok.Tunnels(ctx, f.opts.NgrokClient, api)
	if errors.Is(err, ngrok.ErrNoAgent) {
		it.raise(Fail)
		it.found(fmt.Sprintf("%s: an ngrok URL, but no ngrok agent runs on this machine (%s): the tunnel is down", t.url, api))
		it.addFix(tunnelFix(f, t)...)
		return
	}
	if err != nil {
		it.raise(Warn)
		it.found(fmt.Sprintf("%s: could not ask the ngrok agent whether the tunnel is up: %v", t.url, err))
		return
	}
	var have []string
	for _, tn := range tunnels {
		pu, perr := url.Parse(tn.PublicURL)
		if perr == nil && strings.EqualFold(pu.Host, u.Host) {
			it.found(fmt.Sprintf("%s: ngrok tunnel up, forwarding to %s", t.url, tn.Config.Addr))
			return
		}
		have = append(have, tn.PublicURL)
	}
	list := "none"
	if len(have) > 0 {
		list = strings.Join(have, ", ")
	}
	it.raise(Fail)
	it.found(fmt.Sprintf("%s: no tunnel of the running ngrok agent has this host (its tunnels: %s): the tunnel is down (ngrok's free URLs change on every start)", t.url, list))
	it.addFix(tunnelFix(f, t)...)
}

func tunnelFix(f *facts, t target) []string {
	fix := []string{"Start the tunnel (ngrok http PORT) and register its new URL for this run:"}
	fix = append(fix, reachableFix(f, t)[1:]...)
	return fix
}

// probeTimeout is LiveChat's per-attempt timeout (webhooks.md §3).
const probeTimeout = 10 * time.Second

// probe POSTs one sample to the URL, as LiveChat would, without retries.
func probe(ctx context.Context, f *facts, it *Item, t target) {
	body, err := probeBody(f, t)
	if err != nil {
		it.raise(Warn)
		it.found(fmt.Sprintf("%s: not probed: %v", t.url, err))
		return
	}
	s := sender.New(f.opts.HTTPClient, sender.Options{NoRetry: true, Timeout: probeTimeout, Now: f.opts.Now})
	r := s.Deliver(ctx, sender.Request{URL: t.url, Body: body})
	ms := float64(r.Latency.Microseconds()) / 1000
	switch {
	case r.Err != nil:
		it.raise(Fail)
		it.found(fmt.Sprintf("%s: probe failed after %.1f ms: %v", t.url, ms, r.Err))
		it.addFix(fmt.Sprintf("Make %s answer exactly 200 within 10 s to a webhook POST; try it with: lcwh send-sample %s --url %s",
			t.url, probeAction(f, t), shellQuote(t.url)))
	case r.Warning != "":
		it.raise(Warn)
		it.found(fmt.Sprintf("%s: probe answered %s in %.1f ms", t.url, r.Warning, ms))
		it.addFix("Answer exactly 200: LiveChat documents only 200 as success and retries anything else.")
	default:
		it.found(fmt.Sprintf("%s: probe answered HTTP 200 in %.1f ms", t.url, ms))
	}
}

func probeAction(f *facts, t target) string {
	if t.hook != nil {
		return t.hook.Action
	}
	return f.opts.Action
}

// probeBody is the event to send: the --sample/--event one when it is of
// this action, else a fresh catalog sample, with this webhook's id and the
// secret the handler is expected to verify.
func probeBody(f *facts, t target) ([]byte, error) {
	action := probeAction(f, t)
	if action == "" {
		return nil, errors.New("pass --action to say which sample to send")
	}
	var body []byte
	if ev := f.opts.Event; ev != nil && action == f.opts.Action {
		body = ev.Body
	} else {
		k, ok := catalog.Lookup(action)
		if !ok {
			return nil, fmt.Errorf("lcwh has no sample of %s", action)
		}
		b, err := catalog.NewGenerator(0, f.opts.Now).Body(k, catalog.Params{})
		if err != nil {
			return nil, err
		}
		body = b
	}
	var err error
	if t.hook != nil {
		if body, err = sjson.SetBytes(body, "webhook_id", t.hook.ID); err != nil {
			return nil, err
		}
	}
	if s := expectedSecret(f.opts); s != "" {
		if body, err = sjson.SetBytes(body, "secret_key", s); err != nil {
			return nil, err
		}
	}
	return body, nil
}
