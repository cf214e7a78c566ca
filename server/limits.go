package server

import (
	"net"
	"sync"
	"time"

	"contactdesk/model"
)

// The limits that keep one client from hurting the others. Each is an
// Options field; these are the values it takes when left zero.
const (
	// DefaultMaxWidth and DefaultMaxHeight bound the terminal a session
	// draws, whatever size the client claims (up to 2³² cells a side):
	// the program allocates its screen buffers as asked, two of them
	// (ultraviolet's: the screen drawn, and the one the terminal shows),
	// about 112 bytes a cell each. 500×200 is wider and taller than a
	// full 4K screen in a small font, and its buffers cost 22 MiB (a
	// heap profile of a session at that size: 95 % of its 23 MiB; one at
	// 80×24 costs 1 MiB), an account's five sessions 115 MiB; a client's
	// bigger window just shows the desk in its top-left corner.
	DefaultMaxWidth  = 500
	DefaultMaxHeight = 200

	// DefaultSessionsPerConn is how many session channels one connection
	// may have open. A real client opens one; OpenSSH's multiplexing
	// (ControlMaster) runs a few terminals over one connection. Beyond
	// that it is a flood, refused at the channel's opening.
	DefaultSessionsPerConn = 4

	// DefaultSessionsPerAccount is how many sessions one account may have
	// open at once, over all its connections: a person works in one or
	// two terminals, and a few more let colleagues share an account; it
	// keeps one account (or one stolen key) from taking the desk's seats.
	DefaultSessionsPerAccount = 5

	// DefaultNoSessionTimeout is how long a connection may stay open
	// without a session running, whatever keepalives it sends. A client
	// opens its session within a second of logging in; 30 s leaves room
	// for a slow link, or for a multiplexing client between two sessions.
	DefaultNoSessionTimeout = 30 * time.Second

	// DefaultConnRate is how many new connections one address may open
	// per minute (all at once, then one a second). A person reconnects a
	// few times a minute at most, so 60 lets an office behind one NAT in,
	// while a script guessing keys gets one try a second.
	DefaultConnRate = 60

	// DefaultSessionRate is how many sessions one account may start per
	// minute, over all its connections (all at once, then one a second).
	// The limits above count sessions open at the same moment, and a
	// connection's rate counts connections: a client opening and closing
	// sessions one after another on one connection started 200 a second,
	// each reading the desk and drawing its screens, and took most of
	// both cores. A person starts a few a minute, a multiplexing client
	// one per command.
	DefaultSessionRate = 60

	// DefaultKeyRate is how many keys (or mouse events, or pastes) one
	// session hands its program a second, after a first DefaultKeyBurst
	// at once; past it the server reads the session's input no faster,
	// and the client's ssh waits to send more. Each key costs the app
	// its update, tens to hundreds of microseconds: a client sending
	// keys as fast as it could kept a core busy per session (a megabyte
	// of them, sent in a blink, more than 100 s of CPU), five cores for
	// an account's five sessions. A person types ten keys a second, key
	// repeat is 30 to 60, and a paste is one event (see tui/input).
	DefaultKeyRate  = 100
	DefaultKeyBurst = 200

	// NoLimit, given as ConnRate, SessionRate, KeyRate or
	// SessionsPerAccount, turns that limit off (many customers behind
	// one bastion; a load test).
	NoLimit = -1
)

// requestRate is how many SSH requests (global ones, keepalives among
// them, and those of its channels: window changes, env, signals) one
// connection may send a second, after requestBurst at once; past it the
// server reads the connection no faster, and the client waits to send
// more. A request costs the server a packet read, decrypted and
// answered, and none is bounded by a channel's window as data is: a
// client sending keepalives as fast as it could (77,000 a second) kept
// three quarters of a core busy, one sending window changes 40 %, per
// connection; paced, 5 % at this rate, most of it the pace's own wakes,
// fewer since it waits for a tenth of a second's tokens at a time (see
// pacer).
// A terminal sends a few at its start, a keepalive every few seconds,
// and tens of window changes a second while its window is dragged.
const (
	requestRate  = 500
	requestBurst = 10000
)

// channelOpenRate is how many channels one connection may open a
// second, of every type (sessions, and the port forwarding, X11 or other
// channels the desk refuses), after channelOpenBurst at once; past it the
// server reads the connection no faster, and the client waits to send
// more. An opening costs the server a packet read and decrypted, a
// goroutine and an answer, and no limit counted them: a client refused
// its fifth session, or asking for port forwarding (ssh -L, -D), again
// and again as fast as it could had 16,000 channels a second refused,
// 60 % of a core per connection, and an account holds five connections
// with a session each. A client opens one channel per terminal, or per
// command over a multiplexed connection (OpenSSH's ControlMaster).
const (
	channelOpenRate  = 10
	channelOpenBurst = 100
)

