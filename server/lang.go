package server

import (
	"context"
	"strings"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"

	"contactdesk/locale"
)

// tell writes a session's last line, in the language of its account
// (as it stands now: the account may have chosen another during the
// session), else of the client's environment (the LANG that ssh sends
// with SendEnv), else English. The line is a catalogue message (srv.*).
func (s *Server) tell(sess ssh.Session, id string, args ...locale.Args) {
	wish.Errorln(sess, s.speaker(sess).T(id, args...))
}

func (s *Server) speaker(sess ssh.Session) *locale.Localizer {
	who := whoOf(sess)
	if who.Handle != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if a, err := s.desk.Account(ctx, who.Handle); err == nil && a.Lang.Known() {
			return locale.For(a.Lang)
		}
		if who.Lang.Known() {
			return locale.For(who.Lang)
		}
	}
	env := map[string]string{}
	for _, kv := range sess.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	l, _ := locale.FromEnv(func(k string) string { return env[k] })
	return locale.For(l)
}
