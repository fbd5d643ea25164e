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
