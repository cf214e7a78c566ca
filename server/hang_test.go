package server

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/model"
	"contactdesk/model/modeltest"
)

// startHanging serves the desk over a database that hangs once the
// returned flag is set.
func startHanging(t testing.TB, change func(*Options)) (*fixture, *atomic.Bool) {
	t.Helper()
	hung := new(atomic.Bool)
	f := startOver(t, false, func(st model.Store) model.Store { return modeltest.HangingStore{Store: st, Hung: hung} }, change)
	return f, hung
}

// TestHungDeskIsSaidAtLogin: a database that hangs, rather than refusing
// connections, is told at login as one that is down: the client is shown
// that the desk is unavailable, then refused, before the handshake's
// time is up (which closed the connection with nothing said); the key
// it offers next is refused at once; and the refusal counts as the
// desk's unavailability.
func TestHungDeskIsSaidAtLogin(t *testing.T) {
	// The key's lookup gives up at 3/4 of it: 4 s leaves the refusal a
	// second to reach the client; with 2 s, half a second may not be
	// enough on a busy machine.
	const handshake = 4 * time.Second
	f, hung := startHanging(t, func(o *Options) { o.HandshakeTimeout = handshake })
	hung.Store(true)
	var mu sync.Mutex
	var banners []string
	start := time.Now()
	c, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User:            string(alice),
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(f.keys[alice], newKey(t))},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		BannerCallback: func(m string) error {
			mu.Lock()
			defer mu.Unlock()
			banners = append(banners, m)
			return nil
		},
		Timeout: 5 * time.Second,
	})
	took := time.Since(start)
	if err == nil {
		c.Close()
		t.Fatal("logged in while the desk did not answer")
	}
	if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("refused with %v after %s, want an authentication failure", err, took)
	}
	if took >= handshake {
		t.Errorf("refused after %s: the handshake's time (%s) was up", took, handshake)
	}
	mu.Lock()
	want := []string{"contactdesk: the desk is unavailable right now; try again in a few minutes\n"}
	if !slices.Equal(banners, want) {
		t.Errorf("the client was shown %q, want %q", banners, want)
	}
	mu.Unlock()
	f.waitLog(t, settle, "auth refused", "level=ERROR", "key="+gossh.FingerprintSHA256(f.keys[alice].PublicKey()), "did not answer in time")
	f.waitRefusals(t, RefusedUnavailable, 1)
	if n := f.refusals(RefusedAuth); n != 0 {
		t.Errorf("%d refusals counted as auth while the desk hung", n)
	}

	// Answering again, it logs in.
	hung.Store(false)
	f.login(t, alice)
}
