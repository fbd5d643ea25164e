package httpclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/lcwh/lcwh/internal/termtext"
)

// maxLoggedBody caps how much of a body the debug log shows.
const maxLoggedBody = 4 << 10

// secretFields are JSON keys, query and form parameters whose values the
// debug log never shows.
var secretFields = map[string]bool{
	"secret_key": true, "access_token": true, "refresh_token": true,
	"client_secret": true, "code_verifier": true, "code": true,
	"token": true, "password": true,
}

// secretHeaders are headers whose values the debug log never shows.
var secretHeaders = map[string]bool{
	"Authorization": true, "Cookie": true, "Set-Cookie": true, "Proxy-Authorization": true,
}

// DebugTransport logs each request and response to Out with credentials and
// secrets replaced by "****" (STYLE.md §3), URLs without their userinfo,
// and terminal controls from servers removed (termtext.Clean).
type DebugTransport struct {
	Base http.RoundTripper
	Out  io.Writer
	mu   sync.Mutex
}

// RoundTrip logs req, performs it, and logs the response.
func (d *DebugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "> %s %s\n", req.Method, RedactURL(req.URL))
	writeHeaders(&sb, "> ", req.Header)
	if len(reqBody) > 0 {
		fmt.Fprintf(&sb, "> %s\n", RedactBody(reqBody, req.Header.Get("Content-Type")))
	}
	d.write(sb.String())

	resp, err := d.Base.RoundTrip(req)
	if err != nil {
		d.write(fmt.Sprintf("< error: %v\n", err))
		return nil, err
	}
	sb.Reset()
	fmt.Fprintf(&sb, "< %s\n", resp.Status)
	writeHeaders(&sb, "< ", resp.Header)
	if resp.Body != nil {
		b, rerr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		if len(b) > 0 {
			fmt.Fprintf(&sb, "< %s\n", RedactBody(b, resp.Header.Get("Content-Type")))
		}
		if rerr != nil {
			fmt.Fprintf(&sb, "< body error: %v\n", rerr)
		}
	}
	d.write(sb.String())
	return resp, nil
}

// write logs s with terminal controls removed: headers and bodies come
// from servers, and the log goes to a terminal. The log's own text is plain.
func (d *DebugTransport) write(s string) {
	s = termtext.Clean(s)
	d.mu.Lock()
	defer d.mu.Unlock()
	_, _ = io.WriteString(d.Out, s)
}

func writeHeaders(sb *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			if secretHeaders[http.CanonicalHeaderKey(k)] {
				v = redactAuth(v)
			}
			fmt.Fprintf(sb, "%s%s: %s\n", prefix, k, v)
		}
	}
}

// redactAuth keeps the scheme ("Basic", "Bearer") and hides the rest.
func redactAuth(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok {
		return scheme + " ****"
	}
	return "****"
}

// RedactURL hides secret query parameters and the userinfo (a password
// as xxxxx, see termtext.RedactUserinfo).
func RedactURL(u *url.URL) string {
	u = termtext.RedactUserinfo(u)
	if u.RawQuery == "" {
		return u.String()
	}
	c := *u
	c.RawQuery = redactForm(u.RawQuery)
	return c.String()
}

func redactForm(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "****"
	}
	for k := range q {
		if secretFields[k] {
			q[k] = []string{"****"}
		}
	}
	return q.Encode()
}

// RedactBody returns body for the log: JSON with secret fields masked at any
// depth, a form with secret values masked, or a size note for anything else
// that does not look like text. Bodies are cut at 4 KiB.
func RedactBody(body []byte, contentType string) string {
	if strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
		return redactForm(string(body))
	}
	var v any
	if err := json.Unmarshal(body, &v); err == nil {
		v = redactJSON(v)
		b, _ := json.Marshal(v)
		return cut(string(b))
	}
	// Not JSON: could still carry a token in a form-like body.
	if strings.Contains(string(body), "=") && !strings.ContainsAny(string(body), " <\n") {
		return cut(redactForm(string(body)))
	}
	return cut(string(body))
}

func redactJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if secretFields[k] {
				if s, ok := val.(string); ok && s != "" {
					x[k] = "****"
					continue
				}
			}
			x[k] = redactJSON(val)
		}
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i])
		}
	}
	return v
}

// cut keeps the log of a body to maxLoggedBody bytes, at a character boundary.
func cut(s string) string {
	if len(s) <= maxLoggedBody {
		return s
	}
	return termtext.Truncate(s, maxLoggedBody, fmt.Sprintf("… (%d bytes)", len(s)))
}
