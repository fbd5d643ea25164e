package catalog

import "encoding/json"

// This file types the bodies of the 38 LiveChat license/bot webhooks
// (webhooks.md §1, §4 and the data structures of §5). Field rules used by
// DecodeBody: a json tag without omitempty marks a field the spec says is
// always present; those must be non-zero (booleans that may be false are
// *bool so presence can be told apart). A `zero:"ok"` tag marks an always
// present field whose zero value is legitimate (group 0 is the general group).

// LiveChatEnvelope is the body of every LiveChat webhook (webhooks.md §1).
type LiveChatEnvelope struct {
	WebhookID      string          `json:"webhook_id"`
	SecretKey      string          `json:"secret_key"`
	Action         string          `json:"action"`
	OrganizationID string          `json:"organization_id"`
	Payload        json.RawMessage `json:"payload"`
	// Requester is sent with configuration actions only (v3.6+).
	Requester *Requester `json:"requester,omitempty"`
	// AdditionalData is documented as always present (may be {}), but the
	// docs' own chat_transferred and thread_summary_set samples omit it, so
	// receivers must tolerate its absence (webhooks.md §1).
	AdditionalData *AdditionalData `json:"additional_data,omitempty"`
}

// Requester says who triggered a configuration change.
type Requester struct {
	UserID    string `json:"user_id,omitempty"`
	AccountID string `json:"account_id,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
}

// AdditionalData holds what was requested at registration.
type AdditionalData struct {
	ChatProperties      Properties `json:"chat_properties,omitempty"`
	ChatPresenceUserIDs []string   `json:"chat_presence_user_ids,omitempty"`
}

// Properties are {namespace: {name: value}} (webhooks.md §5.7).
type Properties map[string]map[string]any

// DeletedProperties are {namespace: [names…]} (webhooks.md §4.5).
type DeletedProperties map[string][]string

// Access lists the groups that can reach a chat or thread (§5.6).
type Access struct {
	GroupIDs []int `json:"group_ids"`
}

// Chat is §5.1 as webhooks carry it.
type Chat struct {
	ID         string     `json:"id"`
	Users      []User     `json:"users"`
	Properties Properties `json:"properties,omitempty"`
	Access     *Access    `json:"access,omitempty"`
}

// ChatWithThread is the chat of incoming_chat: a Chat plus its new thread.
type ChatWithThread struct {
	Chat
	Thread Thread `json:"thread"`
}

// Thread is §5.2.
type Thread struct {
	ID               string         `json:"id"`
	CreatedAt        string         `json:"created_at"`
	Active           *bool          `json:"active"`
	UserIDs          []string       `json:"user_ids"`
	Events           []Event        `json:"events,omitempty"`
	Properties       Properties     `json:"properties,omitempty"`
	Access           *Access        `json:"access,omitempty"`
	Tags             []string       `json:"tags,omitempty"`
	RestrictedAccess string         `json:"restricted_access,omitempty"`
	Queue            *Queue         `json:"queue,omitempty"`
	QueuesDuration   int            `json:"queues_duration,omitempty"` // meaning undocumented (§5.2)
	PreviousThreadID string         `json:"previous_thread_id,omitempty"`
	NextThreadID     string         `json:"next_thread_id,omitempty"`
	CustomerVisit    *CustomerVisit `json:"customer_visit,omitempty"`
	Summary          *Summary       `json:"summary,omitempty"`
}

// Queue describes a queued thread or transfer.
type Queue struct {
	Position int    `json:"position,omitempty"`
	WaitTime int    `json:"wait_time,omitempty"`
	QueuedAt string `json:"queued_at,omitempty"`
}

// CustomerVisit is the thread's view of the customer's visit.
type CustomerVisit struct {
	IP          string       `json:"ip,omitempty"`
	UserAgent   string       `json:"user_agent,omitempty"`
	Geolocation *Geolocation `json:"geolocation,omitempty"`
}

// Geolocation of a customer or an auto-access rule.
type Geolocation struct {
	Country     string `json:"country,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
	Region      string `json:"region,omitempty"`
	City        string `json:"city,omitempty"`
	Timezone    string `json:"timezone,omitempty"`
	Latitude    string `json:"latitude,omitempty"`
	Longitude   string `json:"longitude,omitempty"`
}

// Summary is a thread's AI summary.
type Summary struct {
	Status    string `json:"status"`
	Text      string `json:"text"`
	UpdatedAt string `json:"updated_at"`
}

// Payloads, one per action (webhooks.md §4).

// IncomingChatPayload is incoming_chat.
type IncomingChatPayload struct {
	Chat ChatWithThread `json:"chat"`
	// RequesterID and TransferredFrom are documented for the RTM push only.
	RequesterID     string       `json:"requester_id,omitempty"`
	TransferredFrom *Transferred `json:"transferred_from,omitempty"`
}

// Transferred names groups and/or agents of a transfer.
type Transferred struct {
	GroupIDs []int    `json:"group_ids,omitempty"`
	AgentIDs []string `json:"agent_ids,omitempty"`
}

// ChatDeactivatedPayload is chat_deactivated; UserID is absent when the router closed the thread.
type ChatDeactivatedPayload struct {
	ChatID   string `json:"chat_id"`
	ThreadID string `json:"thread_id"`
	UserID   string `json:"user_id,omitempty"`
}

// ChatAccessUpdatedPayload is chat_access_updated (note id, not chat_id).
type ChatAccessUpdatedPayload struct {
	ID     string `json:"id"`
	Access Access `json:"access"`
}

