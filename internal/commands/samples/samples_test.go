package samples

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }

// testFactory builds a Factory on test streams with a config file holding
// fileYAML ("" for none).
func testFactory(t *testing.T, fileYAML string) (*cmdutil.Factory, *iostreams.TestStreams) {
	t.Helper()
	ios, ts := iostreams.Test()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if fileYAML != "" {
		if err := os.WriteFile(path, []byte(fileYAML), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Only LCWH_SECRET is read from the real environment (set with t.Setenv).
	env := func(k string) (string, bool) {
		if k == "LCWH_SECRET" {
			return os.LookupEnv(k)
		}
		return "", false
	}
	opts := &config.Options{Path: path, LookupEnv: env}
	f := &cmdutil.Factory{IOStreams: ios, ConfigOptions: opts, LookupEnv: env, Now: fixedNow, Debug: new(bool)}
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) { return config.Load(*opts) })
	return f, ts
}

func execute(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	_, err := cmd.ExecuteC()
	return err
}

func TestNewCmdList(t *testing.T) {
	tests := []struct {
		args    []string
		want    ListOptions
		wantErr string
	}{
		{args: nil, want: ListOptions{}},
		{args: []string{"--family", "app"}, want: ListOptions{Family: catalog.App}},
		{args: []string{"--json", "--family", "monday"}, want: ListOptions{Family: catalog.Monday, JSON: true}},
		{args: []string{"--family", "slack"}, wantErr: `--family: unknown family "slack"`},
		{args: []string{"extra"}, wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f, _ := testFactory(t, "")
			var got *ListOptions
			err := execute(NewCmdList(f, func(o *ListOptions) error { got = o; return nil }), tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if cmdutil.ExitCodeOf(err) != cmdutil.ExitUsage {
					t.Errorf("exit code %d, want 2", cmdutil.ExitCodeOf(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Family != tt.want.Family || got.JSON != tt.want.JSON {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestNewCmdShow(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantKind string
		wantSets []catalog.Set
		secret   string
		seed     uint64
		wantErr  string
		wantCode int
	}{
		{name: "kind", args: []string{"incoming_chat"}, wantKind: "incoming_chat"},
		{name: "all flags", args: []string{"agent_created", "--set", "payload.name=Ann", "--set", "additional_data={}", "--secret", "s", "--seed", "7"},
			wantKind: "agent_created", secret: "s", seed: 7,
			wantSets: []catalog.Set{{Path: "payload.name", Raw: []byte(`"Ann"`)}, {Path: "additional_data", Raw: []byte(`{}`)}}},
		{name: "unknown kind", args: []string{"incoming_chats"}, wantErr: `unknown webhook kind "incoming_chats"`, wantCode: 2},
		{name: "no kind", args: nil, wantErr: "expected one webhook kind", wantCode: 2},
		{name: "bad set", args: []string{"incoming_chat", "--set", "nopath"}, wantErr: "expected path=value", wantCode: 2},
		{name: "bad seed", args: []string{"incoming_chat", "--seed", "x"}, wantErr: "invalid argument", wantCode: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := testFactory(t, "")
			var got *ShowOptions
			err := execute(NewCmdShow(f, func(o *ShowOptions) error { got = o; return nil }), tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				// Flag-parse errors become exit 2 through root's SetFlagErrorFunc.
				if tt.wantCode == 2 && cmdutil.ExitCodeOf(err) != 2 {
					t.Errorf("exit code %d, want 2", cmdutil.ExitCodeOf(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind.Name != tt.wantKind || got.Secret != tt.secret || got.Seed != tt.seed || got.SecretFlag == nil {
				t.Errorf("got kind %q secret %q seed %d flag %v", got.Kind.Name, got.Secret, got.Seed, got.SecretFlag)
			}
			if diff := cmp.Diff(tt.wantSets, got.Sets, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("sets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnknownKindSuggests(t *testing.T) {
	f, _ := testFactory(t, "")
	err := execute(NewCmdShow(f, nil), "incomin_chat")
	var uk *catalog.UnknownKindError
	if !errors.As(err, &uk) {
		t.Fatalf("err = %T %v, want *catalog.UnknownKindError", err, err)
	}
	if !strings.Contains(err.Error(), "Did you mean this?\n\tincoming_chat") {
		t.Errorf("no suggestion in %q", err)
	}
	if cmdutil.ExitCodeOf(err) != 2 || cmdutil.HintOf(err) != "Run 'lcwh samples list' to see every kind." {
		t.Errorf("exit %d hint %q", cmdutil.ExitCodeOf(err), cmdutil.HintOf(err))
	}
}

func TestListRunNotTTY(t *testing.T) {
	f, ts := testFactory(t, "")
	if err := listRun(&ListOptions{IO: f.IOStreams, Family: catalog.App}); err != nil {
		t.Fatal(err)
	}
	want := "application_installed\tapp\tYour app was installed on a LiveChat license\n" +
		"application_uninstalled\tapp\tYour app was uninstalled from a license\n" +
		"payment_trialstarted\tapp\tA payment was scheduled and its trial began\n" +
		"payment_activated\tapp\tA payment process was initiated\n" +
		"payment_collected\tapp\tA payment was collected\n" +
		"payment_cancelled\tapp\tA payment was cancelled\n"
	if diff := cmp.Diff(want, ts.Out.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if ts.ErrOut.Len() != 0 {
		t.Errorf("stderr = %q", ts.ErrOut)
	}
}

func TestListRunAllNotTTY(t *testing.T) {
	f, ts := testFactory(t, "")
	if err := listRun(&ListOptions{IO: f.IOStreams}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(ts.Out.String(), "\n"); n != 56 {
		t.Errorf("%d lines, want 56", n)
	}
}

func TestListRunTTY(t *testing.T) {
	f, ts := testFactory(t, "")
	f.IOStreams.SetStdoutTTY(true)
	f.IOStreams.SetWidth(100)
	f.IOStreams.SetColorDisabled(true)
	if err := listRun(&ListOptions{IO: f.IOStreams, Family: catalog.Monday}); err != nil {
		t.Fatal(err)
	}
	want := `NAME                                           FAMILY  DESCRIPTION
install                                        monday  A user installed your monday.com app
uninstall                                      monday  A user uninstalled your monday.com app
app_subscription_created                       monday  A user bought a plan
app_subscription_changed                       monday  A paying subscription was upgraded or downgr…
app_subscription_renewed                       monday  A subscription renewed
app_subscription_cancelled_by_user             monday  A user cancelled; the plan runs until the pe…
app_subscription_cancelled                     monday  A subscription ended after a cancellation
app_subscription_cancellation_revoked_by_user  monday  A user undid a cancellation
app_subscription_renewal_attempt_failed        monday  The first renewal attempt failed
app_subscription_renewal_failed                monday  The final renewal attempt failed
app_trial_subscription_started                 monday  A user started an app trial
app_trial_subscription_ended                   monday  An app trial ended
`
	if diff := cmp.Diff(want, ts.Out.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
}

func TestListRunTTYColor(t *testing.T) {
	f, ts := testFactory(t, "")
	f.IOStreams.SetStdoutTTY(true)
	f.IOStreams.SetColorForced(true)
	f.IOStreams.SetWidth(200)
	if err := listRun(&ListOptions{IO: f.IOStreams, Family: catalog.App}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(ts.Out.String(), "\n")
	want0 := "\x1b[1mNAME\x1b[0m                     \x1b[1mFAMILY\x1b[0m  \x1b[1mDESCRIPTION\x1b[0m"
	want1 := "application_installed    \x1b[38;5;39mapp\x1b[0m     Your app was installed on a LiveChat license"
	if lines[0] != want0 || lines[1] != want1 {
		t.Errorf("got\n%q\n%q\nwant\n%q\n%q", lines[0], lines[1], want0, want1)
	}
}

func TestListRunJSON(t *testing.T) {
	f, ts := testFactory(t, "")
	f.IOStreams.SetStdoutTTY(true)
	if err := listRun(&ListOptions{IO: f.IOStreams, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var got []map[string]string
	if err := json.Unmarshal(ts.Out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 56 {
		t.Fatalf("%d kinds, want 56", len(got))
	}
	want := map[string]string{"name": "incoming_chat", "family": "livechat",
		"description": "A chat arrived with a new thread (new chat or new thread in an existing one)"}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("first object (-want +got):\n%s", diff)
	}
}

func runShow(t *testing.T, f *cmdutil.Factory, args ...string) error {
	t.Helper()
	return execute(NewCmdShow(f, nil), args...)
}

func TestShowRunNotTTY(t *testing.T) {
	f, ts := testFactory(t, "")
	if err := runShow(t, f, "routing_status_set", "--seed", "1"); err != nil {
		t.Fatal(err)
	}
	want := `{
  "webhook_id": "f3879236d10a70785aa30c9df26b05ee",
  "secret_key": "k3Jd8sLq0vXz4NwP7rTy2uBm",
  "action": "routing_status_set",
  "organization_id": "8a7f5c3e-2b1d-4e6f-9a8b-7c6d5e4f3a2b",
  "payload": {
    "agent_id": "smith@example.com",
    "status": "accepting chats"
  },
  "additional_data": {}
}
`
	if diff := cmp.Diff(want, ts.Out.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
}

func TestShowRunTTYColor(t *testing.T) {
	f, ts := testFactory(t, "")
	f.IOStreams.SetStdoutTTY(true)
	f.IOStreams.SetColorForced(true)
	if err := runShow(t, f, "tag_deleted", "--seed", "1", "--set", "payload.name=vip"); err != nil {
		t.Fatal(err)
	}
	out := ts.Out.String()
	for _, want := range []string{
		"\x1b[38;5;33m\"action\"\x1b[0m: \x1b[32m\"tag_deleted\"\x1b[0m",
		"\x1b[38;5;33m\"name\"\x1b[0m: \x1b[32m\"vip\"\x1b[0m",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%q", want, out)
		}
	}
}

// TestShowPrintsTheSentBytes: without --set the printed text is the
// generated body byte for byte (samples are stored 2-space indented).
func TestShowPrintsTheSentBytes(t *testing.T) {
	for _, k := range catalog.All() {
		f, ts := testFactory(t, "")
		if err := runShow(t, f, k.Name, "--seed", "9"); err != nil {
			t.Fatal(err)
		}
		body, err := catalog.NewGenerator(9, fixedNow).Body(k, catalog.Params{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(body), ts.Out.String()); diff != "" {
			t.Errorf("%s: printed body differs from the generated one (-sent +printed):\n%s", k.Name, diff)
		}
	}
}

func TestShowSecretPrecedence(t *testing.T) {
	secretOf := func(t *testing.T, fileYAML string, args ...string) string {
		t.Helper()
		f, ts := testFactory(t, fileYAML)
		if err := runShow(t, f, append([]string{"thread_tagged"}, args...)...); err != nil {
			t.Fatal(err)
		}
		var env struct {
			SecretKey string `json:"secret_key"`
		}
		if err := json.Unmarshal(ts.Out.Bytes(), &env); err != nil {
			t.Fatal(err)
		}
		return env.SecretKey
	}
	if got := secretOf(t, ""); got != "k3Jd8sLq0vXz4NwP7rTy2uBm" {
		t.Errorf("default secret = %q, want the sample's", got)
	}
	if got := secretOf(t, "secret: fromfile\n"); got != "fromfile" {
		t.Errorf("config secret = %q", got)
	}
	t.Setenv("LCWH_SECRET", "fromenv")
	if got := secretOf(t, "secret: fromfile\n"); got != "fromenv" {
		t.Errorf("env secret = %q", got)
	}
	if got := secretOf(t, "secret: fromfile\n", "--secret", "fromflag"); got != "fromflag" {
		t.Errorf("flag secret = %q", got)
	}
}

func TestShowBadSetPathIsUsageError(t *testing.T) {
	f, ts := testFactory(t, "")
	err := runShow(t, f, "chat_deactivated", "--set", "payload.user_id.x=1")
	if err == nil || !strings.Contains(err.Error(), "payload.user_id is a string") || cmdutil.ExitCodeOf(err) != 2 {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCodeOf(err))
	}
	if ts.Out.Len() != 0 {
		t.Errorf("stdout = %q, want empty", ts.Out)
	}
}

func TestCompletion(t *testing.T) {
	got, _ := completeKinds(nil, nil, "")
	if len(got) != 56 || got[0] != "incoming_chat\tA chat arrived with a new thread (new chat or new thread in an existing one)" {
		t.Errorf("kinds completion: %d items, first %q", len(got), got[0])
	}
	if got, _ := completeKinds(nil, nil, "payment_c"); len(got) != 2 {
		t.Errorf("prefix payment_c completes %v", got)
	}
	if got, _ := completeKinds(nil, []string{"x"}, ""); len(got) != 0 {
		t.Errorf("second argument completes %v", got)
	}
	fams, _ := completeFamilies(nil, nil, "")
	if diff := cmp.Diff([]string{"livechat", "app", "monday"}, fams); diff != "" {
		t.Errorf("families (-want +got):\n%s", diff)
	}
}

// TestShowHidesYourSecretOnATerminal: piped output is the exact body, but a
// terminal never shows the secret the user configured.
func TestShowHidesYourSecretOnATerminal(t *testing.T) {
	f, ts := testFactory(t, "secret: my-own-webhook-secret\n")
	f.IOStreams.SetStdoutTTY(true)
	if err := runShow(t, f, "thread_tagged"); err != nil {
		t.Fatal(err)
	}
	if out := ts.Out.String(); strings.Contains(out, "my-own-webhook-secret") || !strings.Contains(out, "my-****") {
		t.Errorf("secret not redacted on a terminal:\n%s", out)
	}
	f, ts = testFactory(t, "secret: my-own-webhook-secret\n")
	if err := runShow(t, f, "thread_tagged"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ts.Out.String(), `"secret_key": "my-own-webhook-secret"`) {
		t.Errorf("piped body is not exact:\n%s", ts.Out.String())
	}
}
