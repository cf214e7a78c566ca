package server

// The shared server against a hostile customer (issue 12, items 1 to 6):
// each test drives a real server on 127.0.0.1 with golang.org/x/crypto/ssh
// as the client, doing what a stock client never would.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"contactdesk/internal/syncbuf"
	"contactdesk/model"
	"contactdesk/storage"
)

// TestHugeTerminal: a client that claims a 12000×12000 terminal, when
// it opens one or in a window change, gets a desk of the maximum size.
func TestHugeTerminal(t *testing.T) {
	f := startPlaceholder(t, nil)
	tm := openSized(t, f.login(t, alice), 12000, 12000, DefaultMaxWidth, DefaultMaxHeight)
	tm.waitFor(t, "size 500x200", settle)
	if err := tm.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(t, "size 100x30", settle)
	if err := tm.sess.WindowChange(math.MaxUint32, 12000); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(t, "size 500x200", settle)
}

// TestHugeTerminalMemory: a 12000×12000 terminal, asked for as the
// session opens or in a window change, costs the server less than 50 MiB
// more than an 80×24 one (unclamped, its screen buffer alone is 16 GB).
func TestHugeTerminalMemory(t *testing.T) {
	f := start(t, nil)
	// What the first session loads once is not a session's cost.
	warm := open(t, f.login(t, bruno), 80, 24, "xterm-256color")
	warm.waitFor(t, "bb22222-ovh Bruno Bento", settle)
	frame := func(tm *term, want string) {
		tm.waitFor(t, want, settle)
		time.Sleep(300 * time.Millisecond) // the rest of the frame
	}

	h0 := liveHeap()
	frame(open(t, f.login(t, alice), 80, 24, "xterm-256color"), "aa11111-ovh Alice Abreu")
	normal := int64(liveHeap()) - int64(h0)

	h1 := liveHeap()
	frame(openSized(t, f.login(t, alice), 12000, 12000, DefaultMaxWidth, DefaultMaxHeight), "aa11111-ovh Alice Abreu")
	grown := openSized(t, f.login(t, alice), 80, 24, DefaultMaxWidth, DefaultMaxHeight)
	frame(grown, "aa11111-ovh Alice Abreu")
	changed := grown.scr.Changed()
	if err := grown.sess.WindowChange(12000, 12000); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(settle):
		t.Fatal("no frame after the window change")
	}
	time.Sleep(300 * time.Millisecond)
	huge := (int64(liveHeap()) - int64(h1)) / 2

	t.Logf("an 80×24 session costs %.1f MiB, a 12000×12000 one %.1f MiB", float64(normal)/(1<<20), float64(huge)/(1<<20))
	if huge-normal >= 50<<20 {
		t.Errorf("a 12000×12000 terminal costs %.0f MiB more than an 80×24 one; want < 50", float64(huge-normal)/(1<<20))
	}
}

