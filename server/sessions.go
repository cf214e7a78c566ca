package server

import (
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
)

// Why a session ended, as logged.
const (
	endQuit         = "quit"
	endDisconnected = "disconnected"
	endIdle         = "idle"
	endShutdown     = "shutdown"
	endPanic        = "panic"
	endClosing      = "closing"
	endNoTerminal   = "no terminal"
	endCommand      = "command given"
	endKeyRemoved   = "key removed"
)

// live is one open session, as the server sees it from outside its
// program: it can be told something, and ended.
type live struct {
	conn   *link       // the connection it runs on
	sess   ssh.Session // the session it is
	mu     sync.Mutex
	p      *tea.Program
	reason string
	code   int // the exit status the client gets
	// closed is closed once the session has closed (see
	// sessions.remove): the server's end of it is over.
	closed chan struct{}
}

// endGrace is how long a session the server ends has to close, its
// program stopped and its last line written, before the server closes
// its connection. A program quits in milliseconds, and a last frame and
// line reach a client reading them in well under a second; one whose
// client reads nothing (its channel's window shut) is stuck writing, and
// takes neither Quit nor anything else: only the connection's end
// frees it, its goroutines and its seat. The connection's other
// sessions, the same client's, go with it.
const endGrace = 3 * time.Second

// attach hands l the program that runs the session; false when the
// session was ended before it could start.
func (l *live) attach(p *tea.Program) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reason != "" {
		return false
	}
	l.p = p
	return true
}

// end quits the session's program; the first reason given is kept. A
// session still open endGrace later has its connection closed.
func (l *live) end(reason string) {
	l.mu.Lock()
	first := l.reason == ""
	if first {
		l.reason = reason
	}
	p := l.p
	l.mu.Unlock()
	if p != nil {
		// Quit waits for the program's loop, which may be the caller.
		go p.Quit()
	}
	if first && l.conn != nil && l.closed != nil {
		go l.closeStuck(reason)
	}
}

// closeStuck closes the session's connection unless the session closes
// within endGrace of being ended for reason.
func (l *live) closeStuck(reason string) {
	t := time.NewTimer(endGrace)
	defer t.Stop()
	select {
	case <-l.closed:
	case <-t.C:
		l.conn.s.log.Warn("session stuck", "account", string(l.conn.who()), "remote", addr(l.conn.RemoteAddr()),
			"reason", reason, "then", "its connection is closed: its client reads nothing")
		l.conn.shut("session stuck")
	}
}

// notify shows text on the session's screen until it ends.
func (l *live) notify(text string) {
	l.mu.Lock()
	p := l.p
	l.mu.Unlock()
	if p != nil {
		go p.Send(noticeMsg(text))
	}
}

// exit sets the exit status the client gets when the session closes.
func (l *live) exit(code int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.code = code
}

func (l *live) exitCode() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.code
}

func (l *live) why() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reason
}

// sessions are the open sessions.
type sessions struct {
	mu      sync.Mutex
	open    map[ssh.Session]*live
	closing bool
	waiters []chan struct{}
}

func newSessions() *sessions { return &sessions{open: map[ssh.Session]*live{}} }

// add registers sess, which runs on connection c; it says whether the
// server is closing.
func (ss *sessions) add(sess ssh.Session, c *link) (l *live, closing bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	l = &live{conn: c, sess: sess, closed: make(chan struct{})}
	ss.open[sess] = l
	return l, ss.closing
}

// remove forgets sess, as it closes.
func (ss *sessions) remove(sess ssh.Session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if l := ss.open[sess]; l != nil {
		close(l.closed)
	}
	delete(ss.open, sess)
	if len(ss.open) == 0 {
		for _, w := range ss.waiters {
			close(w)
		}
		ss.waiters = nil
	}
}

func (ss *sessions) get(sess ssh.Session) *live {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if l := ss.open[sess]; l != nil {
		return l
	}
	return &live{}
}

// of returns the sessions open on connection c.
func (ss *sessions) of(c *link) []*live {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var ls []*live
	for _, l := range ss.open {
		if l.conn == c {
			ls = append(ls, l)
		}
	}
	return ls
}

// close marks the server closing and returns the sessions open now; a
// session added later learns it from add.
func (ss *sessions) close() []*live {
	ss.mu.Lock()
	ss.closing = true
	ss.mu.Unlock()
	return ss.all()
}

func (ss *sessions) all() []*live {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ls := make([]*live, 0, len(ss.open))
	for _, l := range ss.open {
		ls = append(ls, l)
	}
	return ls
}

// empty is closed once no session is open.
func (ss *sessions) empty() <-chan struct{} {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ch := make(chan struct{})
	if len(ss.open) == 0 {
		close(ch)
	} else {
		ss.waiters = append(ss.waiters, ch)
	}
	return ch
}
