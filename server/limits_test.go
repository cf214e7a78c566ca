package server

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/internal/connlimit"
	"contactdesk/model"
)

func TestConnectionsPerMinute(t *testing.T) {
	f := start(t, func(o *Options) { o.ConnRate = 2 })
	f.login(t, alice)
	f.login(t, bruno)
	// An address that keeps connecting past its rate is logged once a
	// minute, every refusal counted: it wrote a line each time, as fast
	// as it could connect.
	for i := range 10 {
		c, err := f.dial(string(alice), f.authOf(alice))
		if err == nil {
			c.Close()
			t.Fatalf("connection %d past the rate was accepted", i+3)
		}
	}
	f.waitLog(t, settle, "connection refused", "remote=127.0.0.1", "too many new connections", "client=127.0.0.1 ")
	f.waitRefusals(t, RefusedRate, 10)
	if n := strings.Count(f.logs.String(), "connection refused"); n != 1 {
		t.Errorf("%d lines for 10 refused connections of one address, want 1:\n%s", n, f.logs.String())
	}
	if strings.Count(f.logs.String(), "auth accepted") != 2 {
		t.Errorf("log:\n%s", f.logs.String())
	}
}

// TestConnectionsPerMinuteOfANetwork: the IPv6 addresses of one /48,
// each in a /64 of its own, open NetFactor × ConnRate new connections a
// minute together, no more; another /48 and an IPv4 address still
// connect. Counted by the /64 only, a site with a /48 (65,536 /64s)
// opened ConnRate a minute from each.
func TestConnectionsPerMinuteOfANetwork(t *testing.T) {
	const rate = 3
	f := start(t, func(o *Options) { o.ConnRate = rate })
	now := time.Now()
	for i := range connlimit.NetFactor * rate {
		remote := fmt.Sprintf("[2001:db8:1:%x::1]:50000", i)
		if _, why := f.srv.tooOften(remote, now); why != "" {
			t.Fatalf("connection %d of one /48, from a /64 of its own, refused: %s", i+1, why)
		}
	}
	who, why := f.srv.tooOften("[2001:db8:1:ffff::1]:50000", now)
	if !strings.Contains(why, "/48") || who != "2001:db8:1::/48" {
		t.Errorf("a /48 past its rate, from a new /64 of it: refused with %q (%s), want its /48 named", why, who)
	}
	for _, remote := range []string{"[2001:db8:2::1]:50000", "192.0.2.1:50000"} {
		if _, why := f.srv.tooOften(remote, now); why != "" {
			t.Errorf("%s refused: %s", remote, why)
		}
	}
	// one /64 of another /48 is still held to ConnRate
	for i := range rate + 1 {
		_, why := f.srv.tooOften(fmt.Sprintf("[2001:db8:3:1::%x]:50000", i+1), now)
		if got, want := why != "", i == rate; got != want {
			t.Errorf("connection %d of one /64 refused: %v (%q), want %v", i+1, got, why, want)
		}
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
	f.waitLog(t, settle, "handshake failed", "timeout")
}

// TestRefusedConnectionLogsOneLine: a connection that does not log in
// writes one line, as it ends, with what an operator needs: the address,
// why, the keys refused and the user name the client gave. A stranger's
// connection wrote up to 14 (one as it came, one per key it offered, one
// as the handshake failed, one as it closed), as often as its address
// could connect.
func TestRefusedConnectionLogsOneLine(t *testing.T) {
	// 5 s: twelve keys looked up, ten passwords, a login, each within
	// it, on a busy machine under the race detector (with 1 s, one could
	// end for the timeout, not the reason the test waits for)
	f := start(t, func(o *Options) { o.HandshakeTimeout = 5 * time.Second })
	strangers := make([]gossh.Signer, 12)
	for i := range strangers {
		strangers[i] = newKey(t)
	}
	dial := func(t *testing.T) (net.Conn, string) {
		c, err := net.Dial("tcp", f.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, "remote=" + c.LocalAddr().String()
	}
	login := func(t *testing.T, c net.Conn, auth ...gossh.AuthMethod) {
		if _, _, _, err := gossh.NewClientConn(c, f.addr, &gossh.ClientConfig{
			User: "root", Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		}); err == nil {
			t.Fatal("logged in")
		}
	}
	tests := []struct {
		name string
		try  func(t *testing.T, c net.Conn)
		want []string
	}{
		{"twelve unregistered keys", func(t *testing.T, c net.Conn) { login(t, c, gossh.PublicKeys(strangers...)) },
			[]string{`reason="key not registered"`, "user=root", "key=" + gossh.FingerprintSHA256(strangers[11].PublicKey()), "keys-refused=12"}},
		{"passwords", func(t *testing.T, c net.Conn) {
			login(t, c, gossh.RetryableAuthMethod(gossh.Password("secret"), 10))
		}, []string{`reason="no key offered"`}},
		{"no SSH client", func(t *testing.T, c net.Conn) {
			io.WriteString(c, "SSH-2.0-x\r\n"+strings.Repeat("\x00\xff", 4096))
			io.Copy(io.Discard, c)
		}, []string{`reason="protocol error"`, "error="}},
		{"silence", func(t *testing.T, c net.Conn) { io.Copy(io.Discard, c) }, []string{"reason=timeout"}},
		{"gone at once", func(t *testing.T, c net.Conn) { c.Close() }, []string{`reason="closed by the client"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, remote := dial(t)
			tt.try(t, c)
			line := f.waitLog(t, settle, append([]string{`msg="handshake failed"`, remote, "duration="}, tt.want...)...)
			time.Sleep(100 * time.Millisecond) // a line after it would come now
			if got := linesOf(f, remote); len(got) != 1 {
				t.Errorf("%d lines for one refused connection, want 1:\n%s", len(got), strings.Join(got, "\n"))
			}
			if strings.Contains(line, "level=ERROR") || strings.Contains(line, "level=WARN") {
				t.Errorf("a stranger's connection alarms the operator: %s", line)
			}
		})
	}

	// one that logged in says so, and says when it ends; once all are
	// closed, the server keeps nothing of them
	f.login(t, bruno).Close()
	f.waitLog(t, settle, "connection closed", "account=bb22222-ovh")
	n := 0
	f.srv.handshakes.Range(func(_, _ any) bool { n++; return true })
	if n != 0 {
		t.Errorf("%d connections still counted as logging in", n)
	}
}

// linesOf returns the log lines of one connection (those with remote)
// that an operator reads: INFO and above, as serve logs.
func linesOf(f *fixture, remote string) []string {
	var got []string
	for _, l := range strings.Split(f.logs.String(), "\n") {
		if strings.Contains(l, "level=DEBUG") {
			continue
		}
		if strings.Contains(l, remote+" ") || strings.HasSuffix(l, remote) {
			got = append(got, l)
		}
	}
	return got
}

// TestConnectionsPerMinuteOfAFullNetwork: someone whose /48 is at its
// rate (another /64 of it flooding) and who keeps trying is refused for
// the /48, and their tries spend nothing of their own address's rate:
// once the /48 has room again, they get in at once. Before, each
// refused try took one of their ConnRate, and they stayed out for
// minutes after the /48 had room.
func TestConnectionsPerMinuteOfAFullNetwork(t *testing.T) {
	const rate = 3
	f := start(t, func(o *Options) { o.ConnRate = rate })
	now := time.Now()
	for i := range connlimit.NetFactor * rate {
		if _, why := f.srv.tooOften(fmt.Sprintf("[2001:db8:1:%x::1]:50000", i), now); why != "" {
			t.Fatalf("connection %d of the flood refused: %s", i+1, why)
		}
	}
	const user = "[2001:db8:1:beef::7]:50000"
	for i := range 10 {
		if who, why := f.srv.tooOften(user, now); who != "2001:db8:1::/48" {
			t.Fatalf("try %d of a user of the full /48: refused for %q (%s), want the /48", i+1, why, who)
		}
	}
	// the /48 gets a token back every minute / (NetFactor × rate): 5 s
	later := now.Add(time.Minute / (connlimit.NetFactor * rate))
	if who, why := f.srv.tooOften(user, later); why != "" {
		t.Errorf("the user, once the /48 has room again: refused for %q (%s), want let in at once", why, who)
	}
}
