package catalog

// Configuration-action payloads (webhooks.md §4.9). *_created carry the full
// object, *_updated the id plus changed fields only.

// AgentGroup is an agent's or bot's membership in a group.
type AgentGroup struct {
	ID       int    `json:"id" zero:"ok"`
	Priority string `json:"priority"`
}

// WorkScheduler is an agent's working hours.
type WorkScheduler struct {
	Timezone string        `json:"timezone,omitempty"`
	Schedule []ScheduleDay `json:"schedule,omitempty"`
}

// ScheduleDay is one working slot.
type ScheduleDay struct {
	Day     string `json:"day"`
	Enabled *bool  `json:"enabled"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// AgentCreatedPayload is agent_created. JobTitle, Mobile, MaxChatsCount and
// LoginStatus are undocumented for the webhook ("full state including empty
// fields" suggests they may appear).
type AgentCreatedPayload struct {
	ID                 string        `json:"id"`
	Name               string        `json:"name"`
	Role               string        `json:"role"`
	AwaitingApproval   *bool         `json:"awaiting_approval"`
	Groups             []AgentGroup  `json:"groups"`
	Notifications      []string      `json:"notifications"`
	EmailSubscriptions []string      `json:"email_subscriptions"`
	WorkScheduler      WorkScheduler `json:"work_scheduler"`
	JobTitle           string        `json:"job_title,omitempty"`
	Mobile             string        `json:"mobile,omitempty"`
	MaxChatsCount      *int          `json:"max_chats_count,omitempty"`
	LoginStatus        string        `json:"login_status,omitempty"`
}

// AgentUpdatedPayload is agent_updated: id plus whichever fields changed.
type AgentUpdatedPayload struct {
	ID                 string         `json:"id"`
	Name               string         `json:"name,omitempty"`
	Role               string         `json:"role,omitempty"`
	AwaitingApproval   *bool          `json:"awaiting_approval,omitempty"`
	Groups             []AgentGroup   `json:"groups,omitempty"`
	Notifications      []string       `json:"notifications,omitempty"`
	EmailSubscriptions []string       `json:"email_subscriptions,omitempty"`
	WorkScheduler      *WorkScheduler `json:"work_scheduler,omitempty"`
	JobTitle           string         `json:"job_title,omitempty"`
	Mobile             string         `json:"mobile,omitempty"`
	MaxChatsCount      *int           `json:"max_chats_count,omitempty"`
	LoginStatus        string         `json:"login_status,omitempty"`
}

// IDPayload is agent_approved, agent_suspended, agent_unsuspended,
// agent_deleted and bot_deleted.
type IDPayload struct {
	ID string `json:"id"`
}

// AutoAccess is one rule in the auto_accesses_updated array: added rules
// are full, updated ones carry changed fields, deleted ones only id.
type AutoAccess struct {
	ID          string                `json:"id"`
	Status      string                `json:"status"`
	NextID      *string               `json:"next_id,omitempty"` // "" for the last rule
	Description string                `json:"description,omitempty"`
	Access      *AutoAccessGroups     `json:"access,omitempty"`
	Conditions  *AutoAccessConditions `json:"conditions,omitempty"`
}

// AutoAccessGroups uses groups, not group_ids (§5.6).
type AutoAccessGroups struct {
	Groups []int `json:"groups"`
}

// AutoAccessConditions match a new thread's URL, domain or geolocation.
type AutoAccessConditions struct {
	URL         *MatchValues    `json:"url,omitempty"`
	Domain      *MatchValues    `json:"domain,omitempty"`
	Geolocation *GeoMatchValues `json:"geolocation,omitempty"`
}

// MatchValues is a url/domain condition.
type MatchValues struct {
	Values        []MatchValue `json:"values,omitempty"`
	ExcludeValues []MatchValue `json:"exclude_values,omitempty"`
}

// MatchValue is one url/domain pattern.
type MatchValue struct {
	Value      string `json:"value"`
	ExactMatch *bool  `json:"exact_match"`
}

// GeoMatchValues is a geolocation condition.
type GeoMatchValues struct {
	Values []Geolocation `json:"values"`
}

// BotCreatedPayload is bot_created. Avatar, MaxChatsCount, JobTitle,
// WorkScheduler and Type are bot fields not shown in the docs' sample.
type BotCreatedPayload struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	DefaultGroupPriority string         `json:"default_group_priority"`
	Groups               []AgentGroup   `json:"groups"`
	OwnerClientID        string         `json:"owner_client_id"`
	Avatar               string         `json:"avatar,omitempty"`
	MaxChatsCount        *int           `json:"max_chats_count,omitempty"`
	JobTitle             string         `json:"job_title,omitempty"`
	WorkScheduler        *WorkScheduler `json:"work_scheduler,omitempty"`
	Type                 string         `json:"type,omitempty"`
}

// BotUpdatedPayload is bot_updated: id plus changed fields.
type BotUpdatedPayload struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	DefaultGroupPriority string         `json:"default_group_priority,omitempty"`
	Groups               []AgentGroup   `json:"groups,omitempty"`
	OwnerClientID        string         `json:"owner_client_id,omitempty"`
	Avatar               string         `json:"avatar,omitempty"`
	MaxChatsCount        *int           `json:"max_chats_count,omitempty"`
	JobTitle             string         `json:"job_title,omitempty"`
	WorkScheduler        *WorkScheduler `json:"work_scheduler,omitempty"`
	Type                 string         `json:"type,omitempty"`
}

// GroupCreatedPayload is group_created.
type GroupCreatedPayload struct {
	ID              int               `json:"id" zero:"ok"`
	Name            string            `json:"name"`
	LanguageCode    string            `json:"language_code"`
	AgentPriorities map[string]string `json:"agent_priorities"`
}

// GroupUpdatedPayload is group_updated: id plus changed fields.
type GroupUpdatedPayload struct {
	ID              int               `json:"id" zero:"ok"`
	Name            string            `json:"name,omitempty"`
	LanguageCode    string            `json:"language_code,omitempty"`
	AgentPriorities map[string]string `json:"agent_priorities,omitempty"`
}

// GroupDeletedPayload is group_deleted.
type GroupDeletedPayload struct {
	ID int `json:"id" zero:"ok"`
}

// TagCreatedPayload is tag_created; AuthorID may be "" for built-in tags.
type TagCreatedPayload struct {
	Name      string `json:"name"`
	GroupIDs  []int  `json:"group_ids"`
	CreatedAt string `json:"created_at"`
	AuthorID  string `json:"author_id" zero:"ok"`
}

// TagDeletedPayload is tag_deleted.
type TagDeletedPayload struct {
	Name string `json:"name"`
}

// TagUpdatedPayload is tag_updated.
type TagUpdatedPayload struct {
	Name     string `json:"name"`
	GroupIDs []int  `json:"group_ids"`
}
