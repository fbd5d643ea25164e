package catalog

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }

func TestEveryKindHasASample(t *testing.T) {
	if len(All()) != 56 {
		t.Fatalf("catalog has %d kinds, want 56", len(All()))
	}
	for _, k := range All() {
		if _, err := Sample(k); err != nil {
			t.Errorf("%s: %v", k.Name, err)
		}
	}
}

func TestEveryEmbeddedFileIsRegistered(t *testing.T) {
	for _, f := range Families() {
		entries, err := samplesFS.ReadDir("samples/" + string(f))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := strings.TrimSuffix(e.Name(), ".json")
			k, ok := Lookup(name)
			if !ok || k.Family != f {
				t.Errorf("samples/%s/%s is not in the catalog", f, e.Name())
			}
		}
	}
}

func TestBodyIsFreshValidJSON(t *testing.T) {
	g := NewGenerator(0, fixedNow)
	for _, k := range All() {
		a, err := g.Body(k, Params{Secret: `se"cret`})
		if err != nil {
			t.Fatalf("%s: %v", k.Name, err)
		}
		b, _ := g.Body(k, Params{Secret: `se"cret`})
		if !json.Valid(a) {
			t.Fatalf("%s: invalid JSON:\n%s", k.Name, a)
		}
		if k.Family == LiveChat {
			var env struct {
				WebhookID string `json:"webhook_id"`
				SecretKey string `json:"secret_key"`
				Action    string `json:"action"`
			}
			if err := json.Unmarshal(a, &env); err != nil {
				t.Fatal(err)
			}
			if env.SecretKey != `se"cret` || env.Action != k.Name || len(env.WebhookID) != 32 {
				t.Errorf("%s: envelope %+v", k.Name, env)
			}
			if bytes.Equal(a, b) {
				t.Errorf("%s: two bodies are identical; ids should be fresh", k.Name)
			}
		}
	}
}

func TestSeedIsReproducible(t *testing.T) {
	k, _ := Lookup("incoming_event")
	a, _ := NewGenerator(42, fixedNow).Body(k, Params{})
	b, _ := NewGenerator(42, fixedNow).Body(k, Params{})
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different bodies")
	}
	c, _ := NewGenerator(43, fixedNow).Body(k, Params{})
	if bytes.Equal(a, c) {
		t.Fatal("different seeds, same body")
	}
}

// A seed fixes every field of every kind: two generators with the same seed
// and different clocks (days apart) make byte-identical bodies, call after
// call, and the timestamps are the sample's own.
func TestSeedFixesEveryField(t *testing.T) {
	later := func() time.Time { return fixedNow().Add(49 * time.Hour) }
	a, b := NewGenerator(7, fixedNow), NewGenerator(7, later)
	for _, k := range All() {
		for round := range 3 {
			x, err := a.Body(k, Params{Secret: "s"})
			if err != nil {
				t.Fatal(err)
			}
			y, _ := b.AppendBody(nil, k, "s")
			if !bytes.Equal(x, y) {
				t.Fatalf("%s round %d: same seed, different bodies:\n%s\n%s", k.Name, round, x, y)
			}
			raw, _ := Sample(k)
			want := patterns().time.FindAll(raw, -1)
			got := patterns().time.FindAll(x, -1)
			if !cmp.Equal(want, got) {
				t.Errorf("%s: timestamps %q, want the sample's %q", k.Name, got, want)
			}
		}
	}
}

func TestTimestampsMoveToNow(t *testing.T) {
	k, _ := Lookup("incoming_chat")
	body, _ := NewGenerator(0, fixedNow).Body(k, Params{})
	if !bytes.Contains(body, []byte("2026-11-25T12:00:00")) {
		t.Errorf("latest timestamp is not now:\n%s", body)
	}
	if bytes.Contains(body, []byte("2025-06-03")) {
		t.Errorf("sample timestamps left unchanged")
	}
}

func TestIdsStayConsistentWithinABody(t *testing.T) {
	k, _ := Lookup("incoming_event")
	body, _ := NewGenerator(7, fixedNow).Body(k, Params{})
	var env struct {
		Payload struct {
			ChatID   string `json:"chat_id"`
			ThreadID string `json:"thread_id"`
			Event    struct {
				ID string `json:"id"`
			} `json:"event"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	p := env.Payload
	if p.ChatID == "PJ0MRSHTDG" || p.ThreadID == "K600PKZON8" {
		t.Errorf("ids not regenerated: %+v", p)
	}
	if !strings.HasPrefix(p.Event.ID, p.ThreadID+"_") {
		t.Errorf("event id %q does not follow thread id %q", p.Event.ID, p.ThreadID)
	}
}

func BenchmarkAppendBody(b *testing.B) {
	g := NewGenerator(1, time.Now)
	k, _ := Lookup("incoming_event")
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var err error
		buf, err = g.AppendBody(buf[:0], k, "k3Jd8sLq0vXz4NwP7rTy2uBm")
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

func TestScheduledDatesStayInTheFuture(t *testing.T) {
	k, _ := Lookup("install")
	body, err := NewGenerator(0, fixedNow).Body(k, Params{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeBody(k, body)
	if err != nil {
		t.Fatal(err)
	}
	// The sample's event is 2023-06-26, its renewal 2023-07-10: 14 days later.
	if got := d.Monday.Data.Timestamp; got != "2026-11-25T12:00:00.000+00:00" {
		t.Errorf("timestamp = %s, want now", got)
	}
	if got := d.Monday.Data.Subscription.RenewalDate; got != "2026-12-09T12:00:00+00:00" {
		t.Errorf("renewal_date = %s, want now + 14 days", got)
	}
}
