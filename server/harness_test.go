package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"contactdesk/internal/syncbuf"
	"contactdesk/model"
	"contactdesk/storage"
	"contactdesk/tui"
)

// settle bounds a wait for something that only has to happen: a first
// frame, a form's answer. It is generous because CI runs every package's
// tests at once under the race detector, on two cores. Waits the issue
// makes a requirement ("within a second") keep their own bound.
const settle = 15 * time.Second

// The accounts of the test desk, and what each holds.
const (
	alice model.Handle = "aa11111-ovh" // admin of alice.pt and shared.eu
	bruno model.Handle = "bb22222-ovh" // everything of bruno.net, tech of shared.eu
	carla model.Handle = "cc33333-ovh" // nothing; has no key
)

// fixture is a desk with a few accounts, served on a free local port.
type fixture struct {
	desk *model.Desk
	srv  *Server
	addr string
	logs *syncbuf.Buffer
	keys map[model.Handle]gossh.Signer
	done chan error

	mu      sync.Mutex
	refused map[Refusal]int // as the OnRefuse hook counted them
}

func (f *fixture) refuse(r Refusal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refused == nil {
		f.refused = map[Refusal]int{}
	}
	f.refused[r]++
}

// refusals is how many times the server said it refused for r.
func (f *fixture) refusals(r Refusal) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused[r]
}

// start serves a fresh desk with the real terminal app; change adjusts
// the server's options.
func start(t testing.TB, change func(*Options)) *fixture {
	t.Helper()
	return startWith(t, false, change)
}

// startPlaceholder serves the desk with deskModel, for the tests of what
// the server gives every program (size, colours, a panic).
func startPlaceholder(t testing.TB, change func(*Options)) *fixture {
	t.Helper()
	return startWith(t, true, change)
}

// tuiApp is the terminal app, as serve runs it.
func tuiApp(d *model.Desk) ModelFunc {
	return func(ctx context.Context, _ ssh.Session, who model.Account) tea.Model {
		return tui.New(d, who.Handle, tui.Options{Locked: true, Context: ctx})
	}
}

func startWith(t testing.TB, placeholder bool, change func(*Options)) *fixture {
	t.Helper()
	return startOver(t, placeholder, nil, change)
}

