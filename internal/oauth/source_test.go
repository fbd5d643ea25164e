package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/lcwh/lcwh/internal/oauth"
)

// loggedIn runs a real login against the fake and returns a Source on its
// token with a fixed clock and a recorder of saved tokens.
func loggedIn(t *testing.T) (*oauth.Source, *[]*oauth2.Token, *time.Time, func() *oauth2.Token, *testFake) {
	t.Helper()
	acc, opts, _ := setup(t, "/")
	tok, err := oauth.Login(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	now := tok.Expiry.Add(-time.Hour)
	store := &memTokens{tok: tok}
	src := oauth.NewSource(opts.App.Config(), nil, tok, store, func() time.Time { return now })
	return src, &store.saved, &now, func() *oauth2.Token { return tok }, &testFake{acc.URL(), acc.ValidRefresh, acc.ExpireAccess, func() int { return acc.Refreshs }}
}

// memTokens is a TokenStore shared by the Sources of one test, as the
// credential store is shared by lcwh processes; it records what is saved.
type memTokens struct {
	mu    sync.Mutex
	tok   *oauth2.Token
	saved []*oauth2.Token
}

func (m *memTokens) Update(fn func(*oauth2.Token) (*oauth2.Token, bool, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tok, save, err := fn(m.tok)
	if err != nil || !save {
		return err
	}
	m.tok = tok
	m.saved = append(m.saved, tok)
	return nil
}

type testFake struct {
	url          string
	validRefresh func(string) bool
	expireAccess func()
	refreshes    func() int
}

func TestSourceRefreshesBeforeExpiryAndSavesRotation(t *testing.T) {
	src, saved, now, first, fake := loggedIn(t)
	got, err := src.Token()
	if err != nil || got.AccessToken != first().AccessToken {
		t.Fatalf("fresh token: %v %v", got, err)
	}
	if len(*saved) != 0 {
		t.Fatal("saved without a refresh")
	}
	*now = first().Expiry.Add(-30 * time.Second) // inside RefreshEarly
	got, err = src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken == first().AccessToken || got.RefreshToken == first().RefreshToken {
		t.Errorf("not refreshed/rotated: %+v", got)
	}
	if len(*saved) != 1 || (*saved)[0].RefreshToken != got.RefreshToken {
		t.Errorf("rotated refresh token not saved: %v", *saved)
	}
	if fake.validRefresh(first().RefreshToken) || !fake.validRefresh(got.RefreshToken) {
		t.Error("fake did not rotate")
	}
}

func TestSourceRefreshFailsWhenRevoked(t *testing.T) {
	src, _, now, first, fake := loggedIn(t)
	if err := oauth.Revoke(context.Background(), http.DefaultClient, fake.url, first().RefreshToken); err != nil {
		t.Fatal(err)
	}
	*now = first().Expiry.Add(time.Hour)
	_, err := src.Token()
	if !errors.Is(err, oauth.ErrLoginExpired) {
		t.Fatalf("err = %v, want ErrLoginExpired", err)
	}
}

func TestTransportRefreshesOnceAfter401(t *testing.T) {
	src, saved, _, _, fake := loggedIn(t)
	client := &http.Client{Transport: &oauth.Transport{Source: src, Region: "dal"}}
	fake.expireAccess() // server-side revocation: the next call gets 401
	resp, err := client.Post(fake.url+"/api/ping", "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d after refresh", resp.StatusCode)
	}
	if fake.refreshes() != 1 || len(*saved) != 1 {
		t.Errorf("refreshes %d, saved %d; want 1, 1", fake.refreshes(), len(*saved))
	}

	// A 401 that survives the refresh is returned, not retried again.
	fake.expireAccess()
	src.HTTPClient = &http.Client{Transport: expireAfterRefresh{fake}}
	resp, err = client.Get(fake.url + "/api/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || fake.refreshes() != 2 {
		t.Errorf("status %d refreshes %d; want 401 after exactly one more refresh", resp.StatusCode, fake.refreshes())
	}
}

// expireAfterRefresh invalidates access tokens right after every token
// response, so the retried request is refused too.
type expireAfterRefresh struct{ f *testFake }

func (e expireAfterRefresh) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && strings.HasSuffix(r.URL.Path, "/v2/token") {
		e.f.expireAccess()
	}
	return resp, err
}

// Two processes read the same login, and both find its access token
// expired. The first refreshes and saves the rotated pair; the second must
// take that pair from the store, not spend the old single-use refresh
// token (which the fake would refuse, logging the profile out).
func TestSourcesSharingAStoreRefreshOnce(t *testing.T) {
	acc, opts, _ := setup(t, "/")
	tok, err := oauth.Login(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// An hour past the first token's expiry; later tokens last long enough.
	later := func() time.Time { return tok.Expiry.Add(time.Hour) }
	acc.ExpiresIn *= 2
	store := &memTokens{tok: tok}
	a := oauth.NewSource(opts.App.Config(), nil, tok, store, later)
	b := oauth.NewSource(opts.App.Config(), nil, tok, store, later)
	ta, err := a.Token()
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Token()
	if err != nil {
		t.Fatalf("second process: %v", err)
	}
	if acc.Refreshs != 1 || tb.AccessToken != ta.AccessToken || !acc.ValidRefresh(store.tok.RefreshToken) {
		t.Errorf("refreshes %d, tokens %q %q; want one refresh shared by both", acc.Refreshs, ta.AccessToken, tb.AccessToken)
	}
	// Both now hold a token from a later clock's point of view too: a 401
	// on it makes exactly one of them refresh again.
	if _, err := b.Refresh(tb.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Refresh(ta.AccessToken); err != nil {
		t.Fatal(err)
	}
	if acc.Refreshs != 2 {
		t.Errorf("refreshes %d after two 401s on the same token, want 2 (the second reuses the first's)", acc.Refreshs)
	}
}

// A login removed by another process (lcwh auth logout) is not brought back
// by a refresh.
func TestSourceRefreshAfterLogout(t *testing.T) {
	src, saved, now, first, _ := loggedIn(t)
	src.Store.(*memTokens).tok = nil
	*now = first().Expiry.Add(time.Hour)
	if _, err := src.Token(); !errors.Is(err, oauth.ErrLoginExpired) {
		t.Fatalf("err = %v, want ErrLoginExpired", err)
	}
	if len(*saved) != 0 {
		t.Errorf("saved %v after logout", *saved)
	}
}
