package server

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/model"
)

// TestSessionSpeaksTheAccountsLanguage: over SSH the app speaks the
// account's language from its first frame, and the line the server
// ends a session with is in that language too.
func TestSessionSpeaksTheAccountsLanguage(t *testing.T) {
	f := start(t, func(o *Options) { o.IdleTimeout = 2 * time.Second })
	if _, err := f.desk.SetLang(context.Background(), alice, "pt"); err != nil {
		t.Fatal(err)
	}
	s := open(t, f.login(t, alice), 100, 30, "xterm")
	s.waitFor(t, "1 Serviços", settle)
	s.waitFor(t, "aa11111-ovh Alice Abreu", settle)
	s.waitEnd(t, settle)
	if got := s.stderr.String(); !strings.Contains(got, "contactdesk: sessão fechada após 2 segundos sem nenhuma tecla") {
		t.Errorf("stderr: %q", got)
	}
}

// TestShutdownNoticeInTheAccountsLanguage: the warning that the server
// is about to close reaches each session in its account's language.
func TestShutdownNoticeInTheAccountsLanguage(t *testing.T) {
	f := start(t, func(o *Options) { o.ShutdownNotice = 2 * time.Second })
	if _, err := f.desk.SetLang(context.Background(), alice, "pt"); err != nil {
		t.Fatal(err)
	}
	a := open(t, f.login(t, alice), 100, 30, "xterm")
	b := open(t, f.login(t, bruno), 100, 30, "xterm")
	a.waitFor(t, "1 Serviços", settle)
	b.waitFor(t, "bb22222-ovh Bruno Bento", settle)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go f.srv.Shutdown(ctx)
	a.waitFor(t, "o contactdesk fecha para manutenção daqui a 2 segundos", settle)
	b.waitFor(t, "contactdesk closes for maintenance in 2 seconds", settle)
}

// TestTooManySessionsInTheAccountsLanguage: the refusal of a session
// beyond the account's limit is in the account's language, the line the
// client shows ("open failed: resource shortage: …").
func TestTooManySessionsInTheAccountsLanguage(t *testing.T) {
	f := startPlaceholder(t, func(o *Options) { o.SessionsPerAccount = 1 })
	ctx := context.Background()
	if _, err := f.desk.SetLang(ctx, alice, "pt"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.SetLang(ctx, bruno, "fr"); err != nil {
		t.Fatal(err)
	}
	for h, want := range map[string]string{
		string(alice): "contactdesk: aa11111-ovh tem demasiadas sessões abertas (1); feche uma e volte a ligar-se",
		string(bruno): "contactdesk\u00a0: bb22222-ovh a trop de sessions ouvertes (1)\u00a0; fermez-en une et reconnectez-vous",
	} {
		open(t, f.login(t, model.Handle(h)), 100, 30, "xterm")
		_, err := tryOpen(f.login(t, model.Handle(h)), 100, 30, "xterm")
		if got := rejection(err); got != want {
			t.Errorf("%s's 2nd session: %v; want the line %q", h, err, want)
		}
	}
}

// TestChannelRefusalsInTheAccountsLanguage: a full desk, and a
// connection that holds its sessions, are refused in the account's
// language too.
func TestChannelRefusalsInTheAccountsLanguage(t *testing.T) {
	f := startPlaceholder(t, func(o *Options) { o.MaxSessions = DefaultSessionsPerConn + 1 })
	ctx := context.Background()
	if _, err := f.desk.SetLang(ctx, alice, "pt"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.SetLang(ctx, bruno, "fr"); err != nil {
		t.Fatal(err)
	}
	c := f.login(t, alice)
	for range DefaultSessionsPerConn {
		open(t, c, 100, 30, "xterm")
	}
	_, err := tryOpen(c, 100, 30, "xterm")
	if got, want := rejection(err), "contactdesk: uma ligação pode ter no máximo 4 sessões; abra outra ligação"; got != want {
		t.Errorf("a 5th session on one connection: %v; want the line %q", err, want)
	}
	open(t, f.login(t, bruno), 100, 30, "xterm") // the desk's last place
	_, err = tryOpen(f.login(t, bruno), 100, 30, "xterm")
	if got, want := rejection(err), "contactdesk\u00a0: le guichet est plein pour le moment\u00a0; réessayez dans quelques minutes"; got != want {
		t.Errorf("a session past the desk's maximum: %v; want the line %q", err, want)
	}
}

// TestTooManySessionsInEnglishWhenTheAccountCantBeRead: when the desk
// can't say the account's language, the refusal is English, not late.
func TestTooManySessionsInEnglishWhenTheAccountCantBeRead(t *testing.T) {
	f := startPlaceholder(t, func(o *Options) { o.SessionsPerAccount = 1 })
	if _, err := f.desk.SetLang(context.Background(), alice, "pt"); err != nil {
		t.Fatal(err)
	}
	open(t, f.login(t, alice), 100, 30, "xterm")
	c := f.login(t, alice)
	f.desk.Store().Close() // the database is gone after the login
	start := time.Now()
	_, err := tryOpen(c, 100, 30, "xterm")
	const want = "contactdesk: aa11111-ovh has too many sessions open (1); close one and connect again"
	if got := rejection(err); got != want {
		t.Errorf("a 2nd session: %v; want the line %q", err, want)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("refused after %s", d)
	}
}

// rejection is the line a server refused a channel with, as a client
// shows it; "" when err is no refusal.
func rejection(err error) string {
	var oc *gossh.OpenChannelError
	if !errors.As(err, &oc) {
		return ""
	}
	return oc.Message
}
