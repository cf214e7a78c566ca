package server

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"contactdesk/locale"
	"contactdesk/model"
)

// sessionChannel is the ChannelHandler of "session" channels. It gives
// each a seat at the desk before accepting it. A flood (more than the
// connection's sessions, or on a revoked key) is refused as the channel
// opens, in one line (a client shows "channel 0: open failed: resource
// shortage: …"); a session past the account's or the desk's limit, which
// people meet, is told why in its account's language (see refuseSession).
// It then lets charm.land/ssh run the session, through filterRequests.
func (s *Server) sessionChannel(_ *ssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	l := linkOf(ctx)
	if l == nil { // not a connection accept() let in
		_ = nc.Reject(gossh.Prohibited, "contactdesk: no session here")
		return
	}
	l.channelOpened()
	h := l.who()
	// A refusal as the channel opens is in English: OpenSSH prints its
	// reason through its log, which writes every byte outside ASCII as
	// an octal escape (sessões as sess\303\265es).
	ok, revoked, open := l.openChannel()
	switch {
	case revoked:
		s.refuseChannel(l, nc, RefusedAuth, gossh.Prohibited, keyRemovedMsg)
		return
	case !ok:
		s.refuseChannel(l, nc, RefusedConnection, gossh.ResourceShortage,
			fmt.Sprintf("contactdesk: one connection may hold %d sessions; open another connection", s.o.SessionsPerConn),
			"limit", s.o.SessionsPerConn, "open", open)
		return
	}
	defer l.closeChannel()
	// what the client is told, in the account's language
	say := func(id string, args ...locale.Args) string { return locale.For(l.language(ctx)).T(id, args...) }
	if ok, wait := s.starts.Allow(string(h), time.Now()); !ok {
		s.refuseSession(l, nc, RefusedStarts, say("srv.too_many_starts", locale.Args{"Handle": string(h), "Wait": spoken(wait.Truncate(time.Second) + time.Second)}),
			"limit", s.o.SessionRate)
		return
	}
	switch r, open := s.seats.take(h); r {
	case RefusedAccount:
		s.refuseSession(l, nc, r, say("srv.too_many_sessions", locale.Args{"Handle": string(h), "Max": s.o.SessionsPerAccount}),
			"limit", s.o.SessionsPerAccount, "open", open)
		return
	case RefusedFull:
		s.refuseSession(l, nc, r, say("srv.full"), "limit", s.o.MaxSessions, "open", open)
		return
	}
	ch := &channel{s: s, l: l, h: h, windows: make(chan ssh.Window, 1)}
	// The session ends when its channel does, not only with the whole
	// connection: the program stops reading input at EOF, and would
	// otherwise keep its seat until the idle timeout.
	ch.ctx, ch.cancel = context.WithCancel(ctx)
	defer ch.cancel()
	defer ch.freeSeat() // a channel that never ran a program
	// DefaultSessionHandler takes its handler and pty options from the
	// *ssh.Server it is given: a server value of its own hands this
	// session its channel, so the middlewares see the channel's sizes.
	one := &ssh.Server{
		Handler: func(sess ssh.Session) {
			l.sessionStarted()
			defer l.sessionEnded()
			defer ch.freeSeat() // when a middleware did not call Exit
			s.handler(&session{Session: sess, ch: ch})
		},
		PtyHandler: s.ptyHandler,
	}
	ssh.DefaultSessionHandler(one, conn, &filteredChannel{NewChannel: nc, ch: ch}, ctx)
}

// otherChannel refuses every channel that is not a session: port
// forwarding (ssh -L, -D), X11, or any other the client asks for; the
// desk serves its app alone. It answers as the library did, but counts
// the opening among the connection's (see channelOpenRate).
func (s *Server) otherChannel(_ *ssh.Server, _ *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	if l := linkOf(ctx); l != nil {
		l.channelOpened()
	}
	_ = nc.Reject(gossh.UnknownChannelType, "unsupported channel type")
}

// refuseChannel turns a session channel away with msg, which the client
// shows, as it opens.
func (s *Server) refuseChannel(l *link, nc gossh.NewChannel, r Refusal, why gossh.RejectionReason, msg string, attrs ...any) {
	s.noteRefusal(l, r, attrs...)
	_ = nc.Reject(why, msg)
}

// tellWait bounds how long a refused session waits for its client to ask
// for a shell or a command, to be told why it is refused.
const tellWait = 10 * time.Second

