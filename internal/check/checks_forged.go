package check

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/signature"
)

// forgedSecret is forged-secret: deliveries that did not come from the
// platform (wrong or missing secret_key, wrong clientID, bad monday JWTs)
// are not accepted. A family is tested only when its secret is known, and
// only when its genuine delivery was accepted (else refusing a forgery
// proves nothing).
func (r *runner) forgedSecret(ctx context.Context) Result {
	var ds []delivery
	var notes []string
	for _, fam := range catalog.Families() {
		k, ok := r.rep(fam)
		if !ok {
			continue
		}
		forged, missing := r.forgeries(fam, k)
		switch {
		case missing != "":
			notes = append(notes, missing)
		case !r.baseOK[k.Name]:
			notes = append(notes, fmt.Sprintf("%s: not graded, its genuine delivery was refused too (see status-200)", k.Name))
		default:
			ds = append(ds, forged...)
		}
	}
	if len(ds) == 0 {
		return Result{Status: Skip, Summary: "no secret to forge: pass --secret (or LCWH_SECRET) with the secret_key your handler expects; " +
			"--client-id for App Webhooks, --monday-secret for monday.com", Details: notes}
	}
	var outs []outcome
	for _, d := range ds {
		outs = append(outs, r.deliver(ctx, d))
	}
	r.record(ForgedSecret, true, outs...)
	return r.gradeForged(outs, notes)
}

func (r *runner) gradeForged(outs []outcome, notes []string) Result {
	var accepted, unclear []string
	codes := map[int]bool{}
	for _, o := range outs {
		switch {
		case o.accepted():
			accepted = append(accepted, o.label+": "+o.describe(r.o.Timeout))
		case !o.answered():
			unclear = append(unclear, o.label+": "+o.describe(r.o.Timeout)+"; refuse a forgery with a 401 at once")
		default:
			codes[o.status] = true
		}
	}
	res := Result{Why: whyForged, Fix: fixForged}
	res.Details = capDetails(append(append(accepted, unclear...), notes...))
	switch {
	case len(accepted) > 0 && !r.o.AcceptsForged:
		res.Status = Fail
		res.Summary = fmt.Sprintf("%d of %d forged deliveries accepted", len(accepted), len(outs))
	case len(accepted) > 0:
		res.Status, res.Fix = Warn, fixForgedAccepted
		res.Summary = fmt.Sprintf("%d of %d forged deliveries answered 2xx (--accepts-forged)", len(accepted), len(outs))
	case len(unclear) > 0:
		res.Status = Warn
		res.Summary = fmt.Sprintf("%d of %d forged deliveries got no answer", len(unclear), len(outs))
	default:
		res.Status = Pass
		res.Summary = fmt.Sprintf("%s refused (%s)", plural(len(outs), "forged delivery"), codeList(codes))
	}
	return res
}

// forgeries are the forged deliveries of family f, built on kind k, or why
// there are none.
func (r *runner) forgeries(f catalog.Family, k catalog.Kind) ([]delivery, string) {
	base := r.b.fresh(k)
	variant := func(what string, body []byte, h http.Header) delivery {
		return delivery{label: k.Name + " " + what, body: body, header: h}
	}
	switch f {
	case catalog.LiveChat:
		if r.o.Secret == "" {
			return nil, "LiveChat: pass --secret to test secret_key verification"
		}
		return []delivery{
			variant("with a wrong secret_key (last character changed)", set(base.body, "secret_key", alter(r.o.Secret)), nil),
			variant("with an empty secret_key", set(base.body, "secret_key", ""), nil),
			variant("without secret_key", del(base.body, "secret_key"), nil),
		}, ""
	case catalog.App:
		if r.o.ClientID == "" {
			return nil, "App Webhooks: pass --client-id to test clientID verification"
		}
		return []delivery{
			variant("with another app's clientID", set(base.body, "clientID", alter(r.o.ClientID)), nil),
			variant("without clientID", del(base.body, "clientID"), nil),
		}, ""
	default:
		if r.o.MondaySecret == "" {
			return nil, "monday.com: pass --monday-secret to test JWT verification"
		}
		acct, user := accountUser(base.body)
		now := r.o.Now()
		expired, _ := signature.SignMonday([]byte(r.o.MondaySecret), r.o.URL, acct, user, now.Add(-time.Hour))
		other, _ := signature.SignMonday([]byte("lcwh-check-not-your-secret"), r.o.URL, acct, user, now)
		none, _ := signature.ForgeMondayNone(r.o.URL, acct, user, now)
		auth := func(v string) http.Header { return http.Header{"Authorization": {v}} }
		return []delivery{
			variant("with an expired JWT", base.body, auth(expired)),
			variant("with a JWT signed with another secret", base.body, auth(other)),
			variant(`with an alg "none" JWT`, base.body, auth(none)),
			variant("without Authorization", base.body, http.Header{"Authorization": nil}),
		}, ""
	}
}

// alter changes the last character of s: a near miss that catches prefix
// and length comparisons as well as no comparison at all.
func alter(s string) string {
	if s == "" {
		return "x"
	}
	last := byte('x')
	if s[len(s)-1] == 'x' {
		last = 'y'
	}
	return s[:len(s)-1] + string(last)
}

// codeList is "401, 403".
func codeList(codes map[int]bool) string {
	var cs []int
	for c := range codes {
		cs = append(cs, c)
	}
	sort.Ints(cs)
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprint(c)
	}
	return strings.Join(parts, ", ")
}
