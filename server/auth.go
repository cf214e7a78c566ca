package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"contactdesk/locale"
	"contactdesk/model"
)

// What a successful public-key check records about its key, in the
// Permissions that golang.org/x/crypto/ssh keeps with that very key. The
// PublicKeyHandler is also called for keys a client merely offers and never
// signs with (CVE-2024-45337), so nothing is remembered anywhere else: once
// the handshake is done, the connection's Permissions are those of the key
// the client proved it holds, and nothing else.
const (
	extAccount     = "contactdesk-account"
	extFingerprint = "contactdesk-key"
)

// identity is who a session is: the account of the verified key.
type identity struct {
	model.Account
	Fingerprint string
}

type identityKey struct{}

// keyLookupTimeout bounds the reading of a key's owner when a session
// starts. A busy server (hundreds of logins at once, a slow disk)
// answers late rather than refusing a registered key, which the client
// would take for "not registered" and give up on; the connection's own
// limit (no session within NoSessionTimeout) still ends a login that
// never completes.
const keyLookupTimeout = 20 * time.Second

// lookupDeadline is when the reading of a key's owner at login must
// end: within keyLookupTimeout, and by three quarters of the
// connection's HandshakeTimeout (15 s of 20), so that a database that
// does not answer (it hangs) is told to the client — the banner that the
// desk is unavailable, then the refusal — before the handshake's end
// closes the connection, which left OpenSSH saying only "Connection
// closed". Past it, a key the client offers next is refused at once.
func (s *Server) lookupDeadline(ctx ssh.Context) time.Time {
	at := time.Now().Add(keyLookupTimeout)
	if l := linkOf(ctx); l != nil {
		if end := l.start.Add(s.o.HandshakeTimeout * 3 / 4); end.Before(at) {
			at = end
		}
	}
	return at
}

// offered is the PublicKeyHandler: a key logs in when it is registered.
// It runs for every key the client offers, signed or not.
//
// A key no account has is refused only once the client has signed with
// it (see sshConfig): a client may ask whether a key would do before it
// signs, and the answer, yes for a registered key and no for another,
// told a stranger holding nothing but someone's public key (GitHub
// publishes every user's) whether that person is a customer of the desk.
// Every key offered is now answered alike.
func (s *Server) offered(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	if l := linkOf(ctx); l != nil && !l.offer() {
		// past maxKeysOffered: refused unread, whatever the key
		l.refusedKey(clientText(ctx.User()), fp)
		return false
	}
	lookup, cancel := context.WithDeadline(ctx, s.lookupDeadline(ctx))
	defer cancel()
	a, err := s.desk.KeyOwner(lookup, key)
	switch {
	case errors.Is(err, model.ErrNotFound):
		// Debug only: the connection's one line, as its login fails,
		// counts the keys refused and names the last.
		s.log.Debug("auth refused", "remote", addr(ctx.RemoteAddr()), "user", clientText(ctx.User()), "key", fp, "reason", "key not registered")
		if l := linkOf(ctx); l != nil {
			l.refusedKey(clientText(ctx.User()), fp)
		}
		a = model.Account{} // no account: refused once the client signs
	case err != nil:
		if lookup.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("the desk did not answer in time for the login: %w", err)
		}
		// An error an operator must hear of at once, but once a
		// connection: a client offers key after key.
		l := linkOf(ctx)
		level := slog.LevelError
		if l != nil && !l.unavailable(clientText(ctx.User())) {
			level = slog.LevelDebug
		}
		s.log.Log(ctx, level, "auth refused", "remote", addr(ctx.RemoteAddr()), "user", clientText(ctx.User()), "key", fp, "error", err)
		// The desk can't say whether the key logs in: refused all the
		// same, but the client is told it is no "Permission denied" of
		// its key.
		if l != nil {
			l.banner(unavailableBanner)
		}
		return false
	default:
		s.log.Debug("key offered", "remote", addr(ctx.RemoteAddr()), "user", clientText(ctx.User()), "key", fp, "account", string(a.Handle))
	}
	perms := ctx.Permissions()
	if perms.Extensions == nil {
		perms.Extensions = map[string]string{}
	}
	perms.Extensions[extAccount] = string(a.Handle) // "" for no account
	perms.Extensions[extFingerprint] = fp
	return true
}

