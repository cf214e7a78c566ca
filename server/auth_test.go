package server

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/model"
)

func TestRefusedLogins(t *testing.T) {
	f := start(t, nil)
	stranger := newKey(t)
	tests := []struct {
		name string
		auth []gossh.AuthMethod
	}{
		{"unregistered key", []gossh.AuthMethod{gossh.PublicKeys(stranger)}},
		{"password", []gossh.AuthMethod{gossh.Password("secret")}},
		{"keyboard-interactive", []gossh.AuthMethod{gossh.KeyboardInteractive(
			func(string, string, []string, []bool) ([]string, error) { return []string{"secret"}, nil })}},
		{"no method at all", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The user name of a registered account changes nothing.
			c, err := f.dial(string(alice), tt.auth...)
			if err == nil {
				c.Close()
				t.Fatal("logged in")
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("refused with %v, want an authentication failure", err)
			}
		})
	}
	f.waitLog(t, settle, "handshake failed", "key="+gossh.FingerprintSHA256(stranger.PublicKey()), "reason=\"key not registered\"")
	// The user name is the client's to choose: the log keeps 64
	// characters of it, not 3,000.
	if c, err := f.dial(strings.Repeat("A", 3000), gossh.PublicKeys(stranger)); err == nil {
		c.Close()
		t.Fatal("logged in")
	}
	line := f.waitLog(t, settle, "handshake failed", "user="+strings.Repeat("A", 64)+"…")
	if strings.Contains(f.logs.String(), strings.Repeat("A", 65)) {
		t.Errorf("the log holds the whole user name:\n%.300s", line)
	}
	// each refused login counted once: the tests' and the long name's
	f.waitRefusals(t, RefusedAuth, len(tests)+1)
	if strings.Contains(f.logs.String(), "auth accepted") {
		t.Errorf("an auth was accepted:\n%s", f.logs.String())
	}
}

// TestUserNameIsNotWhoYouAre: the account is the key's, whatever the user
// name says.
func TestUserNameIsNotWhoYouAre(t *testing.T) {
	f := start(t, nil)
	c, err := f.dial(string(bruno), gossh.PublicKeys(f.keys[alice]))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tm := open(t, c, 100, 30, "xterm")
	tm.waitFor(t, "aa11111-ovh Alice Abreu", settle)
}

// unusable is a key the client offers without holding it: it can ask the
// server whether the key would do, but cannot sign with it.
type unusable struct{ key gossh.PublicKey }

func (u unusable) PublicKey() gossh.PublicKey { return u.key }
func (unusable) Sign(io.Reader, []byte) (*gossh.Signature, error) {
	return nil, errors.New("this client does not hold that key")
}

// TestRegisteredKeyIsNotTold: a stranger holding only someone's public
// key (GitHub publishes every user's) asks whether it would log in, as
// SSH lets a client ask before it signs: the server answers the same for
// a registered key as for a key of no account, so the stranger cannot
// tell whether that person is a customer of the desk. It told them: yes
// for the one, no for the other. A client whose own key comes after
// many others it holds still logs in.
func TestRegisteredKeyIsNotTold(t *testing.T) {
	f := start(t, nil)
	ask := func(key gossh.PublicKey) string {
		c, err := f.dial("someone", gossh.PublicKeys(unusable{key}))
		if err == nil {
			c.Close()
			t.Fatal("logged in without signing")
		}
		return err.Error()
	}
	registered, unknown := ask(f.keys[alice].PublicKey()), ask(newKey(t).PublicKey())
	if registered != unknown {
		t.Errorf("a registered key is answered %q, a key of no account %q: a stranger tells them apart", registered, unknown)
	}
	f.waitRefusals(t, RefusedAuth, 2)
	if strings.Contains(f.logs.String(), "auth accepted") {
		t.Errorf("an auth was accepted:\n%s", f.logs.String())
	}

	var keys []gossh.Signer
	for range 11 {
		keys = append(keys, newKey(t))
	}
	c, err := f.dial(string(bruno), gossh.PublicKeys(append(keys, f.keys[bruno])...))
	if err != nil {
		t.Fatalf("bruno's key, after 11 others: %v", err)
	}
	defer c.Close()
	open(t, c, 100, 30, "xterm").waitFor(t, "bb22222-ovh Bruno Bento", settle)
}

// countingStore counts the desk's reads.
type countingStore struct {
	model.Store
	reads *atomic.Int64
}

