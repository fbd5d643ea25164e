// Package testbrowser starts the headless Chromium that the web
// inspector's tests drive (chromedp). It is imported by tests only.
package testbrowser

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Find finds the browser, or skips the test (fails it under CI=true)
// saying why.
func Find(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("LCWH_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	msg := "no Chromium found (apt-get install chromium, or set LCWH_CHROMIUM): the web inspector's browser test cannot run"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Start starts a headless Chromium with a fresh profile; every action
// gets the returned context, bounded by the test's deadline.
func Start(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 860),
	}
	deadline := time.Now().Add(3 * time.Minute)
	if d, ok := t.Deadline(); ok && d.Before(deadline) {
		deadline = d.Add(-5 * time.Second)
	}
	base, cancelTime := context.WithDeadline(context.Background(), deadline)
	alloc, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); cancelTime() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return ctx
}

// Poll waits until expr is true in the page.
func Poll(ctx context.Context, t *testing.T, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr)); err != nil {
		counts, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById('counts') || {}).textContent || ''`))
		t.Fatalf("%s: waiting for %s: %v (the page's counts: %q)", what, expr, err, counts)
	}
}
