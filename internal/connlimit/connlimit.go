// Package connlimit bounds the connections a server holds open, per
// client address (and IPv6 /48) and in all, and how fast one address
// (and one /48) opens new ones.
//
// Every open connection costs the process a file descriptor, and the
// process has a bounded number of them (RLIMIT_NOFILE) for everything it
// does: the HTTP and SSH servers, the database, the mail it sends. The
// HTTP server's timeouts keep a slow client from holding a connection,
// but not a quick one: a client that sends a request on each of its
// keep-alive connections before the idle timeout holds them for as long
// as it likes. Thousands of them once took every descriptor, and then
// nothing could accept a connection any more, not even the SSH server,
// nor open the database; so did thousands of SSH connections that never
// finished their handshake, each held for its timeout. Wrap bounds them.
//
// It is not golang.org/x/net/netutil.LimitListener: at its bound, that
// one's Accept waits for a connection to end, so whoever holds the
// connections stalls every newcomer's (they wait in the kernel's
// backlog, then are dropped); it knows no client address, so one client
// may take every place; and its connections hide CloseWrite, which
// net/http uses to end a connection without cutting its last answer
// short. Here a connection past a bound is closed at once, and the next
// one is accepted.
package connlimit

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"contactdesk/internal/ratelimit"
)

// DefaultPerAddr is how many connections one client address may hold open
// at once. A browser opens about 6 to a host, and several people behind
// one office NAT, with an API client or two, stay well below 64; a
// client that needs more is not a person.
const DefaultPerAddr = 64

// The bounds of MaxTotal.
const (
	minConns = 256
	maxConns = 16384
)

// MaxTotal is how many connections one server (HTTP, SSH) may hold open
// in all: a quarter of the files the process may have open (the soft
// RLIMIT_NOFILE, which Go raises to the hard one at start), within
// [256, 16384]; 1024 where the limit is unknown. The rest stays for the
// other server, the database and the mail: clients from many addresses
// may fill one server, not the process.
func MaxTotal() int {
	n, ok := openFilesLimit()
	if !ok {
		return 1024
	}
	return int(min(max(n/4, minConns), maxConns))
}

// Limits are the bounds of Wrap.
type Limits struct {
	// PerAddr is how many connections one client address may hold open
	// at once (0: no bound). The address is the TCP peer's: an IPv4
	// address, and an IPv6 one by its /64 (what one customer's network
	// is given; a bound per address would let it open 2⁶⁴ times more),
	// as the desk's other throttles count them (ratelimit.AddrKey).
	PerAddr int
	// PerNet is how many connections the IPv6 addresses of one /48 may
	// hold open at once, together (0: NetFactor × PerAddr; no bound when
	// PerAddr is 0). A /64 is what one customer's network is given, but
	// a site is given a /48, 65,536 of them: bound by the /64 only, one
	// such site filled Total with connections that never finish their
	// handshake, each held for its timeout. IPv4 addresses are held by
	// PerAddr only. The addresses Exempt names are not held.
	PerNet int
	// Total is how many connections may be open at once in all (0: no
	// bound).
	Total int
	// Exempt, when set, says which peer addresses PerAddr does not hold:
	// a trusted reverse proxy's, through which every client comes. Their
	// connections count towards Total.
	Exempt func(netip.Addr) bool
	// Rate, when set, bounds how many new connections one address may
	// open, whatever it keeps open (the addresses PerAddr holds, counted
	// as it counts them): past it, a connection is closed at once, before
	// any TLS handshake. A handshake costs the server a millisecond or
	// two of a core, and 64 connections opened and closed again as fast
	// as one address could took most of a core without it.
	Rate *ratelimit.Keyed
	// NetRate, when set, bounds how many new connections the IPv6
	// addresses of one /48 may open together (ratelimit.NetKey), as Rate
	// bounds one /64's: a site is given a /48, 65,536 /64s, and each of
	// them could open Rate's connections, each a TLS handshake. IPv4
	// addresses, and those Exempt names, are not held by it. Give it
	// NetFactor times Rate's, as the SSH server's is.
	NetRate *ratelimit.Keyed
	// Log, when set, is told at WARN when an address reaches PerAddr or
	// Rate, or a /48 PerNet or NetRate (at most once a minute for each
	// address or /48), and when Total is
	// reached (at most once a minute).
	Log *slog.Logger
}

// NetFactor is how many times PerAddr the addresses of one IPv6 /48 may
// hold open together, unless Limits.PerNet says otherwise: a site with
// a few networks in use is not held by it, one with thousands is.
const NetFactor = 4

// warnEvery is how often at most the log hears of one address at its
// bound, or of the total bound.
const warnEvery = time.Minute

// maxWarned bounds the addresses whose last warning is remembered: past
// it, an address at its bound is not logged until the warnings of the
// last minute are forgotten (addresses in a flood are not all named).
const maxWarned = 1024

// Listener is a listener that holds its connections within
// Limits. Its Accept never waits for a connection to end: one past a
// bound is accepted and closed at once, not counted, and the next one
// is waited for. A connection's place is freed when it is closed, once,
// however many times Close is called (the server closing it when idle,
// at shutdown, or the handler that hijacked it).
type Listener struct {
	net.Listener
	l Limits

	mu     sync.Mutex
	open   int            // connections open
	byAddr map[string]int // connections open by address, of those held to PerAddr
	byNet  map[string]int // connections open by IPv6 /48, of those held to PerNet
	warned map[string]time.Time
	swept  time.Time // when warned was last rid of old warnings
	full   time.Time // when the log last heard that Total was reached

	now func() time.Time // the clock: time.Now, a test's in tests
}

