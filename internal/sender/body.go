package sender

import (
	"bytes"
	"io"
	"net/http"
)

// maxPooledBody bounds the buffers a burst keeps for reuse.
const maxPooledBody = 64 << 10

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
// give no such guarantee: their buffer is dropped, not reused.
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
