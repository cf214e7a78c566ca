package server

import (
	"context"
	"strings"
	"testing"
	"time"
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
