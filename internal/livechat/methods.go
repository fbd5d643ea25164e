package livechat

import (
	"context"
	"encoding/json"
	"fmt"
)

// RegisterRequest is register_webhook's body (configuration-api.md §6.1).
type RegisterRequest struct {
	Action         string   `json:"action"`
	SecretKey      string   `json:"secret_key"`
	URL            string   `json:"url"`
	OwnerClientID  string   `json:"owner_client_id"`
	Type           string   `json:"type"`
	Description    string   `json:"description,omitempty"`
	AdditionalData []string `json:"additional_data,omitempty"`
	Filters        *Filters `json:"filters,omitempty"`
}

// Webhook is one element of list_webhooks (configuration-api.md §6.2).
// Whether secret_key and additional_data are returned is undocumented; both
// decode as optional.
type Webhook struct {
	ID             string          `json:"id"`
	URL            string          `json:"url"`
	Description    string          `json:"description,omitempty"`
	Action         string          `json:"action"`
	Filters        json.RawMessage `json:"filters,omitempty"`
	OwnerClientID  string          `json:"owner_client_id"`
	Type           string          `json:"type"`
	AdditionalData []string        `json:"additional_data,omitempty"`
	SecretKey      string          `json:"secret_key,omitempty"`
}

// RegisterWebhook registers one webhook and returns its id.
func (c *Client) RegisterWebhook(ctx context.Context, r RegisterRequest) (string, error) {
	if r.Filters.Empty() {
		r.Filters = nil
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.call(ctx, "register_webhook", r.Action, r, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", &ResponseError{Method: "register_webhook", Status: 200, ContentType: "application/json", Snippet: "no id in the response"}
	}
	return out.ID, nil
}

// ListWebhooks lists the webhooks registered for ownerClientID.
func (c *Client) ListWebhooks(ctx context.Context, ownerClientID string) ([]Webhook, error) {
	var out []Webhook
	err := c.call(ctx, "list_webhooks", "", map[string]string{"owner_client_id": ownerClientID}, &out)
	if out == nil && err == nil {
		out = []Webhook{}
	}
	return out, err
}

// UnregisterWebhook removes webhook id of ownerClientID.
func (c *Client) UnregisterWebhook(ctx context.Context, id, ownerClientID string) error {
	return c.call(ctx, "unregister_webhook", "", map[string]string{"id": id, "owner_client_id": ownerClientID}, nil)
}

// ListWebhookNames lists the actions of version ("" = the server's current
// stable). It needs no authorization.
func (c *Client) ListWebhookNames(ctx context.Context, version string) ([]WebhookName, error) {
	var in any
	if version != "" {
		in = map[string]string{"version": version}
	}
	var out []WebhookName
	err := c.call(ctx, "list_webhook_names", "", in, &out)
	return out, err
}

// EnableLicenseWebhooks turns ownerClientID's webhooks back on for the
// credential's license.
func (c *Client) EnableLicenseWebhooks(ctx context.Context, ownerClientID string) error {
	return c.stateCall(ctx, "enable_license_webhooks", ownerClientID, nil)
}

// DisableLicenseWebhooks turns them off.
func (c *Client) DisableLicenseWebhooks(ctx context.Context, ownerClientID string) error {
	return c.stateCall(ctx, "disable_license_webhooks", ownerClientID, nil)
}

// LicenseWebhooksState reports whether they are on.
func (c *Client) LicenseWebhooksState(ctx context.Context, ownerClientID string) (bool, error) {
	var out struct {
		Enabled *bool `json:"license_webhooks_enabled"`
	}
	if err := c.stateCall(ctx, "get_license_webhooks_state", ownerClientID, &out); err != nil {
		return false, err
	}
	if out.Enabled == nil {
		return false, &ResponseError{Method: "get_license_webhooks_state", Status: 200, ContentType: "application/json", Snippet: "no license_webhooks_enabled in the response"}
	}
	return *out.Enabled, nil
}

// stateCall sends {"owner_client_id": …}, or {} when it is empty and the
// credential is a Bearer token (the token's own client id is then used).
func (c *Client) stateCall(ctx context.Context, method, owner string, out any) error {
	if owner == "" {
		if !c.Bearer {
			return fmt.Errorf("%s: %w: with a Personal Access Token LiveChat needs owner_client_id", method, ErrOwnerRequired)
		}
		return c.call(ctx, method, "", nil, out)
	}
	return c.call(ctx, method, "", map[string]string{"owner_client_id": owner}, out)
}
