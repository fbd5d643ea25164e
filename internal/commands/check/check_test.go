package check

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/build"
	engine "github.com/lcwh/lcwh/internal/check"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
)

// newFactory is a Factory with test streams, a config file in a temp dir
// (content as given) and the environment env.
func newFactory(t *testing.T, cfgYAML string, env map[string]string) (*cmdutil.Factory, *iostreams.TestStreams) {
	t.Helper()
	ios, ts := iostreams.Test()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if cfgYAML != "" {
		if err := os.WriteFile(path, []byte(cfgYAML), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	lookup := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	f := &cmdutil.Factory{IOStreams: ios, Build: build.Info{Version: "test"}, LookupEnv: lookup, Now: time.Now,
		ConfigOptions: &config.Options{Path: path, LookupEnv: lookup}, Debug: new(bool)}
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) { return config.Load(*f.ConfigOptions) })
	return f, ts
}

func parse(t *testing.T, cfgYAML string, env map[string]string, args ...string) (*CheckOptions, error) {
	t.Helper()
	f, _ := newFactory(t, cfgYAML, env)
	var got *CheckOptions
	cmd := NewCmdCheck(f, func(o *CheckOptions) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return got, cmd.Execute()
}

func names(opts *CheckOptions) []string {
	var out []string
	for _, k := range opts.Kinds {
		out = append(out, k.Name)
	}
	return out
}

func TestNewCmdCheck(t *testing.T) {
	const u = "http://127.0.0.1:3000/webhooks"
	defaults := []string{"incoming_chat", "incoming_event", "chat_deactivated"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		cfg  string
		want func(*testing.T, *CheckOptions)
	}{
		{"defaults", []string{u}, nil, "", func(t *testing.T, o *CheckOptions) {
			if diff := cmp.Diff(defaults, names(o)); diff != "" {
				t.Error(diff)
			}
			if o.URL != u || o.Parallel != 20 || o.Timeout != 10*time.Second || o.Run != nil || o.JSON || o.JUnit != "" ||
				o.AcceptsForged || o.ViaSandbox || o.Secret != "" || len(o.Header) != 0 {
				t.Errorf("%+v", o)
			}
		}},
		{"--kinds adds LiveChat kinds to the defaults", []string{u, "--kinds", "thread_tagged,incoming_event", "--kinds", "event_deleted"}, nil, "",
			func(t *testing.T, o *CheckOptions) {
				if diff := cmp.Diff(append(defaults, "thread_tagged", "event_deleted"), names(o)); diff != "" {
					t.Error(diff)
				}
			}},
		{"--kinds of another family alone", []string{u, "--kinds", "application_installed,payment_collected"}, nil, "",
			func(t *testing.T, o *CheckOptions) {
				if diff := cmp.Diff([]string{"application_installed", "payment_collected"}, names(o)); diff != "" {
					t.Error(diff)
				}
			}},
		{"--family", []string{"--family", "monday", u}, nil, "", func(t *testing.T, o *CheckOptions) {
			if len(o.Kinds) != 12 || o.Kinds[0].Name != "install" {
				t.Errorf("%v", names(o))
			}
		}},
		{"--all", []string{u, "--all"}, nil, "", func(t *testing.T, o *CheckOptions) {
			if len(o.Kinds) != 56 {
				t.Errorf("%d kinds", len(o.Kinds))
			}
		}},
		{"--only", []string{u, "--only", "retry,order"}, nil, "", func(t *testing.T, o *CheckOptions) {
			for _, id := range engine.IDs() {
				if o.Run[id] != (id == engine.Retry || id == engine.Order) {
					t.Errorf("%s: %v", id, o.Run[id])
				}
			}
		}},
		{"--skip", []string{u, "--skip", "slow-client", "--skip", "parallel"}, nil, "", func(t *testing.T, o *CheckOptions) {
			if o.Run[engine.SlowClient] || o.Run[engine.Parallel] || !o.Run[engine.Retry] || !o.Run[engine.Status200] {
				t.Errorf("%v", o.Run)
			}
		}},
		{"everything else", []string{u, "-H", "X-Trace: 7", "-H", "Authorization: Bearer gw", "--timeout", "2s", "--parallel", "5",
			"--accepts-forged", "--json", "--junit", "out.xml", "--secret", "flag-secret", "--client-id", "cid", "--monday-secret", "ms"}, nil, "",
			func(t *testing.T, o *CheckOptions) {
				want := http.Header{"X-Trace": {"7"}, "Authorization": {"Bearer gw"}}
				if diff := cmp.Diff(want, o.Header); diff != "" {
					t.Error(diff)
				}
				if o.Timeout != 2*time.Second || o.Parallel != 5 || !o.AcceptsForged || !o.JSON || o.JUnit != "out.xml" ||
					o.Secret != "flag-secret" || o.ClientID != "cid" || o.MondaySecret != "ms" {
					t.Errorf("%+v", o)
				}
			}},
		{"secrets from env", []string{u}, map[string]string{"LCWH_SECRET": "env-secret", "LCWH_CLIENT_ID": "env-cid", "LCWH_MONDAY_SECRET": "env-ms"}, "",
			func(t *testing.T, o *CheckOptions) {
				if o.Secret != "env-secret" || o.ClientID != "env-cid" || o.MondaySecret != "env-ms" {
					t.Errorf("%+v", o)
				}
			}},
		{"secret from the config file, flag wins", []string{u, "--monday-secret", "flag-ms"}, nil, "secret: file-secret\nmonday_secret: file-ms\n",
			func(t *testing.T, o *CheckOptions) {
				if o.Secret != "file-secret" || o.MondaySecret != "flag-ms" {
					t.Errorf("%+v", o)
				}
			}},
		{"--via-sandbox without URL", []string{"--via-sandbox"}, map[string]string{"LCWH_SANDBOX_URL": "http://127.0.0.1:9999/"}, "",
			func(t *testing.T, o *CheckOptions) {
				if !o.ViaSandbox || o.URL != "" || o.SandboxURL != "http://127.0.0.1:9999" {
					t.Errorf("%+v", o)
				}
			}},
		{"--via-sandbox default URL", []string{"--via-sandbox", u}, nil, "", func(t *testing.T, o *CheckOptions) {
			if o.SandboxURL != "http://127.0.0.1:8484" || o.URL != u {
				t.Errorf("%+v", o)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parse(t, tt.cfg, tt.env, tt.args...)
			if err != nil {
				t.Fatalf("err %v", err)
			}
			tt.want(t, o)
		})
	}
}

func TestNewCmdCheckErrors(t *testing.T) {
	const u = "http://127.0.0.1:3000/webhooks"
	tests := []struct {
		args []string
		want string
		hint string
	}{
		{nil, "lcwh check needs the URL of your webhook handler", "--via-sandbox"},
		{[]string{"127.0.0.1:3000"}, `"127.0.0.1:3000" is not an http(s) URL`, ""},
		{[]string{"ftp://x/y"}, "is not an http(s) URL", ""},
		{[]string{u, u}, "takes one URL, got 2 arguments", ""},
		{[]string{u, "--kinds", "incoming_chta"}, `unknown webhook kind "incoming_chta"`, "lcwh samples list"},
		{[]string{u, "--kinds", "incoming_chat", "--all"}, "use only one of --kinds, --family and --all", ""},
		{[]string{u, "--family", "zendesk"}, `unknown family "zendesk"`, ""},
		{[]string{u, "--only", "retry", "--skip", "order"}, "use --skip or --only, not both", ""},
		{[]string{u, "--only", "retyr"}, "unknown check \"retyr\"\n\nDid you mean this?\n\tretry", "Checks: registration, status-200"},
		{[]string{u, "--parallel", "0"}, "--parallel must be 1–1000, got 0", ""},
		{[]string{u, "--timeout", "0s"}, "--timeout must be positive", ""},
		{[]string{u, "-H", "no colon"}, `-H "no colon": expected 'Key: Value'`, ""},
		{[]string{u, "-H", "X-A: b\x00"}, "holds a line break", ""},
		{[]string{u, "--via-sandbox", "--timeout", "2m"}, "at most 1m0s", ""},
		{[]string{u, "--junit", "-"}, "--junit needs a file name", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parse(t, "", nil, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if code := cmdutil.ExitCodeOf(err); code != 2 {
				t.Errorf("exit %d, want 2 (%v)", code, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			if tt.hint != "" && !strings.Contains(cmdutil.HintOf(err), tt.hint) {
				t.Errorf("hint %q, want %q", cmdutil.HintOf(err), tt.hint)
			}
		})
	}
}

// TestHelpNeedsNothing: --help and flag errors read no config (a broken
// file does not matter) and send nothing.
func TestHelp(t *testing.T) {
	f, ts := newFactory(t, "", nil)
	f.Config = func() (*config.Config, error) { t.Fatal("config read for --help"); return nil, nil }
	cmd := NewCmdCheck(f, func(*CheckOptions) error { t.Fatal("ran"); return nil })
	cmd.SetArgs([]string{"--help"})
	cmd.SetOut(ts.Out)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, id := range engine.IDs() {
		if !strings.Contains(ts.Out.String(), "  "+string(id)+" ") {
			t.Errorf("help does not list %s", id)
		}
	}
}
