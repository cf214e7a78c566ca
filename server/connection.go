package server

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"contactdesk/internal/ratelimit"
	"contactdesk/locale"
	"contactdesk/model"
)

// accept is the ConnCallback: it runs for each new TCP connection, before
// the SSH handshake, and refuses an address that connects too often.
func (s *Server) accept(ctx ssh.Context, c net.Conn) net.Conn {
	if ok, _ := s.conns.Allow(ratelimit.AddrKey(addr(c.RemoteAddr())), time.Now()); !ok {
		s.log.Warn("connection refused", "remote", addr(c.RemoteAddr()), "reason", "too many new connections from this address")
		s.refused(RefusedRate)
		// Lines before the SSH version are allowed (RFC 4253 4.2), and
		// clients show or log them.
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = io.WriteString(c, "contactdesk: too many connections from your address; try again in a minute\r\n")
		return nil
	}
	l := &link{Conn: c, s: s, start: time.Now(), handshaking: true}
	if !s.hold(l) {
		return nil // shutting down: closed unanswered, as by a closed listener
	}
	s.log.Info("connection", "remote", addr(c.RemoteAddr()))
	s.handshakes.Store(connKey(c), l)
	// Closing the TCP connection is how the server ends an SSH one: the
	// library's reader fails, and with it every channel and the context.
	l.idle = time.AfterFunc(s.o.NoSessionTimeout, l.expire)
	ctx.SetValue(linkKey{}, l)
	return l
}

// failed is the ConnectionFailedCallback: the handshake or the
// authentication did not succeed. golang.org/x/crypto/ssh has closed the
// connection already, before saying so: its close is logged now, after
// this line, in the order things happened.
func (s *Server) failed(c net.Conn, err error) {
	l, _ := s.handshakes.LoadAndDelete(connKey(c))
	if errors.As(err, new(*gossh.ServerAuthError)) {
		// a login the desk could not vouch for (its database down) is
		// no key's fault: an alert on refused keys must not fire
		if l != nil && l.(*link).wasUnavailable() {
			s.refused(RefusedUnavailable)
		} else {
			s.refused(RefusedAuth)
		}
	}
	s.log.Info("handshake failed", "remote", addr(c.RemoteAddr()), "error", err.Error())
	if l != nil {
		l.(*link).endHandshake()
	}
}

// connKey names a connection among those open, by its two addresses:
// the callback of a failed handshake is handed charm.land/ssh's wrapper
// of the link, not the link.
func connKey(c net.Conn) string {
	return addr(c.LocalAddr()) + " " + addr(c.RemoteAddr())
}

type linkKey struct{}

// linkOf returns the connection ctx belongs to.
func linkOf(ctx ssh.Context) *link {
	l, _ := ctx.Value(linkKey{}).(*link)
	return l
}

// link is one client's TCP connection. It counts its session channels,
// closes itself once no session has run on it for NoSessionTimeout, or
// once the key it logged in with is removed, and logs its end.
type link struct {
	net.Conn
	s        *Server
	start    time.Time
	closedAt time.Time
	once     sync.Once

	mu       sync.Mutex
	account  model.Handle // set once the handshake verified the key
	channels int          // session channels open
	refusals int          // session channels refused
	running  int          // sessions running a program (or refusing to)
	idle     *time.Timer  // fires expire once no session runs
	revoked  bool         // its key was removed
	closed   bool
	why      string // why the server closed it
	// handshaking: the login is under way. A close then (the library's,
	// when the login fails) is logged once failed has said why, or
	// "connection closed" would come before "handshake failed".
	handshaking bool

	langOnce sync.Once
	lang     locale.Lang // of the account, for its refusals: see language

	// pre is the connection as it is during the login, through which a
	// banner reaches the client; bannered: one was sent.
	pre      gossh.ServerPreAuthConn
	bannered bool
}

func (l *link) preAuth(c gossh.ServerPreAuthConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pre = c
}

// banner shows msg to the client before its login ends, once per
// connection: a client tries key after key, and would print it for each.
// wasUnavailable reports whether the connection was told the desk is
// unavailable (see banner).
func (l *link) wasUnavailable() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bannered
}

func (l *link) banner(msg string) {
	l.mu.Lock()
	pre, first := l.pre, !l.bannered
	l.bannered = true
	l.mu.Unlock()
	if pre != nil && first {
		_ = pre.SendAuthBanner(msg)
	}
}

