package livechat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/livechatfake/livechatfaketest"
)

const owner = livechatfake.ServerClientID

type harness struct {
	fake   *livechatfaketest.Server
	srv    *httptest.Server
	client *livechat.Client
	sleeps []time.Duration
}

func newHarness(t *testing.T, token string) *harness {
	t.Helper()
	h := &harness{fake: livechatfaketest.New()}
	h.srv = httptest.NewServer(h.fake)
	t.Cleanup(h.srv.Close)
	h.client = h.newClient(token, 0)
	return h
}

func (h *harness) newClient(token string, timeout time.Duration) *livechat.Client {
	src := auth.StaticHeader(auth.PAT{AccountID: livechatfake.AccountID, Token: token}.Header())
	hc := httpclient.New(httpclient.Options{Version: "test", Timeout: timeout,
		Auth: func(rt http.RoundTripper) http.RoundTripper { return &auth.Transport{Base: rt, Source: src} }})
	return &livechat.Client{BaseURL: h.srv.URL, Version: "3.6", HTTP: hc,
		Sleep: func(_ context.Context, d time.Duration) error { h.sleeps = append(h.sleeps, d); return nil }}
}

func lastBody(t *testing.T, f *livechatfaketest.Server) map[string]any {
	t.Helper()
	reqs := f.Requests()
	var m map[string]any
	if err := json.Unmarshal(reqs[len(reqs)-1].Body, &m); err != nil {
		t.Fatalf("request body: %v", err)
	}
	return m
}

func TestLifecycle(t *testing.T) {
	h := newHarness(t, livechatfake.PATToken)
	ctx := context.Background()
	yes := true
	req := livechat.RegisterRequest{
		Action: "incoming_event", SecretKey: "k3Jd8sLq0vXz4NwP7rTy2uBm", URL: "https://hooks.example.com/livechat/incoming-event",
		OwnerClientID: owner, Type: "license", Description: "Customer messages",
		AdditionalData: []string{"chat_properties", "chat_presence_user_ids"},
		Filters: &livechat.Filters{AuthorType: "customer", OnlyMyChats: &yes, SourceType: []string{"my_client", "other_clients"},
			ChatPresence: &livechat.ChatPresence{UserIDs: &livechat.UserIDs{ExcludeValues: []string{"5c98"}}}},
	}
	id, err := h.client.RegisterWebhook(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// The body is exactly the documented request (configuration-api.md §6.1).
	want := map[string]any{
		"url": req.URL, "description": req.Description, "action": "incoming_event", "secret_key": req.SecretKey,
		"owner_client_id": owner, "type": "license", "additional_data": []any{"chat_properties", "chat_presence_user_ids"},
		"filters": map[string]any{"author_type": "customer", "only_my_chats": true, "source_type": []any{"my_client", "other_clients"},
			"chat_presence": map[string]any{"user_ids": map[string]any{"exclude_values": []any{"5c98"}}}},
	}
	if diff := cmp.Diff(want, lastBody(t, h.fake)); diff != "" {
		t.Errorf("register body (-want +got):\n%s", diff)
	}
	r := h.fake.Requests()[0]
	if r.Path != "/v3.6/configuration/action/register_webhook" || r.Method != "POST" ||
		r.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") ||
		r.Header.Get("User-Agent") != "lcwh/test" {
		t.Errorf("request = %s %s %v", r.Method, r.Path, r.Header)
	}
	hooks, err := h.client.ListWebhooks(ctx, owner)
	if err != nil || len(hooks) != 1 || hooks[0].ID != id || hooks[0].SecretKey != "" {
		t.Fatalf("list = %+v, %v", hooks, err)
	}
	if diff := cmp.Diff(map[string]any{"owner_client_id": owner}, lastBody(t, h.fake)); diff != "" {
		t.Errorf("list body: %s", diff)
	}
	if err := h.client.DisableLicenseWebhooks(ctx, owner); err != nil {
		t.Fatal(err)
	}
	on, err := h.client.LicenseWebhooksState(ctx, owner)
	if err != nil || on {
		t.Fatalf("state after disable = %v, %v", on, err)
	}
	if err := h.client.EnableLicenseWebhooks(ctx, owner); err != nil {
		t.Fatal(err)
	}
	if on, _ := h.client.LicenseWebhooksState(ctx, owner); !on {
		t.Error("state after enable = false")
	}
	if err := h.client.UnregisterWebhook(ctx, id, owner); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"id": id, "owner_client_id": owner}, lastBody(t, h.fake)); diff != "" {
		t.Errorf("unregister body: %s", diff)
	}
	err = h.client.UnregisterWebhook(ctx, id, owner)
	if !errors.Is(err, livechat.ErrNotFound) {
		t.Errorf("second unregister = %v, want not_found", err)
	}
}

