package server

import (
	"errors"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// TestRequestsArePaced: a logged-in client sending requests as fast as
// it can, keepalives on its connection or window changes on its
// session, has them taken no faster than requestRate a second, after
// requestBurst: the last one is answered only once the pace allows it.
// They were taken as fast as they came (77,000 keepalives a second), and
// each cost a packet decrypted and answered: three quarters of a core
// per connection. What the client then types still works.
func TestRequestsArePaced(t *testing.T) {
	const sent = requestBurst + 2*requestRate // at least 2 s at the pace
	for _, tt := range []struct {
		name string
		send func(c *gossh.Client, tm *term, reply bool) error
	}{
		{"keepalives", func(c *gossh.Client, _ *term, reply bool) error {
			_, _, err := c.SendRequest("keepalive@openssh.com", reply, nil)
			return err
		}},
		{"window changes", func(_ *gossh.Client, tm *term, reply bool) error {
			if reply { // the library answers an env request, after the shell: no
				_, err := tm.sess.SendRequest("env", true, gossh.Marshal(&struct{ K, V string }{"A", "b"}))
				return err
			}
			return tm.sess.WindowChange(30, 100)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := startPlaceholder(t, nil)
			c := f.login(t, alice)
			tm := open(t, c, 80, 24, "xterm")
			tm.waitFor(t, "me aa11111-ovh", settle)
			start := time.Now()
			for range sent {
				if err := tt.send(c, tm, false); err != nil {
					t.Fatal(err)
				}
			}
			// answered once every one before it was taken
			if err := tt.send(c, tm, true); err != nil {
				t.Fatal(err)
			}
			// the pace's own arithmetic: the requests after the burst
			// take (sent+1-burst)/rate seconds at least, however fast
			// the machine
			if took, least := time.Since(start), time.Duration(sent+1-requestBurst)*time.Second/requestRate; took < least {
				t.Errorf("%d requests were taken in %s; at most %d a second after %d, they take %s at least",
					sent+1, took.Round(time.Millisecond), requestRate, requestBurst, least)
			}
			tm.press(t, "typed")
			tm.waitFor(t, "> typed", settle)
		})
	}
}

// TestRequestBytesArePaced: a logged-in client sending requests as long
// as a packet allows, "env" on its session, has their bytes taken no
// faster than requestBytesRate a second, after requestBytesBurst: paced
// by count alone, 3.9 GB of them were read and decrypted in 20 s, 43 %
// of a core for one connection. What the client then types still works.
func TestRequestBytesArePaced(t *testing.T) {
	const each = 128 << 10
	const n = (requestBytesBurst + 2*requestBytesRate) / each // at least 2 s at the pace
	f := startPlaceholder(t, nil)
	tm := open(t, f.login(t, alice), 80, 24, "xterm")
	tm.waitFor(t, "me aa11111-ovh", settle)
	big := gossh.Marshal(&struct{ K, V string }{"A", strings.Repeat("v", each-len("env")-9)})
	start := time.Now()
	for range n {
		if _, err := tm.sess.SendRequest("env", false, big); err != nil {
			t.Fatal(err)
		}
	}
	// answered once every one before it was taken
	if _, err := tm.sess.SendRequest("env", true, gossh.Marshal(&struct{ K, V string }{"A", "b"})); err != nil {
		t.Fatal(err)
	}
	if took, least := time.Since(start), time.Duration(n*each-requestBytesBurst)*time.Second/requestBytesRate; took < least {
		t.Errorf("%d KiB of requests were taken in %s; at most %d KiB a second after %d KiB, they take %s at least",
			n*each>>10, took.Round(time.Millisecond), requestBytesRate>>10, requestBytesBurst>>10, least)
	}
	tm.press(t, "typed")
	tm.waitFor(t, "> typed", settle)
}

// TestChannelOpensArePaced: a logged-in client opening channels as fast
// as it can, sessions past its connection's limit or port forwardings
// (ssh -L, -D) the desk refuses, has them taken no faster than
// channelOpenRate a second, after channelOpenBurst: the last one is
// answered only once the pace allows it. They were refused as fast as
// they came (16,000 a second), 60 % of a core per connection. Each is
// still refused, and what the client then types still works.
func TestChannelOpensArePaced(t *testing.T) {
	const sent = channelOpenBurst + 2*channelOpenRate // at least 2 s at the pace
	for _, kind := range []string{"session", "direct-tcpip"} {
		t.Run(kind, func(t *testing.T) {
			f := startPlaceholder(t, nil)
			c := f.login(t, alice)
			tm := open(t, c, 80, 24, "xterm")
			tm.waitFor(t, "me aa11111-ovh", settle)
			for range DefaultSessionsPerConn - 1 { // the connection's other sessions
				if _, _, err := c.OpenChannel("session", nil); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			for i := range sent {
				var oce *gossh.OpenChannelError
				if _, _, err := c.OpenChannel(kind, nil); !errors.As(err, &oce) {
					t.Fatalf("channel %d of type %s: %v, want it refused", i+1, kind, err)
				}
			}
			// the pace's own arithmetic, however fast the machine: the
			// last is read once the sent-1 before it are paid for
			if took, least := time.Since(start), time.Duration(sent-1-channelOpenBurst)*time.Second/channelOpenRate; took < least {
				t.Errorf("%d channels were opened in %s; at most %d a second after %d, they take %s at least",
					sent, took.Round(time.Millisecond), channelOpenRate, channelOpenBurst, least)
			}
			tm.press(t, "typed")
			tm.waitFor(t, "> typed", settle)
		})
	}
}
