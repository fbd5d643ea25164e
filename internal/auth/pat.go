package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ParsePATInput accepts what a user pastes for a Personal Access Token:
// ACCOUNT_ID:TOKEN, or Developer Console's Base64 of it. The error is
// ParsePAT's for the text as given.
func ParsePATInput(s string) (PAT, error) {
	p, err := ParsePAT(s)
	if err == nil {
		return p, nil
	}
	if b, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(s)); derr == nil {
		if p, perr := ParsePAT(string(b)); perr == nil {
			return p, nil
		}
	}
	return PAT{}, err
}

// PATCheck is what the accounts server said about an accepted token.
type PATCheck struct {
	// AccountUnchecked means the token authenticated but may not read the
	// account (403), so its account id could not be compared.
	AccountUnchecked bool
}

// PATRejectedError is a Personal Access Token the accounts server refused
// (401), or one that belongs to another account than the one given with it.
// It matches ErrRejected and carries exit code 4.
type PATRejectedError struct {
	// AccountID is the account the token was given for.
	AccountID string
	// Owner is the account the server says the token belongs to; "" when
	// the server refused the token.
	Owner string
}

func (e *PATRejectedError) Error() string {
	if e.Owner != "" {
		return fmt.Sprintf("%v: the token belongs to account %s, not %s", ErrRejected, e.Owner, e.AccountID)
	}
	return fmt.Sprintf("%v: the accounts server refused the Personal Access Token for account %s", ErrRejected, e.AccountID)
}

// Is makes errors.Is(err, ErrRejected) true.
func (e *PATRejectedError) Is(target error) bool { return target == ErrRejected }

// ExitCode is the authentication exit code.
func (e *PATRejectedError) ExitCode() int { return 4 }

// Hint says where the right account id and token are.
func (e *PATRejectedError) Hint() string {
	if e.Owner != "" {
		return "Use the account id shown next to the token in Developer Console."
	}
	return "Check the account id and token in Developer Console > Settings > Authorization > Personal Access Tokens."
}

// PATCheckError means the token could not be checked: the accounts server
// was not reached (Err) or gave an answer other than 200, 401 or 403
// (Status). Exit code 1.
type PATCheckError struct {
	Status string
	Err    error
}

func (e *PATCheckError) Error() string {
	if e.Err != nil {
		return "check the token with the accounts server: " + e.Err.Error()
	}
	return "check the token with the accounts server: unexpected " + e.Status
}

func (e *PATCheckError) Unwrap() error { return e.Err }

// ExitCode is 1, whatever the transport error carries.
func (e *PATCheckError) ExitCode() int { return 1 }

// Hint says nothing was stored and what to check.
func (e *PATCheckError) Hint() string {
	if e.Err != nil {
		return "Nothing was stored. Check your connection (or accounts_url) and try again."
	}
	return "Nothing was stored. Try again later, or check accounts_url."
}

// CheckPAT asks the accounts server who the token belongs to (GET
// /v2/accounts/me, oauth.md §1). 401 rejects the token, and so does an
// account_id other than p's. 403 means it authenticated but may not read
// the account (scope accounts--my:ro missing?): the response shape for that
// case is undocumented, so the token is accepted with AccountUnchecked.
// Anything else means it could not be checked (*PATCheckError).
func CheckPAT(ctx context.Context, client *http.Client, accountsURL string, p PAT) (PATCheck, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(accountsURL, "/")+"/v2/accounts/me", nil)
	if err != nil {
		return PATCheck{}, err
	}
	req.Header.Set("Authorization", p.Header())
	resp, err := client.Do(req)
	if err != nil {
		return PATCheck{}, &PATCheckError{Err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusOK:
		var me struct {
			AccountID string `json:"account_id"`
		}
		if json.Unmarshal(body, &me) == nil && me.AccountID != "" && me.AccountID != p.AccountID {
			return PATCheck{}, &PATRejectedError{AccountID: p.AccountID, Owner: me.AccountID}
		}
		return PATCheck{}, nil
	case http.StatusUnauthorized:
		return PATCheck{}, &PATRejectedError{AccountID: p.AccountID}
	case http.StatusForbidden:
		return PATCheck{AccountUnchecked: true}, nil
	}
	return PATCheck{}, &PATCheckError{Status: resp.Status}
}