func TestNamesNeedNoAuth(t *testing.T) {
	h := newHarness(t, "wrong")
	c := &livechat.Client{BaseURL: h.srv.URL, Version: "3.6", HTTP: httpclient.New(httpclient.Options{})}
	names, err := c.ListWebhookNames(context.Background(), "3.5")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := livechat.Names("3.5")
	if diff := cmp.Diff(want, names); diff != "" || len(names) != 37 {
		t.Errorf("names (%d): %s", len(names), diff)
	}
	if n, _ := livechat.Names("3.6"); len(n) != 38 {
		t.Errorf("3.6 has %d actions, want 38", len(n))
	}
	if got := string(h.fake.Requests()[0].Body); got != `{"version":"3.5"}` {
		t.Errorf("body = %s", got)
	}
	if _, err := c.ListWebhookNames(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if got := string(h.fake.Requests()[1].Body); got != `{}` {
		t.Errorf("empty body = %q, want {}", got)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	reg := func(action string) livechat.RegisterRequest {
		return livechat.RegisterRequest{Action: action, SecretKey: "s", URL: "https://e.com", OwnerClientID: owner, Type: "license"}
	}
	t.Run("limit_reached", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		for i := 0; i < 3; i++ {
			if _, err := h.client.RegisterWebhook(ctx, reg("chat_deactivated")); err != nil {
				t.Fatal(err)
			}
		}
		_, err := h.client.RegisterWebhook(ctx, reg("chat_deactivated"))
		var ae *livechat.APIError
		if !errors.Is(err, livechat.ErrLimitReached) || !errors.As(err, &ae) {
			t.Fatalf("err = %v", err)
		}
		if !strings.Contains(ae.Hint(), "lcwh list --action chat_deactivated") || ae.ExitCode() != 1 {
			t.Errorf("hint = %q", ae.Hint())
		}
	})
	t.Run("authentication", func(t *testing.T) {
		h := newHarness(t, "not-a-pat")
		_, err := h.client.ListWebhooks(ctx, owner)
		var ae *livechat.APIError
		if !errors.As(err, &ae) || ae.Type != "authentication" || ae.Status != 401 || ae.ExitCode() != 4 || !strings.Contains(ae.Hint(), "lcwh auth login") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("authorization scope", func(t *testing.T) {
		h := newHarness(t, livechatfake.ReadOnlyPAT)
		err := h.client.EnableLicenseWebhooks(ctx, owner)
		var ae *livechat.APIError
		if !errors.As(err, &ae) || !errors.Is(err, livechat.ErrAuthorization) || !strings.Contains(ae.Hint(), "webhooks.state:rw") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("authorization owner", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		_, err := h.client.ListWebhooks(ctx, livechatfake.ForeignClientID)
		if !errors.Is(err, livechat.ErrAuthorization) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("validation message", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		h.fake.Statuses["validation"] = 422
		r := reg("agent_deleted")
		r.AdditionalData = []string{"chat_properties"}
		_, err := h.client.RegisterWebhook(ctx, r)
		var ae *livechat.APIError
		if !errors.As(err, &ae) || ae.Status != 422 || !strings.Contains(ae.Message, "not allowed for agent_deleted") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("pat needs owner for state", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		if _, err := h.client.LicenseWebhooksState(ctx, ""); !errors.Is(err, livechat.ErrOwnerRequired) {
			t.Fatalf("err = %v", err)
		}
		if len(h.fake.Requests()) != 0 {
			t.Error("a request was sent")
		}
	})
	t.Run("non-JSON body", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		h.fake.Inject(livechatfaketest.Fault{Status: 404, Body: "<html>nginx</html>", ContentType: "text/html"})
		_, err := h.client.ListWebhooks(ctx, owner)
		var re *livechat.ResponseError
		if !errors.As(err, &re) || !errors.Is(err, livechat.ErrBadResponse) || !strings.Contains(err.Error(), "HTTP 404, text/html") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("non-JSON success", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		h.fake.Inject(livechatfaketest.Fault{Status: 200, Body: "ok", ContentType: "text/plain"})
		if _, err := h.client.ListWebhooks(ctx, owner); !errors.Is(err, livechat.ErrBadResponse) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("empty success for no-payload methods", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		h.fake.Inject(livechatfaketest.Fault{Status: 200, Body: " "})
		if err := h.client.EnableLicenseWebhooks(ctx, owner); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("unsupported version", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		h.client.Version = "3.4"
		if _, err := h.client.ListWebhooks(ctx, owner); !errors.Is(err, livechat.ErrUnsupportedVersion) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	t.Run("429 honours Retry-After", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		h.fake.Inject(livechatfaketest.Fault{Status: 429, RetryAfter: "2", Times: 2})
		if _, err := h.client.ListWebhooks(ctx, owner); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]time.Duration{2 * time.Second, 2 * time.Second}, h.sleeps); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("503 gives up after 3 retries", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		h.fake.Inject(livechatfaketest.Fault{Status: 503, Times: 10})
		_, err := h.client.ListWebhooks(ctx, owner)
		if n := len(h.fake.Requests()); n != 4 || len(h.sleeps) != 3 {
			t.Errorf("requests = %d, sleeps = %v", n, h.sleeps)
		}
		if !errors.Is(err, livechat.ErrInternal) {
			t.Errorf("err = %v", err)
		}
		for i := 1; i < len(h.sleeps); i++ {
			if h.sleeps[i] < h.sleeps[i-1] {
				t.Errorf("backoff not growing: %v", h.sleeps)
			}
		}
	})
	t.Run("500 on register is not retried", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		h.fake.Inject(livechatfaketest.Fault{Status: 500, Times: 10})
		_, err := h.client.RegisterWebhook(ctx, livechat.RegisterRequest{Action: "chat_deactivated", SecretKey: "s", URL: "https://e.com", OwnerClientID: owner, Type: "license"})
		if n := len(h.fake.Requests()); n != 1 || err == nil {
			t.Errorf("requests = %d, err = %v", n, err)
		}
	})
	t.Run("misdirected retries once with X-Region", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		h.fake.Region = "fra"
		if _, err := h.client.ListWebhooks(ctx, owner); err != nil {
			t.Fatal(err)
		}
		reqs := h.fake.Requests()
		if len(reqs) != 2 || reqs[0].Header.Get("X-Region") != "" || reqs[1].Header.Get("X-Region") != "fra" || h.client.Region != "fra" {
			t.Errorf("regions: %q %q", reqs[0].Header.Get("X-Region"), reqs[len(reqs)-1].Header.Get("X-Region"))
		}
	})
	t.Run("second misdirected is an error", func(t *testing.T) {
		h := newHarness(t, livechatfake.PATToken)
		h.fake.Inject(livechatfaketest.Fault{Status: 421, Body: `{"error":{"type":"misdirected_request","message":"Wrong region","data":{"region":"fra"}}}`, Times: 5})
		_, err := h.client.ListWebhooks(ctx, owner)
		if !errors.Is(err, livechat.ErrMisdirected) || len(h.fake.Requests()) != 2 {
			t.Errorf("err = %v after %d requests", err, len(h.fake.Requests()))
		}
	})
}

func TestSlowServer(t *testing.T) {
	h := newHarness(t, livechatfake.PATToken)
	release := make(chan struct{})
	defer close(release)
	h.fake.Inject(livechatfaketest.Fault{Block: release})
	c := h.newClient(livechatfake.PATToken, 20*time.Millisecond)
	_, err := c.ListWebhooks(context.Background(), owner)
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Fatalf("err = %v", err)
	}
}

func TestLegacyWarning(t *testing.T) {
	h := newHarness(t, livechatfake.PATToken)
	var warnings []string
	h.client.Version = "3.5"
	h.client.Warn = func(m string) { warnings = append(warnings, m) }
	for i := 0; i < 2; i++ {
		if _, err := h.client.ListWebhooks(context.Background(), owner); err != nil {
			t.Fatal(err)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "legacy") {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestListSecretsReading(t *testing.T) {
	// Whether list_webhooks returns secret_key is undocumented: both decode.
	h := newHarness(t, livechatfake.PATToken)
	h.fake.ListSecrets = true
	r := livechat.RegisterRequest{Action: "chat_deactivated", SecretKey: "topsecret", URL: "https://e.com", OwnerClientID: owner, Type: "license", AdditionalData: []string{"chat_properties"}}
	if _, err := h.client.RegisterWebhook(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	hooks, err := h.client.ListWebhooks(context.Background(), owner)
	if err != nil || hooks[0].SecretKey != "topsecret" || len(hooks[0].AdditionalData) != 1 {
		t.Fatalf("hooks = %+v, %v", hooks, err)
	}
}

func TestBearerStateWithoutOwner(t *testing.T) {
	h := newHarness(t, livechatfake.PATToken)
	var token string
	h.fake.State(func(s *livechatfake.State) {
		token = "dal:at_test"
		s.Tokens[token] = &livechatfake.Token{Access: token, Refresh: "rt", ClientID: livechatfake.ClientID,
			AccountID: livechatfake.AccountID, Scopes: livechatfake.WebhookScopes, Expiry: time.Now().Add(time.Hour)}
	})
	hc := httpclient.New(httpclient.Options{Auth: func(rt http.RoundTripper) http.RoundTripper {
		return &auth.Transport{Base: rt, Source: auth.StaticHeader("Bearer " + token)}
	}})
	c := &livechat.Client{BaseURL: h.srv.URL, Version: "3.6", HTTP: hc, Bearer: true, Region: "dal"}
	if err := c.DisableLicenseWebhooks(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	on, err := c.LicenseWebhooksState(context.Background(), "")
	if err != nil || on {
		t.Fatalf("state = %v, %v", on, err)
	}
	reqs := h.fake.Requests()
	if string(reqs[0].Body) != "{}" || reqs[0].Header.Get("Authorization") != "Bearer "+token || reqs[0].Header.Get("X-Region") != "dal" {
		t.Errorf("request: %s %v", reqs[0].Body, reqs[0].Header)
	}
	// The token's own client is the one disabled; an explicit owner overrides it.
	if on, _ := c.LicenseWebhooksState(context.Background(), livechatfake.ServerClientID); !on {
		t.Error("explicit owner_client_id did not override the token's client")
	}
}

func TestRetryAfterDate(t *testing.T) {
	h := newHarness(t, livechatfake.PATToken)
	h.fake.Inject(livechatfaketest.Fault{Status: 429, RetryAfter: time.Now().Add(-time.Minute).UTC().Format(http.TimeFormat)})
	if _, err := h.client.ListWebhooks(context.Background(), owner); err != nil {
		t.Fatal(err)
	}
	if len(h.sleeps) != 1 || h.sleeps[0] != 0 {
		t.Errorf("sleeps = %v", h.sleeps)
	}
}
