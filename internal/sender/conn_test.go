package sender

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
)

// pair returns both ends of a loopback TCP connection.
func pair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { _ = client.Close(); _ = server.Close() })
	return client, server
}

func TestPeerOpen(t *testing.T) {
	c, _ := pair(t)
	if !peerOpen(c) {
		t.Error("a quiet open connection reported closed")
	}
	c, s := pair(t)
	_, _ = io.WriteString(s, "HTTP/1.1 408 Request Timeout\r\n\r\n")
	c2, s2 := pair(t)
	_ = s2.Close()
	// On loopback the peer's bytes and FIN are queued at c by the time its
	// write and close return.
	if peerOpen(c) {
		t.Error("unsolicited bytes: reported open")
	}
	if peerOpen(c2) {
		t.Error("peer closed: reported open")
	}
	// Nothing was consumed by the peeks.
	got := make([]byte, 8)
	if n, _ := io.ReadFull(c, got); n != 8 || string(got) != "HTTP/1.1" {
		t.Errorf("peek consumed bytes: %q", got[:n])
	}
}

func TestLimitReader(t *testing.T) {
	l := &limitReader{r: strings.NewReader(strings.Repeat("x", 100)), n: 10}
	b, err := io.ReadAll(l)
	if len(b) != 10 || !errors.Is(err, errHeadersTooLarge) {
		t.Errorf("read %d, %v", len(b), err)
	}
	l.n = -1
	if b, err := io.ReadAll(l); len(b) != 90 || err != nil {
		t.Errorf("unlimited: read %d, %v", len(b), err)
	}
}
