package iostreams

import "testing"

func TestColorDecision(t *testing.T) {
	tests := []struct {
		name          string
		env           map[string]string
		tty, disabled bool
		want          bool
	}{
		{name: "tty", tty: true, want: true},
		{name: "pipe", tty: false, want: false},
		{name: "NO_COLOR on tty", env: map[string]string{"NO_COLOR": "1"}, tty: true, want: false},
		{name: "force on pipe", env: map[string]string{"CLICOLOR_FORCE": "1"}, want: true},
		{name: "force 0 is off", env: map[string]string{"CLICOLOR_FORCE": "0"}, want: false},
		{name: "NO_COLOR beats force", env: map[string]string{"NO_COLOR": "x", "CLICOLOR_FORCE": "1"}, want: false},
		{name: "--no-color on tty", tty: true, disabled: true, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := Test()
			s.applyEnv(func(k string) string { return tt.env[k] })
			s.SetStdoutTTY(tt.tty)
			s.SetStderrTTY(tt.tty)
			s.SetColorDisabled(tt.disabled)
			if got := s.ColorEnabled(); got != tt.want {
				t.Errorf("ColorEnabled() = %v, want %v", got, tt.want)
			}
			if got := s.ColorEnabledErr(); got != tt.want {
				t.Errorf("ColorEnabledErr() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadPasswordFromPipe(t *testing.T) {
	s, ts := Test()
	ts.In.WriteString("  secret-line \n")
	got, err := s.ReadPassword()
	if err != nil || got != "secret-line" {
		t.Fatalf("got %q, %v", got, err)
	}
}