func (s countingStore) View(ctx context.Context, fn func(model.Tx) error) error {
	s.reads.Add(1)
	return s.Store.View(ctx, fn)
}

// TestKeysLookedUpPerLogin: a stranger offering key after key without
// signing with any (each answered alike, see TestRegisteredKeyIsNotTold)
// has at most maxKeysOffered of them read from the desk in one login,
// not x/crypto's 128 attempts; the keys past them are refused unread.
func TestKeysLookedUpPerLogin(t *testing.T) {
	reads := new(atomic.Int64)
	f := startOver(t, false, func(st model.Store) model.Store { return countingStore{Store: st, reads: reads} }, nil)
	const offered = 100
	var keys []gossh.Signer
	for range offered {
		keys = append(keys, unusable{newKey(t).PublicKey()})
	}
	step := 0
	before := reads.Load()
	c, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User: "someone", HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
		AuthCallback: func(*gossh.ClientAuthContext) (gossh.AuthMethod, error) {
			if step == len(keys) {
				return nil, errors.New("no more keys")
			}
			step++
			return gossh.PublicKeys(keys[step-1]), nil
		},
	})
	if err == nil {
		c.Close()
		t.Fatal("logged in")
	}
	f.waitLog(t, settle, "handshake failed", "user=someone")
	if n := reads.Load() - before; n > maxKeysOffered {
		t.Errorf("a login offering %d keys (%d of them asked about) had the desk read %d times; want %d at most", offered, step, n, maxKeysOffered)
	}
}

// TestCostlyKeyExchangesRefused: a client that offers only a key
// exchange that costs the server much more than the others (finite-field
// Diffie-Hellman, 10 ms of CPU a handshake or a re-exchange; the P-384
// and P-521 curves) is refused at the handshake; one offering any of the
// cheap ones logs in.
func TestCostlyKeyExchangesRefused(t *testing.T) {
	f := start(t, nil)
	dial := func(kex string) error {
		c, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
			User: string(alice), Auth: []gossh.AuthMethod{gossh.PublicKeys(f.keys[alice])},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
			Config: gossh.Config{KeyExchanges: []string{kex}},
		})
		if err == nil {
			c.Close()
		}
		return err
	}
	for _, kex := range []string{"diffie-hellman-group14-sha256", "diffie-hellman-group14-sha1", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521"} {
		if err := dial(kex); err == nil || !strings.Contains(err.Error(), "no common algorithm for key exchange") {
			t.Errorf("a client offering only %s: %v; want it refused, no common key exchange", kex, err)
		}
	}
	for _, kex := range []string{"mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256"} {
		if err := dial(kex); err != nil {
			t.Errorf("a client offering only %s: %v", kex, err)
		}
	}
}

// TestOfferedKeyIsNotVerifiedKey is CVE-2024-45337: the server's
// PublicKeyHandler sees every key offered, signed with or not, and the
// last key it saw need not be the key the client proved it holds.
func TestOfferedKeyIsNotVerifiedKey(t *testing.T) {
	f := start(t, nil)
	own, other := f.keys[bruno], unusable{f.keys[alice].PublicKey()}
	tests := []struct {
		name  string
		steps []gossh.Signer // each tried as its own publickey attempt
	}{
		// The other account's key is offered (and accepted) first, then
		// the client signs with its own: a server that kept the first key
		// it accepted would log bruno in as alice.
		{"other offered first", []gossh.Signer{other, own}},
		// The CVE's own example: the client's key is checked, then the
		// other's, then the client signs with its own. x/crypto since
		// v0.31 checks the signing key again, so "the last key checked"
		// is right there, but no other record of an offered key would be.
		{"other offered last", []gossh.Signer{unusable{own.PublicKey()}, other, own}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := 0
			cfg := &gossh.ClientConfig{
				User:            string(alice),
				HostKeyCallback: gossh.InsecureIgnoreHostKey(),
				AuthCallback: func(*gossh.ClientAuthContext) (gossh.AuthMethod, error) {
					if step == len(tt.steps) {
						return nil, errors.New("no more keys")
					}
					step++
					return gossh.PublicKeys(tt.steps[step-1]), nil
				},
			}
			c, err := gossh.Dial("tcp", f.addr, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			tm := open(t, c, 100, 30, "xterm")
			tm.waitFor(t, "bb22222-ovh Bruno Bento", settle)
			tm.waitFor(t, "bruno.net", settle)
			if s := tm.scr.Text(); strings.Contains(s, "Alice") || strings.Contains(s, "alice.pt") {
				t.Errorf("the session shows alice's desk:\n%s", s)
			}
			f.waitLog(t, settle, "auth accepted", "key="+gossh.FingerprintSHA256(own.PublicKey()), "account=bb22222-ovh")
		})
	}
	for _, l := range strings.Split(f.logs.String(), "\n") {
		if strings.Contains(l, "account=aa11111-ovh") && !strings.Contains(l, "key offered") {
			t.Errorf("the log shows a login as alice: %s", l)
		}
	}
}