// refuseSession turns a session away once its channel is open: the
// client is told msg on its stderr as the shell or the command it asks
// for starts (as the other lines the server ends a session with), then
// exit status 1. No seat is taken; the channel counts among the
// connection's while it is told, tellWait at most, and until its client
// closes it (closeWait at most), so a client that asks again and again
// holds no more than the connection's few.
func (s *Server) refuseSession(l *link, nc gossh.NewChannel, r Refusal, msg string, attrs ...any) {
	s.noteRefusal(l, r, attrs...)
	c, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	// its input read as it comes, and dropped: kept unread, it held the
	// server's memory (see drained)
	drain(c, 0)
	defer s.closeRefused(l, c, reqs)
	ctx, cancel := context.WithTimeout(context.Background(), tellWait)
	defer cancel()
	end := "\n"
	for {
		var req *gossh.Request
		select {
		case <-ctx.Done():
			return
		case req = <-reqs:
		}
		if req == nil {
			return
		}
		if !l.paced(ctx, req) {
			_ = req.Reply(false, nil)
			continue
		}
		switch req.Type {
		case "pty-req":
			end = "\r\n" // a terminal's new line
			_ = req.Reply(true, nil)
		case "shell", "exec", "subsystem":
			_ = req.Reply(true, nil)
			_, _ = io.WriteString(c.Stderr(), msg+end)
			_, _ = c.SendRequest("exit-status", false, gossh.Marshal(&struct{ Status uint32 }{1}))
			return
		default:
			_ = req.Reply(false, nil)
		}
	}
}

// closeWait is how long the client of a refused session has to answer
// the server's close of its channel with its own, as SSH requires (RFC
// 4254 5.3): clients do at once. One that never did kept the channel
// open, the library's share of it and the goroutines reading it, while
// the channel no longer counted among the connection's: ten a second
// (channelOpenRate), 25 KiB each, for as long as another session kept
// the connection open.
const closeWait = 5 * time.Second

// closeRefused closes a refused session's channel, and waits for its
// client to close it too, reading (and refusing) its requests, which
// must never be left unread: one would hold up the whole connection.
// The channel counts among the connection's until then; a client that
// has not closed it within closeWait has its connection closed.
func (s *Server) closeRefused(l *link, c gossh.Channel, reqs <-chan *gossh.Request) {
	_ = c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	for {
		select {
		case req, ok := <-reqs:
			if !ok {
				return // closed by the client too
			}
			l.paced(ctx, req)
			_ = req.Reply(false, nil)
		case <-ctx.Done():
			go gossh.DiscardRequests(reqs)
			l.shut("refused session left open")
			return
		}
	}
}

// noteRefusal counts a refused session, and logs it. Only a connection's
// first refusal is logged: a client that asks again and again must not
// fill the log (the connection's last line counts them). A limit's
// refusal logs it as the client is told it, limit=5, and the sessions it
// counted open, open=5: the sessions of the account, of the connection
// or of the desk, as the reason says.
func (s *Server) noteRefusal(l *link, r Refusal, attrs ...any) {
	s.refused(r)
	if l.refusedChannel() == 1 {
		s.log.Warn("session refused", append([]any{"account", string(l.who()), "remote", addr(l.RemoteAddr()), "reason", string(r)}, attrs...)...)
	}
}

// channel is one session channel, as the server sees it below the
// session: its seat, and the window sizes its client asked for.
type channel struct {
	s      *Server
	l      *link
	h      model.Handle
	ctx    context.Context // ends with the channel
	cancel context.CancelFunc
	once   sync.Once
	// windows holds the latest window change not yet taken: the client
	// may send them faster than a program can redraw.
	windows chan ssh.Window
	// in is the channel as accepted, its input read as it comes
	in *drained
}

// freeSeat gives the channel's seat back; the first call does.
func (ch *channel) freeSeat() { ch.once.Do(func() { ch.s.seats.free(ch.h) }) }

// session is the ssh.Session every middleware sees: the library's, with
// the seat and window sizes of its channel.
type session struct {
	ssh.Session
	ch *channel
}

// Pty returns the terminal as the client asked for it, within the
// maximum size, and its window changes, coalesced.
func (s *session) Pty() (ssh.Pty, <-chan ssh.Window, bool) {
	p, _, ok := s.Session.Pty()
	return p, s.ch.windows, ok
}

// Exit frees the session's seat before the client learns it ended, so
// that it can come back at once.
func (s *session) Exit(code int) error {
	s.ch.freeSeat()
	return s.Session.Exit(code)
}

// filteredChannel hands charm.land/ssh the channel's requests through
// filterRequests.
type filteredChannel struct {
	gossh.NewChannel
	ch *channel
}

func (f *filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	c, reqs, err := f.NewChannel.Accept()
	if err != nil {
		return nil, nil, err
	}
	out := make(chan *gossh.Request)
	go f.ch.filterRequests(reqs, out)
	f.ch.in = drain(c, maxUnread)
	return f.ch.in, out, nil
}

