package server

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"contactdesk/internal/syncbuf"
	"contactdesk/model"
)

func TestSeesOwnServicesOnly(t *testing.T) {
	f := start(t, nil)
	tm := open(t, f.login(t, alice), 100, 30, "xterm-256color")
	tm.waitFor(t, "aa11111-ovh Alice Abreu", settle)
	tm.waitFor(t, "shared.eu", settle)
	scr := tm.scr.Text()
	if !strings.Contains(scr, "alice.pt") || !strings.Contains(scr, "2 of 2") {
		t.Errorf("alice's two services are not shown:\n%s", scr)
	}
	if strings.Contains(scr, "bruno.net") {
		t.Errorf("bruno's service is shown to alice:\n%s", scr)
	}
	// The key decides the account: no switching to another over SSH.
	tm.press(t, "@", "2")
	tm.waitFor(t, "My requests", settle)
	io.WriteString(tm.stdin, "q")
	if err := tm.waitEnd(t, settle); err != nil {
		t.Errorf("quitting ended the session with %v", err)
	}
	f.waitLog(t, settle, "session end", "account=aa11111-ovh", "reason=quit")
	// The session no longer listens to the desk: only its connection
	// does (for a removal of its key), until it closes.
	for deadline := time.Now().Add(settle); f.desk.Broker().Subscribers() > 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions left after the session ended", f.desk.Broker().Subscribers())
		}
	}
}

func TestNoTerminal(t *testing.T) {
	f := start(t, nil)
	c := f.login(t, alice)
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var stdout, stderr syncbuf.Buffer
	sess.Stdout, sess.Stderr = &stdout, &stderr
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	err = sess.Wait()
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("the session ended with %v, want exit status 1", err)
	}
	want := "contactdesk needs a terminal: ssh -t -p " + port(f.addr) + " HOST\n"
	if stderr.String() != want || stdout.String() != "" {
		t.Errorf("stdout %q, stderr %q; want stderr %q", stdout.String(), stderr.String(), want)
	}
	f.waitLog(t, settle, "session end", "reason=\"no terminal\"")
}

// TestTurnedAwayToTheDesksAddress: with public-ssh set, a session
// turned away (no terminal, a command) is given the whole command to
// connect with, in its account's language; it said "ssh -t -p 2222
// HOST", and the customer had to guess what HOST was.
func TestTurnedAwayToTheDesksAddress(t *testing.T) {
	f := start(t, nil)
	ctx := context.Background()
	if _, err := f.desk.SetSetting(ctx, model.SettingPublicSSH, "desk.example.net:2222"); err != nil {
		t.Fatal(err)
	}
	c := f.login(t, alice)
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncbuf.Buffer
	sess.Stderr = &stderr
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	_ = sess.Wait()
	sess.Close()
	if want := "contactdesk needs a terminal: ssh -t -p 2222 desk.example.net\n"; stderr.String() != want {
		t.Errorf("without a terminal: %q, want %q", stderr.String(), want)
	}

	if _, err := f.desk.SetLang(ctx, alice, "pt"); err != nil {
		t.Fatal(err)
	}
	sess, err = c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, _ := sess.CombinedOutput("request list")
	if want := "contactdesk não executa comandos por SSH: ligue-se com ssh -p 2222 desk.example.net\n"; string(out) != want {
		t.Errorf("a command: %q, want %q", out, want)
	}
}

func TestCommandRefused(t *testing.T) {
	f := start(t, nil)
	sess, err := f.login(t, alice).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.CombinedOutput("request list")
	if err == nil || !strings.Contains(string(out), "runs no commands") {
		t.Errorf("a command gave %v: %q", err, out)
	}
}

// TestCommandRefusedWithTerminal: a command is refused with a terminal
// too, whatever it is: one a shell could not parse (an unclosed quote,
// ssh -t HOST "'"), or blanks, ran the app as though no command had been
// given, and one without a terminal was told it needs one.
func TestCommandRefusedWithTerminal(t *testing.T) {
	f := startPlaceholder(t, nil)
	c := f.login(t, alice)
	for _, cmd := range []string{"'", "request list '", "   "} {
		for _, pty := range []bool{true, false} {
			sess, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			if pty {
				if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
					t.Fatal(err)
				}
			}
			var out syncbuf.Buffer
			sess.Stdout, sess.Stderr = &out, &out
			if err := sess.Start(cmd); err != nil {
				t.Fatal(err)
			}
			ended := make(chan error, 1)
			go func() { ended <- sess.Wait() }()
			select {
			case err := <-ended:
				if err == nil || !strings.Contains(out.String(), "runs no commands") {
					t.Errorf("the command %q (terminal: %v) gave %v: %q", cmd, pty, err, out.String())
				}
			case <-time.After(settle):
				t.Errorf("the command %q (terminal: %v) ran the app: %q", cmd, pty, out.String())
			}
			sess.Close()
		}
	}
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func TestResize(t *testing.T) {
	f := startPlaceholder(t, nil)
	tm := open(t, f.login(t, alice), 100, 30, "xterm-256color")
	tm.waitFor(t, "size 100x30", settle)
	tm.scr.Resize(120, 40)
	if err := tm.sess.WindowChange(40, 120); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(t, "size 120x40", settle)
	// Of many changes, faster than the program redraws, the last wins.
	for i := range 2000 {
		if err := tm.sess.WindowChange(20+i%10, 60+i%50); err != nil {
			t.Fatal(err)
		}
	}
	if err := tm.sess.WindowChange(27, 91); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(t, "size 91x27", settle)
}

