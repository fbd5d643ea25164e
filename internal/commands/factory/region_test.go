package factory

import "testing"

func TestRegionPrefix(t *testing.T) {
	for tok, want := range map[string]string{
		"dal:abc": "dal", "fra:x:y": "fra", "dal-a:tok": "dal-a",
		"abc": "", "DAL:x": "", "da:x": "", "dal-:x": "", "dalxx:x": "", "d4l:x": "", ":x": "",
	} {
		if got := RegionPrefix(tok); got != want {
			t.Errorf("RegionPrefix(%q) = %q, want %q", tok, got, want)
		}
	}
}
