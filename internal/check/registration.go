package check

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lcwh/lcwh/internal/catalog"
)

// SandboxResult is what one sandbox trigger did: the command maps the
// sandbox's answer (livechatfake.TriggerResult) into it.
type SandboxResult struct {
	// Registered counts the webhooks registered for the action.
	Registered int
	Deliveries []SandboxDelivery
	Skipped    []SandboxSkip
}

// SandboxDelivery is the sandbox's delivery to one registered webhook.
type SandboxDelivery struct {
	WebhookID string
	URL       string
	OK        bool
	Status    int
	Latency   time.Duration
	Error     string
}

// SandboxSkip is a registered webhook the sandbox did not deliver to.
type SandboxSkip struct {
	WebhookID string
	URL       string
	Reason    string
}

// NoRegistrationError means --via-sandbox found no webhook to take the
// URL from.
type NoRegistrationError struct{ Kinds []string }

func (e *NoRegistrationError) Error() string {
	return "no webhook is registered in the sandbox for " + strings.Join(e.Kinds, ", ")
}

// Hint says how to register one.
func (e *NoRegistrationError) Hint() string {
	return fmt.Sprintf("Register your handler first, e.g. lcwh register --action %s --url URL --secret S, or name the URL to check.", e.Kinds[0])
}

// AmbiguousURLError means the registrations point at several URLs and none
// was named.
type AmbiguousURLError struct{ URLs []string }

func (e *AmbiguousURLError) Error() string {
	return "the sandbox's webhooks point at several URLs: " + strings.Join(e.URLs, ", ")
}

// Hint says how to choose.
func (e *AmbiguousURLError) Hint() string {
	return "Name the one to check: lcwh check --via-sandbox URL"
}

// ExitCode makes it a usage error.
func (e *AmbiguousURLError) ExitCode() int { return 2 }

// runRegistration is registration (with Options.Sandbox): for each
// LiveChat kind the sandbox delivers a sample through the webhooks
// registered for it; the check passes when each action has a webhook for
// the URL, its filters let the sample through, and the handler accepted
// the delivery, which carries the registered secret_key. It also settles
// the URL when none was named, and the webhook_id later deliveries carry.
func (r *runner) runRegistration(ctx context.Context, results map[ID]Result) error {
	if r.o.Sandbox == nil {
		return nil
	}
	var kinds []catalog.Kind
	for _, k := range r.kinds {
		if k.Family == catalog.LiveChat {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		if r.o.URL == "" {
			return &NoRegistrationError{Kinds: []string{r.kinds[0].Name}}
		}
		results[Registration] = Result{ID: Registration, Title: registrationTitle, Status: Skip, Details: []string{},
			Summary: "only LiveChat webhooks are registered through the Configuration API"}
		return nil
	}
	var fatal error
	res := r.timedCheck(Registration, registrationTitle, func() Result {
		got := make([]*SandboxResult, len(kinds))
		for i, k := range kinds {
			sr, err := r.o.Sandbox(ctx, k.Name)
			if err != nil {
				fatal = err
				return Result{}
			}
			got[i] = sr
		}
		if r.o.URL == "" {
			if fatal = r.pickURL(kinds, got); fatal != nil {
				return Result{}
			}
		}
		return r.gradeRegistration(kinds, got)
	})
	if fatal != nil {
		return fatal
	}
	if r.selected(Registration) {
		results[Registration] = res
	}
	return nil
}

// pickURL takes the URL the registrations point at.
func (r *runner) pickURL(kinds []catalog.Kind, got []*SandboxResult) error {
	seen := map[string]bool{}
	for _, sr := range got {
		for _, d := range sr.Deliveries {
			seen[d.URL] = true
		}
		for _, s := range sr.Skipped {
			seen[s.URL] = true
		}
	}
	var urls []string
	for u := range seen {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	switch len(urls) {
	case 0:
		var names []string
		for _, k := range kinds {
			names = append(names, k.Name)
		}
		return &NoRegistrationError{Kinds: names}
	case 1:
		r.o.URL = urls[0]
		return nil
	}
	return &AmbiguousURLError{URLs: urls}
}

func (r *runner) gradeRegistration(kinds []catalog.Kind, got []*SandboxResult) Result {
	var fails, warns []string
	for i, k := range kinds {
		f, w := r.gradeKindRegistration(k.Name, got[i])
		fails, warns = append(fails, f...), append(warns, w...)
	}
	res := Result{Why: whyRegistration, Fix: fixRegistration, Details: capDetails(append(fails, warns...))}
	shown := redactURL(r.o.URL)
	switch {
	case len(fails) > 0:
		res.Status = Fail
		res.Summary = fmt.Sprintf("%s with the registrations for %s", plural(len(fails), "problem"), shown)
	case len(warns) > 0:
		res.Status = Warn
		res.Summary = fmt.Sprintf("%s registered for %s; %d to look at", plural(len(kinds), "action"), shown, len(warns))
	default:
		res.Status = Pass
		res.Summary = fmt.Sprintf("%s registered for %s and delivered by the sandbox", plural(len(kinds), "action"), shown)
	}
	return res
}

func (r *runner) gradeKindRegistration(kind string, sr *SandboxResult) (fails, warns []string) {
	if sr.Registered == 0 {
		return []string{fmt.Sprintf("%s: no webhook is registered for this action (lcwh register --action %s --url %s --secret S)",
			kind, kind, redactURL(r.o.URL))}, nil
	}
	var hits int
	var others []string
	for _, d := range sr.Deliveries {
		if d.URL != r.o.URL {
			others = append(others, d.URL)
			if !d.OK {
				warns = append(warns, fmt.Sprintf("%s: webhook %s points at %s, which %s (unregister it if it is stale)",
					kind, d.WebhookID, d.URL, sandboxOutcome(d)))
			}
			continue
		}
		hits++
		atomic.AddInt64(&r.count, 1)
		r.b.mu.Lock()
		if r.b.webhookIDs[kind] == "" || d.OK {
			r.b.webhookIDs[kind] = d.WebhookID
		}
		r.b.mu.Unlock()
		if !d.OK {
			line := fmt.Sprintf("%s: the sandbox's delivery through webhook %s %s", kind, d.WebhookID, sandboxOutcome(d))
			if d.Status == 401 || d.Status == 403 {
				line += " (it carries the secret_key registered for that webhook: is it the one your handler expects?)"
			}
			fails = append(fails, line)
		}
	}
	for _, s := range sr.Skipped {
		if s.URL != r.o.URL {
			continue
		}
		hits++
		if strings.Contains(s.Reason, "disabled") {
			fails = append(fails, fmt.Sprintf("%s: webhook %s was not delivered: %s", kind, s.WebhookID, s.Reason))
		} else {
			warns = append(warns, fmt.Sprintf("%s: webhook %s's filters dropped the sample (%s); make sure they keep the events you need", kind, s.WebhookID, s.Reason))
		}
	}
	if hits == 0 {
		fails = append(fails, fmt.Sprintf("%s: registered for %s, not for %s", kind, strings.Join(others, ", "), redactURL(r.o.URL)))
	}
	return fails, warns
}

func sandboxOutcome(d SandboxDelivery) string {
	switch {
	case d.Error != "" && d.Status == 0:
		return "failed: " + d.Error
	case d.Status != 0:
		return fmt.Sprintf("was answered %d", d.Status)
	}
	return "failed"
}
