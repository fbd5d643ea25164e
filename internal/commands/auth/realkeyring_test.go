package auth_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/credstore"
	"github.com/lcwh/lcwh/internal/credstore/credstoretest"
	"github.com/lcwh/lcwh/internal/livechatfake"
)

// TestRealKeyringCommands runs login, status, token (with a refresh that
// rotates the refresh token) and logout through the real command tree with
// LCWH_CREDENTIAL_STORE=keyring and the OS keychain (gnome-keyring in CI,
// see .ci/run), against the strict fake. It logs in under a profile of its
// own, never the user's default.
func TestRealKeyringCommands(t *testing.T) {
	credstoretest.RequireSecretService(t)
	e := newLCEnv(t)
	e.vars["LCWH_CREDENTIAL_STORE"] = "keyring"
	profile := fmt.Sprintf("keyring-test-%d", os.Getpid())
	cfg := filepath.Join(e.vars["XDG_CONFIG_HOME"], "lcwh", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("profiles:\n  "+profile+": {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.vars["LCWH_PROFILE"] = profile
	kr := credstore.NewKeyring()
	t.Cleanup(func() { _ = kr.Delete(profile) })
	stored := func() *credstore.Record {
		t.Helper()
		r, err := kr.Get(profile)
		if errors.Is(err, credstore.ErrNotFound) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	noFile := func() {
		t.Helper()
		if _, err := os.Stat(filepath.Join(e.vars["XDG_CONFIG_HOME"], "lcwh", "credentials.json")); !os.IsNotExist(err) {
			t.Errorf("credentials.json written with credential_store keyring: %v", err)
		}
	}

	// A Personal Access Token.
	r := e.run(livechatfake.AccountID+":"+livechatfake.PATToken, "auth", "login", "--with-pat")
	if r.code != 0 || !strings.Contains(r.stderr, "Stored in the OS keychain for profile "+profile) {
		t.Fatalf("PAT login %d: %s", r.code, r.stderr)
	}
	if r := e.run("", "auth", "status"); r.code != 0 || !strings.Contains(r.stdout, "Store:      keyring") {
		t.Errorf("status %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := e.run("", "auth", "token"); r.stdout != livechatfake.AccountID+":"+livechatfake.PATToken+"\n" {
		t.Errorf("token %q", r.stdout)
	}
	if r := e.run("", "auth", "logout"); r.code != 0 || stored() != nil {
		t.Fatalf("logout %d: %s", r.code, r.stderr)
	}

	// OAuth, with a refresh that rotates the refresh token.
	if r := e.run("", "auth", "login", "--client-id", livechatfake.ClientID, "--redirect-uri", e.redirect); r.code != 0 {
		t.Fatalf("OAuth login %d: %s", r.code, r.stderr)
	}
	first := stored()
	if first == nil || first.Method != "oauth" || first.RefreshToken == "" {
		t.Fatalf("keychain holds %+v", first)
	}
	e.fake.State(func(s *livechatfake.State) {
		for _, tok := range s.Tokens {
			tok.Expiry = time.Now().Add(-time.Minute)
		}
	})
	if r := e.run("", "state"); r.code != 0 {
		t.Fatalf("state after expiry %d: %s", r.code, r.stderr)
	}
	rotated := stored()
	if rotated.RefreshToken == first.RefreshToken || rotated.AccessToken == first.AccessToken {
		t.Errorf("rotation not saved to the keychain: %+v", rotated)
	}
	if r := e.run("", "auth", "token"); r.stdout != rotated.AccessToken+"\n" {
		t.Errorf("token %q, want the rotated one", r.stdout)
	}
	if r := e.run("", "auth", "status", "--json"); !strings.Contains(r.stdout, `"store": "keyring"`) {
		t.Errorf("status --json: %s", r.stdout)
	}
	if r := e.run("", "auth", "logout"); r.code != 0 || !strings.Contains(r.stderr, "revoked") || stored() != nil {
		t.Errorf("logout %d: %s", r.code, r.stderr)
	}
	noFile()
}
