// Package factory builds the real Factory: the process's streams,
// environment, clock, lazily loaded configuration and the HTTP clients.
package factory

import (
	"context"
	"net/http"
	"os"
	"regexp"
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
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) {
		return config.Load(*f.ConfigOptions)
	})
	f.HTTPClient = func() (*http.Client, error) {
		cred, err := credentialSource(f)
		if err != nil {
			return nil, err
		}
		return newHTTPClient(f, cred.Source), nil
	}
	f.APIClient = func() (*livechat.Client, error) {
		cred, err := credentialSource(f)
		if err != nil {
			return nil, err
		}
		c, err := newAPIClient(f, newHTTPClient(f, cred.Source))
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
	Source auth.HeaderSource
	Method auth.Method
	// ClientID is the OAuth token's client id ("" for a PAT).
	ClientID string
	// Region is the data-centre prefix of the token ("dal", "fra", …), sent as X-Region.
	Region string
}

// credentialSource resolves the credential. For now only LCWH_PAT; stored
// logins and OAuth refresh replace this function (branch authn).
func credentialSource(f *cmdutil.Factory) (*Credential, error) {
	v, ok := f.LookupEnv("LCWH_PAT")
	if !ok || strings.TrimSpace(v) == "" {
		return nil, cmdutil.AuthError(auth.ErrNoCredential, auth.NoCredentialHint)
	}
	pat, err := auth.ParsePAT(v)
	if err != nil {
		return nil, cmdutil.AuthError(err, "Set LCWH_PAT to ACCOUNT_ID:TOKEN as shown in Developer Console → Settings → Personal Access Tokens.")
	}
	return &Credential{Source: auth.StaticHeader(pat.Header()), Method: auth.MethodPAT, Region: RegionPrefix(pat.Token)}, nil
}

var regionRE = regexp.MustCompile(`^([a-z]{3}(?:-[a-z])?):`)

// RegionPrefix returns the data-centre prefix of a token ("dal:…" → "dal"),
// or "" (configuration-api.md §4; whether PATs carry one is undocumented).
func RegionPrefix(token string) string {
	if m := regionRE.FindStringSubmatch(token); m != nil {
		return m[1]
	}
	return ""
}

func newHTTPClient(f *cmdutil.Factory, src auth.HeaderSource) *http.Client {
	opts := httpclient.Options{Version: f.Build.Version}
	if f.Debug != nil && *f.Debug {
		opts.Debug = f.IOStreams.ErrOut
	}
	if src != nil {
		opts.Auth = func(rt http.RoundTripper) http.RoundTripper { return &auth.Transport{Base: rt, Source: src} }
	}
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
		Sleep: func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		},
	}, nil
}
