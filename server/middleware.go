package server

import (
	"context"
	"fmt"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"

	"contactdesk/locale"
)

// recoverPanics ends the session whose handler panicked, and only it.
func (s *Server) recoverPanics() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			defer s.recovered("session", func() {
				s.tell(sess, "srv.crashed")
				_ = sess.Exit(1)
			})
			next(sess)
		}
	}
}

// recovered logs a panic of what and runs then, if any; deferred.
func (s *Server) recovered(what string, then func()) {
	r := recover()
	if r == nil {
		return
	}
	s.logPanic(what, r)
	if then != nil {
		defer func() { _ = recover() }()
		then()
	}
}

func (s *Server) logPanic(what string, r any, attrs ...any) {
	s.log.Error("panic", append([]any{"in", what, "panic", fmt.Sprint(r), "stack", string(debug.Stack())}, attrs...)...)
}

// admit registers the session, or turns it away when the desk is closing
// (its seat was taken with its channel); it logs the start and the end of
// each session, and closes it with the exit status the middlewares after
// it chose.
func (s *Server) admit() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			c := linkOf(sess.Context())
			l, closing := s.live.add(sess, c)
			who := whoOf(sess)
			attrs := []any{"account", string(who.Handle), "key", who.Fingerprint, "remote", addr(sess.RemoteAddr())}
			if closing {
				s.live.remove(sess)
				s.log.Info("session refused", append(attrs, "reason", endClosing)...)
				s.tell(sess, "srv.closing")
				_ = sess.Exit(1)
				return
			}
			// The key may have been removed since identify checked it,
			// before revoke could see this session: it was marked first.
			if c != nil && c.isRevoked() {
				l.end(endKeyRemoved)
			}
			pty, _, _ := sess.Pty()
			start := time.Now()
			s.log.Info("session start", append(attrs, "session", shortID(sess), "term", clientText(pty.Term),
				"width", pty.Window.Width, "height", pty.Window.Height, "client", clientText(sess.Context().ClientVersion()))...)
			defer func() {
				if r := recover(); r != nil {
					s.logPanic("session", r, "account", string(who.Handle))
					l.end(endPanic)
					l.exit(1)
					s.tell(sess, "srv.crashed")
				}
				// The place is free before the client learns the session
				// ended, so it can come back at once.
				s.live.remove(sess)
				end := append(attrs, "session", shortID(sess), "reason", l.why(),
					"duration", time.Since(start).Round(time.Millisecond).String())
				if n := inputDropped(sess); n > 0 {
					end = append(end, "input-dropped", n)
				}
				s.log.Info("session end", end...)
				_ = sess.Exit(l.exitCode())
			}()
			next(sess)
		}
	}
}

// requireTerminal turns away what the desk cannot serve: a command, or a
// session without a terminal.
func (s *Server) requireTerminal() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			port := "22"
			if a, ok := sess.LocalAddr().(*net.TCPAddr); ok {
				port = fmt.Sprint(a.Port)
			}
			l := s.live.get(sess)
			// The command as sent: parsed as a shell would (Command),
			// one with an unclosed quote or of blanks alone was none,
			// and ran the app.
			if sess.RawCommand() != "" {
				l.end(endCommand)
				l.exit(1)
				if ssh := s.sshCommand(sess); ssh != "" {
					s.tell(sess, "srv.no_commands_at", locale.Args{"SSH": ssh})
				} else {
					s.tell(sess, "srv.no_commands", locale.Args{"Port": port})
				}
				return
			}
			if _, _, ok := sess.Pty(); !ok {
				l.end(endNoTerminal)
				l.exit(1)
				if ssh := s.sshCommand(sess); ssh != "" {
					s.tell(sess, "srv.no_terminal_at", locale.Args{"SSH": strings.Replace(ssh, "ssh ", "ssh -t ", 1)})
				} else {
					s.tell(sess, "srv.no_terminal", locale.Args{"Port": port})
				}
				return
			}
			next(sess)
		}
	}
}

// sshCommand is how the desk's customers reach it ("ssh -p 2222
// desk.example.net", its public-ssh), for the line that turns a session
// away to give the whole command, where it said "HOST"; "" when
// public-ssh is not set or the desk did not answer within 2 s.
func (s *Server) sshCommand(sess ssh.Session) string {
	ctx, cancel := context.WithTimeout(sess.Context(), 2*time.Second)
	defer cancel()
	set, err := s.desk.Settings(ctx)
	if err != nil {
		return ""
	}
	return set.SSHCommand()
}

// shortID names a session in the log without giving away its hash.
func shortID(sess ssh.Session) string {
	id := sess.Context().SessionID()
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}

// inputDropped is how many bytes of sess's input were dropped, sent
// while maxUnread of them waited for the app.
func inputDropped(sess ssh.Session) int64 {
	if s, ok := sess.(*session); ok && s.ch.in != nil {
		return s.ch.in.Dropped()
	}
	return 0
}
