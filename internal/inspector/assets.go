package inspector

import (
	"bytes"
	"embed"
	"net/http"
	"path"
)

//go:embed assets
var assets embed.FS

// assetTypes are the files the page loads, with their types.
var assetTypes = map[string]string{
	"app.js":  "text/javascript; charset=utf-8",
	"app.css": "text/css; charset=utf-8",
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ct, ok := assetTypes[name]
	if !ok {
		writeError(w, http.StatusNotFound, "no asset "+name)
		return
	}
	b, err := assets.ReadFile(path.Join("assets", name))
	if err != nil {
		writeError(w, http.StatusNotFound, "no asset "+name)
		return
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(b) //nolint:gosec // an embedded file of this binary, not request data
}

// serveIndex serves the page. The printed URL carries ?token=: it is
// checked, handed over as the cookie, and the page drops it from the
// address bar. Without a valid cookie or token the answer is 401.
func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	if t := r.URL.Query().Get("token"); t != "" {
		if !s.tokenIs(t) {
			writePlain(w, http.StatusUnauthorized, "This token is not this run's: open the URL lcwh printed last (each run has its own).\n")
			return
		}
		s.setTokenCookie(w)
	} else if !s.authorised(r) {
		writePlain(w, http.StatusUnauthorized, "Open the URL lcwh printed: it carries this run's token.\n")
		return
	}
	b, err := assets.ReadFile("assets/index.html")
	if err != nil {
		writePlain(w, http.StatusInternalServerError, "the page is missing from this build\n")
		return
	}
	mode := []byte("files")
	if s.cfg.Live {
		mode = []byte("live")
	}
	b = bytes.Replace(b, []byte("{{mode}}"), mode, 1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b)
}

func writePlain(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg))
}