// TestColourProfilePerSession: each session's colours follow its own
// terminal, not the server's.
func TestColourProfilePerSession(t *testing.T) {
	f := startPlaceholder(t, nil)
	c := f.login(t, alice)
	truecolor := open(t, c, 100, 30, "xterm-256color", "COLORTERM", "truecolor")
	ansi256 := open(t, c, 100, 30, "xterm-256color")
	dumb := open(t, c, 100, 30, "dumb")
	truecolor.waitFor(t, "profile TrueColor", settle)
	ansi256.waitFor(t, "profile ANSI256", settle)
	dumb.waitFor(t, "profile NoTTY", settle)
}

func TestIdleTimeout(t *testing.T) {
	// busy types from the moment it opens, every 50 ms, 60 times within
	// the idle timeout: on a loaded machine a late keystroke must not
	// pass for idleness. (3 s: idle's first frame is looked for before
	// it ends, and its screen is blank once it has.)
	f := startPlaceholder(t, func(o *Options) { o.IdleTimeout = 3 * time.Second })
	c := f.login(t, alice)
	idle := open(t, c, 100, 30, "xterm")
	busy := open(t, c, 100, 30, "xterm")
	stop := make(chan struct{})
	defer close(stop)
	go func() { // busy keeps typing
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				io.WriteString(busy.stdin, "x")
			}
		}
	}()
	idle.waitFor(t, "me aa11111-ovh", settle)
	idle.waitEnd(t, settle)
	if !strings.Contains(idle.stderr.String(), "without a keystroke") {
		t.Errorf("stderr: %q", idle.stderr.String())
	}
	f.waitLog(t, settle, "session end", "reason=idle")
	select {
	case err := <-busy.ended:
		t.Fatalf("a session in use ended too: %v", err)
	default:
	}
	busy.waitFor(t, "> xxx", settle)
}

func TestMaxSessions(t *testing.T) {
	f := start(t, func(o *Options) { o.MaxSessions = 2 })
	a := open(t, f.login(t, alice), 100, 30, "xterm")
	b := open(t, f.login(t, bruno), 100, 30, "xterm")
	a.waitFor(t, "aa11111-ovh Alice Abreu", settle)
	b.waitFor(t, "bb22222-ovh Bruno Bento", settle)
	// The next is told why, in one line on its stderr, and ends.
	if got, want := refusedSession(t, f.login(t, alice)), "contactdesk: the desk is full right now; try again in a few minutes\r\n"; got != want {
		t.Errorf("a session past the limit was told %q; want %q", got, want)
	}
	f.waitLog(t, settle, "session refused", "reason=full limit=2 open=2")
	if n := f.refusals(RefusedFull); n != 1 {
		t.Errorf("%d refusals for a full desk counted, want 1", n)
	}
	// Once one leaves, there is room again.
	io.WriteString(a.stdin, "q")
	a.waitEnd(t, settle)
	open(t, f.login(t, alice), 100, 30, "xterm").waitFor(t, "aa11111-ovh Alice Abreu", settle)
}

// TestPanicEndsOneSession: a panic in a session's program is logged and
// ends that session; the others go on.
func TestPanicEndsOneSession(t *testing.T) {
	f := startPlaceholder(t, nil)
	a := open(t, f.login(t, alice), 100, 30, "xterm")
	b := open(t, f.login(t, bruno), 100, 30, "xterm")
	a.waitFor(t, "me aa11111-ovh", settle)
	b.waitFor(t, "me bb22222-ovh", settle)
	a.typeLine(t, "panic")
	err := a.waitEnd(t, settle)
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("the session ended with %v, want exit status 1", err)
	}
	if !strings.Contains(a.stderr.String(), "something went wrong on our side") {
		t.Errorf("stderr: %q", a.stderr.String())
	}
	f.waitLog(t, settle, "level=ERROR", "msg=panic", "account=aa11111-ovh", "asked to panic")
	f.waitLog(t, settle, "session end", "account=aa11111-ovh", "reason=panic")
	// The guard ended the program itself: Bubble Tea did not have to
	// catch a second panic (and print it on the server's stderr).
	if strings.Contains(f.logs.String(), "program panicked") {
		t.Errorf("the program crashed past the guard:\n%s", f.logs.String())
	}
	b.typeLine(t, "still here")
	b.waitFor(t, "unknown command still", settle)
}

// TestPanicBeforeTheProgram: a panic while the session's program is made
// ends that session, closed with status 1, and frees its place.
func TestPanicBeforeTheProgram(t *testing.T) {
	f := startPlaceholder(t, func(o *Options) {
		o.MaxSessions = 1
		next := o.NewModel
		o.NewModel = func(ctx context.Context, sess ssh.Session, who model.Account) tea.Model {
			if who.Handle == alice {
				panic("no model for alice")
			}
			return next(ctx, sess, who)
		}
	})
	a := open(t, f.login(t, alice), 100, 30, "xterm")
	err := a.waitEnd(t, settle)
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(a.stderr.String(), "something went wrong") {
		t.Errorf("the session ended with %v, stderr %q", err, a.stderr.String())
	}
	f.waitLog(t, settle, "msg=panic", "no model for alice")
	f.waitLog(t, settle, "session end", "account=aa11111-ovh", "reason=panic")
	open(t, f.login(t, bruno), 100, 30, "xterm").waitFor(t, "me bb22222-ovh", settle)
}

// TestAgentForwardingRefused: ssh -A asks to forward the client's agent
// (auth-agent-req@openssh.com); the desk never uses one, so it says no,
// as it does to x11.
func TestAgentForwardingRefused(t *testing.T) {
	f := start(t, nil)
	sess, err := f.login(t, alice).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	for _, req := range []string{"auth-agent-req@openssh.com", "x11-req"} {
		if ok, err := sess.SendRequest(req, true, nil); ok || err != nil {
			t.Errorf("%s: accepted %v, %v", req, ok, err)
		}
	}
}
