package credstore_test

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/lcwh/lcwh/internal/credstore"
	"github.com/lcwh/lcwh/internal/credstore/credstoretest"
)

// TestRealKeyring stores, reads, rotates and deletes a login in the OS
// keychain (gnome-keyring in CI, see .ci/run), as credential_store keyring
// and auto. It uses a profile of its own and removes it.
func TestRealKeyring(t *testing.T) {
	credstoretest.RequireSecretService(t)
	profile := fmt.Sprintf("test-%d", os.Getpid())
	for _, mode := range []string{credstore.ModeKeyring, credstore.ModeAuto} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			s, err := credstore.Open(mode, dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Delete(profile) })
			in := &credstore.Record{Method: "oauth", ClientID: "cid", AccessToken: "dal:at-1", RefreshToken: "rt-1",
				Expiry: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Scopes: []string{"webhooks.state:rw"}}
			if err := s.Set(profile, in); err != nil || in.Store != credstore.BackendKeyring {
				t.Fatalf("Set = %v, store %q", err, in.Store)
			}
			got, err := s.Get(profile)
			if err != nil || got.AccessToken != "dal:at-1" || got.RefreshToken != "rt-1" || !got.Expiry.Equal(in.Expiry) || got.Store != credstore.BackendKeyring {
				t.Fatalf("Get = %+v, %v", got, err)
			}
			// A refresh rotates the pair inside Update.
			err = s.Update(profile, func(cur *credstore.Record) (*credstore.Record, error) {
				if cur == nil || cur.RefreshToken != "rt-1" {
					return nil, fmt.Errorf("Update saw %+v", cur)
				}
				next := *cur
				next.AccessToken, next.RefreshToken = "dal:at-2", "rt-2"
				return &next, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get(profile); err != nil || got.AccessToken != "dal:at-2" || got.RefreshToken != "rt-2" {
				t.Fatalf("after rotation Get = %+v, %v", got, err)
			}
			if _, err := os.Stat(credstore.FilePath(dir)); !os.IsNotExist(err) {
				t.Errorf("a credentials file was written beside the keychain: %v", err)
			}
			if err := s.Delete(profile); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get(profile); !errors.Is(err, credstore.ErrNotFound) {
				t.Errorf("after Delete: %v", err)
			}
		})
	}
}
