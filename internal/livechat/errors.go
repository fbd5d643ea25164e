package livechat

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/lcwh/lcwh/internal/termtext"
)

// Sentinels for errors.Is, one per documented error.type (configuration-api.md §7).
var (
	ErrAuthentication     = errors.New("authentication")
	ErrAuthorization      = errors.New("authorization")
	ErrValidation         = errors.New("validation")
	ErrNotFound           = errors.New("not_found")
	ErrLimitReached       = errors.New("limit_reached")
	ErrMisdirected        = errors.New("misdirected_request")
	ErrTooManyRequests    = errors.New("too_many_requests")
	ErrInternal           = errors.New("internal")
	ErrUnsupportedVersion = errors.New("unsupported_version")
	ErrLicenseExpired     = errors.New("license_expired")
	ErrAlreadyExists      = errors.New("already_exists")
	// ErrBadResponse is a response that is not the documented JSON.
	ErrBadResponse = errors.New("unexpected response")
)

var sentinels = map[string]error{
	"authentication": ErrAuthentication, "authorization": ErrAuthorization,
	"validation": ErrValidation, "not_found": ErrNotFound, "limit_reached": ErrLimitReached,
	"misdirected_request": ErrMisdirected, "too_many_requests": ErrTooManyRequests,
	"internal": ErrInternal, "unsupported_version": ErrUnsupportedVersion,
	"license_expired": ErrLicenseExpired, "already_exists": ErrAlreadyExists,
}

// Envelope is the error body of every LiveChat Web API.
type Envelope struct {
	Error *EnvelopeError `json:"error"`
}

// EnvelopeError is envelope.error.
type EnvelopeError struct {
	Type    string         `json:"type"`
	Message string         `json:"message"`
	Data    map[string]any `json:"data,omitempty"`
}

// DecodeEnvelope parses an error body. It returns false when body is not
// the envelope (not JSON, no error object, or no type).
func DecodeEnvelope(body []byte) (EnvelopeError, bool) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Error == nil || env.Error.Type == "" {
		return EnvelopeError{}, false
	}
	return *env.Error, true
}

// APIError is an error answer of the Configuration API.
type APIError struct {
	Method  string // API method, e.g. register_webhook
	Status  int    // HTTP status
	Type    string // error.type
	Message string // error.message
	Region  string // error.data.region, for misdirected_request
	// Action is the webhook action of a register call, for the limit hint.
	Action string
}

// Error is one line for people: the server's message and type with
// terminal controls removed and cut to a readable length (the fields keep
// what the server sent).
func (e *APIError) Error() string {
	typ := shown(e.Type, maxTypeLen)
	msg := shown(e.Message, maxMessageLen)
	if msg == "" {
		msg = strings.ReplaceAll(typ, "_", " ")
	}
	return fmt.Sprintf("%s: %s (%s, HTTP %d)", e.Method, msg, typ, e.Status)
}

// Limits on server-supplied text in error messages, in bytes.
const (
	maxTypeLen     = 60
	maxMessageLen  = 300
	maxSnippetLen  = 120
	maxContentType = 80
)

// shown is server-supplied text as an error message shows it: one line
// without terminal controls (termtext.Line), cut at a character boundary.
func shown(s string, limit int) string {
	return termtext.Truncate(termtext.Line(s), limit, termtext.Ellipsis)
}

// Is matches the sentinel of e.Type.
func (e *APIError) Is(target error) bool {
	s, ok := sentinels[e.Type]
	return ok && s == target
}

// ExitCode is 4 for a rejected credential, 1 otherwise.
func (e *APIError) ExitCode() int {
	if e.Type == "authentication" {
		return 4
	}
	return 1
}

