package server

import (
	"sync"

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
}

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

// end quits the session's program; the first reason given is kept.
func (l *live) end(reason string) {
	l.mu.Lock()
	if l.reason == "" {
		l.reason = reason
	}
	p := l.p
	l.mu.Unlock()
	if p != nil {
		// Quit waits for the program's loop, which may be the caller.
		go p.Quit()
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
	l = &live{conn: c, sess: sess}
	ss.open[sess] = l
	return l, ss.closing
}

func (ss *sessions) remove(sess ssh.Session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
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
