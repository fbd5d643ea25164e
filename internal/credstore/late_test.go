package credstore

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// lateKeyring is a keychain that, when armed, holds the next write or
// delete: the caller's timeout fires (through timeouts, the store's timer),
// and the call completes later, when the test releases it, as a keychain
// waiting on an unlock prompt would.
type lateKeyring struct {
	mapKeyring
	timeouts chan time.Time

	mu   sync.Mutex
	hold *held
	sets int
}

type held struct {
	release chan struct{}
	landed  chan struct{}
	err     error
}

func newLateKeyring() *lateKeyring {
	return &lateKeyring{mapKeyring: mapKeyring{m: map[string]string{}}, timeouts: make(chan time.Time)}
}

// arm holds the next Set or Delete; it completes (with err, else for real)
// when release is closed, and landed closes after that.
func (k *lateKeyring) arm(err error) *held {
	h := &held{release: make(chan struct{}), landed: make(chan struct{}), err: err}
	k.mu.Lock()
	k.hold = h
	k.mu.Unlock()
	return h
}

func (k *lateKeyring) take() *held {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.sets++
	h := k.hold
	k.hold = nil
	return h
}

func (k *lateKeyring) late(h *held, op func() error) error {
	k.timeouts <- time.Time{} // the caller stops waiting
	<-h.release
	defer close(h.landed)
	if h.err != nil {
		return h.err
	}
	return op()
}

func (k *lateKeyring) Set(s, u, v string) error {
	if h := k.take(); h != nil {
		return k.late(h, func() error { return k.mapKeyring.Set(s, u, v) })
	}
	return k.mapKeyring.Set(s, u, v)
}

func (k *lateKeyring) Delete(s, u string) error {
	if h := k.take(); h != nil {
		return k.late(h, func() error { return k.mapKeyring.Delete(s, u) })
	}
	return k.mapKeyring.Delete(s, u)
}

func (k *lateKeyring) writes() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.sets
}

func newLateAuto(t *testing.T) (*Auto, *lateKeyring) {
	t.Helper()
	kr := newLateKeyring()
	ks := &KeyringStore{Keyring: kr, after: func(time.Duration) <-chan time.Time { return kr.timeouts }}
	a := &Auto{Keyring: ks, File: NewFile(filepath.Join(t.TempDir(), "credentials.json"))}
	t.Cleanup(a.late.Wait)
	return a, kr
}

// beforeSettling runs check while holding the store's lock, which the
// settling of a late keychain call needs: a call released and landed
// inside check is seen before it is settled, whatever the scheduler does.
func beforeSettling(t *testing.T, a *Auto, check func()) {
	t.Helper()
	if err := a.lock().do(func() error { check(); return nil }); err != nil {
		t.Fatal(err)
	}
}

func rec(access string) *Record {
	r := sample()
	r.AccessToken = access
	return r
}

// wantOnly checks that Get returns access from backend and that the other
// place holds no copy (or only what is said).
func wantGet(t *testing.T, a *Auto, access, backend string) {
	t.Helper()
	got, err := a.Get("p")
	if access == "" {
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get = %+v, %v; want not found", got, err)
		}
		return
	}
	if err != nil || got.AccessToken != access || got.Store != backend {
		t.Fatalf("Get = %+v, %v; want %s from %s", got, err, access, backend)
	}
}

// copies returns the access tokens in the keychain and in the file ("" for
// none, "deleted" for a tombstone).
func copies(t *testing.T, a *Auto) (keyring, file string) {
	t.Helper()
	ke, err := a.Keyring.entry("p")
	if err != nil {
		t.Fatal(err)
	}
	fe, err := a.File.entry("p")
	if err != nil {
		t.Fatal(err)
	}
	show := func(e *entry) string {
		switch {
		case e == nil:
			return ""
		case e.Deleted:
			return "deleted"
		}
		return e.AccessToken
	}
	return show(ke), show(fe)
}

func wantCopies(t *testing.T, a *Auto, keyring, file string) {
	t.Helper()
	k, f := copies(t, a)
	if k != keyring || f != file {
		t.Fatalf("keychain %q, file %q; want %q, %q", k, f, keyring, file)
	}
}

// A keychain write times out, a newer login is saved, then the late write
// lands over it: reads keep using the newer copy, and once the late call
// is settled the keychain holds the newer copy and the file none.
func TestLateKeyringWriteAfterNewerWrite(t *testing.T) {
	a, kr := newLateAuto(t)
	h := kr.arm(nil)
	r1 := rec("dal:at1")
	if err := a.Set("p", r1); err != nil || r1.Store != BackendFile {
		t.Fatalf("Set = %v, store %q; want the file after a timeout", err, r1.Store)
	}
	fe, _ := a.File.entry("p")
	if len(fe.Pending) != 1 || fe.Pending[0] != self() {
		t.Fatalf("pending %v, want this process", fe.Pending)
	}
	before := kr.writes()
	r2 := rec("dal:at2")
	if err := a.Set("p", r2); err != nil || r2.Store != BackendFile {
		t.Fatalf("Set = %v, store %q", err, r2.Store)
	}
	if kr.writes() != before {
		t.Error("the keychain was written while a late write was pending")
	}
	wantGet(t, a, "dal:at2", BackendFile)

	beforeSettling(t, a, func() {
		close(h.release)
		<-h.landed
		wantCopies(t, a, "dal:at1", "dal:at2")
		wantGet(t, a, "dal:at2", BackendFile) // the late copy is older
	})
	a.late.Wait()
	wantGet(t, a, "dal:at2", BackendKeyring)
	wantCopies(t, a, "dal:at2", "")
}

