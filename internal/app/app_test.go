package app

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/lcwh/lcwh/internal/livechattest"
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
	fake := httptest.NewServer(livechattest.New())
	env.Defer(fake.Close)
	env.Setenv("FAKE_URL", fake.URL)
	env.Setenv("FAKE_PAT", livechattest.AccountID+":"+livechattest.PATToken)
	env.Setenv("FAKE_CLIENT_ID", livechattest.ServerClientID)
	return nil
}
