package configcmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
)

func testFactory(t *testing.T, env map[string]string) (*cmdutil.Factory, *iostreams.TestStreams) {
	t.Helper()
	ios, ts := iostreams.Test()
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	f := &cmdutil.Factory{
		IOStreams:     ios,
		Build:         build.Info{Version: "test"},
		ConfigOptions: &config.Options{LookupEnv: lookup},
		LookupEnv:     lookup,
		Now:           time.Now,
		Debug:         new(bool),
	}
	f.Config = func() (*config.Config, error) { return config.Load(*f.ConfigOptions) }
	return f, ts
}

func TestNewCmdSetParsesArgs(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    SetOptions
		wantErr string
	}{
		{name: "plain", args: []string{"client_id", "abc"}, env: map[string]string{"XDG_CONFIG_HOME": dir},
			want: SetOptions{Path: filepath.Join(dir, "lcwh", "config.yaml"), Key: "client_id", Value: "abc"}},
		{name: "profile from env", args: []string{"api_url", "http://x"}, env: map[string]string{"LCWH_CONFIG": "/c.yaml", "LCWH_PROFILE": "p"},
			want: SetOptions{Path: "/c.yaml", Profile: "p", Key: "api_url", Value: "http://x"}},
		{name: "unknown key", args: []string{"nope", "1"}, wantErr: `unknown configuration key "nope"`},
		{name: "one arg", args: []string{"client_id"}, wantErr: "expected KEY and VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := testFactory(t, tt.env)
			var got *SetOptions
			cmd := newCmdSet(f, func(o *SetOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&strings.Builder{})
			cmd.SetErr(&strings.Builder{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO = nil
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListRunTTYAndPipe(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("client_id: abc\nsecret: verysecretvalue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, ts := testFactory(t, map[string]string{"LCWH_CONFIG": p})
	opts := &ListOptions{IO: f.IOStreams, Config: f.Config}
	if err := listRun(opts); err != nil {
		t.Fatal(err)
	}
	want := "account_id\t\tdefault\n" +
		"accounts_url\thttps://accounts.livechat.com\tdefault\n" +
		"api_url\thttps://api.livechatinc.com\tdefault\n" +
		"api_version\t3.6\tdefault\n" +
		"client_id\tabc\tfile\n" +
		"credential_store\tauto\tdefault\n" +
		"listen_port\t8080\tdefault\n" +
		"monday_secret\t\tdefault\n" +
		"sandbox_url\thttp://127.0.0.1:8484\tdefault\n" +
		"secret\tver****\tfile\n"
	if diff := cmp.Diff(want, ts.Out.String()); diff != "" {
		t.Errorf("piped list (-want +got):\n%s", diff)
	}

	f2, ts2 := testFactory(t, map[string]string{"LCWH_CONFIG": p})
	f2.IOStreams.SetStdoutTTY(true)
	if err := listRun(&ListOptions{IO: f2.IOStreams, Config: f2.Config}); err != nil {
		t.Fatal(err)
	}
	out := ts2.Out.String()
	if !strings.Contains(out, "KEY") || !strings.Contains(out, "(not set)") || strings.Contains(out, "verysecretvalue") {
		t.Errorf("tty list:\n%s", out)
	}
	if !strings.Contains(ts2.ErrOut.String(), "config file: "+p) {
		t.Errorf("tty list stderr: %q", ts2.ErrOut.String())
	}
}

// runConfig runs `lcwh config ARGS` and returns stdout, the warnings the
// config file gave and the error (not yet printed).
func runConfig(t *testing.T, env map[string]string, args ...string) (stdout, warnings string, err error) {
	t.Helper()
	f, ts := testFactory(t, env)
	var warned []string
	f.ConfigOptions.Warn = func(m string) { warned = append(warned, m) }
	cmd := NewCmdConfig(f)
	cmd.SetArgs(args)
	cmd.SetOut(&strings.Builder{})
	cmd.SetErr(&strings.Builder{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err = cmd.Execute()
	return ts.Out.String(), strings.Join(warned, "\n"), err
}

func TestGetFailsOnInvalidValueInFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte("listen_port: 99999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runConfig(t, map[string]string{"LCWH_CONFIG": p}, "get", "api_url")
	if err == nil || out != "" || !strings.Contains(err.Error(), "config file "+p+`: listen_port: "99999" is not a port number`) ||
		!strings.Contains(cmdutil.HintOf(err), `"lcwh config set listen_port VALUE"`) || cmdutil.ExitCodeOf(err) != 1 {
		t.Fatalf("get: err %v (exit %d, hint %q), stdout %q", err, cmdutil.ExitCodeOf(err), cmdutil.HintOf(err), out)
	}
	// The fix the hint names works on the broken file.
	if _, _, err := runConfig(t, map[string]string{"LCWH_CONFIG": p}, "set", "listen_port", "9000"); err != nil {
		t.Fatal(err)
	}
	if out, _, err := runConfig(t, map[string]string{"LCWH_CONFIG": p}, "get", "listen_port"); err != nil || out != "9000\n" {
		t.Errorf("after the fix: %q %v", out, err)
	}
}

func TestUnknownKeyWarnsOnGet(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte("listen-port: 9000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, warned, err := runConfig(t, map[string]string{"LCWH_CONFIG": p}, "get", "listen_port")
	if err != nil || out != "8080\n" || warned != "config file "+p+`: unknown key "listen-port" is ignored; did you mean "listen_port"?` {
		t.Errorf("err %v, stdout %q, warnings %q", err, out, warned)
	}
}

func TestPathIsADirectory(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"path"}, {"get", "api_url"}, {"list"}, {"set", "client_id", "x"}} {
		out, _, err := runConfig(t, map[string]string{"LCWH_CONFIG": dir}, args...)
		if !errors.Is(err, config.ErrIsDirectory) || !strings.Contains(err.Error(), dir) || out != "" || cmdutil.ExitCodeOf(err) != 1 {
			t.Errorf("%v: err %v (exit %d), stdout %q", args, err, cmdutil.ExitCodeOf(err), out)
		}
	}
}
