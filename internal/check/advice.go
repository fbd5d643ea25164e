package check

// What each check's contract is and how to meet it, in a backend
// developer's words. Sources (../shared/livechat): webhooks.md §1
// (additional_data), §2 (secret_key), §3 (200, ~10 s, up to 3 retries
// within a minute, no ordering, duplicates), §7 (versions);
// app-webhooks.md §5 and monday-lifecycle.md §5, §7 (verification of the
// other families). The texts name LiveChat's docs, which users have.

const (
	whyStatus = "LiveChat counts only HTTP 200 as delivered: a 201, 204 or redirect is a failed " +
		"delivery, retried up to 3 times within about a minute, so your code runs up to 4 times " +
		"for one event (LiveChat Webhooks docs)."
	fixStatus = "Answer exactly 200 (an empty body is fine) to every delivery you accept. Redirects " +
		"are not followed: register the final URL (scheme, host, path, trailing slash)."

	whyLatency = "LiveChat waits about 10 s for the answer; after that the delivery counts as failed " +
		"and is retried, so slow work turns into duplicates and, after the last retry, lost events. " +
		"LiveChat's own advice is to acknowledge at once and process asynchronously."
	fixLatency = "Acknowledge first, process later: answer 200 as soon as the body is parsed and " +
		"verified, and do the real work (database writes, API calls) in a queue or background job."

	whyForged = "Anyone who learns your webhook URL can POST to it. The only proof that a delivery " +
		"comes from LiveChat is the secret_key in its body, for App Webhooks (which carry no secret) the " +
		"clientID, for monday.com the JWT in the Authorization header; a handler that accepts a wrong or missing one lets strangers " +
		"inject chats, events and payments."
	fixForged = "Before doing anything else, compare secret_key with your secret in constant time " +
		"(crypto.timingSafeEqual, hmac.compare_digest, subtle.ConstantTimeCompare) and answer 401 " +
		"when it differs or is missing; compare clientID with your app's Client ID; verify the " +
		"monday JWT (HS256 with your secret, exp not passed) and refuse alg \"none\"."
	fixForgedAccepted = "You passed --accepts-forged: make sure the handler drops these deliveries " +
		"without acting on them, and logs that it did."

	whyRetry = "LiveChat resends a delivery it thinks failed with the identical body, and a slow 200 " +
		"can bring the same event twice (LiveChat Webhooks docs). webhook_id names the registration, not " +
		"the delivery: every event of one webhook carries the same webhook_id."
	fixRetry = "Make processing idempotent: deduplicate on the event itself (action plus " +
		"payload.event.id, or payload.chat_id plus thread_id) and answer 200 to a duplicate you " +
		"have already handled. Never refuse a repeat with 4xx/5xx (that only brings more retries), " +
		"and never deduplicate on webhook_id."

	whyParallel = "LiveChat sends webhooks as events happen: a busy license produces many at once, " +
		"every registration gets its own copy, and retries overlap new events. A handler that " +
		"serialises work or has a small pool refuses or times out under a burst, and each refused " +
		"delivery comes back as a retry."
	fixParallel = "Keep the request path short (parse, verify, enqueue, answer 200) so it never waits " +
		"on a lock or a full pool; size worker and database pools for bursts; give the server a " +
		"listen backlog that absorbs a burst (Python's socketserver and http.server default to 5: " +
		"set request_queue_size, or serve with gunicorn or uvicorn); do not let one slow event hold " +
		"up the others."

	whyOrder = "LiveChat does not promise any order: retries and parallel sending " +
		"can bring an incoming_event before its incoming_chat, or an event after chat_deactivated. " +
		"Chats that began before your app was installed never had an incoming_chat at all."
	fixOrder = "Never assume a record exists: create the chat the first time any webhook names it " +
		"(upsert), keep closed chats instead of deleting them, and answer 200 (queueing what you " +
		"cannot process yet) rather than failing when data is missing."

	whyForwardCompat = "LiveChat adds fields, actions and event types in new API versions (v3.6 " +
		"added requester, event_deleted and thread_summary_set). A handler that " +
		"rejects unknown fields, or fails on an action or event type it does not know, breaks on " +
		"the day the API grows, and every retry fails again."
	fixForwardCompat = "Ignore JSON fields you do not know (no DisallowUnknownFields, no " +
		"additionalProperties: false, no strict schema on the whole body); route on action and " +
		"event type with a default branch that answers 200 and does nothing."

	whyPayloadEdge = "Real traffic carries every script and emoji, long chats (incoming_chat brings " +
		"the whole thread, easily past 100 KB), additional_data that is {} or absent depending on " +
		"the registration, and a Content-Type that may carry a charset."
	fixPayloadEdge = "Accept bodies of at least 1 MiB (Express: express.json({ limit: '5mb' }); " +
		"nginx: client_max_body_size); decode the body as UTF-8; treat additional_data and its " +
		"keys as optional; match Content-Type on its media type only (application/json), " +
		"ignoring parameters such as charset."

	whySlowClient = "Bodies can arrive slowly over a congested network or a tunnel. A server whose " +
		"read timeout is shorter than LiveChat's 10 s cuts such requests off, and LiveChat retries " +
		"them."
	fixSlowClient = "Give the server a read timeout of at least 10 s (Go http.Server ReadTimeout, " +
		"gunicorn --timeout, nginx client_body_timeout, Node server.requestTimeout) and answer " +
		"only after reading the whole body."

	registrationTitle = "Registered in the sandbox"
	whyRegistration   = "LiveChat delivers only to registered webhooks: a missing action, a URL with a " +
		"typo, a filter that drops the events you want or disabled license webhooks mean silence " +
		"in production, with nothing in your logs to debug."
	fixRegistration = "Register each action for this URL with the secret your handler expects " +
		"(lcwh register --action ACTION --url URL --secret S), review filters with lcwh list, " +
		"remove stale webhooks with lcwh unregister, and turn license webhooks on with lcwh enable."
)