// TestWindowChangeFlood: 20,000 window changes right after the shell
// starts, from a client that reads nothing, then a hang-up. Three times:
// the server holds no more files, goroutines or memory afterwards than
// before, within seconds.
func TestWindowChangeFlood(t *testing.T) {
	f := startPlaceholder(t, nil)
	// A first session, so that what the first one starts once (the
	// database's connections) is in the baseline.
	warm := f.login(t, bruno)
	open(t, warm, 80, 24, "xterm").waitFor(t, "me bb22222-ovh", settle)
	warm.Close()
	for deadline := time.Now().Add(settle); f.srv.Sessions() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first session did not end")
		}
	}

	fds0, g0, heap0 := openFiles(t), runtime.NumGoroutine(), liveHeap()
	for round := range 3 {
		c, err := f.dial(string(alice), f.authOf(alice))
		if err != nil {
			t.Fatal(err)
		}
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		if _, err := sess.StdoutPipe(); err != nil { // and never read
			t.Fatal(err)
		}
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		sent := make(chan error, 1)
		go func() {
			for i := range 20000 {
				if err := sess.WindowChange(20+i%40, 60+i%80); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
		select {
		case err := <-sent:
			if err != nil {
				t.Errorf("round %d: %v", round+1, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("round %d: the server stopped reading the window changes", round+1)
		}
		c.Close() // the hang-up
	}

	deadline := time.Now().Add(settle)
	for {
		fds, g := openFiles(t), runtime.NumGoroutine()
		if f.srv.Sessions() == 0 && fds <= fds0 && g <= g0 {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%s after the hang-ups, %d sessions, %d open files (%d before), %d goroutines (%d before):\n%s",
				settle, f.srv.Sessions(), fds, fds0, g, g0, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(50 * time.Millisecond)
	}
	if grown := int64(liveHeap()) - int64(heap0); grown > 8<<20 {
		t.Errorf("the server holds %.1f MiB more than before the three rounds", float64(grown)/(1<<20))
	}
}

// openFiles counts this process's open file descriptors, but the
// database's: its pool may keep one more connection open after a busy
// moment, which is no session's.
func openFiles(t testing.TB) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		// Linux, where CI runs, always has it: no skip that would
		// prove nothing.
		t.Fatal("counting open files needs /proc/self/fd (Linux):", err)
	}
	n := 0
	for _, fd := range fds {
		if target, _ := os.Readlink("/proc/self/fd/" + fd.Name()); !strings.Contains(target, "desk.db") {
			n++
		}
	}
	return n
}

// TestSessionsPerConnection: one key on one connection asks for 60
// sessions with --max-sessions 40; it gets a few, and another customer
// still gets in.
func TestSessionsPerConnection(t *testing.T) {
	f := start(t, func(o *Options) { o.MaxSessions = 40 })
	c := f.login(t, alice)
	var opened []*term
	var refusal error
	for range 60 {
		tm, err := tryOpen(c, 100, 30, "xterm")
		if err != nil {
			refusal = err
			continue
		}
		t.Cleanup(func() { tm.sess.Close() })
		opened = append(opened, tm)
	}
	if len(opened) != DefaultSessionsPerConn {
		t.Errorf("%d sessions opened on one connection, want %d", len(opened), DefaultSessionsPerConn)
	}
	if refusal == nil || !strings.Contains(refusal.Error(), "contactdesk: one connection may hold 4 sessions; open another connection") {
		t.Errorf("the refusal: %v", refusal)
	}
	for _, tm := range opened {
		tm.waitFor(t, "aa11111-ovh Alice Abreu", settle)
	}
	open(t, f.login(t, bruno), 100, 30, "xterm").waitFor(t, "bb22222-ovh Bruno Bento", settle)
	if n := f.srv.Sessions(); n != len(opened)+1 {
		t.Errorf("%d sessions counted, want %d", n, len(opened)+1)
	}
	f.waitRefusals(t, RefusedConnection, 60-len(opened))
	f.waitLog(t, settle, "session refused", "account=aa11111-ovh", "reason=per-connection limit=4 open=4")
}

// TestBareSessionChannels: session channels that never ask for a shell,
// as many as a connection may open at once (more are paced: see
// TestChannelOpensArePaced), take no more than a connection's few places.
func TestBareSessionChannels(t *testing.T) {
	f := start(t, func(o *Options) { o.MaxSessions = 40 })
	c := f.login(t, alice)
	accepted := 0
	for range channelOpenBurst {
		ch, reqs, err := c.OpenChannel("session", nil)
		if err != nil {
			continue
		}
		go gossh.DiscardRequests(reqs)
		defer ch.Close()
		accepted++
	}
	if accepted != DefaultSessionsPerConn {
		t.Errorf("%d session channels accepted on one connection, want %d", accepted, DefaultSessionsPerConn)
	}
	// Each holds a place: the desk counts them against its maximum.
	if n := f.srv.Sessions(); n != accepted {
		t.Errorf("%d sessions counted, want %d", n, accepted)
	}
	open(t, f.login(t, bruno), 100, 30, "xterm").waitFor(t, "bb22222-ovh Bruno Bento", settle)
}

// TestSessionsPerAccount: an account opens its five sessions; the next is
// told, in one line, that it has too many open; other customers still get
// in; once one of the five ends, it gets in again.
func TestSessionsPerAccount(t *testing.T) {
	f := start(t, func(o *Options) { o.MaxSessions = DefaultSessionsPerAccount + 1 })
	var mine []*term
	for range DefaultSessionsPerAccount {
		tm := open(t, f.login(t, alice), 100, 30, "xterm")
		tm.waitFor(t, "aa11111-ovh Alice Abreu", settle)
		mine = append(mine, tm)
	}
	const want = "contactdesk: aa11111-ovh has too many sessions open (5); close one and connect again\r\n"
	if got := refusedSession(t, f.login(t, alice)); got != want {
		t.Errorf("a 6th session was told %q; want the line %q", got, want)
	}
	f.waitRefusals(t, RefusedAccount, 1)
	// the log says the limit as the user reads it, and what it counted
	f.waitLog(t, settle, "session refused", "account=aa11111-ovh", "reason=per-account limit=5 open=5")

	open(t, f.login(t, bruno), 100, 30, "xterm").waitFor(t, "bb22222-ovh Bruno Bento", settle)

	io.WriteString(mine[0].stdin, "q")
	mine[0].waitEnd(t, settle)
	open(t, f.login(t, alice), 100, 30, "xterm").waitFor(t, "aa11111-ovh Alice Abreu", settle)
}

// TestSessionLimitLoggedAsTold: the line that logs a session refused for
// the account's limit gives the limit the user is told (5) and the
// account's sessions open, not a count of the desk's (6, with another
// customer's session).
func TestSessionLimitLoggedAsTold(t *testing.T) {
	f := startPlaceholder(t, nil)
	open(t, f.login(t, bruno), 100, 30, "xterm")
	for range DefaultSessionsPerAccount {
		open(t, f.login(t, alice), 100, 30, "xterm")
	}
	if got := refusedSession(t, f.login(t, alice)); !strings.Contains(got, "too many sessions open (5)") {
		t.Fatalf("a 6th session was told %q", got)
	}
	line := f.waitLog(t, settle, "session refused", "account=aa11111-ovh", "reason=per-account")
	if !strings.Contains(line, " limit=5 open=5") || strings.Contains(line, "=6") {
		t.Errorf("the refusal is logged as\n%s\nwant limit=5 open=5, the user being told 5", line)
	}
}

// TestNoSessionConnection: a connection that opens no session is closed
// after the no-session timeout, though it sends keepalives every 200 ms;
// one with a session is not, until its session ends.
func TestNoSessionConnection(t *testing.T) {
	// 3 s: the second connection must open its session within it, and a
	// busy machine could take a second between its login and that.
	const timeout = 3 * time.Second
	f := start(t, func(o *Options) { o.NoSessionTimeout = timeout })
	began := time.Now() // the timeout runs from the connection's start
	c := f.login(t, alice)
	closed := make(chan error, 1)
	go func() { closed <- c.Wait() }()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, _, err := c.SendRequest("keepalive@openssh.com", true, nil); err != nil {
					return
				}
			}
		}
	}()
	select {
	case <-closed:
		if d := time.Since(began); d < timeout {
			t.Errorf("closed after %s, before the timeout", d)
		}
	case <-time.After(timeout + 5*time.Second):
		t.Fatal("a connection with no session is still open")
	}
	f.waitLog(t, settle, "connection closed", "account=aa11111-ovh", `reason="no session"`)

	c2 := f.login(t, bruno)
	tm := open(t, c2, 100, 30, "xterm")
	tm.waitFor(t, "bb22222-ovh Bruno Bento", settle)
	time.Sleep(2 * timeout)
	tm.press(t, "2")
	tm.waitFor(t, "My requests", settle)
	io.WriteString(tm.stdin, "q")
	tm.waitEnd(t, settle)
	waitClosed(t, c2, timeout+5*time.Second)
}

