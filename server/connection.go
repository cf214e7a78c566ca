package server

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"contactdesk/internal/ratelimit"
	"contactdesk/locale"
	"contactdesk/model"
)

// accept is the ConnCallback: it runs for each new TCP connection, before
// the SSH handshake, and refuses an address that connects too often.
func (s *Server) accept(ctx ssh.Context, c net.Conn) net.Conn {
	now := time.Now()
	if who, why := s.tooOften(addr(c.RemoteAddr()), now); why != "" {
		// Once a minute for each address or /48: one that keeps
		// connecting past its rate, as fast as it can, wrote a line
		// each time. OnRefuse counts them all.
		if ok, _ := s.quiet.Allow(who, now); ok {
			s.log.Warn("connection refused", "remote", addr(c.RemoteAddr()), "reason", why, "client", who,
				"then", "its next refusals are not logged for a minute")
		}
		s.refused(RefusedRate)
		// Lines before the SSH version are allowed (RFC 4253 4.2), and
		// clients show or log them.
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = io.WriteString(c, "contactdesk: too many connections from your address; try again in a minute\r\n")
		return nil
	}
	l := &link{Conn: c, s: s, start: time.Now(), handshaking: true, requests: newPacer(requestRate, requestBurst, requestRate/10),
		requestBytes: newPacer(s.o.requestBytes, requestBytesBurst, int(s.o.requestBytes)/10),
		opens:        rate.NewLimiter(channelOpenRate, channelOpenBurst), closing: make(chan struct{})}
	if s.o.wireBytes != rate.Inf {
		l.wire = rate.NewLimiter(s.o.wireBytes, wireBurst)
	}
	if !s.hold(l) {
		return nil // shutting down: closed unanswered, as by a closed listener
	}
	// Debug only: a refused connection is logged once, as it ends (see
	// failed), and an accepted one by its login.
	s.log.Debug("connection", "remote", addr(c.RemoteAddr()))
	s.handshakes.Store(connKey(c), l)
	// Closing the TCP connection is how the server ends an SSH one: the
	// library's reader fails, and with it every channel and the context.
	l.idle = time.AfterFunc(s.o.NoSessionTimeout, l.expire)
	ctx.SetValue(linkKey{}, l)
	return l
}

// tooOften says why a new connection from remote is refused at now, ""
// when it is not, and who is: its address (an IPv6 one by its /64)
// opened ConnRate this minute, or its IPv6 /48 NetFactor times that. A
// site is given a /48, 65,536 /64s: counted by the /64 only, it could
// open 60 a minute from each, each a handshake.
//
// A connection refused by one of the two spends the other's allowance
// neither: someone whose /48 was full (another network of it flooding)
// spent their own address's with every try, and stayed refused for
// minutes once the /48 was not.
func (s *Server) tooOften(remote string, now time.Time) (who, why string) {
	who = ratelimit.AddrKey(remote)
	nets, net := s.nets, ratelimit.NetKey(remote)
	if net == "" {
		nets = nil // IPv4: counted by address only
	}
	switch refused, _ := ratelimit.Both(s.conns, who, nets, net, now); {
	case refused == nil:
		return who, ""
	case refused == nets:
		return net, "too many new connections from this network (an IPv6 /48)"
	default:
		return who, "too many new connections from this address"
	}
}

// failed is the ConnectionFailedCallback: the handshake or the
// authentication did not succeed. It writes the connection's one line:
// a stranger, without a key or with the wrong one, or no SSH client at
// all, connects as often as its address may, and each of its connections
// wrote a line as it came, one per key it offered (a dozen), one when the
// handshake failed and one as it closed, up to 14. The line says what an
// operator needs: the address, why, the keys refused (how many, and the
// last one's fingerprint), the user name the client gave, and how long it
// held the connection. golang.org/x/crypto/ssh has closed the connection
// already, before saying so.
func (s *Server) failed(c net.Conn, err error) {
	v, _ := s.handshakes.LoadAndDelete(connKey(c))
	l, _ := v.(*link)
	if errors.As(err, new(*gossh.ServerAuthError)) {
		// a login the desk could not vouch for (its database down) is
		// no key's fault: an alert on refused keys must not fire
		if l != nil && l.wasUnavailable() {
			s.refused(RefusedUnavailable)
		} else {
			s.refused(RefusedAuth)
		}
	}
	attrs := []any{"remote", addr(c.RemoteAddr())}
	if l == nil {
		s.log.Info("handshake failed", append(attrs, "reason", failure(nil, err), "error", clientText(err.Error()))...)
		return
	}
	attrs = append(attrs, l.endHandshake(err)...)
	s.log.Info("handshake failed", attrs...)
}