// A keychain write times out, the user logs out, then the late write
// lands: the profile stays logged out and no copy is left behind.
func TestLateKeyringWriteAfterLogout(t *testing.T) {
	a, kr := newLateAuto(t)
	h := kr.arm(nil)
	if err := a.Set("p", rec("dal:at1")); err != nil {
		t.Fatal(err)
	}
	if err := a.Delete("p"); err != nil {
		t.Fatal(err)
	}
	wantGet(t, a, "", "")
	wantCopies(t, a, "", "deleted")
	beforeSettling(t, a, func() {
		close(h.release)
		<-h.landed
		wantCopies(t, a, "dal:at1", "deleted")
		wantGet(t, a, "", "")
	})
	a.late.Wait()
	wantGet(t, a, "", "")
	wantCopies(t, a, "", "")
	if _, err := os.Stat(a.File.Path); !os.IsNotExist(err) {
		t.Errorf("credentials file left: %v", err)
	}
}

// A keychain delete times out and the user logs in again before it lands:
// the new login survives the late delete.
func TestLateKeyringDeleteThenLogin(t *testing.T) {
	a, kr := newLateAuto(t)
	if err := a.Set("p", rec("dal:at1")); err != nil {
		t.Fatal(err)
	}
	wantCopies(t, a, "dal:at1", "")
	h := kr.arm(nil)
	if err := a.Delete("p"); err != nil {
		t.Fatal(err)
	}
	wantGet(t, a, "", "")
	if err := a.Set("p", rec("dal:at2")); err != nil {
		t.Fatal(err)
	}
	beforeSettling(t, a, func() {
		close(h.release)
		<-h.landed
		wantCopies(t, a, "", "dal:at2")
		wantGet(t, a, "dal:at2", BackendFile)
	})
	a.late.Wait()
	wantGet(t, a, "dal:at2", BackendKeyring)
	wantCopies(t, a, "dal:at2", "")
}

// A timed-out write that finally fails leaves the file copy, which settling
// then moves to the keychain.
func TestLateKeyringWriteFails(t *testing.T) {
	a, kr := newLateAuto(t)
	h := kr.arm(errors.New("prompt dismissed"))
	if err := a.Set("p", rec("dal:at1")); err != nil {
		t.Fatal(err)
	}
	close(h.release)
	a.late.Wait()
	wantGet(t, a, "dal:at1", BackendKeyring)
	wantCopies(t, a, "dal:at1", "")
}

// A refresh (Update) while a late write is pending reads the newest copy
// and saves to the file only.
func TestUpdateWhileLateWritePending(t *testing.T) {
	a, kr := newLateAuto(t)
	h := kr.arm(nil)
	if err := a.Set("p", rec("dal:at1")); err != nil {
		t.Fatal(err)
	}
	var seen string
	err := a.Update("p", func(cur *Record) (*Record, error) {
		seen = cur.AccessToken
		return rec("dal:at2"), nil
	})
	if err != nil || seen != "dal:at1" {
		t.Fatalf("Update saw %q, err %v", seen, err)
	}
	wantCopies(t, a, "", "dal:at2")
	close(h.release)
	a.late.Wait()
	wantCopies(t, a, "dal:at2", "")
}

// Pending writers that have exited are dropped: their calls can no longer
// land. A live one (here this test's parent) keeps the file authoritative.
func TestPendingWritersPrunedWhenGone(t *testing.T) {
	gone := exec.Command(os.Args[0], "-test.run=^$")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		pid      int
		keychain string
		file     string
	}{
		{"exited", gone.ProcessState.Pid(), "dal:new", ""},
		{"alive", os.Getppid(), "dal:old", "dal:new"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := newLateAuto(t)
			if _, err := a.Keyring.put("p", &entry{Record: *rec("dal:old"), Seq: 1}); err != nil {
				t.Fatal(err)
			}
			w := Writer{PID: tt.pid, Host: self().Host}
			if err := a.File.put("p", &entry{Record: *rec("dal:mid"), Seq: 2, Pending: []Writer{w}}); err != nil {
				t.Fatal(err)
			}
			wantGet(t, a, "dal:mid", BackendFile)
			if err := a.Set("p", rec("dal:new")); err != nil {
				t.Fatal(err)
			}
			wantCopies(t, a, tt.keychain, tt.file)
			wantGet(t, a, "dal:new", map[bool]string{true: BackendFile, false: BackendKeyring}[tt.file != ""])
		})
	}
}

// Reads take the copy written last, whichever holds it.
func TestAutoReadsCopyWrittenLast(t *testing.T) {
	a, _ := newLateAuto(t)
	_, _ = a.Keyring.put("p", &entry{Record: *rec("dal:keychain"), Seq: 5})
	_ = a.File.put("p", &entry{Record: *rec("dal:file"), Seq: 4})
	wantGet(t, a, "dal:keychain", BackendKeyring)
	_ = a.File.put("p", &entry{Record: *rec("dal:file"), Seq: 6})
	wantGet(t, a, "dal:file", BackendFile)
	_ = a.File.put("p", &entry{Seq: 7, Deleted: true})
	wantGet(t, a, "", "")
}
