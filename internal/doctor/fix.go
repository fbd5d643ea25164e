package doctor

import (
	"strings"

	"github.com/lcwh/lcwh/internal/livechat"
	"github.com/lcwh/lcwh/internal/webhooks"
)

// Placeholders in fix commands for what doctor cannot know or must not print.
const (
	placeholderURL    = "https://YOUR-HOST/PATH"
	placeholderSecret = "YOUR_SECRET"
)

// fixer writes the exact commands of fixes, repeating the flags this run
// depended on (--client-id when it was given as a flag, --profile).
type fixer struct {
	clientArgs []string
	global     []string
	// configuredSecret: lcwh register reads LCWH_SECRET / config secret,
	// so --secret can be left out.
	configuredSecret bool
}

func newFixer(o *Options) fixer {
	var x fixer
	if o.ClientIDFlag && o.ClientID != "" {
		x.clientArgs = []string{"--client-id", o.ClientID}
	}
	if o.Profile != "" {
		x.global = []string{"--profile", o.Profile}
	}
	x.configuredSecret = o.ConfiguredSecret != ""
	return x
}

// cmd is an lcwh command line with the run's global flags.
func (x fixer) cmd(args ...string) string {
	return shellJoin(append(append([]string{"lcwh"}, args...), x.global...))
}

// webhookCmd is an lcwh command about the owner's webhooks (takes --client-id).
func (x fixer) webhookCmd(args ...string) string {
	return x.cmd(append(args, x.clientArgs...)...)
}

// register restates h as an lcwh register command with url, leaving out the
// filter drop ("" keeps all). The secret cannot be read back (or printed):
// lcwh register takes the configured one, else the placeholder.
func (x fixer) register(h livechat.Webhook, filters *livechat.Filters, drop, url string) string {
	args := []string{"register", "--action", h.Action, "--url", url}
	if h.Type == livechat.TypeBot {
		args = append(args, "--type", livechat.TypeBot)
	}
	for _, kv := range webhooks.FilterArgs(filters, drop) {
		args = append(args, "--filter", kv)
	}
	if len(h.AdditionalData) > 0 {
		args = append(args, "--additional-data", strings.Join(h.AdditionalData, ","))
	}
	if h.Description != "" {
		args = append(args, "--description", h.Description)
	}
	if !x.configuredSecret {
		args = append(args, "--secret", placeholderSecret)
	}
	return x.webhookCmd(args...)
}

// newRegister is the register command for an action with no webhook yet.
func (x fixer) newRegister(action, url string) string {
	if url == "" {
		url = placeholderURL
	}
	args := []string{"register", "--action", action, "--url", url}
	if !x.configuredSecret {
		args = append(args, "--secret", placeholderSecret)
	}
	return x.webhookCmd(args...)
}

// listenRegister is `lcwh listen --register` for action through publicURL
// (auto: the ngrok agent), keeping filters except drop.
func (x fixer) listenRegister(action, publicURL string, filters *livechat.Filters, drop string) string {
	args := []string{"listen", "--register", action, "--public-url", publicURL}
	for _, kv := range webhooks.FilterArgs(filters, drop) {
		args = append(args, "--filter", kv)
	}
	return x.webhookCmd(args...)
}

func (x fixer) unregister(id string) string { return x.webhookCmd("unregister", id, "--yes") }

// replace is how to change one registered webhook: a lease is owned by a
// running (or dead) listen, which re-registers on start; anything else is
// unregistered and registered again.
func (x fixer) replace(h hook, drop, url string) []string {
	if h.lease != nil {
		return []string{
			"Stop the \"lcwh listen --register\" run that owns " + h.ID + " (it unregisters its webhooks), then start it again:",
			x.listenRegister(h.Action, url, h.filters, drop),
		}
	}
	fix := []string{x.unregister(h.ID), x.register(h.Webhook, h.filters, drop, url)}
	if h.SecretKey == "" && len(h.AdditionalData) == 0 {
		// list_webhooks did not return the undocumented fields
		// (configuration-api.md §6.2), so additional_data is unknown.
		fix = append(fix, "(add --additional-data chat_properties,chat_presence_user_ids if the webhook had it: list_webhooks does not return it)")
	}
	return fix
}

// shellJoin quotes what a POSIX shell would split or expand.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return strings.Join(out, " ")
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if !strings.ContainsFunc(s, unsafeInShell) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// unsafeInShell reports runes a POSIX shell could split on or expand.
func unsafeInShell(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-_./:=,@%+", r)
}
