package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestParsePATInput(t *testing.T) {
	for _, in := range []string{"acc:dal:tok", base64.StdEncoding.EncodeToString([]byte("acc:dal:tok")) + "\n"} {
		p, err := ParsePATInput(in)
		if err != nil || p.AccountID != "acc" || p.Token != "dal:tok" {
			t.Errorf("ParsePATInput(%q) = %+v, %v", in, p, err)
		}
	}
	// Base64 of something that is not ACCOUNT_ID:TOKEN keeps ParsePAT's error.
	if _, err := ParsePATInput(base64.StdEncoding.EncodeToString([]byte("nocolon"))); err == nil {
		t.Error("base64 of a malformed token accepted")
	}
}

func TestCheckPAT(t *testing.T) {
	p := PAT{AccountID: "acc", Token: "tok"}
	tests := []struct {
		name      string
		status    int
		body      string
		unchecked bool
		code      int // 0: no error
		hint      string
		msg       string
	}{
		{"ok", 200, `{"account_id":"acc"}`, false, 0, "", ""},
		{"ok without account", 200, `{}`, false, 0, "", ""},
		{"other account", 200, `{"account_id":"other"}`, false, 4,
			"Use the account id shown next to the token in Developer Console.",
			"LiveChat rejected the credential: the token belongs to account other, not acc"},
		{"refused", 401, ``, false, 4,
			"Check the account id and token in Developer Console > Settings > Authorization > Personal Access Tokens.",
			"LiveChat rejected the credential: the accounts server refused the Personal Access Token for account acc"},
		{"forbidden", 403, ``, true, 0, "", ""},
		{"server error", 500, ``, false, 1,
			"Nothing was stored. Try again later, or check accounts_url.",
			"check the token with the accounts server: unexpected 500 Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v2/accounts/me" || r.Header.Get("Authorization") != p.Header() {
					t.Errorf("request %s %s %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			got, err := CheckPAT(context.Background(), srv.Client(), srv.URL+"/", p)
			if got.AccountUnchecked != tt.unchecked {
				t.Errorf("AccountUnchecked = %v, want %v", got.AccountUnchecked, tt.unchecked)
			}
			checkPATError(t, err, tt.code, tt.hint, tt.msg)
			if tt.code == 4 && !errors.Is(err, ErrRejected) {
				t.Errorf("%v does not match ErrRejected", err)
			}
		})
	}
}

func TestCheckPATUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := CheckPAT(context.Background(), http.DefaultClient, url, PAT{AccountID: "a", Token: "t"})
	var ce *PATCheckError
	if !errors.As(err, &ce) || ce.Err == nil {
		t.Fatalf("err = %v, want a PATCheckError with the transport error", err)
	}
	checkPATError(t, err, 1, "Nothing was stored. Check your connection (or accounts_url) and try again.", err.Error())
}

func checkPATError(t *testing.T, err error, code int, hint, msg string) {
	t.Helper()
	if code == 0 {
		if err != nil {
			t.Fatalf("err = %v", err)
		}
		return
	}
	if err == nil {
		t.Fatal("no error")
	}
	var c interface {
		ExitCode() int
		Hint() string
	}
	if !errors.As(err, &c) {
		t.Fatalf("%T has no exit code and hint", err)
	}
	if c.ExitCode() != code || c.Hint() != hint || err.Error() != msg {
		t.Errorf("got exit %d, hint %q, message %q; want %d, %q, %q", c.ExitCode(), c.Hint(), err.Error(), code, hint, msg)
	}
}
