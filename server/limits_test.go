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

// TestRefusedConnectionLogsInOrder: the log tells a refused connection
// as an operator reads it, in the order things happened: the connection,
// the refused login, why the handshake failed, the close.
func TestRefusedConnectionLogsInOrder(t *testing.T) {
	f := start(t, func(o *Options) { o.HandshakeTimeout = time.Second })
	stranger := newKey(t)
	c, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	remote := "remote=" + c.LocalAddr().String()
	if _, _, _, err := gossh.NewClientConn(c, f.addr, &gossh.ClientConfig{
		User: string(alice), Auth: []gossh.AuthMethod{gossh.PublicKeys(stranger)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
	}); err == nil {
		t.Fatal("an unregistered key logged in")
	}
	f.waitLog(t, 5*time.Second, "connection closed", remote)
	inOrder(t, f, remote, "msg=connection ", `msg="auth refused"`, `msg="handshake failed"`, `msg="connection closed"`)

	// one that never logs in, closed by the handshake's timeout
	c2, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	remote = "remote=" + c2.LocalAddr().String()
	f.waitLog(t, 5*time.Second, "connection closed", remote)
	inOrder(t, f, remote, "msg=connection ", `msg="handshake failed"`, `msg="connection closed"`)

	// and one that logged in: once all are closed, the server keeps
	// nothing of them
	f.login(t, bruno).Close()
	f.waitLog(t, 5*time.Second, "connection closed", "account=bb22222-ovh")
	n := 0
	f.srv.handshakes.Range(func(_, _ any) bool { n++; return true })
	if n != 0 {
		t.Errorf("%d connections still counted as logging in", n)
	}
}

// inOrder checks that the log lines of one connection (those with
// remote) are these, one each, in this order.
func inOrder(t *testing.T, f *fixture, remote string, want ...string) {
	t.Helper()
	var got []string
	for _, l := range strings.Split(f.logs.String(), "\n") {
		if strings.Contains(l, remote+" ") || strings.HasSuffix(l, remote) {
			got = append(got, l)
		}
	}
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.Contains(got[i], want[i])
	}
	if !ok {
		t.Errorf("the lines of %s:\n%s\nwant, in this order: %q", remote, strings.Join(got, "\n"), want)
	}
}
