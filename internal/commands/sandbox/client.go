package sandbox

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/httpclient"
	"github.com/lcwh/lcwh/internal/livechatfake"
)

// defaultSandboxURL matches the sandbox_url default in internal/config.
const defaultSandboxURL = "http://127.0.0.1:8484"

// addSandboxFlag adds --sandbox.
func addSandboxFlag(cmd *cobra.Command) {
	cmd.Flags().String("sandbox", "", "Base URL of the running sandbox (env LCWH_SANDBOX_URL, config sandbox_url; default "+defaultSandboxURL+")")
	_ = cmd.RegisterFlagCompletionFunc("sandbox", cobra.NoFileCompletions)
}

// resolveSandboxURL is --sandbox > LCWH_SANDBOX_URL > config > default.
func resolveSandboxURL(f *cmdutil.Factory, cmd *cobra.Command) (string, error) {
	cfg, err := f.Config()
	if err != nil {
		return "", err
	}
	cfg.BindFlag("sandbox_url", cmd.Flags().Lookup("sandbox"))
	u, err := cfg.URL("sandbox_url")
	if err != nil {
		return "", cmdutil.FlagErrorWrap(err)
	}
	return strings.TrimRight(u, "/"), nil
}

// controlHTTPClient is the client for a sandbox's control endpoints, from
// httpclient (so --debug logs it), not following redirects: a sandbox
// never sends one. timeout 0 means httpclient's default.
func controlHTTPClient(f *cmdutil.Factory, timeout time.Duration) *http.Client {
	o := f.HTTPOptions()
	o.Timeout = timeout
	o.NoRedirect = true
	return httpclient.New(o)
}

// controlClient talks to a running sandbox's /_lcwh/ endpoints.
type controlClient struct {
	base string
	http *http.Client
}

// call sends a control request and decodes a 200 answer into out
// (livechatfake.ControlClient), its errors worded by cmdutil.SandboxError:
// a refused connection says how to start a sandbox.
func (c controlClient) call(ctx context.Context, method, path string, in, out any) error {
	err := livechatfake.ControlClient{Base: c.base, HTTP: c.http}.Call(ctx, method, path, in, out)
	return cmdutil.SandboxError(err, c.base, "--sandbox / LCWH_SANDBOX_URL")
}
