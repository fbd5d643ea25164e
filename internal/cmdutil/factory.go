package cmdutil

import (
	"net/http"
	"sync"
	"time"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/credstore"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechat"
)

// Factory carries every dependency a command may need. Values that cost
// something to build (config, HTTP, credentials) are funcs, called only by
// the commands that use them, so `--help` and flag errors stay instant and
// never touch the disk, keychain or network. Tests replace any field.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Build     build.Info

	// ConfigOptions is filled from --config and --profile before Config is called.
	ConfigOptions *config.Options
	// Config loads the configuration once per run.
	Config func() (*config.Config, error)

	// LookupEnv reads the environment.
	LookupEnv func(string) (string, bool)
	// Now is the clock.
	Now func() time.Time
	// Credentials opens the credential store (keychain or 0600 file, per
	// the credential_store setting).
	Credentials func() (credstore.Store, error)
	// CredentialSource resolves the credential API calls use: LCWH_PAT,
	// else the --profile's stored login. auth.ErrNoCredential when none.
	CredentialSource func() (*auth.Resolved, error)
	// OpenBrowser opens a URL in the user's browser.
	OpenBrowser func(url string) error
	// Debug is set by --debug: log HTTP traffic (redacted) on stderr.
	Debug *bool

	// HTTPClient is the authenticated client for LiveChat API calls. It
	// fails with an exit-4 AuthError when there is no credential.
	HTTPClient func() (*http.Client, error)
	// APIClient is the Configuration API client over HTTPClient, with
	// api_url and api_version resolved.
	APIClient func() (*livechat.Client, error)
	// PublicAPIClient is the Configuration API client without a credential,
	// for list_webhook_names, which needs no authorization.
	PublicAPIClient func() (*livechat.Client, error)
}

// OnceConfig wraps load so it runs once; later calls return the same result.
func OnceConfig(load func() (*config.Config, error)) func() (*config.Config, error) {
	var (
		once sync.Once
		cfg  *config.Config
		err  error
	)
	return func() (*config.Config, error) {
		once.Do(func() { cfg, err = load() })
		return cfg, err
	}
}

// Getenv is LookupEnv without the presence flag.
func (f *Factory) Getenv(key string) string {
	v, _ := f.LookupEnv(key)
	return v
}
