package doctor

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lcwh/lcwh/internal/livechat"
)

// Scopes of the webhook methods (configuration-api.md §3).
const (
	scopeConfig  = "webhooks.configuration:rw"
	scopeStateRW = "webhooks.state:rw"
	scopeStateRO = "webhooks.state:ro"
)

// hasScope reports whether have grants want; a :rw scope includes its :ro.
func hasScope(have []string, want string) bool {
	if slices.Contains(have, want) {
		return true
	}
	if base, ok := strings.CutSuffix(want, ":ro"); ok {
		return slices.Contains(have, base+":rw")
	}
	return false
}

const sourceEnvPAT = "env LCWH_PAT"

// checkCredentials: which login is used, whether LiveChat accepts it and
// whether its scopes allow the webhook methods.
func checkCredentials(f *facts) Item {
	it := newItem(IDCredentials, "Credentials")
	o := f.opts
	if o.CredentialErr != nil || o.Credential == nil {
		it.raise(Fail)
		msg := "no login"
		if o.CredentialErr != nil {
			msg = o.CredentialErr.Error()
		}
		it.found("no usable LiveChat login: " + msg)
		it.addFix(f.fix.cmd("auth", "login", "--with-pat"),
			"or: export LCWH_PAT=ACCOUNT_ID:TOKEN (Developer Console → Settings → Personal Access Tokens)",
			"or: "+f.fix.cmd("auth", "login", "--client-id", "CLIENT_ID")+" (OAuth)")
		return it
	}
	c := o.Credential
	it.found(describeLogin(c))
	if c.Method == "oauth" && o.ClientID != "" && c.ClientID != "" && o.ClientID != c.ClientID {
		it.found(fmt.Sprintf("webhooks of client %s are checked; this OAuth token was issued to client %s", o.ClientID, c.ClientID))
	}
	if !accepted(f, &it, c) {
		return it
	}
	if c.Method == "oauth" && c.Scopes != nil {
		oauthScopes(f, &it, c)
	} else {
		patScopes(f, &it)
	}
	return it
}

// accepted reports what LiveChat said of the credential; false when it
// rejected it (nothing more to check).
func accepted(f *facts, it *Item, c *Credential) bool {
	switch {
	case f.rejected:
		it.raise(Fail)
		err := f.listErr
		if !rejected(err) {
			err = f.stateErr
		}
		it.found(fmt.Sprintf("LiveChat rejected it: %v", err))
		it.addFix(loginFix(f, c)...)
		return false
	case f.listed || f.stated:
		it.found("accepted by LiveChat")
	case f.opts.ClientID == "":
		it.found("not sent to LiveChat: no client id to ask about (see registration)")
	case f.listErr != nil:
		it.raise(Warn)
		it.found(fmt.Sprintf("could not confirm that LiveChat accepts it: %v", f.listErr))
	}
	return true
}

func describeLogin(c *Credential) string {
	acct := c.AccountID
	if acct == "" {
		acct = "(unknown account)"
	}
	if c.Method == "oauth" {
		return fmt.Sprintf("OAuth login of account %s through client %s (stored in %s)", acct, c.ClientID, c.Source)
	}
	where := "stored in " + c.Source
	if c.Source == sourceEnvPAT {
		where = "from " + sourceEnvPAT
	}
	return fmt.Sprintf("Personal Access Token of account %s (%s)", acct, where)
}

// loginFix is how to replace a rejected or under-scoped credential.
func loginFix(f *facts, c *Credential) []string {
	switch {
	case c.Method == "oauth":
		return []string{f.fix.cmd("auth", "login", "--client-id", c.ClientID)}
	case c.Source == sourceEnvPAT:
		return []string{"export LCWH_PAT=ACCOUNT_ID:TOKEN (a valid token from Developer Console → Settings → Personal Access Tokens)"}
	}
	return []string{f.fix.cmd("auth", "login", "--with-pat")}
}

// scopeFix is how to get a credential with the webhook scopes.
func scopeFix(f *facts, c *Credential) []string {
	if c.Method == "oauth" {
		return append([]string{"Give your app the scopes " + scopeConfig + " and " + scopeStateRW +
			" (Developer Console → your app → App Authorization), then log in again:"}, loginFix(f, c)...)
	}
	return append([]string{"Create a Personal Access Token with the scopes " + scopeConfig + " and " + scopeStateRW +
		" (Developer Console → Settings → Personal Access Tokens; a token's scopes cannot be changed), then use it:"}, loginFix(f, c)...)
}

func clientFix(f *facts) string {
	return "Check the client id: pass --client-id with your app's Client ID (Developer Console → your app), set LCWH_CLIENT_ID, or run: " +
		f.fix.cmd("config", "set", "client_id", "CLIENT_ID")
}

// oauthScopes checks the scopes the token reports.
func oauthScopes(f *facts, it *Item, c *Credential) {
	it.found("scopes: " + strings.Join(c.Scopes, ", "))
	var missing []string
	for _, s := range []string{scopeConfig, scopeStateRW} {
		if !hasScope(c.Scopes, s) {
			missing = append(missing, s)
		}
	}
	switch {
	case len(missing) == 0:
		if errors.Is(f.listErr, livechat.ErrAuthorization) || errors.Is(f.stateErr, livechat.ErrAuthorization) {
			it.raise(Fail)
			it.found(fmt.Sprintf("LiveChat refused a call (authorization) although the token has the scopes: client %s is probably not an app of your organization", f.opts.ClientID))
			it.addFix(clientFix(f))
		}
		return
	case !hasScope(c.Scopes, scopeConfig) || !hasScope(c.Scopes, scopeStateRO):
		it.raise(Fail)
	default:
		it.raise(Warn)
	}
	it.found("missing scope: " + strings.Join(missing, ", ") + " (" + scopeUse(missing) + ")")
	it.addFix(scopeFix(f, c)...)
}

func scopeUse(missing []string) string {
	var uses []string
	for _, s := range missing {
		switch s {
		case scopeConfig:
			uses = append(uses, "list, register and unregister need "+s)
		case scopeStateRW:
			uses = append(uses, "enable and disable need "+s)
		}
	}
	return strings.Join(uses, "; ")
}

// patScopes infers what a PAT may do from the answers: PATs do not report
// their scopes (oauth.md §7).
func patScopes(f *facts, it *Item) {
	listDenied := errors.Is(f.listErr, livechat.ErrAuthorization)
	stateDenied := errors.Is(f.stateErr, livechat.ErrAuthorization)
	c := f.opts.Credential
	orClient := fmt.Sprintf(", or client %s is not an app of your organization", f.opts.ClientID)
	switch {
	case listDenied:
		it.raise(Fail)
		why := orClient
		if f.stated {
			why = "" // the state call accepted the same client id
		}
		it.found(fmt.Sprintf("list_webhooks was refused (authorization): the token lacks %s%s", scopeConfig, why))
	case f.listed:
		it.found(scopeConfig + ": granted (list_webhooks answered)")
	}
	switch {
	case stateDenied:
		it.raise(Fail)
		why := orClient
		if f.listed {
			why = ""
		}
		it.found(fmt.Sprintf("get_license_webhooks_state was refused (authorization): the token lacks %s (or %s)%s", scopeStateRO, scopeStateRW, why))
	case f.stated:
		it.found(scopeStateRO + ": granted (get_license_webhooks_state answered); " + scopeStateRW +
			", which enable and disable need, cannot be checked without changing the state")
	}
	if listDenied || stateDenied {
		it.addFix(scopeFix(f, c)...)
		if !f.listed && !f.stated {
			it.addFix(clientFix(f))
		}
	}
}
