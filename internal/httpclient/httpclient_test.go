package httpclient

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/termtext/termtexttest"
)

func TestDebugRedacts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") != "lcwh/1.2.3" {
			t.Errorf("User-Agent = %q", r.Header.Get("User-Agent"))
		}
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), "s3cr3t-value") {
			t.Errorf("server got redacted body %s", body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "sid=cookie-value")
		_, _ = io.WriteString(w, `{"access_token":"dal:tok-value","refresh_token":"rt-value","list":[{"secret_key":"nested-secret"}],"id":"keep-me"}`)
	}))
	defer srv.Close()
	var log bytes.Buffer
	c := New(Options{Version: "1.2.3", Debug: &log, Auth: func(rt http.RoundTripper) http.RoundTripper {
		return &auth.Transport{Base: rt, Source: auth.StaticHeader("Bearer dal:bearer-value")}
	}})
	resp, err := c.Post(srv.URL+"/x?code=code-value&a=b", "application/json",
		strings.NewReader(`{"secret_key":"s3cr3t-value","client_secret":"cs-value","code_verifier":"cv-value","url":"https://e.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "dal:tok-value") {
		t.Error("caller got a redacted body")
	}
	out := log.String()
	for _, secret := range []string{"s3cr3t-value", "cs-value", "cv-value", "bearer-value", "tok-value", "rt-value", "nested-secret", "code-value", "cookie-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("debug log shows %s:\n%s", secret, out)
		}
	}
	for _, want := range []string{"> POST ", "Authorization: Bearer ****", "keep-me", "https://e.com", "< 200 OK", "a=b"} {
		if !strings.Contains(out, want) {
			t.Errorf("debug log lacks %q:\n%s", want, out)
		}
	}
}

func TestRedactForm(t *testing.T) {
	got := RedactBody([]byte("grant_type=refresh_token&refresh_token=abc&client_id=x"), "application/x-www-form-urlencoded")
	if strings.Contains(got, "abc") || !strings.Contains(got, "client_id=x") {
		t.Errorf("got %s", got)
	}
}

// TestDebugLogIsTerminalSafe serves hostile headers and bodies: the debug
// log (a terminal, usually) must not carry a control or a URL password,
// while the caller still gets the exact bytes.
func TestDebugLogIsTerminalSafe(t *testing.T) {
	for _, c := range termtexttest.Hostile() {
		body := "<p>" + c.Text + "</p>" + strings.Repeat("€", maxLoggedBody/3+1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["X-Evil"] = []string{strings.ToValidUTF8(strings.Map(func(r rune) rune {
				if r < 0x20 || r == 0x7f {
					return -1 // net/http refuses to send these in a header
				}
				return r
			}, c.Text), "?") + "\u009b2J"}
			_, _ = io.WriteString(w, body)
		}))
		var log bytes.Buffer
		hc := New(Options{Debug: &log})
		u := strings.Replace(srv.URL, "http://", "http://user:pa55word@", 1)
		resp, err := hc.Get(u + "/x")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if string(got) != body {
			t.Errorf("%s: caller got altered body", c.Name)
		}
		termtexttest.AssertSafe(t, c.Name, log.Bytes())
		if strings.Contains(log.String(), "pa55word") {
			t.Errorf("%s: log shows the URL password:\n%s", c.Name, log.String())
		}
		if !strings.Contains(log.String(), "€… (") {
			t.Errorf("%s: long body not cut at a character boundary:\n%.200q", c.Name, log.String())
		}
	}
}

func TestNoRedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/there", http.StatusFound)
			return
		}
		_, _ = io.WriteString(w, "followed")
	}))
	defer srv.Close()
	for _, tt := range []struct {
		no   bool
		want int
	}{{false, http.StatusOK}, {true, http.StatusFound}} {
		resp, err := New(Options{NoRedirect: tt.no}).Get(srv.URL + "/moved")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("NoRedirect=%v: status %d, want %d", tt.no, resp.StatusCode, tt.want)
		}
	}
}
