package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedence(t *testing.T) {
	file := "api_url: http://file.example\nprofiles:\n  stage:\n    api_url: http://profile.example\n"
	tests := []struct {
		name       string
		flag       string
		env        map[string]string
		profile    string
		want       string
		wantSource Source
	}{
		{name: "default", want: "https://api.livechatinc.com", wantSource: SourceDefault},
		{name: "file", want: "http://file.example", wantSource: SourceFile},
		{name: "profile over file", profile: "stage", want: "http://profile.example", wantSource: SourceProfile},
		{name: "env over file", env: map[string]string{"LCWH_API_URL": "http://env.example"}, want: "http://env.example", wantSource: SourceEnv},
		{name: "env over profile", profile: "stage", env: map[string]string{"LCWH_API_URL": "http://env.example"}, want: "http://env.example", wantSource: SourceEnv},
		{name: "flag over env", flag: "http://flag.example", env: map[string]string{"LCWH_API_URL": "http://env.example"}, want: "http://flag.example", wantSource: SourceFlag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.name != "default" {
				path = writeFile(t, file)
			} else {
				path = filepath.Join(t.TempDir(), "none.yaml")
			}
			c, err := Load(Options{Path: path, Profile: tt.profile, LookupEnv: env(tt.env)})
			if err != nil {
				t.Fatal(err)
			}
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			fs.String("api-url", "", "")
			if tt.flag != "" {
				if err := fs.Parse([]string{"--api-url", tt.flag}); err != nil {
					t.Fatal(err)
				}
			}
			c.BindFlag("api_url", fs.Lookup("api-url"))
			if got := c.Get("api_url"); got != tt.want {
				t.Errorf("Get = %q, want %q", got, tt.want)
			}
			if got := c.Source("api_url"); got != tt.wantSource {
				t.Errorf("Source = %q, want %q", got, tt.wantSource)
			}
		})
	}
}

func TestLoadCorruptFile(t *testing.T) {
	p := writeFile(t, "api_url: http://x\n  bad: [\n")
	_, err := Load(Options{Path: p, LookupEnv: env(nil)})
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want FileError", err)
	}
	if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "line") {
		t.Errorf("error %q should name the file and the line", err)
	}
}

func TestLoadUnknownProfile(t *testing.T) {
	p := writeFile(t, "profiles:\n  a:\n    client_id: x\n")
	_, err := Load(Options{Path: p, Profile: "b", LookupEnv: env(nil)})
	var pe *ProfileError
	if !errors.As(err, &pe) || len(pe.Known) != 1 || pe.Known[0] != "a" {
		t.Fatalf("err = %#v", err)
	}
}

func TestDefaultPath(t *testing.T) {
	if got := DefaultPath(env(map[string]string{"LCWH_CONFIG": "/x/c.yaml"})); got != "/x/c.yaml" {
		t.Errorf("LCWH_CONFIG: %q", got)
	}
	if got := DefaultPath(env(map[string]string{"XDG_CONFIG_HOME": "/xdg"})); got != "/xdg/lcwh/config.yaml" {
		t.Errorf("XDG: %q", got)
	}
	if got := DefaultPath(env(map[string]string{"HOME": "/home/u"})); got != "/home/u/.config/lcwh/config.yaml" {
		t.Errorf("HOME: %q", got)
	}
}

