package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/commands/factory"
	"github.com/lcwh/lcwh/internal/iostreams"
	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/livechatfake/livechatfaketest"
	"github.com/lcwh/lcwh/internal/termtext/termtexttest"
)

// runLcwh runs the real command tree and wiring against vars (set in the
// process environment too: viper reads it) and returns code and stderr.
func runLcwh(t *testing.T, vars map[string]string, args ...string) (int, string) {
	t.Helper()
	dir := t.TempDir()
	vars["HOME"], vars["XDG_CONFIG_HOME"] = dir, filepath.Join(dir, "cfg")
	vars["LCWH_CREDENTIAL_STORE"] = "file"
	for k, v := range vars {
		t.Setenv(k, v)
	}
	ios, streams := iostreams.Test()
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	code := Run(context.Background(), factory.NewWith(build.Info{Version: "test"}, ios, lookup), args)
	return code, streams.ErrOut.String()
}

// quietTLSServer is httptest.NewTLSServer without the handshake errors
// the refused clients cause in its log.
func quietTLSServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

// TestTLSUntrustedServerGetsHint calls a loopback TLS server whose
// certificate this process does not trust, through the real client.
func TestTLSUntrustedServerGetsHint(t *testing.T) {
	srv := quietTLSServer(livechatfaketest.New())
	defer srv.Close()
	code, errOut := runLcwh(t, map[string]string{"LCWH_API_URL": srv.URL,
		"LCWH_PAT": livechatfake.AccountID + ":" + livechatfake.PATToken, "LCWH_CLIENT_ID": livechatfake.ServerClientID}, "list")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"error: list_webhooks:", "certificate", "signed by an authority this system does not trust",
		"SSL_CERT_FILE", "SSL_CERT_DIR", "corporate proxy"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// TestTLSHint maps each verification failure: real ones from a loopback
// TLS server (unknown authority, wrong host name) and the expired case,
// which a test cannot make the server present, built by hand.
func TestTLSHint(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	get := func(c *http.Client, u string) error {
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("GET %s succeeded", u)
		}
		return fmt.Errorf("list_webhooks: %w", err)
	}
	// srv.Client trusts the certificate, which names 127.0.0.1 and
	// example.com but not localhost.
	wrongHost := get(srv.Client(), strings.Replace(srv.URL, "127.0.0.1", "localhost", 1))
	untrusted := get(&http.Client{}, srv.URL)
	expired := &url.Error{Op: "Post", URL: "https://x", Err: x509.CertificateInvalidError{Reason: x509.Expired}}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unknown authority", untrusted, "signed by an authority this system does not trust"},
		{"host name", wrongHost, "for another host name: check the URL"},
		{"expired", expired, "check this machine's clock"},
		{"wrapped with a hint", cmdutil.WithHint(untrusted, "Check api_url."), "SSL_CERT_FILE"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		printError(&b, false, nil, tt.err)
		if !strings.Contains(b.String(), tt.want) || !strings.Contains(b.String(), "SSL_CERT_FILE") {
			t.Errorf("%s: printed\n%s\nwant %q and SSL_CERT_FILE", tt.name, b.String(), tt.want)
		}
	}
	if h := tlsHint(errors.New("connection refused")); h != "" {
		t.Errorf("hint for a non-TLS error: %q", h)
	}
}

type hinted struct{ msg, hint string }

func (h hinted) Error() string { return h.msg }
func (h hinted) Hint() string  { return h.hint }

// TestErrorPrintingIsTerminalSafe: whatever an error or its hint carries
// (server answers, file contents, URLs), app prints no terminal control.
func TestErrorPrintingIsTerminalSafe(t *testing.T) {
	for _, c := range termtexttest.Hostile() {
		for _, color := range []bool{false, true} {
			errs := []error{
				hinted{"list_webhooks: bad " + c.Text, "Try " + c.Text + "\nor\t" + c.Text},
				cmdutil.WithHint(fmt.Errorf("read %s: %w", c.Text, errors.New(c.Text)), c.Text),
				cmdutil.FlagErrorf("invalid --url %q: %s", c.Text, c.Text),
			}
			for _, err := range errs {
				var b bytes.Buffer
				printError(&b, color, nil, err)
				termtexttest.AssertSafe(t, c.Name, termtexttest.StripSGR(b.Bytes()))
				if !color && bytes.IndexByte(b.Bytes(), 0x1b) >= 0 {
					t.Errorf("%s: ESC without colour: %q", c.Name, b.Bytes())
				}
			}
		}
	}
}

// TestAPIErrorFromFakeIsTerminalSafe drives the real tree against the
// fake answering an error envelope whose message is full of controls.
func TestAPIErrorFromFakeIsTerminalSafe(t *testing.T) {
	fake := livechatfaketest.New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	fake.Inject(livechatfaketest.Fault{Path: "list_webhooks", Status: 400,
		Body: `{"error":{"type":"validation","message":"bad \u001b[2J\u001b]8;;http://evil/\u0007x\u001b]8;;\u0007 ` + "\xc2\x9b31m \x9b \xff" + ` \u0007\u0008\r"}}`})
	code, errOut := runLcwh(t, map[string]string{"LCWH_API_URL": srv.URL,
		"LCWH_PAT": livechatfake.AccountID + ":" + livechatfake.PATToken, "LCWH_CLIENT_ID": livechatfake.ServerClientID}, "list")
	if code != 1 || !strings.Contains(errOut, "error: list_webhooks: bad x") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	termtexttest.AssertSafe(t, "API error", []byte(errOut))
}
