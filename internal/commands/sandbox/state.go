package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/lcwh/lcwh/internal/atomicfile"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/livechatfake"
	"github.com/lcwh/lcwh/internal/render"
)

// stateFile keeps the fake's state in a file: loaded at start, written
// whenever a request changed it.
type stateFile struct {
	path string
	fake *livechatfake.Server

	mu   sync.Mutex
	last []byte
}

// openState loads path into fake when it exists; with no path the state
// lives in memory only.
func openState(path string, fake *livechatfake.Server) (*stateFile, error) {
	st := &stateFile{path: path, fake: fake}
	if path == "" {
		return st, nil
	}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return st, st.save()
	case err != nil:
		return nil, fmt.Errorf("read sandbox state: %w", err)
	}
	if err := fake.Restore(b); err != nil {
		return nil, cmdutil.WithHint(fmt.Errorf("read sandbox state %s: %w", path, err),
			"Move the file away to start with a fresh sandbox.")
	}
	st.last, _ = fake.Snapshot()
	return st, nil
}

// save writes the state if it changed since the last write.
func (s *stateFile) save() error {
	if s.path == "" {
		return nil
	}
	b, err := s.fake.Snapshot()
	if err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytes.Equal(b, s.last) {
		return nil
	}
	if err := atomicfile.WriteFile(s.path, b, 0o600); err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	s.last = b
	return nil
}

func newInfo(base, statePath string) livechatfake.Info {
	info := livechatfake.NewInfo(base)
	info.StateFile = statePath
	return info
}

// announce prints the result (export lines or JSON) on stdout, what is
// served and what to try on stderr, and writes the ready file.
func announce(opts *SandboxOptions, info livechatfake.Info) error {
	if opts.ReadyFile != "" {
		if err := atomicfile.WriteFile(opts.ReadyFile, []byte(info.Exports()), 0o600); err != nil {
			return fmt.Errorf("write ready file: %w", err)
		}
	}
	if opts.JSON {
		if err := cmdutil.WriteJSON(opts.IO.Out, info); err != nil {
			return err
		}
	} else if _, err := fmt.Fprint(opts.IO.Out, info.Exports()); err != nil {
		return err
	}
	st := render.NewStyles(opts.IO.ErrOut, opts.IO.ColorEnabledErr())
	w := opts.IO.ErrOut
	state := "in memory (pass --state FILE to keep it)"
	if opts.StatePath != "" {
		state = "saved to " + opts.StatePath
	}
	fmt.Fprintf(w, "%s LiveChat sandbox on %s (state %s)\n", st.Success.Render("✓"), info.SandboxURL, state)
	fmt.Fprintf(w, "  Configuration API  %s/v3.6/configuration/action/… (webhook methods)\n", info.APIURL)
	fmt.Fprintf(w, "  Accounts (OAuth)   %s/ authorize approves at once; /v2/token, /v2/info\n", info.AccountsURL)
	fmt.Fprintf(w, "  Account            dev@example.com (%s), PAT above\n", info.AccountID)
	fmt.Fprintf(w, "  Client ID          %s (public app, PKCE; redirect URIs %s, %s)\n", info.ClientID, info.RedirectURIs[0], info.RedirectURIs[1])
	fmt.Fprintf(w, "\nIn another terminal:\n")
	for _, c := range []string{
		`eval "$(lcwh sandbox env` + envFlag(info.SandboxURL) + `)"`,
		"lcwh register --action incoming_chat --url http://127.0.0.1:9000/hook --secret s3cret",
		"lcwh sandbox trigger incoming_chat",
		"lcwh auth login --client-id " + info.ClientID,
	} {
		fmt.Fprintf(w, "  %s\n", st.Command.Render(c))
	}
	fmt.Fprintf(w, "%s\n", st.Muted.Render("Press Ctrl-C to stop."))
	return nil
}

// envFlag is the --sandbox flag `sandbox env` needs to find this sandbox.
func envFlag(url string) string {
	if url == defaultSandboxURL {
		return ""
	}
	return " --sandbox " + url
}
