package catalog

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

func TestApplySets(t *testing.T) {
	body := []byte(`{"a":{"b":"x","arr":[1,2]},"s":"str"}`)
	tests := []struct {
		set     string
		path    string
		want    string
		wantErr string
	}{
		{set: "a.b=ABC", path: "a.b", want: `"ABC"`},
		{set: "a.b=12", path: "a.b", want: `12`},
		{set: `a.b="12"`, path: "a.b", want: `"12"`},
		{set: "additional_data={}", path: "additional_data", want: `{}`},
		{set: "a.new.deep=true", path: "a.new.deep", want: `true`},
		{set: "a.arr.1=9", path: "a.arr.1", want: `9`},
		{set: "a.arr.2=9", path: "a.arr.2", want: `9`},
		{set: "s.x=1", wantErr: "s is a string"},
		{set: "a.arr.7=1", wantErr: "array of 2"},
		{set: "a.arr.x.y=1", wantErr: "has no item x"},
		{set: "novalue", wantErr: "expected path=value"},
		{set: "a..b=1", wantErr: "empty segment"},
		{set: "a.*=1", wantErr: "may only hold"},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			s, err := ParseSet(tt.set)
			var out []byte
			if err == nil {
				out, err = ApplySets(body, []Set{s})
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := gjson.GetBytes(out, tt.path).Raw; got != tt.want {
				t.Errorf("%s = %s, want %s (body %s)", tt.path, got, tt.want, out)
			}
		})
	}
}

func FuzzSet(f *testing.F) {
	f.Add("payload.chat.id=ABC")
	f.Add("additional_data={}")
	f.Add("payload.chat.users.0.name=\"x\"")
	f.Add("a.b.c=[1,2")
	f.Add("payload.0.access.groups.1=3") // auto_accesses_updated: payload is an array
	f.Add("data.subscription.plan_id=\"7\"")
	f.Add("payloadID=x")
	samples := make([][]byte, 0, len(All()))
	for _, k := range All() {
		s, _ := Sample(k)
		samples = append(samples, s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseSet(s)
		if err != nil {
			return
		}
		sample := samples[len(s)%len(samples)]
		out, err := ApplySets(sample, []Set{st})
		if err != nil {
			return
		}
		if !gjson.ValidBytes(out) {
			t.Fatalf("--set %q produced invalid JSON", s)
		}
	})
}
