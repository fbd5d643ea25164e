package ngrok

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const sample = `{"tunnels":[
 {"name":"cmd","public_url":"http://a.ngrok.app","proto":"http","config":{"addr":"http://localhost:8080"}},
 {"name":"cmd (https)","public_url":"https://a.ngrok.app","proto":"https","config":{"addr":"http://localhost:8080"}},
 {"name":"other","public_url":"https://b.ngrok.app","proto":"https","config":{"addr":"localhost:3000"}},
 {"name":"tcp","public_url":"tcp://0.tcp.ngrok.io:1","proto":"tcp","config":{"addr":"localhost:22"}}
],"uri":"/api/tunnels"}`

func TestAddrPort(t *testing.T) {
	for addr, want := range map[string]int{
		"http://localhost:8080": 8080, "localhost:8080": 8080, "127.0.0.1:9000": 9000, "8080": 8080,
		"[::1]:7000": 7000, "http://localhost": 80, "https://127.0.0.1": 443,
		"example.com:8080": 0, "http://10.0.0.2:8080": 0, "x": 0, "0": 0, "70000": 0, "localhost:0": 0,
	} {
		got, ok := AddrPort(addr)
		if (want == 0) == ok || (ok && got != want) {
			t.Errorf("AddrPort(%q) = %d, %v; want %d", addr, got, ok, want)
		}
	}
}

func TestTunnelsAndForPort(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/tunnels" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(sample))
	}))
	defer srv.Close()
	ts, err := Tunnels(context.Background(), srv.Client(), srv.URL+"/")
	if err != nil || len(ts) != 4 {
		t.Fatalf("Tunnels: %v %v", ts, err)
	}
	if tun, ok := ForPort(ts, 8080); !ok || tun.PublicURL != "https://a.ngrok.app" {
		t.Errorf("ForPort 8080 = %+v %v", tun, ok)
	}
	if _, ok := ForPort(ts, 22); ok {
		t.Errorf("tcp tunnel picked")
	}
	if _, ok := ForPort(ts, 9999); ok {
		t.Errorf("port 9999 matched")
	}
}

func TestNoAgent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = Tunnels(context.Background(), http.DefaultClient, "http://"+addr)
	if !errors.Is(err, ErrNoAgent) {
		t.Errorf("got %v, want ErrNoAgent", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(`{"tunnels":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := Parse(b)
		if err != nil {
			return
		}
		for _, tun := range ts {
			if p, ok := AddrPort(tun.Config.Addr); ok && (p <= 0 || p >= 65536) {
				t.Fatalf("port %d", p)
			}
			ForPort(ts, 8080)
		}
	})
}

// TestTunnelsHidesUserinfo: an agent URL given with a password is never
// echoed in an error, and a nil client works.
func TestTunnelsHidesUserinfo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "me" || p != "pa55word" {
			t.Errorf("agent got no credentials")
		}
		w.WriteHeader(http.StatusForbidden)
	}))
	defer srv.Close()
	base := strings.Replace(srv.URL, "http://", "http://me:pa55word@", 1)
	_, err := Tunnels(context.Background(), nil, base)
	if err == nil || strings.Contains(err.Error(), "pa55word") || !strings.Contains(err.Error(), "HTTP 403") {
		t.Errorf("err = %v", err)
	}
}