// startOver is startWith over the store wrap makes of the desk's
// database (nil: the database itself).
func startOver(t testing.TB, placeholder bool, wrap func(model.Store) model.Store, change func(*Options)) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(filepath.Join(t.TempDir(), "desk.db"), storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	var over model.Store = st
	if wrap != nil {
		over = wrap(st)
	}
	d := model.NewDesk(over, model.Options{})
	for _, a := range []model.NewAccount{
		{Handle: string(alice), Name: "Alice Abreu", Email: "alice@example.pt"},
		{Handle: string(bruno), Name: "Bruno Bento", Email: "bruno@example.net"},
		{Handle: string(carla), Name: "Carla Costa", Email: "carla@example.eu"},
	} {
		if _, err := d.AddAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []model.NewService{
		{Name: "alice.pt", Type: model.TypeDomain, Admin: string(alice), Tech: string(alice), Billing: string(alice)},
		{Name: "bruno.net", Type: model.TypeHosting, Admin: string(bruno), Tech: string(bruno), Billing: string(bruno)},
		{Name: "shared.eu", Type: model.TypeVPS, Admin: string(alice), Tech: string(bruno), Billing: string(alice)},
	} {
		if _, err := d.AddService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{desk: d, logs: &syncbuf.Buffer{}, keys: map[model.Handle]gossh.Signer{}, done: make(chan error, 1)}
	for _, h := range []model.Handle{alice, bruno} {
		f.keys[h] = newKey(t)
		if _, err := d.AddKey(ctx, h, gossh.MarshalAuthorizedKey(f.keys[h].PublicKey())); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{
		HostKey:  newKey(t),
		NewModel: tuiApp(d),
		Logger:   slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OnRefuse: f.refuse,
	}
	if placeholder {
		o.NewModel = newDeskModel(d)
	}
	if change != nil {
		change(&o)
	}
	f.srv, err = New(d, o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	go func() { f.done <- f.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		f.srv.Shutdown(ctx)
		st.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", f.logs.String())
		}
	})
	return f
}

func newKey(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dial connects with the given ways to authenticate.
func (f *fixture) dial(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User: user, Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
}

// login connects as h, with h's key.
func (f *fixture) login(t testing.TB, h model.Handle) *gossh.Client {
	t.Helper()
	c, err := f.dial(string(h), gossh.PublicKeys(f.keys[h]))
	if err != nil {
		t.Fatalf("login as %s: %v", h, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// term is a session with a terminal, as a user's ssh client has.
type term struct {
	sess   *gossh.Session
	stdin  io.WriteCloser
	scr    *screen
	stderr *syncbuf.Buffer
	ended  chan error
}

// open starts a session with a w×h terminal of type TERM=termType.
func open(t testing.TB, c *gossh.Client, w, h int, termType string, env ...string) *term {
	t.Helper()
	tm, err := tryOpen(c, w, h, termType, env...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tm.sess.Close() })
	return tm
}

func tryOpen(c *gossh.Client, w, h int, termType string, env ...string) (*term, error) {
	return tryOpenSized(c, w, h, w, h, termType, env...)
}

// openSized starts a session that claims a ptyW×ptyH terminal and draws
// what it receives on a screen of scrW×scrH: a client may claim any size.
func openSized(t testing.TB, c *gossh.Client, ptyW, ptyH, scrW, scrH int) *term {
	t.Helper()
	tm, err := tryOpenSized(c, ptyW, ptyH, scrW, scrH, "xterm-256color")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tm.sess.Close() })
	return tm
}

func tryOpenSized(c *gossh.Client, w, h, scrW, scrH int, termType string, env ...string) (*term, error) {
	sess, err := c.NewSession()
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(env); i += 2 {
		if err := sess.Setenv(env[i], env[i+1]); err != nil {
			return nil, err
		}
	}
	if err := sess.RequestPty(termType, h, w, gossh.TerminalModes{}); err != nil {
		return nil, err
	}
	tm := &term{sess: sess, scr: newScreen(scrW, scrH), stderr: &syncbuf.Buffer{}, ended: make(chan error, 1)}
	sess.Stdout = tm.scr
	sess.Stderr = tm.stderr
	if tm.stdin, err = sess.StdinPipe(); err != nil {
		return nil, err
	}
	if err := sess.Shell(); err != nil {
		return nil, err
	}
	go func() { tm.ended <- sess.Wait() }()
	return tm, nil
}

// waitFor waits until the screen shows want, for at most within.
func (tm *term) waitFor(t testing.TB, want string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		changed := tm.scr.Changed()
		if strings.Contains(tm.scr.Text(), want) {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the screen did not show %q within %s; it shows:\n%s\nstderr: %s", want, within, tm.scr.Text(), tm.stderr.String())
		}
	}
}

// waitEnd waits until the server ends the session, for at most within.
func (tm *term) waitEnd(t testing.TB, within time.Duration) error {
	t.Helper()
	select {
	case err := <-tm.ended:
		return err
	case <-time.After(within):
		t.Fatalf("the session did not end within %s; screen:\n%s", within, tm.scr.Text())
		return nil
	}
}

// waitLine waits until a line of the screen that contains key also
// contains every one of want, for at most within.
func (tm *term) waitLine(t testing.TB, key string, within time.Duration, want ...string) string {
	t.Helper()
	deadline := time.After(within)
	for {
		changed := tm.scr.Changed()
		for _, l := range strings.Split(tm.scr.Text(), "\n") {
			if !strings.Contains(l, key) {
				continue
			}
			all := true
			for _, w := range want {
				all = all && strings.Contains(l, w)
			}
			if all {
				return l
			}
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no line with %q showed %q within %s; the screen shows:\n%s", key, want, within, tm.scr.Text())
		}
	}
}

// keys are the bytes a terminal sends for the keys the tests press.
var keys = map[string]string{"enter": "\r", "tab": "\t", "down": "\x1b[B", "up": "\x1b[A", "ctrl+s": "\x13"}

// press types each key, by name ("enter") or as text ("bb22222-ovh").
func (tm *term) press(t testing.TB, ks ...string) {
	t.Helper()
	for _, k := range ks {
		b, ok := keys[k]
		if !ok {
			b = k
		}
		if _, err := io.WriteString(tm.stdin, b); err != nil {
			t.Fatal(err)
		}
	}
}

// typeLine types s and Enter.
func (tm *term) typeLine(t testing.TB, s string) {
	t.Helper()
	if _, err := io.WriteString(tm.stdin, s+"\r"); err != nil {
		t.Fatal(err)
	}
}

// waitLog waits until the server's log has a line containing every part.
func (f *fixture) waitLog(t testing.TB, within time.Duration, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		for _, l := range strings.Split(f.logs.String(), "\n") {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(l, p)
			}
			if all {
				return l
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q within %s; log:\n%s", parts, within, f.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitRefusals waits until the OnRefuse hook was told n refusals for r.
func (f *fixture) waitRefusals(t testing.TB, r Refusal, n int) {
	t.Helper()
	deadline := time.Now().Add(settle)
	for f.refusals(r) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d refusals %q counted, want %d", f.refusals(r), r, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitClosed waits until the server closes c, for at most within.
func waitClosed(t testing.TB, c *gossh.Client, within time.Duration) {
	t.Helper()
	closed := make(chan error, 1)
	go func() { closed <- c.Wait() }()
	select {
	case <-closed:
	case <-time.After(within):
		t.Fatalf("the connection is still open after %s", within)
	}
}
