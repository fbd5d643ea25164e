package check

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
)

// stubSandbox answers triggers from a table by kind.
func stubSandbox(byKind map[string]*SandboxResult) func(context.Context, string) (*SandboxResult, error) {
	return func(_ context.Context, kind string) (*SandboxResult, error) {
		if r, ok := byKind[kind]; ok {
			return r, nil
		}
		return &SandboxResult{}, nil
	}
}

func ok(id, url string) SandboxDelivery {
	return SandboxDelivery{WebhookID: id, URL: url, OK: true, Status: 200}
}

func TestRegistration(t *testing.T) {
	h := &handler{}
	o, _ := testOptions(t, h)
	url := o.URL
	tests := []struct {
		name    string
		byKind  map[string]*SandboxResult
		status  Status
		details []string
	}{
		{"all registered", map[string]*SandboxResult{
			"incoming_chat":    {Registered: 1, Deliveries: []SandboxDelivery{ok("wh_chat", url)}},
			"incoming_event":   {Registered: 2, Deliveries: []SandboxDelivery{ok("wh_event", url), ok("wh_other", "http://127.0.0.1:1/x")}},
			"chat_deactivated": {Registered: 1, Deliveries: []SandboxDelivery{ok("wh_deact", url)}},
		}, Pass, nil},
		{"missing, elsewhere, refused, filtered, disabled", map[string]*SandboxResult{
			"incoming_chat": {Registered: 1, Deliveries: []SandboxDelivery{{WebhookID: "wh_chat", URL: url, Status: 401, Error: "HTTP 401"}}},
			"incoming_event": {Registered: 2, Deliveries: []SandboxDelivery{{WebhookID: "wh_old", URL: "http://127.0.0.1:1/old", Error: "connection refused"}},
				Skipped: []SandboxSkip{{WebhookID: "wh_event", URL: url, Reason: "filter author_type agent: the event's author is a customer"}}},
			"chat_deactivated": {Registered: 1, Skipped: []SandboxSkip{{WebhookID: "wh_d", URL: url, Reason: "license webhooks are disabled for this client id (lcwh enable)"}}},
			"thread_tagged":    {Registered: 1, Deliveries: []SandboxDelivery{ok("wh_t", "http://127.0.0.1:9/elsewhere")}},
		}, Fail, []string{
			"incoming_chat: the sandbox's delivery through webhook wh_chat was answered 401 (it carries the secret_key registered for that webhook",
			"incoming_event: webhook wh_old points at http://127.0.0.1:1/old, which failed: connection refused (unregister it if it is stale)",
			"incoming_event: webhook wh_event's filters dropped the sample (filter author_type agent",
			"chat_deactivated: webhook wh_d was not delivered: license webhooks are disabled",
			"thread_tagged: registered for http://127.0.0.1:9/elsewhere, not for " + url,
			"user_added_to_chat: no webhook is registered for this action (lcwh register --action user_added_to_chat --url " + url,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o.Sandbox = stubSandbox(tt.byKind)
			o.Run = map[ID]bool{Registration: true, Status200: true}
			o.Kinds = DefaultKinds()
			if len(tt.details) > 0 {
				for _, n := range []string{"thread_tagged", "user_added_to_chat"} {
					k, _ := catalog.Lookup(n)
					o.Kinds = append(o.Kinds, k)
				}
			}
			rep := run(t, o)
			r := result(t, rep, Registration)
			if r.Status != tt.status {
				t.Fatalf("registration %+v", r)
			}
			for _, d := range tt.details {
				wantDetail(t, r, d)
			}
		})
	}
	// The passing case's webhook ids are what the later deliveries carry.
	bodies, _ := h.got()
	ids := map[string]string{}
	for _, b := range bodies[:3] {
		ids[gjson.GetBytes(b, "action").String()] = gjson.GetBytes(b, "webhook_id").String()
	}
	if ids["incoming_chat"] != "wh_chat" || ids["incoming_event"] != "wh_event" || ids["chat_deactivated"] != "wh_deact" {
		t.Errorf("webhook ids %v", ids)
	}
}

func TestRegistrationPicksTheURL(t *testing.T) {
	h := &handler{}
	o, _ := testOptions(t, h)
	url := o.URL
	o.URL = ""
	o.Run = map[ID]bool{Registration: true, Status200: true}
	o.Sandbox = stubSandbox(map[string]*SandboxResult{
		"incoming_chat": {Registered: 1, Deliveries: []SandboxDelivery{ok("a", url)}},
	})
	rep := run(t, o)
	if rep.URL != url || result(t, rep, Status200).Status != Pass {
		t.Fatalf("url %q, checks %s", rep.URL, dump(rep))
	}
	if r := result(t, rep, Registration); r.Status != Fail || !strings.Contains(strings.Join(r.Details, "\n"), "incoming_event: no webhook is registered") {
		t.Errorf("registration %+v", r)
	}

	o.Sandbox = stubSandbox(map[string]*SandboxResult{
		"incoming_chat":  {Registered: 1, Deliveries: []SandboxDelivery{ok("a", url)}},
		"incoming_event": {Registered: 1, Deliveries: []SandboxDelivery{ok("b", url+"/other")}},
	})
	_, err := Run(context.Background(), o)
	var amb *AmbiguousURLError
	if !errors.As(err, &amb) || len(amb.URLs) != 2 || amb.ExitCode() != 2 {
		t.Errorf("err = %v", err)
	}
	o.Sandbox = stubSandbox(nil)
	_, err = Run(context.Background(), o)
	var none *NoRegistrationError
	if !errors.As(err, &none) || !strings.Contains(none.Hint(), "lcwh register --action incoming_chat") {
		t.Errorf("err = %v", err)
	}
	o.Sandbox = func(context.Context, string) (*SandboxResult, error) { return nil, errors.New("no sandbox answers") }
	if _, err = Run(context.Background(), o); err == nil || err.Error() != "no sandbox answers" {
		t.Errorf("err = %v", err)
	}
}