// TestKeyRemovedEndsSessions: within 2 s of its key's removal, by this
// process or by another (key remove on the command line), a session ends
// with a one-line message, and its connection closes; another customer's
// session goes on.
func TestKeyRemovedEndsSessions(t *testing.T) {
	for _, tt := range []struct {
		name   string
		remove func(f *fixture, fp string) error
	}{
		{"this process", func(f *fixture, fp string) error {
			_, err := f.desk.RemoveKey(context.Background(), fp)
			return err
		}},
		{"another process", func(f *fixture, fp string) error {
			st, err := storage.Open(f.desk.Store().(*storage.DB).Path(), storage.Options{})
			if err != nil {
				return err
			}
			defer st.Close()
			_, err = model.NewDesk(st, model.Options{}).RemoveKey(context.Background(), fp)
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := start(t, nil)
			c := f.login(t, alice)
			a := open(t, c, 100, 30, "xterm")
			a.waitFor(t, "aa11111-ovh Alice Abreu", settle)
			b := open(t, f.login(t, bruno), 100, 30, "xterm")
			b.waitFor(t, "bb22222-ovh Bruno Bento", settle)

			if err := tt.remove(f, gossh.FingerprintSHA256(f.keys[alice].PublicKey())); err != nil {
				t.Fatal(err)
			}
			removed := time.Now()
			err := a.waitEnd(t, 2*time.Second)
			var exit *gossh.ExitError
			if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
				t.Errorf("the session ended with %v, want exit status 1", err)
			}
			if got := a.stderr.String(); got != keyRemovedMsg+"\r\n" {
				t.Errorf("stderr %q, want the line %q", got, keyRemovedMsg)
			}
			// It can't act any more: its connection is closed too.
			waitClosed(t, c, 3*time.Second)
			t.Logf("session ended and connection closed %s after the removal", time.Since(removed).Round(time.Millisecond))
			if _, err := tryOpen(c, 100, 30, "xterm"); err == nil {
				t.Error("a session opened after the removal")
			}
			f.waitLog(t, settle, "session end", "account=aa11111-ovh", `reason="key removed"`)
			f.waitLog(t, settle, "connection closed", "account=aa11111-ovh", `reason="key removed"`)

			b.press(t, "2")
			b.waitFor(t, "My requests", settle)
		})
	}
}

