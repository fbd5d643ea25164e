package listener

import (
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
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
}

// bstr views b as a string without copying; the string aliases b, which
// must not change afterwards (request bodies are never modified).
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b)) //nolint:gosec // G103: read-only view, see above; BenchmarkServeHTTP
}

// Classify recognises body's family and kind in one pass over its top-level
// keys (webhooks.md §1, app-webhooks.md, monday-lifecycle.md). body must be
// valid JSON; anything that is not an object is FamilyUnknown.
//
//nolint:gocyclo // one pass over the top-level keys with a case per key that names a family; on the hot path (BenchmarkServeHTTP).
func Classify(body []byte) Envelope {
	var (
		action, event, appID, typ      string
		hasAction, hasEvent, hasApp    bool
		hasType, hasData, hasWebhookID bool
		env                            Envelope
	)
	root := gjson.Parse(bstr(body))
	if !root.IsObject() {
		return Envelope{Family: FamilyUnknown, Kind: "unknown"}
	}
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "action":
			action, hasAction = v.Str, v.Type == gjson.String
		case "webhook_id":
			env.WebhookID, hasWebhookID = v.Str, v.Type == gjson.String
		case "secret_key":
			env.SecretKey, env.HasSecretKey = v.Str, v.Type == gjson.String
		case "event":
			event, hasEvent = v.Str, v.Type == gjson.String
		case "applicationID":
			appID, hasApp = v.Str, v.Type == gjson.String
		case "clientID":
			env.ClientID = v.Str
		case "type":
			typ, hasType = v.Str, v.Type == gjson.String
		case "data":
			hasData = v.IsObject()
		}
		return true
	})
	_ = appID
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
