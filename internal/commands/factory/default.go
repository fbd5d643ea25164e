// Package factory builds the real Factory: the process's streams,
// environment, clock, lazily loaded configuration and the HTTP clients.
package factory

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/lcwh/lcwh/internal/auth"
	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechat"
)

// New returns the Factory for a real run of lcwh.
func New(info build.Info) *cmdutil.Factory {
	return NewWith(info, iostreams.System(os.Getenv), os.LookupEnv)
}

// NewWith is New with the streams and environment given: end-to-end tests
// run the real wiring against buffers and a fake server.
func NewWith(info build.Info, ios *iostreams.IOStreams, lookupEnv func(string) (string, bool)) *cmdutil.Factory {
	f := &cmdutil.Factory{
		IOStreams:     ios,
		Build:         info,
		ConfigOptions: &config.Options{LookupEnv: lookupEnv},
		LookupEnv:     lookupEnv,
		Now:           time.Now,
		Debug:         new(bool),
	}
	// Config is loaded once per run, so each warning about the file (an
	// unknown key) is printed once.
	f.ConfigOptions.Warn = func(msg string) { _, _ = ios.ErrOut.Write([]byte("! " + msg + "\n")) }
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) {
		return config.Load(*f.ConfigOptions)
	})
	credentialFuncs(f)
	f.HTTPClient = func() (*http.Client, error) {
		cred, err := credentialSource(f)
		if err != nil {
			return nil, err
		}
		return newHTTPClient(f, cred.Wrap), nil
	}
	f.APIClient = func() (*livechat.Client, error) {
		cred, err := credentialSource(f)
		if err != nil {
			return nil, err
		}
		c, err := newAPIClient(f, newHTTPClient(f, cred.Wrap))
		if err != nil {
			return nil, err
		}
		c.Bearer = cred.Method == auth.MethodOAuth
		c.Region = cred.Region
		c.TokenClientID = cred.ClientID
		return c, nil
	}
	f.PublicAPIClient = func() (*livechat.Client, error) {
		return newAPIClient(f, newHTTPClient(f, nil))
	}
	return f
}

// Credential is the resolved LiveChat credential.
type Credential struct {
	// Wrap adds authorization to a transport: Basic for a PAT; Bearer for
	// OAuth, refreshed before expiry and once after a 401 (rotated refresh
	// tokens saved to the store).
	Wrap   func(http.RoundTripper) http.RoundTripper
	Method auth.Method
	// ClientID is the OAuth token's client id ("" for a PAT).
	ClientID string
	// Region is the data-centre prefix of the token ("dal", "fra", …), sent as X-Region.
	Region string
}

// credentialSource resolves the credential: LCWH_PAT, else the --profile's
// stored login (f.CredentialSource). Its errors carry exit code 4 and a hint.
func credentialSource(f *cmdutil.Factory) (*Credential, error) {
	r, err := f.CredentialSource()
	if err != nil {
		if errors.Is(err, auth.ErrNoCredential) {
			return nil, err
		}
		return nil, cmdutil.AuthError(err, "Set LCWH_PAT to ACCOUNT_ID:TOKEN as shown in Developer Console → Settings → Personal Access Tokens, or run \"lcwh auth login\".")
	}
	region := r.Record.Region
	if region == "" {
		region = RegionPrefix(r.Record.AccessToken)
	}
	return &Credential{Wrap: r.Transport, Method: r.Method, ClientID: r.Record.ClientID, Region: region}, nil
}

// RegionPrefix returns the data-centre prefix of a token ("dal:…" → "dal"),
// or "" (configuration-api.md §4; whether PATs carry one is undocumented).
func RegionPrefix(token string) string {
	// Three lower-case letters, optionally "-x", then a colon: dal, fra, dal-a.
	prefix, _, ok := strings.Cut(token, ":")
	if !ok || len(prefix) < 3 || len(prefix) > 5 {
		return ""
	}
	for i, c := range prefix {
		switch {
		case i < 3 && c >= 'a' && c <= 'z':
		case i == 3 && c == '-' && len(prefix) == 5:
		case i == 4 && c >= 'a' && c <= 'z':
		default:
			return ""
		}
	}
	return prefix
}

func newHTTPClient(f *cmdutil.Factory, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	opts := httpclient.Options{Version: f.Build.Version}
	if f.Debug != nil && *f.Debug {
		opts.Debug = f.IOStreams.ErrOut
	}
	opts.Auth = wrap
	return httpclient.New(opts)
}

func newAPIClient(f *cmdutil.Factory, hc *http.Client) (*livechat.Client, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	base, err := cfg.URL("api_url")
	if err != nil {
		return nil, err
	}
	errOut := f.IOStreams.ErrOut
	return &livechat.Client{
		BaseURL: base,
		Version: cfg.Get("api_version"),
		HTTP:    hc,
		Warn:    func(msg string) { _, _ = errOut.Write([]byte("! " + msg + "\n")) },
	}, nil
}