// verified records the account of the key the client proved it holds:
// the login is over.
func (l *link) verified(h model.Handle) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.account = h
	l.handshaking = false
}

// endHandshake says the login failed, and logged why: a close that came
// before is logged now.
func (l *link) endHandshake() {
	l.mu.Lock()
	held := l.handshaking && l.closed
	l.handshaking = false
	l.mu.Unlock()
	if held {
		l.logClose()
	}
}

// langLookupTimeout bounds the reading of an account's language for a
// refusal: better English at once than the right words late.
const langLookupTimeout = 2 * time.Second

// language is the language of the connection's account, in which its
// refusals are said: read from the desk once, at the first refusal that
// needs it, and kept for the connection's others (a client may open
// channel after channel: one read a connection, not one a refusal).
// English when the account can't be read, or before the handshake named
// it.
func (l *link) language(ctx context.Context) locale.Lang {
	l.langOnce.Do(func() {
		l.lang = locale.EN
		h := l.who()
		if h == "" {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, langLookupTimeout)
		defer cancel()
		if a, err := l.s.desk.Account(ctx, h); err == nil && a.Lang.Known() {
			l.lang = a.Lang
		}
	})
	return l.lang
}

func (l *link) who() model.Handle {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.account
}

// openChannel counts a new session channel, unless the connection holds
// its limit of them (open says how many) or its key was removed.
func (l *link) openChannel() (ok, revoked bool, open int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.revoked || l.closed {
		return false, true, l.channels
	}
	if l.channels >= l.s.o.SessionsPerConn {
		return false, false, l.channels
	}
	l.channels++
	return true, false, l.channels
}

// refusedChannel counts a refused session channel, and returns how many
// were.
func (l *link) refusedChannel() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refusals++
	return l.refusals
}

func (l *link) closeChannel() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.channels--
}

// sessionStarted and sessionEnded bracket a session's handler: the
// connection is idle, and its timer runs, while none is running.
func (l *link) sessionStarted() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running++
	l.idle.Stop()
}

func (l *link) sessionEnded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running--
	switch {
	case l.running > 0:
	case l.revoked:
		l.idle.Reset(revokedGrace)
	default:
		l.idle.Reset(l.s.o.NoSessionTimeout)
	}
}

// revokedGrace is how long a connection whose key was removed stays open
// once its last session ended: the client, told why, closes it itself;
// closing it first could reset it before the client read the message.
const revokedGrace = time.Second

// expire closes the connection when no session ran on it for the
// no-session timeout; keepalives do not count.
func (l *link) expire() {
	l.mu.Lock()
	busy, why := l.running > 0, "no session"
	if l.revoked {
		why = "key removed"
	}
	l.mu.Unlock()
	if !busy {
		l.shut(why)
	}
}

// revoke marks the connection's key removed: it opens no more sessions,
// and closes once the ones running have told their users (at once when
// none is running). It reports whether it was the first to do so.
func (l *link) revoke() bool {
	l.mu.Lock()
	first, idle := !l.revoked, l.running == 0
	l.revoked = true
	l.mu.Unlock()
	if first && idle {
		l.shut("key removed")
	}
	return first
}

func (l *link) isRevoked() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.revoked
}

// shut closes the connection from the server's side, saying why in the
// log.
func (l *link) shut(why string) {
	l.mu.Lock()
	if l.why == "" {
		l.why = why
	}
	l.mu.Unlock()
	_ = l.Close()
}

func (l *link) Close() error {
	err := l.Conn.Close()
	l.once.Do(func() {
		l.mu.Lock()
		l.closed = true
		l.closedAt = time.Now()
		l.idle.Stop()
		held := l.handshaking // failed logs it, after why
		l.mu.Unlock()
		if !held {
			l.s.handshakes.CompareAndDelete(connKey(l), l)
			l.logClose()
		}
		l.s.release(l)
	})
	return err
}

// logClose writes the connection's last line.
func (l *link) logClose() {
	l.mu.Lock()
	attrs := []any{"remote", addr(l.RemoteAddr()), "duration", l.closedAt.Sub(l.start).Round(time.Millisecond).String()}
	if l.account != "" {
		attrs = append(attrs, "account", string(l.account))
	}
	if l.why != "" {
		attrs = append(attrs, "reason", l.why)
	}
	if l.refusals > 0 {
		attrs = append(attrs, "sessions-refused", l.refusals)
	}
	l.mu.Unlock()
	l.s.log.Info("connection closed", attrs...)
}
