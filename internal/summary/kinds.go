package summary

// The fields of each kind, after the payloads of webhooks.md §4,
// app-webhooks.md §4 and monday-lifecycle.md §3.
var (
	chatSpec   = spec{"chat", []string{"payload.chat_id", "payload.chat.id"}}
	threadSpec = spec{"thread", []string{"payload.thread_id", "payload.chat.thread.id"}}

	// livechatSpecs serve the chat kinds (and LiveChat kinds lcwh does
	// not know yet).
	livechatSpecs = []spec{
		chatSpec,
		threadSpec,
		{"author", []string{"payload.event.author_id", "payload.user_id", "payload.user.id", "payload.requester_id"}},
		{"agent", []string{"payload.transferred_to.agent_ids.0"}},
		{"group", []string{"payload.transferred_to.group_ids.0", "payload.group_id"}},
		{"event", []string{"payload.event_id"}},
		{"tag", []string{"payload.tag"}},
	}
	agentSpecs = []spec{{"agent", []string{"payload.id"}}, {"name", []string{"payload.name"}}, {"role", []string{"payload.role"}}}
	groupSpecs = []spec{{"group", []string{"payload.id"}}, {"name", []string{"payload.name"}}}
	tagSpecs   = []spec{{"tag", []string{"payload.name", "payload.tag"}}, {"group", []string{"payload.group_ids.0"}}, {"author", []string{"payload.author_id"}}}

	livechatKinds = map[string][]spec{
		// chat_access_updated names the chat "id" (webhooks.md §4).
		"chat_access_updated": {{"chat", []string{"payload.id"}}, {"group", []string{"payload.access.group_ids.0"}}},
		"routing_status_set":  {{"agent", []string{"payload.agent_id"}}, {"status", []string{"payload.status"}}},
		"tag_created":         tagSpecs,
		"tag_updated":         tagSpecs,
		"tag_deleted":         tagSpecs,
		"customer_session_fields_updated": {
			{"customer", []string{"payload.id"}},
			{"chat", []string{"payload.active_chat.chat_id"}},
			{"fields", []string{"payload.session_fields.#"}},
		},
		// auto_accesses_updated carries an array of changed auto accesses.
		"auto_accesses_updated": {
			{"accesses", []string{"payload.#"}},
			{"first", []string{"payload.0.id"}},
			{"status", []string{"payload.0.status"}},
		},
		"events_marked_as_seen": {chatSpec, {"user", []string{"payload.user_id"}}, {"seen_up_to", []string{"payload.seen_up_to"}}},
		"incoming_rich_message_postback": {
			chatSpec, threadSpec,
			{"user", []string{"payload.user_id"}},
			{"postback", []string{"payload.postback.id"}},
		},
	}
	appSpecs = []spec{
		{"app", []string{"applicationID"}},
		{"license", []string{"licenseID"}},
		{"user", []string{"userID"}},
	}
	mondaySpecs = []spec{
		{"account", []string{"data.account_id"}},
		{"user", []string{"data.user_email", "data.user_id"}},
		{"plan", []string{"data.subscription.plan_id"}},
	}
)
