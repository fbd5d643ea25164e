package auth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestParsePAT(t *testing.T) {
	p, err := ParsePAT(" acc-1:dal:tok:en \n")
	if err != nil || p.AccountID != "acc-1" || p.Token != "dal:tok:en" {
		t.Fatalf("got %+v, %v", p, err)
	}
	for _, bad := range []string{"", "nocolon", ":tok", "acc:"} {
		if _, err := ParsePAT(bad); err == nil {
			t.Errorf("ParsePAT(%q) accepted", bad)
		}
	}
	if h := (PAT{AccountID: "a", Token: "b"}).Header(); h != "Basic YTpi" {
		t.Errorf("header %q", h)
	}
}

func TestTransportSetsHeader(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
	}))
	defer srv.Close()
	c := &http.Client{Transport: &Transport{Source: StaticHeader("Bearer x")}}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != "Bearer x" {
		t.Fatalf("Authorization = %q", got)
	}
}