// ptyRequest is the payload of a "pty-req" (RFC 4254 6.2).
type ptyRequest struct {
	Term                         string
	Columns, Rows, Width, Height uint32
	Modes                        string
}

// windowChange is the payload of a "window-change" (RFC 4254 6.7).
type windowChange struct {
	Columns, Rows, Width, Height uint32
}

// filterRequests passes a channel's requests on to charm.land/ssh: it
// clamps the terminal's size to the maximum, keeps only the latest window
// change, bounds the environment, and drops signals. The library would
// hand every window change to a one-slot channel that already holds the
// first size: while no program takes them (before the shell, after the
// program, or while it is stuck writing to a client that hung up) it
// stops reading the whole connection, hang-up included, and holds
// everything forever.
func (ch *channel) filterRequests(in <-chan *gossh.Request, out chan<- *gossh.Request) {
	defer func() { // after a panic: still never leave one unread
		for req := range in {
			_ = req.Reply(false, nil)
		}
	}()
	defer close(out)
	defer close(ch.windows)
	defer ch.s.recovered("session requests", nil)
	env, envBytes := 0, 0
	for req := range in {
		if !ch.l.paced(ch.ctx, req) {
			_ = req.Reply(false, nil)
			continue
		}
		switch req.Type {
		case "window-change":
			var w windowChange
			if gossh.Unmarshal(req.Payload, &w) != nil {
				_ = req.Reply(false, nil)
				continue
			}
			ch.resized(ssh.Window{
				Width: ch.s.clampWidth(w.Columns), Height: ch.s.clampHeight(w.Rows),
				WidthPixels: int(min(w.Width, 1<<16)), HeightPixels: int(min(w.Height, 1<<16)),
			})
			_ = req.Reply(true, nil)
			continue
		case "pty-req":
			var p ptyRequest
			if gossh.Unmarshal(req.Payload, &p) != nil {
				_ = req.Reply(false, nil)
				continue
			}
			p.Columns = uint32(ch.s.clampWidth(p.Columns))
			p.Rows = uint32(ch.s.clampHeight(p.Rows))
			p.Term = termName(p.Term)
			// The modes the library keeps are a map of at most 160
			// opcodes, whatever the string's length: nothing to bound.
			req.Payload = gossh.Marshal(&p)
		case "env":
			if env+1 > maxEnv || envBytes+len(req.Payload) > maxEnvBytes {
				_ = req.Reply(false, nil)
				continue
			}
			env, envBytes = env+1, envBytes+len(req.Payload)
		case "signal":
			// The desk takes no signals (^C is a keystroke), and the
			// library, with no one to hand them to, kept the first 128
			// a session was sent, each as long as a packet: 32 MiB a
			// session. A signal asks for no answer.
			_ = req.Reply(false, nil)
			continue
		case "auth-agent-req@openssh.com":
			// The library says yes to agent forwarding (a TODO of
			// its own), and ssh -A then hands the server the client's
			// agent, which the desk never uses: refused, as x11 is.
			_ = req.Reply(false, nil)
			continue
		}
		// The library answers every other request at once (it never
		// waits on a signal or break channel: the desk registers none);
		// once it is gone, the requests are refused, never left unread.
		select {
		case out <- req:
		case <-ch.ctx.Done():
			_ = req.Reply(false, nil)
		}
	}
}

// maxTermName is the longest terminal name (TERM) a session keeps. Real
// ones are short (xterm-256color, rxvt-unicode-256color, 21 bytes); the
// library kept whatever a pty-req carried, up to an SSH packet, 256 KiB,
// and handed it on to the program, its input reader and its environment.
const maxTermName = 64

// plainTerm is the terminal a session is served as when the name its
// client sent is no terminal's: what nearly every terminal answers to.
const plainTerm = "xterm"

// termName is the terminal name a session keeps of the one its client
// sent: the name itself when it is a terminal's (printable ASCII, no
// space, at most maxTermName bytes), plainTerm otherwise. An empty name,
// which some clients send, stays empty: the program then draws without
// colours, as it did.
func termName(name string) string {
	if len(name) > maxTermName {
		return plainTerm
	}
	for i := 0; i < len(name); i++ {
		if name[i] <= ' ' || name[i] > '~' {
			return plainTerm
		}
	}
	return name
}

// resized keeps w as the latest size, replacing one not yet taken; it
// never waits.
func (ch *channel) resized(w ssh.Window) {
	select {
	case <-ch.windows:
	default:
	}
	// This goroutine is the only sender: after the receive above, there
	// is room.
	ch.windows <- w
}

func (s *Server) clampWidth(n uint32) int  { return int(min(n, uint32(s.o.MaxWidth))) }
func (s *Server) clampHeight(n uint32) int { return int(min(n, uint32(s.o.MaxHeight))) }
