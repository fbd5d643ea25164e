// Package webhooks holds what several commands decide about Configuration
// API webhooks, apart from any terminal or command code: validating a
// registration (actions, filters, additional data) against the action table
// of an API version, generating a secret key, settling whose webhooks a
// command manages, and evaluating, describing and re-stating a webhook's
// filters. `lcwh register`, `lcwh listen --register`, `lcwh doctor` and the
// sandbox share it, so they never disagree (configuration-api.md §6.1, §6.8).
package webhooks

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/lcwh/lcwh/internal/livechat"
)

// ClientIDHint says where a client id can come from.
const ClientIDHint = `Pass --client-id, set LCWH_CLIENT_ID, or run "lcwh config set client_id ID" (the Client ID of your app in Developer Console).`

// UsageError is a mistake in what the user asked for, with what to do about
// it. It carries exit code 2 and its hint for whoever prints it.
type UsageError struct {
	Err      error
	HintText string
}

func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// Hint tells the user how to fix the error.
func (e *UsageError) Hint() string { return e.HintText }

// ExitCode is the usage exit code.
func (e *UsageError) ExitCode() int { return 2 }

// ErrNoClientID means no client id was given and the credential has none.
var ErrNoClientID = errors.New("no client id: webhooks belong to an app's Client ID")

// Registration is the validated part of a register_webhook call that
// `lcwh register` and `lcwh listen --register` share.
type Registration struct {
	Actions        []livechat.WebhookName // in the order given, without repeats
	Filters        *livechat.Filters      // nil when none
	AdditionalData []string
}

// ParseRegistration validates actions (comma lists allowed), filters and
// additional data against the action table of version, as LiveChat would
// (configuration-api.md §6.1, §6.8). Errors are *livechat.ValidationError
// or *UsageError; callers present them as usage errors.
func ParseRegistration(version string, actions []string, filtersJSON string, filterKVs, addData []string) (Registration, error) {
	var reg Registration
	filters, err := BuildFilters(filtersJSON, filterKVs)
	if err != nil {
		return reg, err
	}
	reg.Filters = filters
	reg.AdditionalData = SplitList(addData)
	names, known := livechat.Names(version)
	if !known {
		return reg, &UsageError{Err: fmt.Errorf("lcwh has no action table for API version %s", version),
			HintText: "Use one of " + fmt.Sprint(livechat.Versions()) + " with --api-version or LCWH_API_VERSION."}
	}
	seen := map[string]bool{}
	for _, a := range SplitList(actions) {
		if seen[a] {
			continue
		}
		seen[a] = true
		n, err := CheckAction(names, version, a)
		if err != nil {
			return reg, err
		}
		if err := livechat.ValidateFilters(n, reg.Filters); err != nil {
			return reg, err
		}
		if err := livechat.ValidateAdditionalData(n, reg.AdditionalData); err != nil {
			return reg, err
		}
		reg.Actions = append(reg.Actions, n)
	}
	return reg, nil
}

// CheckAction finds action in the table names of version; an unknown action
// is a *UsageError with the closest names ("did you mean").
func CheckAction(names []livechat.WebhookName, version, action string) (livechat.WebhookName, error) {
	n, ok := livechat.LookupName(names, action)
	if ok {
		return n, nil
	}
	msg := fmt.Sprintf("unknown webhook action %q for API version %s", action, version)
	if s := livechat.SuggestAction(names, action); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return livechat.WebhookName{}, &UsageError{Err: errors.New(msg), HintText: `Run "lcwh names" for the list of actions.`}
}

// BuildFilters merges --filters JSON and --filter key=value pairs (applied
// in order, over the JSON); nil when no filter is set.
func BuildFilters(filtersJSON string, kvs []string) (*livechat.Filters, error) {
	filters := &livechat.Filters{}
	if filtersJSON != "" {
		f, err := livechat.ParseFilters(filtersJSON)
		if err != nil {
			return nil, err
		}
		filters = f
	}
	for _, kv := range kvs {
		if err := livechat.SetFilter(filters, kv); err != nil {
			return nil, err
		}
	}
	if filters.Empty() {
		return nil, nil
	}
	return filters, nil
}

// GenerateSecret returns 32 random bytes as unpadded base64url (43 characters).
func GenerateSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Owner returns whose webhooks a command manages: clientID, else the OAuth
// token's client id, else a *UsageError wrapping ErrNoClientID that says
// where a client id comes from.
func Owner(clientID string, c *livechat.Client) (string, error) {
	if clientID != "" {
		return clientID, nil
	}
	if c != nil && c.TokenClientID != "" {
		return c.TokenClientID, nil
	}
	return "", &UsageError{Err: ErrNoClientID, HintText: ClientIDHint}
}

// SplitList splits comma-separated flag values, trims them and drops empties.
func SplitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
