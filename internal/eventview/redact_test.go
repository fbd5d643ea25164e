package eventview

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/jsonlimit"
	"github.com/lcwh/lcwh/internal/listener"
	"github.com/lcwh/lcwh/internal/render"
	"github.com/lcwh/lcwh/internal/signature"
)

// jsonLines renders body as listen --json does twice: with the secret
// spans the listener found in its pass, and with none (the NDJSON writer
// then finds the secrets itself, through gjson).
func jsonLines(t *testing.T, body []byte) (known, found []byte, spans signature.SecretSpans) {
	t.Helper()
	env, err := listener.Check(body, jsonlimit.MaxDepth)
	if err != nil {
		t.Fatalf("Check(%q) = %v", body, err)
	}
	v := FromEvent(&listener.Event{ReceivedAt: at, Method: "POST", Path: "/", Body: body, Status: 200, Envelope: env})
	known = render.AppendEventJSON(nil, &v)
	v.Secrets = signature.SecretSpans{}
	found = render.AppendEventJSON(nil, &v)
	return known, found, env.Secrets
}

var redactSeeds = []string{
	`{"action":"incoming_chat","webhook_id":"w","secret_key":"k3Jd8sLq0vXz4NwP7rTy2uBm"}`,
	`{"clientID":"c5e4f61e1a6c3b1521b8c1f5b6b3c4a2","event":"application_installed","applicationID":"a","secret_key":"s"}`,
	`{"secret_key":"first-secret-value","secret_key":"second-secret-value"}`,
	`{"secret\u005fkey":"escaped-key-secret","client\u0049D":"esc\"aped\u00e9"}`,
	`{"secret_key":7,"clientID":null}`, `["secret_key","clientID"]`, `{"payload":{"secret_key":"nested"}}`,
	"\n {\"clientID\" : \"spaced-client-id\" ,\r\n\"secret_key\":\"\"}\n",
}

// FuzzRedactionAgrees: the spans the listener hands the views redact the
// same bytes the views' own search does, byte for byte.
func FuzzRedactionAgrees(f *testing.F) {
	for _, s := range redactSeeds {
		f.Add([]byte(s))
	}
	for _, k := range catalog.All() {
		b, _ := catalog.Sample(k)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) || jsonlimit.Depth(body, jsonlimit.MaxDepth) > jsonlimit.MaxDepth {
			return
		}
		if known, found, _ := jsonLines(t, body); !bytes.Equal(known, found) {
			t.Fatalf("body %q\nwith the listener's spans %s\nwith gjson's search       %s", body, known, found)
		}
	})
}

// TestRedactionSeeds runs the seeds without -fuzz, and checks that no
// secret value reaches the line, a key sent twice included.
func TestRedactionSeeds(t *testing.T) {
	for _, s := range redactSeeds {
		known, found, spans := jsonLines(t, []byte(s))
		if !bytes.Equal(known, found) {
			t.Errorf("body %q\nwith the listener's spans %s\nwith gjson's search       %s", s, known, found)
		}
		for _, secret := range []string{"k3Jd8sLq0vXz4NwP7rTy2uBm", "c5e4f61e1a6c3b1521b8c1f5b6b3c4a2", "first-secret-value",
			"second-secret-value", "escaped-key-secret", "spaced-client-id"} {
			if bytes.Contains(known, []byte(secret)) {
				t.Errorf("%s: secret %q printed: %s", s, secret, known)
			}
		}
		if dup := bytes.Count([]byte(s), []byte(`"secret_key"`)) > 1; dup == spans.Known {
			t.Errorf("%s: spans known %v, want %v (a key sent twice leaves the search to the view)", s, spans.Known, !dup)
		}
	}
}

// TestSecretMembersAreBodySecrets: the listener's spans cover exactly the
// keys the views redact.
func TestSecretMembersAreBodySecrets(t *testing.T) {
	body := []byte(`{"` + signature.BodySecrets[0] + `":"aaaa","` + signature.BodySecrets[1] + `":"bbbb","other":"cccc"}`)
	env, err := listener.Check(body, jsonlimit.MaxDepth)
	if err != nil || !env.Secrets.Known || env.Secrets.N != len(signature.BodySecrets) {
		t.Fatalf("Check: %v, spans %+v; want one span per BodySecrets key %v", err, env.Secrets, signature.BodySecrets)
	}
	var got []string
	for _, sp := range env.Secrets.Spans[:env.Secrets.N] {
		got = append(got, string(body[sp.At:sp.End]))
	}
	if want := []string{`"aaaa"`, `"bbbb"`}; !slices.Equal(got, want) {
		t.Errorf("spans cover %q, want %q", got, want)
	}
}

// BenchmarkEventJSON: one listen --json line of bench/recv.sh's payload,
// with the listener's secret spans ("spans") and without ("search": the
// writer parses the body again to find the secrets).
func BenchmarkEventJSON(b *testing.B) {
	body, err := os.ReadFile("../jsonlimit/testdata/payload.json")
	if err != nil {
		b.Fatal(err)
	}
	env, err := listener.Check(body, jsonlimit.MaxDepth)
	if err != nil {
		b.Fatal(err)
	}
	v := FromEvent(&listener.Event{ReceivedAt: at, Method: "POST", Path: "/webhooks", Body: body, Status: 200, Envelope: env,
		Header: map[string][]string{"Content-Type": {"application/json"}, "User-Agent": {"LiveChat-Webhooks/1"}}})
	for _, bc := range []struct {
		name  string
		spans signature.SecretSpans
	}{{"spans", env.Secrets}, {"search", signature.SecretSpans{}}} {
		b.Run(bc.name, func(b *testing.B) {
			v.Secrets = bc.spans
			dst := make([]byte, 0, 8<<10)
			b.ReportAllocs()
			for b.Loop() {
				dst = render.AppendEventJSON(dst[:0], &v)
			}
		})
	}
}
