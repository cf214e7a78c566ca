package server

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/model"
)

func TestConnectionsPerMinute(t *testing.T) {
	f := start(t, func(o *Options) { o.ConnRate = 2 })
	f.login(t, alice)
	f.login(t, bruno)
	c, err := f.dial(string(alice), f.authOf(alice))
	if err == nil {
		c.Close()
		t.Fatal("a 3rd connection within the minute was accepted")
	}
	f.waitLog(t, time.Second, "connection refused", "remote=127.0.0.1", "too many new connections")
	f.waitRefusals(t, RefusedRate, 1)
	if strings.Count(f.logs.String(), "auth accepted") != 2 {
		t.Errorf("log:\n%s", f.logs.String())
	}
}

func (f *fixture) authOf(h model.Handle) gossh.AuthMethod { return gossh.PublicKeys(f.keys[h]) }

// TestHandshakeTimeout: a connection that never logs in is closed.
func TestHandshakeTimeout(t *testing.T) {
	f := start(t, func(o *Options) { o.HandshakeTimeout = 200 * time.Millisecond })
	c, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(c); err != nil { // the server's version, then EOF
		t.Fatalf("the connection was not closed by the server: %v", err)
	}
	f.waitLog(t, time.Second, "handshake failed", "timeout")
}
