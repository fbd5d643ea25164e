package signature

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// findSecretsRef is FindSecrets the plain way: gjson walks the top-level
// members and keeps every BodySecrets one that holds a string.
func findSecretsRef(body []byte) []SecretSpan {
	var out []SecretSpan
	gjson.ParseBytes(body).ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.String && slices.Contains(BodySecrets, k.Str) {
			out = append(out, SecretSpan{At: v.Index, End: v.Index + len(v.Raw), Str: v.Str})
		}
		return true
	})
	return out
}

var secretSeeds = []string{
	`{"action":"incoming_chat","secret_key":"k3Jd8sLq0vXz4NwP7rTy2uBm"}`,
	`{"clientID":"c","secret_key":"s"}`, `{"secret_key":"a","secret_key":"b","clientID":"c","clientID":1}`,
	`{"secret\u005fkey":"e\"s\u00e9","clientID":"\ud800"}`, `{"secret_key":7}`, `["secret_key"]`, `"secret_key"`,
	`{"payload":{"secret_key":"nested"}}`, " {\"clientID\" :\n\"x\" } ",
}

// FuzzFindSecretsAgreesWithGJSON: on valid JSON FindSecrets finds exactly
// the spans gjson's walk of the top level does, in the same order.
func FuzzFindSecretsAgreesWithGJSON(f *testing.F) {
	for _, s := range secretSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		got, want := FindSecrets(nil, body), findSecretsRef(body)
		if !slices.Equal(got, want) {
			t.Fatalf("FindSecrets(%q)\n got %+v\nwant %+v (gjson)", body, got, want)
		}
	})
}

func TestFindSecretsSeeds(t *testing.T) {
	for _, s := range secretSeeds {
		if got, want := FindSecrets(nil, []byte(s)), findSecretsRef([]byte(s)); !slices.Equal(got, want) {
			t.Errorf("FindSecrets(%q)\n got %+v\nwant %+v (gjson)", s, got, want)
		}
	}
	// Deeper than Scan accepts: gjson's walk still finds the secret.
	deep := `{"a":` + string(repeat('[', jsonlimit.MaxDepth+1)) + string(repeat(']', jsonlimit.MaxDepth+1)) + `,"secret_key":"s"}`
	if got := FindSecrets(nil, []byte(deep)); len(got) != 1 || got[0].Str != "s" {
		t.Errorf("deep body: %+v, want the secret_key", got)
	}
}

func repeat(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}