// TestRemovedKey: a removed key no longer logs in, at once, and a
// connection it opened before is closed (it had no session yet).
func TestRemovedKey(t *testing.T) {
	f := start(t, nil)
	c := f.login(t, alice)
	if _, err := f.desk.RemoveKey(context.Background(), gossh.FingerprintSHA256(f.keys[alice].PublicKey())); err != nil {
		t.Fatal(err)
	}
	if c2, err := f.dial(string(alice), gossh.PublicKeys(f.keys[alice])); err == nil {
		c2.Close()
		t.Fatal("a removed key logged in")
	}
	waitClosed(t, c, 2*time.Second)
	if _, err := tryOpen(c, 100, 30, "xterm"); err == nil {
		t.Error("a session opened on it")
	}
	f.waitLog(t, settle, "connection closed", "account=aa11111-ovh", `reason="key removed"`)
}

// TestUnavailableDeskIsSaidAtLogin: while the database can't be read, a
// key login is refused (the desk can't vouch for it), and the client is
// shown, before "Permission denied", that the desk is unavailable right
// now: once, whatever the number of keys it tries, and nothing of why.
func TestUnavailableDeskIsSaidAtLogin(t *testing.T) {
	f := start(t, nil)
	f.desk.Store().Close() // the database is down
	var banners []string
	c, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User:            string(alice),
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(newKey(t), f.keys[alice])},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		BannerCallback:  func(m string) error { banners = append(banners, m); return nil },
		Timeout:         5 * time.Second,
	})
	if err == nil {
		c.Close()
		t.Fatal("logged in while the desk could not read the key")
	}
	if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("refused with %v, want an authentication failure", err)
	}
	want := []string{"contactdesk: the desk is unavailable right now; try again in a few minutes\n"}
	if !slices.Equal(banners, want) {
		t.Errorf("the client was shown %q, want %q", banners, want)
	}
	// The operator hears of it at once, and once a connection: the
	// client offered two keys.
	f.waitLog(t, settle, "auth refused", "level=ERROR", "error=")
	f.waitLog(t, settle, "handshake failed", `reason="desk unavailable"`)
	if n := strings.Count(f.logs.String(), "level=ERROR"); n != 1 {
		t.Errorf("%d lines at ERROR for one connection, want 1:\n%s", n, f.logs.String())
	}
	// counted as the desk's unavailability, not as a refused key: an
	// alert on refused keys must not fire for an outage
	f.waitRefusals(t, RefusedUnavailable, 1)
	if n := f.refusals(RefusedAuth); n != 0 {
		t.Errorf("%d refusals counted as auth during the outage", n)
	}

	// A key that is not registered, while the desk answers: no banner.
	g := start(t, nil)
	banners = nil
	if c, err := gossh.Dial("tcp", g.addr, &gossh.ClientConfig{
		User: string(alice), Auth: []gossh.AuthMethod{gossh.PublicKeys(newKey(t))}, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		BannerCallback: func(m string) error { banners = append(banners, m); return nil }, Timeout: 5 * time.Second,
	}); err == nil {
		c.Close()
		t.Fatal("an unregistered key logged in")
	}
	if len(banners) > 0 {
		t.Errorf("an unregistered key was shown %q", banners)
	}
}

// TestUnavailableDeskIsSaidAtSession: a session opened on a connection
// that logged in before the database went down is told the desk is
// unavailable, not that its key logs in to no account.
func TestUnavailableDeskIsSaidAtSession(t *testing.T) {
	f := start(t, nil)
	c := f.login(t, alice)
	f.desk.Store().Close()
	tm := open(t, c, 100, 30, "xterm")
	err := tm.waitEnd(t, settle)
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("the session ended with %v, want exit status 1", err)
	}
	if got, want := tm.stderr.String(), "contactdesk: the desk is unavailable right now; try again in a few minutes\r\n"; got != want {
		t.Errorf("stderr %q, want the line %q", got, want)
	}
}