// failure says why a handshake failed, in a few words; l, when not nil,
// is its connection.
func failure(l *link, err error) string {
	why, keys, unavailable := "", 0, false
	if l != nil {
		l.mu.Lock()
		why, keys, unavailable = l.why, l.keysRefused, l.bannered
		l.mu.Unlock()
	}
	var ne net.Error
	switch {
	case why != "":
		return why // the server closed it: shutting down
	case errors.As(err, new(*gossh.ServerAuthError)):
		switch {
		case unavailable:
			return "desk unavailable"
		case keys > 0:
			return "key not registered"
		default:
			return "no key offered"
		}
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "closed by the client"
	default:
		return "protocol error"
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

	// requests and requestBytes pace the connection's SSH requests (see
	// requestRate and requestBytesRate)
	requests, requestBytes *pacer
	// opens counts the channels the client opens (see channelOpenRate);
	// closing is closed once the connection is
	opens   *rate.Limiter
	closing chan struct{}
	// wire counts the bytes read of the connection (see wireRate); nil:
	// not paced
	wire *rate.Limiter

	langOnce sync.Once
	lang     locale.Lang // of the account, for its refusals: see language

	// pre is the connection as it is during the login, through which a
	// banner reaches the client; bannered: one was sent.
	pre      gossh.ServerPreAuthConn
	bannered bool

	// What a failed login's one line says (see Server.failed): the
	// user name the client gave last (cut), how many keys it offered
	// that no account has, and the last of them; reported: that line is
	// written, and the close adds none.
	user        string
	offers      int // keys looked up
	keysRefused int
	lastKey     string
	reported    bool
}

// paced waits for the connection's request req to be taken, within
// requestRate and requestBytesRate; false when ctx ended first.
func (l *link) paced(ctx context.Context, req *gossh.Request) bool {
	if l.requests.Wait(ctx) != nil {
		return false
	}
	return l.requestBytes.WaitN(ctx, min(len(req.Type)+len(req.Payload), requestBytesBurst)) == nil
}

// channelOpened counts a channel the client opened, of any type. It
// never waits: the library runs each channel's handler on a goroutine
// of its own, so a wait there would hold up nothing but pile goroutines
// up. Past the pace, the connection's Read waits instead, before the
// next packets are read.
func (l *link) channelOpened() { l.opens.Reserve() }

// Read reads the client's next bytes, once the channels it opened are
// within channelOpenRate and the bytes it sent within wireRate: while
// the client owes either pace, the server reads nothing more of it, and
// its ssh waits to send more. The bytes are paid for once read, and
// waited for once a wireChunk of them is owed.
func (l *link) Read(p []byte) (int, error) {
	var wait time.Duration
	if owed := -l.opens.Tokens(); owed > 0 {
		wait = time.Duration(owed / channelOpenRate * float64(time.Second))
	}
	if l.wire != nil {
		if owed := -l.wire.Tokens(); owed >= wireChunk {
			wait = max(wait, time.Duration(owed/float64(l.wire.Limit())*float64(time.Second)))
		}
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-l.closing:
			t.Stop()
		}
	}
	n, err := l.Conn.Read(p)
	if l.wire != nil && n > 0 {
		l.wire.ReserveN(time.Now(), min(n, wireBurst))
	}
	return n, err
}

// offer counts a key the login has looked up, and reports whether it may
// be (see maxKeysOffered).
func (l *link) offer() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.offers++
	return l.offers <= maxKeysOffered
}

// refusedKey notes a key the client offered that no account has.
func (l *link) refusedKey(user, fp string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.user, l.lastKey = user, fp
	l.keysRefused++
}

// unavailable notes the user name of a login the desk could not
// check; first says whether it is the connection's first such.
func (l *link) unavailable(user string) (first bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.user = user
	return !l.bannered
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

// endHandshake says the login failed with err: the close is logged by
// the line it returns the attributes of, not by one of its own.
func (l *link) endHandshake(err error) []any {
	reason := failure(l, err)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handshaking = false
	l.reported = true
	attrs := []any{"reason", reason}
	if reason == "protocol error" {
		attrs = append(attrs, "error", clientText(err.Error()))
	}
	if l.user != "" {
		attrs = append(attrs, "user", l.user)
	}
	if l.keysRefused > 0 {
		attrs = append(attrs, "keys-refused", l.keysRefused, "key", l.lastKey)
	}
	end := l.closedAt
	if end.IsZero() {
		end = time.Now()
	}
	return append(attrs, "duration", end.Sub(l.start).Round(time.Millisecond).String())
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
		close(l.closing)
		l.idle.Stop()
		// failed logs a failed login's end, with why
		held := l.handshaking || l.reported
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
