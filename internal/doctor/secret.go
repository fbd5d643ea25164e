package doctor

import (
	"fmt"
	"strings"

	"github.com/lcwh/lcwh/internal/signature"
)

// Where the expected secret came from, as the report names it.
const (
	fromFlag   = "--secret"
	fromConfig = "the configured secret (LCWH_SECRET / config secret)"
)

// expectedSecret is the secret the handler verifies with: --secret, else
// the one lcwh is configured with.
func expectedSecret(o *Options) string {
	if o.Secret != "" {
		return o.Secret
	}
	return o.ConfiguredSecret
}

func expectedFrom(o *Options) string {
	if o.Secret != "" {
		return fromFlag
	}
	return fromConfig
}

// checkSecret: whether the webhooks share one secret_key and whether it is
// the one the handler verifies with. Secrets are compared in constant time
// and never printed. list_webhooks may not return secret_key (undocumented,
// configuration-api.md §6.2): then --secret is compared with the configured
// secret and the report says the registered one could not be read.
func checkSecret(f *facts) Item {
	const title = "Secret"
	bothLocal := f.opts.Secret != "" && f.opts.ConfiguredSecret != ""
	if why := f.why(); why != "" && !bothLocal {
		return skipped(IDSecret, title, why)
	}
	if len(f.relevant) == 0 && !bothLocal {
		return skipped(IDSecret, title, "not checked: no webhook to check (see registration)")
	}
	it := newItem(IDSecret, title)
	readable := []hook{}
	for _, h := range f.relevant {
		if h.SecretKey != "" {
			readable = append(readable, h)
		}
	}
	if len(readable) > 0 && len(readable) == len(f.relevant) {
		compareRegistered(f, &it, readable)
		return it
	}
	if len(f.relevant) > 0 {
		it.raise(Warn)
		it.found("the registered secret_key could not be read: list_webhooks did not return it (whether it does is undocumented, configuration-api.md §6.2)")
	}
	compareLocal(f, &it)
	return it
}

// compareRegistered compares the secret_keys list_webhooks returned.
func compareRegistered(f *facts, it *Item, hs []hook) {
	distinct := []string{}
	for _, h := range hs {
		if signature.SecretMatches(h.SecretKey, distinct) < 0 {
			distinct = append(distinct, h.SecretKey)
		}
	}
	want := expectedSecret(f.opts)
	if want == "" {
		if len(distinct) > 1 {
			it.raise(Warn)
			it.found(fmt.Sprintf("the %d webhooks use %d different secret_keys: a handler verifying one of them rejects the others' deliveries", len(hs), len(distinct)))
			it.addFix("Verify each webhook_id with its own secret, or re-register them with one secret.")
		} else {
			it.found(fmt.Sprintf("%s share one secret_key", countHooks(len(hs))))
		}
		it.found("to compare it with your handler's: --secret S (neither is printed)")
		return
	}
	var wrong []string
	for _, h := range hs {
		if signature.SecretMatches(want, []string{h.SecretKey}) < 0 {
			wrong = append(wrong, h.ID)
		}
	}
	from := expectedFrom(f.opts)
	if len(wrong) == 0 {
		it.found(fmt.Sprintf("%s: secret_key equals %s (neither is printed)", countHooks(len(hs)), from))
		return
	}
	it.raise(Fail)
	it.found(fmt.Sprintf("secret_key of %s is not %s (neither is printed): a handler verifying with it rejects %s deliveries",
		strings.Join(wrong, ", "), from, plural(len(wrong), "its", "their")))
	it.addFix("Verify with the registered secret, or register again with yours:")
	for _, h := range hs {
		if signature.SecretMatches(want, []string{h.SecretKey}) < 0 {
			it.addFix(f.fix.replace(h, "", h.URL)...)
		}
	}
}

// compareLocal compares --secret with the configured secret when the
// registered one cannot be read.
func compareLocal(f *facts, it *Item) {
	o := f.opts
	switch {
	case o.Secret != "" && o.ConfiguredSecret != "":
		if signature.SecretMatches(o.Secret, []string{o.ConfiguredSecret}) < 0 {
			it.raise(Fail)
			it.found("--secret is not " + fromConfig + " (neither is printed): lcwh listen and send-sample use the configured one")
			it.addFix("Make them one secret: "+f.fix.cmd("config", "set", "secret", placeholderSecret), "and unset LCWH_SECRET if it is set")
			return
		}
		it.found("--secret equals " + fromConfig)
	case o.Secret != "":
		it.found("--secret given; lcwh has no configured secret (LCWH_SECRET / config secret) to compare it with")
	case o.ConfiguredSecret != "":
		it.found("lcwh is configured with a secret (LCWH_SECRET / config secret); --secret S compares it with your handler's")
	default:
		it.raise(Warn)
		it.found("no secret to compare: pass --secret S (the secret your handler verifies with), or configure one")
		it.addFix(f.fix.cmd("config", "set", "secret", placeholderSecret))
	}
	if len(f.relevant) > 0 {
		it.found("check the registered one by hand: lcwh listen --secret S marks deliveries whose secret_key differs with ✗")
	}
}

func countHooks(n int) string {
	if n == 1 {
		return "the webhook"
	}
	return fmt.Sprintf("all %d webhooks", n)
}
