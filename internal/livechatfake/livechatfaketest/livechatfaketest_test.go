package livechatfaketest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func post(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Faults hit the requests they match, as many times as asked, then the
// fake serves again; every request is recorded, faulted or not.
func TestFaultsAndRecording(t *testing.T) {
	fake := New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	names := srv.URL + "/v3.6/configuration/action/list_webhook_names"
	fake.Inject(Fault{Path: "list_webhook_names", Status: 429, Times: 2})
	fake.Inject(Fault{Path: "nothing_matches", Status: 500})
	for i := range 2 {
		code, body := post(t, names)
		if code != 429 || !strings.Contains(body, `"type":"too_many_requests"`) || !strings.Contains(body, "Too many requests") {
			t.Errorf("request %d: %d %s", i, code, body)
		}
	}
	if code, body := post(t, names); code != 200 {
		t.Errorf("after the fault: %d %s", code, body)
	}
	fake.Inject(Fault{Status: 502, Body: "bad gateway", ContentType: "text/plain", RetryAfter: "3"})
	if code, body := post(t, names); code != 502 || body != "bad gateway" {
		t.Errorf("body fault: %d %q", code, body)
	}
	reqs := fake.Requests()
	if len(reqs) != 4 || reqs[3].Method != http.MethodPost || !strings.HasSuffix(reqs[3].Path, "list_webhook_names") || string(reqs[3].Body) != `{}` {
		t.Errorf("recorded %+v", reqs)
	}
}

// A Block fault holds the request until it is released, then the fake
// serves it normally.
func TestBlockFault(t *testing.T) {
	fake := New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	release := make(chan struct{})
	fake.Inject(Fault{Block: release})
	done := make(chan string, 1)
	go func() {
		code, body := post(t, srv.URL+"/v3.6/configuration/action/list_webhook_names")
		done <- fmt.Sprint(code, " ", body)
	}()
	select {
	case got := <-done:
		t.Fatalf("answered %s before the release", got)
	default:
	}
	close(release)
	if got := <-done; !strings.HasPrefix(got, "200 ") {
		t.Errorf("after release: %s", got)
	}
}
