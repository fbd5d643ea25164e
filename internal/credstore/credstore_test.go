package credstore

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zalando/go-keyring"
)

func sample() *Record {
	return &Record{
		Method: "oauth", AccountID: "acc", ClientID: "cid", AccessToken: "dal:at", RefreshToken: "rt",
		Expiry: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Scopes: []string{"webhooks.state:rw"}, Region: "dal",
	}
}

// mapKeyring is a working in-memory keychain.
type mapKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *mapKeyring) Get(s, u string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[s+"/"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}
func (k *mapKeyring) Set(s, u, v string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[s+"/"+u] = v
	return nil
}
func (k *mapKeyring) Delete(s, u string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[s+"/"+u]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.m, s+"/"+u)
	return nil
}

// brokenKeyring is a system without a usable keychain.
type brokenKeyring struct{}

func (brokenKeyring) Get(string, string) (string, error) { return "", errors.New("no secret service") }
func (brokenKeyring) Set(string, string, string) error   { return errors.New("no secret service") }
func (brokenKeyring) Delete(string, string) error        { return errors.New("no secret service") }

// hungKeyring never answers (a locked keychain waiting for a prompt).
type hungKeyring struct{ release chan struct{} }

func (h hungKeyring) Get(string, string) (string, error) { <-h.release; return "", nil }
func (h hungKeyring) Set(string, string, string) error   { <-h.release; return nil }
func (h hungKeyring) Delete(string, string) error        { <-h.release; return nil }

func roundTrip(t *testing.T, s Store, backend string) {
	t.Helper()
	if _, err := s.Get("p"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty Get: %v", err)
	}
	in := sample()
	if err := s.Set("p", in); err != nil {
		t.Fatal(err)
	}
	if in.Store != backend {
		t.Errorf("Set marked store %q, want %q", in.Store, backend)
	}
	got, err := s.Get("p")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sample(), got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Store" }, cmp.Ignore())); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if got.Store != backend {
		t.Errorf("Get store %q, want %q", got.Store, backend)
	}
	if _, err := s.Get(""); !errors.Is(err, ErrNotFound) {
		t.Errorf("profiles leak: %v", err)
	}
	if err := s.Delete("p"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("p"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after Delete: %v", err)
	}
	if err := s.Delete("p"); err != nil {
		t.Errorf("second Delete: %v", err)
	}
}

func TestStores(t *testing.T) {
	roundTrip(t, NewMemory(), BackendMemory)
	roundTrip(t, NewFile(filepath.Join(t.TempDir(), "credentials.json")), BackendFile)
	roundTrip(t, &KeyringStore{Keyring: &mapKeyring{m: map[string]string{}}}, BackendKeyring)
	roundTrip(t, &Auto{Keyring: &KeyringStore{Keyring: &mapKeyring{m: map[string]string{}}}, File: NewFile(filepath.Join(t.TempDir(), "c.json"))}, BackendKeyring)
}

func TestKeyringItemName(t *testing.T) {
	kr := &mapKeyring{m: map[string]string{}}
	if err := (&KeyringStore{Keyring: kr}).Set("", sample()); err != nil {
		t.Fatal(err)
	}
	if _, ok := kr.m["lcwh:default/lcwh"]; !ok {
		t.Errorf("keychain items %v, want lcwh:default", kr.m)
	}
}

func TestFileMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lcwh", "credentials.json")
	f := NewFile(path)
	if err := f.Set("a", sample()); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("b", sample()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"lcwh:a"`) || !strings.Contains(string(b), `"lcwh:b"`) {
		t.Errorf("file %s", b)
	}
	_ = f.Delete("a")
	_ = f.Delete("b")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("empty credentials file kept: %v", err)
	}
}

func TestFileCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	os.WriteFile(path, []byte("{not json"), 0o600)
	if _, err := NewFile(path).Get("p"); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v", err)
	}
}

func TestAutoFallsBackToFileWithoutKeychain(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(ModeAuto, dir, brokenKeyring{})
	if err != nil {
		t.Fatal(err)
	}
	roundTripKeep := sample()
	if err := s.Set("", roundTripKeep); err != nil {
		t.Fatal(err)
	}
	if roundTripKeep.Store != BackendFile {
		t.Errorf("store %q, want file", roundTripKeep.Store)
	}
	fi, err := os.Stat(FilePath(dir))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("fallback file: %v %v", fi, err)
	}
	got, err := s.Get("")
	if err != nil || got.AccessToken != "dal:at" || got.Store != BackendFile {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if err := s.Delete(""); err != nil {
		t.Fatal(err)
	}
}

// A keychain that never answers (a hung call: no timing race) times out
// and the login lands in the file.
func TestKeyringTimeout(t *testing.T) {
	h := hungKeyring{release: make(chan struct{})}
	ks := &KeyringStore{Keyring: h, Timeout: time.Millisecond}
	a := &Auto{Keyring: ks, File: NewFile(filepath.Join(t.TempDir(), "c.json"))}
	defer a.late.Wait()
	defer close(h.release)
	_, err := ks.Get("p")
	var ke *KeyringError
	if !errors.Is(err, ErrKeyringUnavailable) || !errors.As(err, &ke) || !ke.TimedOut {
		t.Fatalf("err = %v, want a timed-out unavailable keychain", err)
	}
	r := sample()
	if err := a.Set("p", r); err != nil || r.Store != BackendFile {
		t.Fatalf("Set = %v, store %q", err, r.Store)
	}
}

func TestAutoMovesToKeychain(t *testing.T) {
	fs := NewFile(filepath.Join(t.TempDir(), "c.json"))
	_ = fs.Set("p", sample())
	a := &Auto{Keyring: &KeyringStore{Keyring: &mapKeyring{m: map[string]string{}}}, File: fs}
	if got, err := a.Get("p"); err != nil || got.Store != BackendFile {
		t.Fatalf("Get from file: %+v %v", got, err)
	}
	if err := a.Set("p", sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Get("p"); !errors.Is(err, ErrNotFound) {
		t.Errorf("file copy kept after keychain write: %v", err)
	}
}

func TestOpenModes(t *testing.T) {
	dir := t.TempDir()
	for mode, want := range map[string]string{"": "*credstore.Auto", "auto": "*credstore.Auto", "file": "*credstore.File", "keyring": "*credstore.KeyringStore"} {
		s, err := Open(mode, dir, brokenKeyring{})
		if err != nil {
			t.Fatal(err)
		}
		if got := typeName(s); got != want {
			t.Errorf("Open(%q) = %s, want %s", mode, got, want)
		}
	}
	if _, err := Open("vault", dir, nil); err == nil {
		t.Error("Open(vault) accepted")
	}
}

func typeName(s Store) string {
	switch s.(type) {
	case *Auto:
		return "*credstore.Auto"
	case *File:
		return "*credstore.File"
	case *KeyringStore:
		return "*credstore.KeyringStore"
	}
	return "?"
}

func TestRegionOf(t *testing.T) {
	for tok, want := range map[string]string{"dal:abc": "dal", "fra-a:x:y": "fra-a", "noprefix": "", ":x": ""} {
		if got := RegionOf(tok); got != want {
			t.Errorf("RegionOf(%q) = %q, want %q", tok, got, want)
		}
	}
}

func TestNoSessionBusIsNoKeychain(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if err := sessionBus(env(map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"})); err != nil {
		t.Errorf("with an address: %v", err)
	}
	if _, err := os.Stat(filepath.Join("/run/user", strconv.Itoa(os.Getuid()), "bus")); err == nil {
		t.Skip("this machine has a session bus socket")
	}
	for _, v := range []map[string]string{nil, {"DBUS_SESSION_BUS_ADDRESS": "autolaunch:"}} {
		if err := sessionBus(env(v)); runtime.GOOS != "darwin" && runtime.GOOS != "windows" && err == nil {
			t.Errorf("env %v: no error, so go-keyring would autolaunch a bus", v)
		}
	}
}