// TestManyBehindOneAddress: with no connection rate limit (serve
// --conn-rate 0), 500 customers behind one address (a NAT, a bastion)
// all get their desk.
func TestManyBehindOneAddress(t *testing.T) {
	r := runLoad(t, 500, 0, 0)
	if r.Sessions != 500 {
		t.Errorf("%d sessions open, want 500", r.Sessions)
	}
	t.Logf("500 sessions from 127.0.0.1 set up in %s", r.SetupTime.Round(time.Millisecond))
}

// TestEndedSessionsLeaveNothingRunning: a session that ends, quit or
// cut, leaves none of its program's work running. The app's timers
// (the retime of "2 min ago", a status message's fade) ran as tea.Tick,
// whose goroutine outlives the program until it fires, holding the
// program, its model and screens: a client opening and closing sessions
// one after another kept thousands alive, gigabytes, for 30 s.
func TestEndedSessionsLeaveNothingRunning(t *testing.T) {
	f := start(t, nil)
	c := f.login(t, alice)
	for i := range 6 {
		tm := open(t, c, 100, 30, "xterm")
		tm.waitFor(t, "aa11111-ovh Alice Abreu", settle)
		if i%2 == 0 {
			io.WriteString(tm.stdin, "q")
		} else {
			tm.sess.Close()
		}
		tm.waitEnd(t, settle)
	}
	// The app's retime waits 30 s: well before, nothing of the sessions
	// may be left waiting on it.
	waitNoGoroutine(t, "timers of ended sessions", "bubbletea/v2.Tick", "contactdesk/tui.after")
}

// TestClientChosenTextIsCutInTheLog: what a client chooses (TERM, as
// the user name) is logged short: a TERM of 250,000 characters, with each
// of thousands of sessions opened one after another, wrote 477 MiB of log
// in 10 s. Such a TERM is now no terminal's name, and the session, as its
// log line, says xterm (see TestTerminalNameKeptBySession).
func TestClientChosenTextIsCutInTheLog(t *testing.T) {
	f := start(t, nil)
	long := strings.Repeat("x", 100_000)
	tm := open(t, f.login(t, alice), 100, 30, long)
	tm.waitFor(t, "aa11111-ovh Alice Abreu", settle)
	logged := f.waitLog(t, settle, "session start", "account=aa11111-ovh")
	if strings.Contains(logged, long[:maxClientText]) || !strings.Contains(logged, "term=xterm ") {
		t.Errorf("the log holds %d bytes for one session's TERM:\n%.300s", len(logged), logged)
	}
}