// requestBytesRate is how many bytes of SSH requests (their type and
// payload) one connection may send a second, after requestBytesBurst at
// once: a request may be as long as a packet (256 KiB), so that the pace
// by count alone let a client send 3.9 GB of "env" requests in 20 s (500
// a second after 10,000, each 200 KiB), 43 % of a core per connection
// decrypting them. A terminal's requests are tens of bytes each (a
// window change 16, an env variable its name and value, a pty-req its
// terminal's name and modes); 1 MiB at once is more than any sends.
const (
	requestBytesRate  = 64 << 10
	requestBytesBurst = 1 << 20
)

// wireRate is how many bytes one connection may send the server a
// second, as they come over the network (encrypted, every packet of its
// channels and requests), after wireBurst at once; past it the server
// reads the connection no faster, and the client waits to send more.
// Now that a session's input is read as it comes (see drained), this is
// what bounds the work a flood of input costs: half a session's
// inputRate, so that the app always takes input faster than a
// connection brings it, and a paste never fills what a session keeps
// unread. A connection's bytes are read in chunks of wireChunk: a flood
// wakes the server 8 times a second (see pacer).
const (
	wireRate  = inputRate / 2
	wireBurst = inputBurst / 2
	wireChunk = 64 << 10
)

// maxUnread is how many bytes of a session's input the server keeps that
// its app has not taken yet: past it, what comes is dropped (see
// drained). The app takes input faster than a connection may send it,
// but not while it pauses (see escPaced) or its keys wait for their pace
// (DefaultKeyRate): a connection's whole burst, and half a second more
// at its pace, is kept, as much as the channel's window held before;
// only a paste sent as keys, by a terminal without bracketed paste, of
// more than that (hours of typing at the keys' pace) is cut.
const maxUnread = wireBurst + wireRate/2

// maxEnv is how many environment variables a session keeps, and
// maxEnvBytes how many bytes they hold in all: charm.land/ssh keeps
// every "env" request a client sends before its shell, unbounded, each
// as long as an SSH packet (256 KiB: 64 of them held 16 MiB a session);
// a terminal sends a handful of short ones (LANG, COLORTERM, LC_*).
const (
	maxEnv      = 64
	maxEnvBytes = 16 << 10
)

// Refusal is why a connection or a session was turned away, as the
// OnRefuse hook is told.
type Refusal string

// The reasons of refusals.
const (
	RefusedRate        Refusal = "rate"           // the address opened too many connections this minute
	RefusedFull        Refusal = "full"           // MaxSessions sessions are open
	RefusedAccount     Refusal = "per-account"    // the account has SessionsPerAccount sessions open
	RefusedStarts      Refusal = "session-rate"   // the account started SessionRate sessions this minute
	RefusedConnection  Refusal = "per-connection" // the connection has SessionsPerConn sessions open
	RefusedAuth        Refusal = "auth"           // no registered key (or it was removed)
	RefusedUnavailable Refusal = "unavailable"    // the desk's database could not say whose the key is
)

// refused logs nothing: it tells the OnRefuse hook, if any.
func (s *Server) refused(r Refusal) {
	if s.o.OnRefuse != nil {
		s.o.OnRefuse(r)
	}
}

// seats counts the sessions that hold a place at the desk: every session
// channel, from its opening until its program ends (or the channel closes
// without one), whether or not it asked for a shell.
type seats struct {
	mu        sync.Mutex
	max       int
	perAcct   int // NoLimit for none
	total     int
	byAccount map[model.Handle]int
}

func newSeats(max, perAccount int) *seats {
	return &seats{max: max, perAcct: perAccount, byAccount: map[model.Handle]int{}}
}

// take gives h a seat, or says why not, and how many seats that limit
// counted open: the account's, or the desk's.
func (ss *seats) take(h model.Handle) (r Refusal, open int) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	switch {
	// The account's own limit first: an account at its maximum is told
	// so even when the desk is full too.
	case ss.perAcct != NoLimit && ss.byAccount[h] >= ss.perAcct:
		return RefusedAccount, ss.byAccount[h]
	case ss.total >= ss.max:
		return RefusedFull, ss.total
	}
	ss.total++
	ss.byAccount[h]++
	return "", 0
}

func (ss *seats) free(h model.Handle) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.total--
	if ss.byAccount[h]--; ss.byAccount[h] <= 0 {
		delete(ss.byAccount, h)
	}
}

func (ss *seats) count() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.total
}

func addr(a net.Addr) string {
	if a == nil {
		return "unknown"
	}
	return a.String()
}