// scopeFor is the scope each method needs (configuration-api.md §3).
var scopeFor = map[string]string{
	"register_webhook": "webhooks.configuration:rw", "list_webhooks": "webhooks.configuration:rw",
	"unregister_webhook": "webhooks.configuration:rw", "enable_license_webhooks": "webhooks.state:rw",
	"disable_license_webhooks": "webhooks.state:rw", "get_license_webhooks_state": "webhooks.state:ro",
}

// Hint tells the user what to do about the error.
func (e *APIError) Hint() string {
	switch e.Type {
	case "authentication":
		return `LiveChat rejected the credential. Run "lcwh auth login" again, or check LCWH_PAT (ACCOUNT_ID:TOKEN).`
	case "authorization":
		scope := scopeFor[e.Method]
		if scope == "" {
			scope = "webhooks.configuration:rw and webhooks.state:rw"
		}
		return fmt.Sprintf("The credential lacks the %s scope, or the client id is not owned by your organization.\nCreate a token with that scope (PAT scopes cannot be changed) or pass the right --client-id.", scope)
	case "limit_reached":
		a := e.Action
		if a == "" {
			a = "ACTION"
		}
		return fmt.Sprintf("LiveChat allows at most %d webhooks per action per client id.\nSee them with \"lcwh list --action %s\"; remove one with \"lcwh unregister ID\", or leftovers of ended \"lcwh listen --register\" runs with \"lcwh unregister --stale\".", MaxWebhooksPerAction, a)
	case "not_found":
		return `Check the id with "lcwh list".`
	case "misdirected_request":
		return "Your account lives in another data centre and the retry with X-Region failed; check api_url."
	case "too_many_requests":
		return "LiveChat is rate limiting this client; wait a minute and try again."
	case "unsupported_version":
		return "Set a supported version with --api-version or LCWH_API_VERSION (default 3.6)."
	case "internal":
		return "LiveChat failed on its side; try again later."
	case "license_expired":
		return "The LiveChat license has expired; renew it in the LiveChat app."
	}
	return ""
}

// ResponseError is a failure answer that is not the error envelope, or a
// success answer lcwh cannot decode.
type ResponseError struct {
	Method      string
	Status      int
	ContentType string
	Snippet     string
}

func (e *ResponseError) Error() string {
	ct := shown(e.ContentType, maxContentType)
	if ct == "" {
		ct = "no content type"
	}
	s := fmt.Sprintf("%s: unexpected response from the LiveChat API (HTTP %d, %s)", e.Method, e.Status, ct)
	if sn := shown(e.Snippet, maxSnippetLen+len(termtext.Ellipsis)); sn != "" {
		s += ": " + sn
	}
	return s
}

// Is matches ErrBadResponse; a 401 without envelope also matches ErrAuthentication.
func (e *ResponseError) Is(target error) bool {
	return target == ErrBadResponse || (target == ErrAuthentication && e.Status == http.StatusUnauthorized)
}

// ExitCode is 4 for a bare 401.
func (e *ResponseError) ExitCode() int {
	if e.Status == http.StatusUnauthorized {
		return 4
	}
	return 1
}

// Hint points at --debug and the api_url setting.
func (e *ResponseError) Hint() string {
	if e.Status == http.StatusUnauthorized {
		return `LiveChat rejected the credential. Run "lcwh auth login" again, or check LCWH_PAT.`
	}
	return "Check api_url (lcwh config get api_url) and rerun with --debug to see the exchange."
}

// snippet returns a short printable excerpt of a body: one line without
// terminal controls, cut at a character boundary.
func snippet(b []byte) string {
	// Clean at most a little more than is shown: a 4 MiB body costs no more.
	const scan = 4 * maxSnippetLen
	head := string(b[:min(len(b), scan+utf8.UTFMax)])
	return shown(termtext.Truncate(head, scan, ""), maxSnippetLen)
}

// ErrOwnerRequired is returned before any call when a PAT is used for a
// method that needs owner_client_id with a PAT (configuration-api.md §3).
var ErrOwnerRequired = errors.New("a client id is required")