// TestSessionStartsPerAccount: an account that starts sessions one after
// another, each ended before the next, is refused past its rate, told
// when to come back; another account is not. The limits of sessions open
// at once never counted a session already ended: a client starting 200
// a second on one connection took most of both cores.
func TestSessionStartsPerAccount(t *testing.T) {
	f := start(t, func(o *Options) { o.SessionRate = 3 })
	c := f.login(t, alice)
	for range 3 {
		tm := open(t, c, 100, 30, "xterm")
		tm.waitFor(t, "aa11111-ovh Alice Abreu", settle)
		io.WriteString(tm.stdin, "q")
		tm.waitEnd(t, settle)
	}
	got := refusedSession(t, c)
	if !strings.HasPrefix(got, "contactdesk: aa11111-ovh started too many sessions in the last minute; connect again in ") {
		t.Errorf("a 4th session in the minute was told %q", got)
	}
	f.waitRefusals(t, RefusedStarts, 1)
	open(t, f.login(t, bruno), 100, 30, "xterm").waitFor(t, "bb22222-ovh Bruno Bento", settle)
}

// TestInputAfterTheEndLeavesNothing: keys still coming as a session ends
// (typed after q, or sent as the client hangs up) leave nothing behind.
// The program's own input reader sent each event to the program and
// waited for it to be taken, whatever the program's end: it waited for
// good, and kept the whole program, its model and screens (a hostile
// tester leaked 630 MB with ten sessions).
func TestInputAfterTheEndLeavesNothing(t *testing.T) {
	f := start(t, nil)
	c := f.login(t, alice)
	for range 3 {
		tm := open(t, c, 100, 30, "xterm")
		tm.waitFor(t, "aa11111-ovh Alice Abreu", settle)
		io.WriteString(tm.stdin, "q"+strings.Repeat("jk", 50_000))
		tm.waitEnd(t, settle)
	}
	waitNoGoroutine(t, "input readers of ended sessions", "ultraviolet.(*TerminalReader).StreamEvents", "(*Program).readLoop")
}

// waitNoGoroutine waits until no goroutine runs a function named in
// marks (what), for 10 s at most: well before any timer of an ended
// session would fire.
func waitNoGoroutine(t *testing.T, what string, marks ...string) {
	t.Helper()
	count := func() int {
		buf := make([]byte, 8<<20)
		n := 0
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			for _, m := range marks {
				if strings.Contains(g, m) {
					n++
					break
				}
			}
		}
		return n
	}
	deadline := time.Now().Add(10 * time.Second)
	for count() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d %s still wait", count(), what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRequestsKeptBySession: a session sent 64 environment variables of
// 200 KiB before its shell and 128 signals of 200 KiB after it, each one
// packet, costs the server less than 4 MiB more than a plain one: the
// library kept every one of them for the session's life (38 MiB a
// session, 190 MiB for an account's five). A terminal's few short
// variables still reach the program.
func TestRequestsKeptBySession(t *testing.T) {
	// unpaced: its 38 MB of requests would take ten minutes at the pace
	// of their bytes (TestRequestBytesArePaced), and more than a minute
	// at the connection's (TestConnectionBytesArePaced)
	f := startPlaceholder(t, func(o *Options) { o.requestBytes, o.wireBytes = rate.Inf, rate.Inf })
	warm := open(t, f.login(t, bruno), 80, 24, "xterm")
	warm.waitFor(t, "me bb22222-ovh", settle)

	h0 := liveHeap()
	plain := open(t, f.login(t, bruno), 80, 24, "xterm")
	plain.waitFor(t, "me bb22222-ovh", settle)
	normal := int64(liveHeap()) - int64(h0)

	h1 := liveHeap()
	c := f.login(t, alice)
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	big := strings.Repeat("x", 200<<10)
	kept := 0
	for i := range 64 {
		if sess.Setenv(fmt.Sprintf("V%d", i), big) == nil {
			kept++
		}
	}
	if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	tm := &term{sess: sess, scr: newScreen(100, 30), stderr: &syncbuf.Buffer{}, ended: make(chan error, 1)}
	sess.Stdout, sess.Stderr = tm.scr, tm.stderr
	if tm.stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(t, "me aa11111-ovh", settle)
	for range 128 {
		if err := sess.Signal(gossh.Signal(big)); err != nil {
			t.Fatal(err)
		}
	}
	// The channel's requests are handled in order: once the program has
	// this size, the server has had every signal.
	if err := sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(t, "size 100x30", settle)
	hostile := int64(liveHeap()) - int64(h1)

	t.Logf("a plain session costs %.1f MiB, one sent %d big variables and 128 big signals %.1f MiB",
		float64(normal)/(1<<20), kept, float64(hostile)/(1<<20))
	if hostile-normal >= 4<<20 {
		t.Errorf("the session's big variables and signals cost %.0f MiB; want < 4", float64(hostile-normal)/(1<<20))
	}

	// the variables of a terminal: still the program's
	colours := open(t, f.login(t, bruno), 80, 24, "xterm-256color", "LANG", "pt_PT.UTF-8", "COLORTERM", "truecolor")
	colours.waitFor(t, "profile TrueColor", settle)
}

