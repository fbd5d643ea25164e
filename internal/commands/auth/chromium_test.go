package auth_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestOAuthLoginHeadlessChromium logs in with a real browser: headless
// Chromium follows the authorize URL to the fake accounts server and its
// redirect to lcwh's loopback listener. Opt in with LCWH_TEST_CHROMIUM=1
// (Chromium takes seconds to start); it needs /usr/bin/chromium.
func TestOAuthLoginHeadlessChromium(t *testing.T) {
	if os.Getenv("LCWH_TEST_CHROMIUM") != "1" {
		t.Skip("set LCWH_TEST_CHROMIUM=1 to run the headless Chromium login")
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	e := newEnv(t)
	// Chromium resolves "localhost" itself; whitelist that form too.
	redirect := strings.Replace(e.redirect, "127.0.0.1", "localhost", 1)
	e.acc.Apps["cid"] = []string{redirect}
	var dom strings.Builder
	done := make(chan error, 1)
	e.browser = func(u string) error {
		cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--no-first-run", "--user-data-dir="+t.TempDir(), "--dump-dom", u)
		cmd.Stdout = &dom
		if err := cmd.Start(); err != nil {
			return err
		}
		go func() { done <- cmd.Wait() }()
		return nil
	}
	r := e.run("", "auth", "login", "--client-id", "cid", "--redirect-uri", redirect)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if err := <-done; err != nil {
		t.Logf("chromium: %v", err)
	}
	if !strings.Contains(dom.String(), "Logged in to LiveChat") {
		t.Errorf("Chromium rendered %q", dom.String())
	}
	if rec := e.stored(""); rec == nil || rec.Method != "oauth" {
		t.Errorf("stored %+v", rec)
	}
}