func TestSetKeepsOtherKeysAndComments(t *testing.T) {
	p := writeFile(t, "# my settings\nclient_id: abc # the app\nunknown_future: 1\nprofiles:\n  stage:\n    api_url: http://s\n")
	if err := Set(p, "", "listen_port", "9000"); err != nil {
		t.Fatal(err)
	}
	if err := Set(p, "prod", "api_url", "https://p.example"); err != nil {
		t.Fatal(err)
	}
	if err := Set(p, "", "client_id", "def"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	got := string(b)
	for _, want := range []string{"# my settings", "client_id: def # the app", "unknown_future: 1", "listen_port: 9000", "stage:", "api_url: http://s", "prod:", "api_url: https://p.example"} {
		if !strings.Contains(got, want) {
			t.Errorf("file lacks %q:\n%s", want, got)
		}
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	c, err := Load(Options{Path: p, Profile: "prod", LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Get("api_url") != "https://p.example" || c.Get("listen_port") != "9000" || c.Get("client_id") != "def" {
		t.Errorf("reloaded: %q %q %q", c.Get("api_url"), c.Get("listen_port"), c.Get("client_id"))
	}
	if err := Unset(p, "", "client_id"); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(p)
	if strings.Contains(string(b), "client_id") {
		t.Errorf("unset left client_id:\n%s", b)
	}
}

func TestSetValidates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	for _, tc := range []struct{ key, val string }{
		{"api_url", "not a url"}, {"api_url", "ftp://x"}, {"listen_port", "70000"}, {"listen_port", "x"}, {"api_version", "three"},
	} {
		if err := Set(p, "", tc.key, tc.val); err == nil {
			t.Errorf("Set(%s=%s) accepted", tc.key, tc.val)
		}
	}
	var uk *UnknownKeyError
	if err := Set(p, "", "nosuch", "1"); !errors.As(err, &uk) {
		t.Errorf("unknown key err = %v", err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a rejected set wrote the file")
	}
}

func TestSetRefusesCorruptFile(t *testing.T) {
	p := writeFile(t, "a: [\n")
	if err := Set(p, "", "client_id", "x"); err == nil {
		t.Fatal("set on a corrupt file succeeded")
	}
	b, _ := os.ReadFile(p)
	if string(b) != "a: [\n" {
		t.Errorf("corrupt file was changed: %q", b)
	}
}

func TestPortFromEnvNamesSource(t *testing.T) {
	c, err := Load(Options{Path: filepath.Join(t.TempDir(), "x"), LookupEnv: env(map[string]string{"LCWH_LISTEN_PORT": "abc"})})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Port("listen_port")
	if err == nil || !strings.Contains(err.Error(), "LCWH_LISTEN_PORT") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add("api_url: http://x\nprofiles:\n  a:\n    client_id: y\n")
	f.Add("profiles: 3\n")
	f.Add("- a\n- b\n")
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _ = Load(Options{Path: p, LookupEnv: env(nil)})
	})
}

func TestUnknownKeysWarnWithSuggestion(t *testing.T) {
	p := writeFile(t, "api_ulr: http://x\nlisten_port: 9000\nprofiles:\n  st:\n    cliend_id: abc\n    zzzz: 1\n")
	var got []string
	c, err := Load(Options{Path: p, LookupEnv: env(nil), Warn: func(m string) { got = append(got, m) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"config file " + p + `: unknown key "api_ulr" is ignored; did you mean "api_url"?`,
		"config file " + p + `: unknown key "profiles.st.cliend_id" is ignored; did you mean "client_id"?`,
		"config file " + p + `: unknown key "profiles.st.zzzz" is ignored ("lcwh config list" shows the known keys)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c.Get("listen_port") != "9000" || c.Get("api_url") != "https://api.livechatinc.com" {
		t.Errorf("known keys: listen_port %q api_url %q", c.Get("listen_port"), c.Get("api_url"))
	}
	// A clean file warns about nothing.
	got = nil
	if _, err := Load(Options{Path: writeFile(t, "api_url: http://x\n"), LookupEnv: env(nil), Warn: func(m string) { got = append(got, m) }}); err != nil || got != nil {
		t.Errorf("clean file: %v %v", got, err)
	}
}

func TestInvalidValueInFileFailsLoad(t *testing.T) {
	tests := []struct {
		name, body, profile string
		key, inProfile      string
		wantMsg, wantHint   string
	}{
		{name: "url", body: "api_url: notaurl\n", key: "api_url",
			wantMsg:  `api_url must be an absolute http(s) URL such as https://api.livechatinc.com, not "notaurl"`,
			wantHint: `Fix it with "lcwh config set api_url VALUE"`},
		{name: "port in profile", body: "profiles:\n  st:\n    listen_port: abc\n", profile: "st", key: "listen_port", inProfile: "st",
			wantMsg:  `profile st: listen_port: "abc" is not a port number`,
			wantHint: `Fix it with "lcwh config set --profile st listen_port VALUE"`},
		{name: "enum", body: "credential_store: vault\n", key: "credential_store",
			wantMsg: `credential_store must be one of auto, keyring, file, not "vault"`},
		{name: "mapping", body: "client_id:\n  a: b\n", key: "client_id",
			wantMsg: "client_id must be a single value, not a list or mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, tt.body)
			_, err := Load(Options{Path: p, Profile: tt.profile, LookupEnv: env(nil)})
			var ve *ValueError
			if !errors.As(err, &ve) || ve.Key != tt.key || ve.Profile != tt.inProfile {
				t.Fatalf("err = %#v, want a ValueError for %s", err, tt.key)
			}
			if !strings.HasPrefix(err.Error(), "config file "+p+": ") || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q, want the path and %q", err, tt.wantMsg)
			}
			if !strings.Contains(ve.Hint(), tt.wantHint) || !strings.Contains(ve.Hint(), "or edit "+p) {
				t.Errorf("hint %q", ve.Hint())
			}
		})
	}
	// A bad value in a profile not in use does not stop other runs.
	if _, err := Load(Options{Path: writeFile(t, "profiles:\n  st:\n    listen_port: abc\n"), LookupEnv: env(nil)}); err != nil {
		t.Errorf("inactive profile: %v", err)
	}
}

func TestConfigPathIsADirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(Options{Path: dir, LookupEnv: env(nil)})
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, ErrIsDirectory) || err.Error() != "config file "+dir+": is a directory, not a file" {
		t.Fatalf("Load: %v", err)
	}
	if !strings.Contains(fe.Hint(), filepath.Join(dir, "config.yaml")) {
		t.Errorf("hint %q", fe.Hint())
	}
	if err := Set(dir, "", "client_id", "x"); !errors.Is(err, ErrIsDirectory) {
		t.Errorf("Set: %v", err)
	}
	if err := Unset(dir, "", "client_id"); !errors.Is(err, ErrIsDirectory) {
		t.Errorf("Unset: %v", err)
	}
}
