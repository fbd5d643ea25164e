package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/lcwh/lcwh/internal/livechatfake"
)

// TestMain lets testscript run the real command tree in-process as "lcwh".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"lcwh": func() { os.Exit(Main()) },
	})
}

// TestScripts runs testdata/script/*.txtar: end-to-end runs of the built
// command tree with HOME and XDG_CONFIG_HOME inside the script's work dir.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Setup:               setupEnv,
	})
}

func setupEnv(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	env.Setenv("HOME", home)
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	env.Setenv("LCWH_CREDENTIAL_STORE", "file")
	env.Setenv("NO_COLOR", "")
	env.Setenv("CLICOLOR_FORCE", "")
	// A fresh strict fake of the Configuration API and accounts server per
	// script, on loopback. Scripts opt in with
	// "env LCWH_API_URL=$FAKE_URL"; its fixed identities are exported too.
	fake := httptest.NewServer(livechatfake.New())
	env.Defer(fake.Close)
	env.Setenv("FAKE_URL", fake.URL)
	env.Setenv("FAKE_PAT", livechatfake.AccountID+":"+livechatfake.PATToken)
	env.Setenv("FAKE_CLIENT_ID", livechatfake.ServerClientID)
	// Webhook handlers for check.txtar: one that keeps LiveChat's delivery
	// contract and one with two typical mistakes (201, strict decoding).
	for name, h := range map[string]http.Handler{"CHECK_OK_URL": checkHandler(200, false), "CHECK_BAD_URL": checkHandler(201, true)} {
		srv := httptest.NewServer(h)
		env.Defer(srv.Close)
		env.Setenv(name, srv.URL+"/webhooks")
	}
	return nil
}

// checkHandler verifies secret_key (s3cr3t-value, else 401) and answers
// status; strict makes it fail with a 500 on a top-level field it does not
// know.
func checkHandler(status int, strict bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env struct {
			WebhookID      string          `json:"webhook_id"`
			SecretKey      string          `json:"secret_key"`
			Action         string          `json:"action"`
			OrganizationID string          `json:"organization_id"`
			Payload        json.RawMessage `json:"payload"`
			AdditionalData json.RawMessage `json:"additional_data"`
		}
		dec := json.NewDecoder(r.Body)
		if strict {
			dec.DisallowUnknownFields()
		}
		if err := dec.Decode(&env); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if env.SecretKey != "s3cr3t-value" {
			http.Error(w, "bad secret_key", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(status)
	})
}