// Wrap returns ln holding its connections within l.
func Wrap(ln net.Listener, l Limits) *Listener {
	if l.PerNet == 0 {
		l.PerNet = NetFactor * l.PerAddr
	}
	return &Listener{Listener: ln, l: l, byAddr: map[string]int{}, byNet: map[string]int{}, warned: map[string]time.Time{}, now: time.Now}
}

// Accept waits for a connection within the bounds and returns it.
func (ln *Listener) Accept() (net.Conn, error) {
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if lc := ln.admit(c); lc != nil {
			return lc, nil
		}
		c.Close()
	}
}

// Open says how many of its connections are open.
func (ln *Listener) Open() int {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return ln.open
}

// admit counts c and returns it wrapped, or returns nil when c would
// pass a bound.
func (ln *Listener) admit(c net.Conn) net.Conn {
	key, nkey, rkey, held := "", "", "", false
	if ln.l.PerAddr > 0 || ln.l.PerNet > 0 || ln.l.Rate != nil || ln.l.NetRate != nil {
		var ip netip.Addr
		if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			ip = a.AddrPort().Addr().Unmap()
		}
		// A peer whose address is unknown (not TCP) is held with all
		// those whose address is unknown.
		held = ln.l.Exempt == nil || !ip.IsValid() || !ln.l.Exempt(ip)
		if held && ip.IsValid() {
			key = ratelimit.AddrKey(ip.String())
			if ln.l.PerNet > 0 {
				nkey = ratelimit.NetKey(ip.String())
			}
			if ln.l.NetRate != nil {
				rkey = ratelimit.NetKey(ip.String())
			}
		}
	}
	now := ln.now()
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.l.Total > 0 && ln.open >= ln.l.Total {
		if now.Sub(ln.full) >= warnEvery {
			ln.full = now
			ln.warn("too many connections open: new ones are closed at once until some end", "listen", ln.Addr().String(), "open", ln.open, "max", ln.l.Total)
		}
		return nil
	}
	if held && ln.l.PerAddr > 0 && ln.byAddr[key] >= ln.l.PerAddr {
		ln.warnAddr(key, now, "too many connections from one address: its new ones are closed at once until some end", "open", ln.byAddr[key], "max", ln.l.PerAddr)
		return nil
	}
	if nkey != "" && ln.byNet[nkey] >= ln.l.PerNet {
		ln.warnAddr(nkey, now, "too many connections from one network (an IPv6 /48): its new ones are closed at once until some end", "open", ln.byNet[nkey], "max", ln.l.PerNet)
		return nil
	}
	// After the bounds above: a connection they close costs no token.
	// Nor does one the /48's rate closes cost its address's, nor the
	// reverse: taken one after the other, a user whose /48 was at its
	// rate (another network of it flooding) spent their own address's
	// with every try, and was still shut out once the /48 was not.
	rate, netRate := ln.l.Rate, ln.l.NetRate
	if !held || key == "" {
		rate = nil
	}
	if rkey == "" {
		netRate = nil
	}
	switch refused, wait := ratelimit.Both(rate, key, netRate, rkey, now); {
	case refused == nil:
	case refused == netRate:
		ln.warnAddr(rkey, now, "too many new connections from one network (an IPv6 /48): they are closed at once for a while", "retry_in", wait.Round(time.Millisecond).String())
		return nil
	default:
		ln.warnAddr(key, now, "too many new connections from one address: they are closed at once for a while", "retry_in", wait.Round(time.Millisecond).String())
		return nil
	}
	ln.open++
	if held {
		ln.byAddr[key]++
	}
	if nkey != "" {
		ln.byNet[nkey]++
	}
	lc := &limitedConn{Conn: c}
	lc.release = func() { ln.release(key, nkey, held) }
	return lc
}

// release frees a connection's place.
func (ln *Listener) release(key, nkey string, held bool) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.open--
	if held {
		if ln.byAddr[key]--; ln.byAddr[key] <= 0 {
			delete(ln.byAddr, key)
		}
	}
	if nkey != "" {
		if ln.byNet[nkey]--; ln.byNet[nkey] <= 0 {
			delete(ln.byNet, nkey)
		}
	}
}

// warnAddr tells the log msg about the address key, at one of its
// bounds, unless it heard of the address within the last minute. ln.mu
// is held.
func (ln *Listener) warnAddr(key string, now time.Time, msg string, args ...any) {
	if now.Sub(ln.warned[key]) < warnEvery {
		return
	}
	if now.Sub(ln.swept) >= warnEvery {
		for k, t := range ln.warned {
			if now.Sub(t) >= warnEvery {
				delete(ln.warned, k)
			}
		}
		ln.swept = now
	}
	if len(ln.warned) >= maxWarned {
		return
	}
	ln.warned[key] = now
	ln.warn(msg, append([]any{"listen", ln.Addr().String(), "client", key}, args...)...)
}

func (ln *Listener) warn(msg string, args ...any) {
	if ln.l.Log != nil {
		ln.l.Log.Warn(msg, args...)
	}
}

// limitedConn is a connection Listener counts; closing it frees
// its place.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// Close closes the connection and, the first time, frees its place
// once its descriptor is.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite ends the sending half of a TCP connection: net/http does,
// before closing a connection whose request it did not read through, so
// that the client reads the answer (a 413…) before the connection
// resets. It looks for the method on the connection, which a wrapper
// would hide.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}
