package listener

import (
	"unsafe"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/signature"
)

// FamilyUnknown marks a body that matches none of the three envelopes.
const FamilyUnknown catalog.Family = "unknown"

// Envelope is what the listener recognises of a body without decoding it:
// the family (by the shape of its top-level object) and the kind.
type Envelope struct {
	Family catalog.Family
	// Kind is action (LiveChat), event (App Webhooks) or type (monday);
	// "unknown" when the family is unknown.
	Kind string
	// Known says whether Kind is in the catalog for Family.
	Known     bool
	WebhookID string
	// SecretKey is LiveChat's body secret_key; ClientID is App Webhooks' clientID.
	// Neither is ever printed: use signature.Redact.
	SecretKey string
	ClientID  string
	// HasSecretKey tells an absent secret_key from an empty one.
	HasSecretKey bool
	// Secrets is where the secret members are in the body, for the views
	// to redact (known only when Check found the body valid).
	Secrets signature.SecretSpans
}

// bstr views b as a string without copying; the string aliases b, which
// must not change afterwards (request bodies are never modified).
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b)) //nolint:gosec // G103: read-only view, see above; BenchmarkServeHTTP
}

// The top-level members Classify reads, by index in envelopeMembers.
const (
	mAction = iota
	mWebhookID
	mSecretKey
	mEvent
	mApplicationID
	mClientID
	mType
	mData
	nMembers
)

// envelopeMembers are the members asked of jsonlimit.Scan (copied per
// call: Scan fills them in).
var envelopeMembers = [nMembers]jsonlimit.Member{
	mAction: {Key: "action"}, mWebhookID: {Key: "webhook_id"}, mSecretKey: {Key: "secret_key"},
	mEvent: {Key: "event"}, mApplicationID: {Key: "applicationID"}, mClientID: {Key: "clientID"},
	mType: {Key: "type"}, mData: {Key: "data"},
}

// Check validates body and classifies it in one pass (jsonlimit.Scan):
// the error is a *jsonlimit.SyntaxError when body is not one JSON value
// (what encoding/json.Valid accepts), a *jsonlimit.DepthError when it
// nests deeper than maxDepth. On an error the envelope is still what
// Classify says of body.
func Check(body []byte, maxDepth int) (Envelope, error) {
	top := envelopeMembers
	_, err := jsonlimit.Scan(body, maxDepth, top[:])
	env := classify(&top)
	if err == nil {
		env.Secrets = signature.SpansFrom(top[mSecretKey], top[mClientID])
	}
	return env, err
}

// Classify recognises body's family and kind from its top-level keys
// (webhooks.md §1, app-webhooks.md, monday-lifecycle.md), in the one pass
// of Check. body must be valid JSON; anything that is not an object is
// FamilyUnknown. (A body that is not valid JSON, or nests deeper than
// jsonlimit.MaxDepth, is classified from the top-level members before the
// point where it fails: a saved body read back need not be JSON.)
func Classify(body []byte) Envelope {
	env, _ := Check(body, jsonlimit.MaxDepth)
	return env
}

// classify is the envelope of the members Scan found; of duplicate keys
// the last counts.
func classify(top *[nMembers]jsonlimit.Member) Envelope {
	str := func(m int) (string, bool) {
		if top[m].Kind != jsonlimit.String {
			return "", false
		}
		return bstr(top[m].Str), true
	}
	var env Envelope
	action, hasAction := str(mAction)
	event, hasEvent := str(mEvent)
	_, hasApp := str(mApplicationID)
	typ, hasType := str(mType)
	hasData := top[mData].Kind == jsonlimit.Object
	var hasWebhookID bool
	env.WebhookID, hasWebhookID = str(mWebhookID)
	env.SecretKey, env.HasSecretKey = str(mSecretKey)
	env.ClientID, _ = str(mClientID)
	switch {
	case hasAction && (hasWebhookID || env.HasSecretKey):
		env.Family, env.Kind = catalog.LiveChat, action
	case hasEvent && hasApp:
		env.Family, env.Kind = catalog.App, event
	case hasType && hasData:
		env.Family, env.Kind = catalog.Monday, typ
	case hasAction:
		// An action without webhook_id or secret_key still reads as LiveChat.
		env.Family, env.Kind = catalog.LiveChat, action
	default:
		return Envelope{Family: FamilyUnknown, Kind: "unknown"}
	}
	if k, ok := catalog.Lookup(env.Kind); ok && k.Family == env.Family {
		env.Known = true
	}
	return env
}