// keyExchanges are the key exchanges the server agrees to, the cheap
// ones: golang.org/x/crypto/ssh also offers finite-field Diffie-Hellman
// (diffie-hellman-group14-sha256 and -sha1) and the NIST P-384 and P-521
// curves, which cost the server far more for each handshake, and each
// key re-exchange a client asks for, as often as it likes: a stranger's
// handshake with group14 took 10 ms of the server's CPU, with P-521
// 3.5 ms, with curve25519 1.3 ms, with P-256 1 ms (connections opened one
// after another, serve --conn-rate 0); a client sending one KEXINIT, and
// nothing else of the exchange's work, had the server do it. Every SSH
// client of the last ten years offers curve25519 (OpenSSH since 6.5,
// PuTTY since 0.68) or P-256 (FIPS builds); x/crypto adds
// curve25519-sha256@libssh.org, the same exchange under its older name.
var keyExchanges = []string{gossh.KeyExchangeMLKEM768X25519, gossh.KeyExchangeCurve25519, gossh.KeyExchangeECDHP256}

// maxKeysOffered is how many times one connection's login may have a
// key looked up. x/crypto allows 128 attempts a login, and a key offered
// without a signature fails none of them now that every key is answered
// alike (see offered): a stranger could have the desk read 128 keys per
// connection, changing the user name to defeat x/crypto's cache (12
// before). A client asks about each key it offers once and signs with it
// once (x/crypto keeps the answer for the last key only), and is refused
// at its 12th failure (MaxAuthTries): 24 reads are all a client needs.
// Past them every key is refused without a read, a registered one too,
// so the refusal tells nothing.
const maxKeysOffered = 24

// sshConfig gives each connection the hook that runs only once the client
// has signed with a key offered() accepted: the one place an accepted
// login is logged.
func (s *Server) sshConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		Config: gossh.Config{KeyExchanges: keyExchanges},
		// A client may offer keys as before: x/crypto lets the first 6
		// queries that are refused go uncounted, then refuses a login
		// at its 6th failure; now that a key of no account is refused
		// only once it signed (see offered), each such key is a
		// failure.
		MaxAuthTries: 12,
		// what the connection may show its client before the login ends
		PreAuthConnCallback: func(c gossh.ServerPreAuthConn) {
			if l := linkOf(ctx); l != nil {
				l.preAuth(c)
			}
		},
		VerifiedPublicKeyCallback: func(conn gossh.ConnMetadata, key gossh.PublicKey, perms *gossh.Permissions, _ string) (*gossh.Permissions, error) {
			fp := gossh.FingerprintSHA256(key)
			if perms == nil || perms.Extensions[extFingerprint] != fp {
				s.log.Error("auth refused", "remote", addr(conn.RemoteAddr()), "user", clientText(conn.User()), "key", fp, "reason", "permissions do not match the verified key")
				return nil, errors.New("permission denied")
			}
			if perms.Extensions[extAccount] == "" {
				// a key of no account (see offered), signed with:
				// the connection's one line says so as it fails
				return nil, errors.New("permission denied")
			}
			s.log.Info("auth accepted", "remote", addr(conn.RemoteAddr()), "user", clientText(conn.User()), "key", fp, "account", perms.Extensions[extAccount])
			if l := linkOf(ctx); l != nil {
				h := model.Handle(perms.Extensions[extAccount])
				l.verified(h)
				go s.guardKey(ctx, l, key, h)
			}
			return perms, nil
		},
	}
}

// unavailableBanner is what a client is shown, before "Permission denied",
// when the desk could not read whether its key logs in (the database is
// down or too slow): that the desk is unavailable, not why. OpenSSH
// prints a banner as it comes, on stderr, before the login's end. It is
// English: the account's language is in the database that can't be read,
// and the client sends its LANG only with a session, after the login.
var unavailableBanner = locale.For(locale.EN).T("srv.unavailable") + "\n"

// errUnavailable is the desk failing to read, not saying no.
var errUnavailable = errors.New("the desk is unavailable")