// keyCounter is a program that counts the keys it is handed.
type keyCounter struct{ n *atomic.Int64 }

func (k keyCounter) Init() tea.Cmd { return nil }

func (k keyCounter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		k.n.Add(1)
	}
	return k, nil
}

func (k keyCounter) View() tea.View { return tea.NewView(fmt.Sprintf("keys %d", k.n.Load())) }

// TestKeysArePaced: keys sent as fast as a client can reach the program
// DefaultKeyBurst at once, then DefaultKeyRate a second, never faster
// (each costs the app its update: a client flooding keys kept a core
// busy per session); none is lost, and a client that hangs up in the
// middle of a flood ends its session.
func TestKeysArePaced(t *testing.T) {
	var got atomic.Int64
	f := startPlaceholder(t, func(o *Options) {
		o.NewModel = func(context.Context, ssh.Session, model.Account) tea.Model { return keyCounter{&got} }
	})
	c := f.login(t, alice)
	tm := open(t, c, 80, 24, "xterm")
	tm.waitFor(t, "keys 0", settle)

	const sent = DefaultKeyBurst + 2*DefaultKeyRate
	start := time.Now()
	if _, err := io.WriteString(tm.stdin, strings.Repeat("a", sent)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(settle); ; time.Sleep(10 * time.Millisecond) {
		n := got.Load()
		// the time is read after the count: a slow machine only
		// counts fewer within it
		if allowed := DefaultKeyBurst + 1 + int64(time.Since(start).Seconds()*DefaultKeyRate); n > allowed {
			t.Fatalf("%d keys reached the program %v after they were sent; want at most %d", n, time.Since(start).Round(time.Millisecond), allowed)
		}
		if n >= sent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of the %d keys reached the program", n, sent)
		}
	}
	tm.waitFor(t, fmt.Sprintf("keys %d", sent), settle)

	// a flood of which a hang-up interrupts the wait
	if _, err := io.WriteString(tm.stdin, strings.Repeat("a", 100*DefaultKeyBurst)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	for deadline := time.Now().Add(settle); f.srv.Sessions() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the session flooding keys did not end with its connection")
		}
	}
}

// TestTerminalNameKeptBySession: a session keeps a terminal's name as
// its client sent it, and one that is no terminal's (too long, or with
// spaces or control characters) as a plain xterm: the library kept the
// TERM of a pty-req whole, up to an SSH packet (256 KiB a session, handed
// on to the program, its input reader and its environment). The program
// sees the name the session keeps.
func TestTerminalNameKeptBySession(t *testing.T) {
	seen := make(chan string, 1)
	f := startPlaceholder(t, func(o *Options) {
		inner := o.NewModel
		o.NewModel = func(ctx context.Context, sess ssh.Session, who model.Account) tea.Model {
			pty, _, _ := sess.Pty()
			seen <- pty.Term
			return inner(ctx, sess, who)
		}
	})
	for _, tt := range []struct{ sent, kept string }{
		{"xterm-256color", "xterm-256color"},
		{"rxvt-unicode-256color", "rxvt-unicode-256color"},
		{strings.Repeat("x", maxTermName), strings.Repeat("x", maxTermName)},
		{strings.Repeat("x", maxTermName+1), "xterm"},
		{"xterm-256color" + strings.Repeat("x", 200<<10), "xterm"},
		{"xterm\x1b[31m", "xterm"},
		{"xterm 256color", "xterm"},
	} {
		tm := open(t, f.login(t, alice), 80, 24, tt.sent)
		tm.waitFor(t, "me aa11111-ovh", settle)
		if got := <-seen; got != tt.kept {
			t.Errorf("a session sent TERM %.40q (%d bytes) keeps %.40q (%d bytes), want %q", tt.sent, len(tt.sent), got, len(got), tt.kept)
		}
		tm.sess.Close()
	}
}
