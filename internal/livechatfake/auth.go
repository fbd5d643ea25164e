package livechatfake

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// caller is who made a Configuration API request.
type caller struct {
	account  *Account
	scopes   []string
	bearer   bool
	clientID string // the token's client id (Bearer only)
}

func (c caller) has(scope string) bool {
	for _, s := range c.scopes {
		if s == scope {
			return true
		}
		// rw includes ro (configuration-api.md §3).
		if strings.HasSuffix(scope, ":ro") && s == strings.TrimSuffix(scope, ":ro")+":rw" {
			return true
		}
	}
	return false
}

// authenticate reads Basic (PAT) or Bearer (access token). It must be
// called with s.mu held.
func (s *Server) authenticate(r *http.Request) (caller, bool) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch scheme {
	case "Basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return caller{}, false
		}
		id, tok, ok := strings.Cut(string(raw), ":")
		p := s.state.PATs[tok]
		if !ok || p == nil || p.AccountID != id {
			return caller{}, false
		}
		return caller{account: s.state.Accounts[id], scopes: p.Scopes}, true
	case "Bearer":
		t := s.state.Tokens[cred]
		if t == nil || !s.Now().Before(t.Expiry) {
			return caller{}, false
		}
		return caller{account: s.state.Accounts[t.AccountID], scopes: t.Scopes, bearer: true, clientID: t.ClientID}, true
	}
	return caller{}, false
}

func (s *Server) needScope(w http.ResponseWriter, c caller, scope string) bool {
	if !c.has(scope) {
		s.apiError(w, "authorization", "Missing scope "+scope, nil)
		return false
	}
	return true
}
