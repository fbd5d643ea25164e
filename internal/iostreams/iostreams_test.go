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

func TestProgressLineOnATerminal(t *testing.T) {
	ios, ts := Test()
	ios.SetStderrTTY(true)
	p := ios.ProgressLine()
	if !p.Active() {
		t.Fatal("not active on a terminal")
	}
	p.Clear() // nothing shown: nothing to erase
	p.Show("one")
	p.Show("two")
	p.Printf("! note %d\n", 1)
	p.Clear() // erased by Printf already
	p.Show("three")
	p.Clear()
	want := "\r\x1b[Kone\r\x1b[Ktwo\r\x1b[K! note 1\n\r\x1b[Kthree\r\x1b[K"
	if got := ts.ErrOut.String(); got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	if ts.Out.Len() != 0 {
		t.Errorf("stdout %q", ts.Out.String())
	}
}

func TestProgressLineElsewhereDrawsNothing(t *testing.T) {
	ios, ts := Test()
	p := ios.ProgressLine()
	if p.Active() {
		t.Fatal("active without a terminal")
	}
	p.Show("one")
	p.Clear()
	p.Printf("! note\n")
	if got := ts.ErrOut.String(); got != "! note\n" {
		t.Errorf("stderr %q, want only the note", got)
	}
}