// ChatTransferredPayload is chat_transferred.
type ChatTransferredPayload struct {
	ChatID        string      `json:"chat_id"`
	ThreadID      string      `json:"thread_id,omitempty"`
	RequesterID   string      `json:"requester_id,omitempty"`
	Reason        string      `json:"reason"`
	TransferredTo Transferred `json:"transferred_to"`
	Queue         *Queue      `json:"queue,omitempty"`
}

// UserAddedToChatPayload is user_added_to_chat.
type UserAddedToChatPayload struct {
	ChatID      string `json:"chat_id"`
	ThreadID    string `json:"thread_id,omitempty"`
	User        User   `json:"user"`
	UserType    string `json:"user_type"`
	Reason      string `json:"reason"`
	RequesterID string `json:"requester_id,omitempty"`
}

// UserRemovedFromChatPayload is user_removed_from_chat.
type UserRemovedFromChatPayload struct {
	ChatID      string `json:"chat_id"`
	ThreadID    string `json:"thread_id,omitempty"`
	UserID      string `json:"user_id"`
	UserType    string `json:"user_type"`
	Reason      string `json:"reason"`
	RequesterID string `json:"requester_id,omitempty"`
}

// EventPayload is incoming_event and event_updated.
type EventPayload struct {
	ChatID   string `json:"chat_id"`
	ThreadID string `json:"thread_id"`
	Event    Event  `json:"event"`
}

// EventRefPayload is event_deleted.
type EventRefPayload struct {
	ChatID   string `json:"chat_id"`
	ThreadID string `json:"thread_id"`
	EventID  string `json:"event_id"`
}

// RichMessagePostbackPayload is incoming_rich_message_postback.
type RichMessagePostbackPayload struct {
	UserID   string       `json:"user_id"`
	ChatID   string       `json:"chat_id"`
	ThreadID string       `json:"thread_id"`
	EventID  string       `json:"event_id"`
	Postback PostbackInfo `json:"postback"`
}

// PostbackInfo says which button was toggled.
type PostbackInfo struct {
	ID          string     `json:"id"`
	Toggled     *bool      `json:"toggled"`
	ButtonType  string     `json:"button_type,omitempty"`
	ButtonValue string     `json:"button_value,omitempty"`
	Ecommerce   *Ecommerce `json:"ecommerce,omitempty"`
}

// Ecommerce is the product a postback or message refers to.
type Ecommerce struct {
	ProductID string  `json:"product_id,omitempty"`
	OptionID  string  `json:"option_id,omitempty"`
	Quantity  float64 `json:"quantity,omitempty"`
}

// ChatPropertiesUpdatedPayload is chat_properties_updated.
type ChatPropertiesUpdatedPayload struct {
	ChatID     string     `json:"chat_id"`
	Properties Properties `json:"properties"`
}

// ChatPropertiesDeletedPayload is chat_properties_deleted.
type ChatPropertiesDeletedPayload struct {
	ChatID     string            `json:"chat_id"`
	Properties DeletedProperties `json:"properties"`
}

// ThreadPropertiesUpdatedPayload is thread_properties_updated.
type ThreadPropertiesUpdatedPayload struct {
	ChatID     string     `json:"chat_id"`
	ThreadID   string     `json:"thread_id"`
	Properties Properties `json:"properties"`
}

// ThreadPropertiesDeletedPayload is thread_properties_deleted.
type ThreadPropertiesDeletedPayload struct {
	ChatID     string            `json:"chat_id"`
	ThreadID   string            `json:"thread_id"`
	Properties DeletedProperties `json:"properties"`
}

// EventPropertiesUpdatedPayload is event_properties_updated.
type EventPropertiesUpdatedPayload struct {
	ChatID     string     `json:"chat_id"`
	ThreadID   string     `json:"thread_id"`
	EventID    string     `json:"event_id"`
	Properties Properties `json:"properties"`
}

// EventPropertiesDeletedPayload is event_properties_deleted.
type EventPropertiesDeletedPayload struct {
	ChatID     string            `json:"chat_id"`
	ThreadID   string            `json:"thread_id"`
	EventID    string            `json:"event_id"`
	Properties DeletedProperties `json:"properties"`
}

// ThreadTagPayload is thread_tagged and thread_untagged.
type ThreadTagPayload struct {
	ChatID   string `json:"chat_id"`
	ThreadID string `json:"thread_id"`
	Tag      string `json:"tag"`
}

// RoutingStatusSetPayload is routing_status_set. Status is spelled with
// spaces in the webhook docs ("accepting chats") and with underscores in the
// API; both are accepted (webhooks.md §6).
type RoutingStatusSetPayload struct {
	AgentID string `json:"agent_id"`
	Status  string `json:"status"`
}

// CustomerSessionFieldsUpdatedPayload is customer_session_fields_updated.
type CustomerSessionFieldsUpdatedPayload struct {
	ID            string              `json:"id"`
	ActiveChat    ActiveChat          `json:"active_chat"`
	SessionFields []map[string]string `json:"session_fields"`
}

// ActiveChat names the chat a customer delivery is for.
type ActiveChat struct {
	ChatID   string `json:"chat_id"`
	ThreadID string `json:"thread_id"`
}

// EventsMarkedAsSeenPayload is events_marked_as_seen.
type EventsMarkedAsSeenPayload struct {
	UserID   string `json:"user_id"`
	ChatID   string `json:"chat_id"`
	SeenUpTo string `json:"seen_up_to"`
}

// ThreadSummarySetPayload is thread_summary_set.
type ThreadSummarySetPayload struct {
	ChatID   string  `json:"chat_id"`
	ThreadID string  `json:"thread_id"`
	Summary  Summary `json:"summary"`
}
