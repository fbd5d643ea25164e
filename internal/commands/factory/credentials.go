package factory

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"

	"github.com/cli/browser"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/credstore"
)

// credentialFuncs fills the Factory's credential store, credential
// resolution and browser opener.
func credentialFuncs(f *cmdutil.Factory) {
	var (
		once  sync.Once
		store credstore.Store
		err   error
	)
	f.Credentials = func() (credstore.Store, error) {
		once.Do(func() {
			var cfg *config.Config
			if cfg, err = f.Config(); err != nil {
				return
			}
			var mode string
			if mode, err = cfg.Checked("credential_store"); err != nil {
				return
			}
			store, err = credstore.Open(mode, config.Dir(f.LookupEnv), nil)
		})
		return store, err
	}
	f.CredentialSource = func() (*auth.Resolved, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		accounts, err := cfg.Checked("accounts_url")
		if err != nil {
			return nil, err
		}
		return auth.Resolve(auth.ResolveOptions{
			LookupEnv:   f.LookupEnv,
			Store:       f.Credentials,
			Profile:     cfg.Profile(),
			AccountsURL: accounts,
			// Token refreshes go through the one client constructor, so
			// --debug logs them too.
			HTTPClient: newHTTPClient(f, nil),
			Now:        f.Now,
		})
	}
	f.OpenBrowser = func(url string) error {
		// $BROWSER, as gh and git honour it, names the command to run with the URL.
		if b, ok := f.LookupEnv("BROWSER"); ok && strings.TrimSpace(b) != "" {
			args := strings.Fields(b)
			cmd := exec.Command(args[0], append(args[1:], url)...) //nolint:gosec,noctx // G204: $BROWSER is the user's own command, run as a shell would; noctx: the browser outlives lcwh, no context may kill it
			if err := cmd.Start(); err != nil {
				return fmt.Errorf("run $BROWSER: %w", err)
			}
			go func() { _ = cmd.Wait() }()
			return nil
		}
		browser.Stdout = f.IOStreams.ErrOut
		browser.Stderr = f.IOStreams.ErrOut
		return browser.OpenURL(url)
	}
}
