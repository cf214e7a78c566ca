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
	// Idle after 5 s: its frames are gone once it ends (the terminal
	// leaves the alternate screen), and a busy machine could draw them,
	// or keep this test from looking, past 2 s.
	f := start(t, func(o *Options) { o.IdleTimeout = 5 * time.Second })
	if _, err := f.desk.SetLang(context.Background(), alice, "pt"); err != nil {
		t.Fatal(err)
	}
	s := open(t, f.login(t, alice), 100, 30, "xterm")
	s.waitFor(t, "1 Serviços", settle)
	s.waitFor(t, "aa11111-ovh Alice Abreu", settle)
	s.waitEnd(t, settle)
	if got := s.stderr.String(); !strings.Contains(got, "contactdesk: sessão fechada após 5 segundos sem nenhuma tecla") {
		t.Errorf("stderr: %q", got)
	}
}

// TestShutdownNoticeInTheAccountsLanguage: the warning that the server
// is about to close reaches each session in its account's language.
func TestShutdownNoticeInTheAccountsLanguage(t *testing.T) {
	// A notice of 5 s: the sessions end with it, and their screens with
	// them, which a busy machine could make come before this test looked.
	f := start(t, func(o *Options) { o.ShutdownNotice = 5 * time.Second })
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
	a.waitFor(t, "o contactdesk fecha para manutenção daqui a 5 segundos", settle)
	b.waitFor(t, "contactdesk closes for maintenance in 5 seconds", settle)
}

// TestTooManySessionsInTheAccountsLanguage: a session beyond the
// account's limit is told so in the account's language, on its stderr,
// and ends with exit status 1.
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
		if got := refusedSession(t, f.login(t, model.Handle(h))); got != want+"\r\n" {
			t.Errorf("%s's 2nd session was told %q; want the line %q", h, got, want)
		}
	}
}

// TestChannelRefusalsInTheAccountsLanguage: a full desk is told in the
// account's language too. A refusal as the channel opens (more sessions
// than a connection holds) is ASCII: OpenSSH would print any other byte
// as an octal escape.
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
	var oc *gossh.OpenChannelError
	if !errors.As(err, &oc) || !strings.Contains(oc.Message, "one connection may hold 4 sessions") {
		t.Errorf("a 5th session on one connection: %v", err)
	} else if strings.ContainsFunc(oc.Message, func(r rune) bool { return r > 0x7e }) {
		t.Errorf("a refused channel's reason is not ASCII: %q", oc.Message)
	}
	open(t, f.login(t, bruno), 100, 30, "xterm") // the desk's last place
	want := "contactdesk\u00a0: le guichet est plein pour le moment\u00a0; réessayez dans quelques minutes"
	if got := refusedSession(t, f.login(t, bruno)); got != want+"\r\n" {
		t.Errorf("a session past the desk's maximum was told %q; want the line %q", got, want)
	}
}

// TestTooManySessionsInEnglishWhenTheAccountCantBeRead: when the desk
// can't say the account's language, the refusal is English, not late.
func TestTooManySessionsInEnglishWhenTheAccountCantBeRead(t *testing.T) {
	f := startPlaceholder(t, func(o *Options) { o.SessionsPerAccount = 1 })
	if _, err := f.desk.SetLang(context.Background(), alice, "pt"); err != nil {
		t.Fatal(err)
	}
	// The first session holds the account's one place once its app is
	// drawn: the server read the desk to open it, before the database
	// goes (closed earlier, it was refused as unavailable too).
	open(t, f.login(t, alice), 100, 30, "xterm").waitFor(t, "me aa11111-ovh", settle)
	c := f.login(t, alice)
	f.desk.Store().Close() // the database is gone after the login
	start := time.Now()
	const want = "contactdesk: aa11111-ovh has too many sessions open (1); close one and connect again\r\n"
	if got := refusedSession(t, c); got != want {
		t.Errorf("a 2nd session was told %q; want %q", got, want)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("refused after %s", d)
	}
}

// refusedSession opens a session with a terminal on c, which the server
// must refuse once open (exit status 1), and returns what it was told on
// its stderr.
func refusedSession(t *testing.T, c *gossh.Client) string {
	t.Helper()
	tm, err := tryOpen(c, 100, 30, "xterm")
	if err != nil {
		t.Fatalf("the session did not open: %v", err)
	}
	defer tm.sess.Close()
	var exit *gossh.ExitError
	if err := tm.waitEnd(t, settle); !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("the session ended with %v, want exit status 1", err)
	}
	return tm.stderr.String()
}
