package check

const longHelp = `Deliver realistic webhooks to your handler and grade it against LiveChat's
delivery contract: answer exactly 200 within about 10 s, verify secret_key,
and cope with retries, parallel and out-of-order deliveries, new fields and
actions, large bodies and slow networks. Each check prints a one-line
result; a failed one says why it matters in production and how to fix it.

Checks (ids for --skip and --only):
  status-200      each kind's first delivery is answered exactly 200
                  (201, 204 or a redirect fail: LiveChat retries them)
  latency         every answer within --timeout (default 10s); p50 and p99;
                  a warning above 1s
  forged-secret   a wrong, empty or missing secret_key (with --secret), a
                  wrong or missing clientID (--client-id), and an expired,
                  wrongly signed, alg "none" or missing monday JWT
                  (--monday-secret) are all refused
  retry           the same body again at once and after a pause, and a new
                  event carrying the same webhook_id, are accepted
  parallel        --parallel deliveries (default 20) sent at once are all
                  answered in time
  order           an incoming_event before its chat's incoming_chat, and
                  one after its chat_deactivated, are accepted
  forward-compat  a new field in every object, an unknown action and an
                  unknown event type are accepted
  payload-edge    emoji and non-Latin text, a 1 MiB chat, additional_data
                  {} and absent, Content-Type with a charset
  slow-client     a body sent in pieces over about 3 s still gets its answer
  registration    with --via-sandbox: each LiveChat action is registered
                  for the URL in lcwh sandbox, its filters let the sample
                  through, and the sandbox's delivery is accepted

Bodies come from the sample catalog with fresh ids per delivery and hang
together like one license's traffic: chat events belong to the chat of the
first incoming_chat. Checks after status-200 accept any 2xx, so one flaw
fails one check. Redirects are never followed.

The default kinds are incoming_chat, incoming_event and chat_deactivated.
--kinds adds LiveChat kinds to them; App Webhooks and monday.com kinds are
taken alone (they go to their own URL). --family and --all replace them.

--via-sandbox first asks the running sandbox (LCWH_SANDBOX_URL, config
sandbox_url) to deliver each LiveChat kind through the webhooks registered
in it, then runs the suite against their URL (or URL, when given) with
their webhook ids. Your --secret must be the one you registered.

Progress goes to stderr, the report card to stdout: coloured on a
terminal, plain in a pipe; --json prints the report as one JSON object,
--junit FILE also writes JUnit XML for CI. The default suite takes a few
seconds against a handler that answers at once. Guide:
docs/guides/check-handler.md.

Exit status: 0 when no check failed (warnings allowed), 1 when one did or
nothing answers at URL, 2 for usage errors.`