// verified returns the account of the key the handshake verified, looked
// up again now, so a key removed since the handshake no longer serves. A
// failure to read it is errUnavailable.
func (s *Server) verified(sess ssh.Session) (identity, error) {
	pk := sess.PublicKey() // taken from the connection's final Permissions
	if pk == nil {
		return identity{}, errors.New("no public key was verified")
	}
	fp := gossh.FingerprintSHA256(pk)
	ext := sess.Permissions().Extensions
	if ext[extFingerprint] != fp {
		return identity{}, fmt.Errorf("verified key %s is not the key that was checked (%q)", fp, ext[extFingerprint])
	}
	ctx, cancel := context.WithTimeout(sess.Context(), keyLookupTimeout)
	defer cancel()
	a, err := s.desk.KeyOwner(ctx, pk)
	if err != nil {
		if !errors.Is(err, model.ErrNotFound) {
			return identity{}, fmt.Errorf("%w: %w", errUnavailable, err)
		}
		return identity{}, err
	}
	if string(a.Handle) != ext[extAccount] {
		return identity{}, fmt.Errorf("key %s now belongs to %s, not %s", fp, a.Handle, ext[extAccount])
	}
	return identity{Account: a, Fingerprint: fp}, nil
}

// identify finds the session's account, or ends the session.
func (s *Server) identify() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			who, err := s.verified(sess)
			if errors.Is(err, errUnavailable) {
				// no account can be read: the session is not served
				// (counted as at the handshake), but the key is not
				// said to be unknown
				s.refused(RefusedUnavailable)
				s.log.Error("session refused", "remote", addr(sess.RemoteAddr()), "error", err.Error())
				s.tell(sess, "srv.unavailable")
				_ = sess.Exit(1)
				return
			}
			if err != nil {
				s.refused(RefusedAuth)
				s.log.Warn("session refused", "remote", addr(sess.RemoteAddr()), "reason", err.Error())
				s.tell(sess, "srv.unknown_key")
				_ = sess.Exit(1)
				return
			}
			sess.Context().SetValue(identityKey{}, who)
			next(sess)
		}
	}
}

// whoOf returns the identity identify() found.
func whoOf(sess ssh.Session) identity {
	who, _ := sess.Context().Value(identityKey{}).(identity)
	return who
}

// keyRemovedMsg is what a connection whose key was removed is told when
// it tries to open a session (a session that runs is told srv.key_removed,
// in its language).
const keyRemovedMsg = "contactdesk: the key this session logged in with was removed; the session has ended"

// guardKey watches, for the life of the connection ctx belongs to, that
// the key it logged in with still logs h in, and revokes the connection
// once it no longer does. The desk publishes a removal made in this
// process as a change of h, and Desk.Watch one made by another process
// (key remove, on the command line) as a change of everything.
func (s *Server) guardKey(ctx ssh.Context, l *link, key gossh.PublicKey, h model.Handle) {
	defer s.recovered("key guard", nil)
	changes, stop := s.desk.Subscribe(h)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-changes:
		}
		lookup, cancel := context.WithTimeout(ctx, 5*time.Second)
		a, err := s.desk.KeyOwner(lookup, key)
		cancel()
		switch {
		case err == nil && a.Handle == h:
		case err == nil || errors.Is(err, model.ErrNotFound):
			s.revoke(l, gossh.FingerprintSHA256(key))
			return
		case ctx.Err() != nil:
			return
		default:
			// A storage failure is no proof the key is gone: keep the
			// sessions; the next change checks again.
			s.log.Error("key check failed", "account", string(h), "remote", addr(l.RemoteAddr()), "error", err)
		}
	}
}

// revoke ends the sessions of a connection whose key was removed, each
// with srv.key_removed, then the connection.
func (s *Server) revoke(l *link, fp string) {
	if !l.revoke() {
		return
	}
	s.log.Warn("key removed: ending its sessions", "account", string(l.who()), "key", fp, "remote", addr(l.RemoteAddr()))
	for _, lv := range s.live.of(l) {
		lv.end(endKeyRemoved)
	}
}

// maxClientText bounds what the log writes of a string the client
// chooses, which nothing else checks: the SSH user name (the key says who
// logs in), the session's TERM, the client's version. A user name of
// 3,000 characters made a line of 3,000; a TERM of 250,000, sent with each
// of thousands of sessions opened one after another on one connection,
// wrote 477 MiB of log in 10 s.
const maxClientText = 64

// clientText is s as the log writes it, cut at maxClientText characters.
func clientText(s string) string {
	if len(s) <= maxClientText {
		return s
	}
	n := 0
	for i := range s { // by character: an invalid byte counts as one
		if n == maxClientText {
			return string([]rune(s[:i])) + "…"
		}
		n++
	}
	return s
}
