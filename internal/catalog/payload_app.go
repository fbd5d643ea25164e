package catalog

import "encoding/json"

// AppEnvelope is the body of every LiveChat App Webhook (app-webhooks.md §3):
// camelCase keys ending in ID, no secret_key.
type AppEnvelope struct {
	Event           string          `json:"event"`
	ApplicationID   string          `json:"applicationID"`
	ApplicationName string          `json:"applicationName"`
	ClientID        string          `json:"clientID"`
	LicenseID       int64           `json:"licenseID"`
	OrganizationID  string          `json:"organizationID"`
	UserID          string          `json:"userID"`
	Date            string          `json:"date"` // RFC 3339 with a local offset
	Payload         json.RawMessage `json:"payload"`
}

// AppInstallPayload is application_installed and application_uninstalled.
type AppInstallPayload struct {
	ApplicationID string `json:"applicationID"`
}

// PaymentPayload is payment_trialstarted and payment_cancelled.
type PaymentPayload struct {
	PaymentID string `json:"paymentID"`
}

// PaymentActivatedPayload is payment_activated; what quantity counts is undocumented.
type PaymentActivatedPayload struct {
	PaymentID string  `json:"paymentID"`
	Quantity  float64 `json:"quantity"`
}

// PaymentCollectedPayload is payment_collected; the unit of total is undocumented.
type PaymentCollectedPayload struct {
	PaymentID string  `json:"paymentID"`
	Total     float64 `json:"total"`
}

// MondayEnvelope is the body of every monday.com lifecycle webhook
// (monday-lifecycle.md §4).
type MondayEnvelope struct {
	Type string     `json:"type"`
	Data MondayData `json:"data"`
}

// MondayData is the event data. The seed does not say which fields may be
// absent, so all are optional; AccountTier and AccountMaxUsers are null
// while the monday.com account is in its trial.
type MondayData struct {
	AppID           int64               `json:"app_id,omitempty"`
	AppName         string              `json:"app_name,omitempty"`
	UserID          int64               `json:"user_id,omitempty"`
	UserEmail       string              `json:"user_email,omitempty"`
	UserName        string              `json:"user_name,omitempty"`
	UserCluster     string              `json:"user_cluster,omitempty"`
	AccountTier     *string             `json:"account_tier,omitempty"`
	AccountMaxUsers *int64              `json:"account_max_users,omitempty"`
	AccountID       int64               `json:"account_id,omitempty"`
	AccountName     string              `json:"account_name,omitempty"`
	AccountSlug     string              `json:"account_slug,omitempty"`
	VersionData     *MondayVersion      `json:"version_data,omitempty"`
	Timestamp       string              `json:"timestamp,omitempty"`
	Subscription    *MondaySubscription `json:"subscription,omitempty"`
	UserCountry     string              `json:"user_country,omitempty"`
	// Reason is not in the seed: a monday.com changelog adds it to
	// app_subscription_cancelled (monday-lifecycle.md §7).
	Reason string `json:"reason,omitempty"`
}

// MondayVersion is the app version.
type MondayVersion struct {
	Major  int    `json:"major"  zero:"ok"`
	Minor  int    `json:"minor"  zero:"ok"`
	Patch  int    `json:"patch"  zero:"ok"`
	Type   string `json:"type,omitempty"`
	Number int    `json:"number,omitempty"`
}

// MondaySubscription is the subscription an event is about.
type MondaySubscription struct {
	PlanID         string `json:"plan_id,omitempty"`
	RenewalDate    string `json:"renewal_date,omitempty"`
	IsTrial        *bool  `json:"is_trial,omitempty"`
	BillingPeriod  string `json:"billing_period,omitempty"`
	DaysLeft       *int   `json:"days_left,omitempty"`
	PricingVersion int    `json:"pricing_version,omitempty"`
}
