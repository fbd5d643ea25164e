package sender

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
)

// maxResponseHeader bounds the status line and headers of a response, on
// both paths (NewTransport sets it as MaxResponseHeaderBytes).
const maxResponseHeader = 1 << 20

// header returns the header and Host of one request to u: r.Header as
// given, Content-Type (application/json) and User-Agent (ua) added when
// missing, Basic auth from u's userinfo unless there is an Authorization
// header. A Host header sets the Host, as http.Client does (useful behind
// tunnels and virtual hosts). r.Header is never modified: it is copied when
// something must be added. Both paths call it for every request, so no
// request carries another's headers.
func header(r Request, u *url.URL, ua string) (http.Header, string) {
	h := r.Header
	if h.Get("Content-Type") == "" || (ua != "" && h.Get("User-Agent") == "") {
		h = withDefaults(h, ua)
	}
	host := u.Host
	if v := h.Get("Host"); v != "" {
		host = v
	}
	if u.User != nil && h.Get("Authorization") == "" {
		pass, _ := u.User.Password()
		h = h.Clone()
		(&http.Request{Header: h}).SetBasicAuth(u.User.Username(), pass)
	}
	return h, host
}

func withDefaults(h http.Header, ua string) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	if out.Get("Content-Type") == "" {
		out.Set("Content-Type", "application/json")
	}
	if ua != "" && out.Get("User-Agent") == "" {
		out.Set("User-Agent", ua)
	}
	return out
}

// setBody attaches data to req as a *bytes.Reader, which the transport
// recognises as in-memory and writes together with the headers in one
// packet; GetBody lets it resend the same bytes on a fresh connection.
//
// When may a burst reuse data's buffer? The transport only promises to
// Close a body eventually, possibly after Client.Do returns. But when a
// response is read to EOF on a kept-alive connection, the transport's read
// loop first waits for its write loop to finish writing the request (and
// hands our Read the EOF only after that), so the body bytes are no longer
// touched. Attempts that end without a fully read response (timeouts, resets)
// give no such guarantee: their buffer is dropped, not reused. (A worker's
// own connection writes the body before its attempt returns: its buffers
// are always reusable.)
func setBody(req *http.Request, data []byte) {
	req.ContentLength = int64(len(data))
	if len(data) == 0 {
		req.Body = http.NoBody
		req.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}
