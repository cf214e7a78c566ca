package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/model"
	"contactdesk/storage"
)

// TestGracefulShutdown: the server stops accepting at once, tells the
// open sessions, ends them after the notice, and returns.
func TestGracefulShutdown(t *testing.T) {
	// A notice of 3 s: the sessions end with it, and their screens with
	// them (the terminal leaves the alternate screen); with 500 ms, a busy
	// machine could end bruno's before this test looked for the notice.
	f := start(t, func(o *Options) { o.ShutdownNotice = 3 * time.Second })
	a := open(t, f.login(t, alice), 100, 30, "xterm")
	b := open(t, f.login(t, bruno), 100, 30, "xterm")
	a.waitFor(t, "aa11111-ovh Alice Abreu", settle)
	b.waitFor(t, "bb22222-ovh Bruno Bento", settle)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- f.srv.Shutdown(ctx) }()

	a.waitFor(t, "contactdesk closes for maintenance in 3 seconds; what you confirmed is saved", settle)
	b.waitFor(t, "contactdesk closes for maintenance", settle)
	if c, err := f.dial(string(alice), f.authOf(alice)); err == nil {
		c.Close()
		t.Error("a new connection was accepted while shutting down")
	}
	// One leaves by itself during the notice; the other is ended.
	io.WriteString(a.stdin, "q")
	a.waitEnd(t, settle)
	if err := b.waitEnd(t, settle); err != nil {
		t.Errorf("the session ended with %v, want exit status 0", err)
	}
	if !strings.Contains(b.stderr.String(), "closed for maintenance") {
		t.Errorf("stderr: %q", b.stderr.String())
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Shutdown did not return within 10s")
	}
	if err := <-f.done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	f.waitLog(t, settle, "session end", "account=bb22222-ovh", "reason=shutdown")
	f.waitLog(t, settle, "session end", "account=aa11111-ovh", "reason=quit")
}

// TestShutdownDeadline: sessions that do not end are cut when the
// deadline passes.
func TestShutdownDeadline(t *testing.T) {
	f := start(t, func(o *Options) { o.ShutdownNotice = time.Hour })
	a := open(t, f.login(t, alice), 100, 30, "xterm")
	a.waitFor(t, "aa11111-ovh Alice Abreu", settle)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err == nil {
		t.Error("Shutdown past its deadline returned nil")
	}
	a.waitEnd(t, settle)
}

// TestShutdownAsServeStarts: a stop asked for as the server starts
// (serve's SIGINT at once) ends Serve and closes its port, whichever
// comes first; Serve used to accept for ever after a Shutdown that came
// before it.
func TestShutdownAsServeStarts(t *testing.T) {
	st, err := storage.Open(filepath.Join(t.TempDir(), "desk.db"), storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := model.NewDesk(st, model.Options{})
	for i := range 20 {
		srv, err := New(d, Options{HostKey: newKey(t), NewModel: newDeskModel(d), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		serve := func() { served <- srv.Serve(ln) }
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if i == 0 {
			srv.Shutdown(ctx) // before Serve
			go serve()
		} else {
			go serve()
			srv.Shutdown(ctx)
		}
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			ln.Close()
			t.Fatalf("try %d: Serve still accepts 5 s after Shutdown", i)
		}
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			c.Close()
			t.Errorf("try %d: the port still accepts connections", i)
		}
	}
}

// gatedStore holds each read, once armed, until the gate opens: a
// login's key lookup waits there.
type gatedStore struct {
	model.Store
	armed   *atomic.Bool
	waiting chan struct{} // told each read that waits
	gate    chan struct{}
}

func (s gatedStore) View(ctx context.Context, fn func(model.Tx) error) error {
	if s.armed.Load() {
		s.waiting <- struct{}{}
		<-s.gate
	}
	return s.Store.View(ctx, fn)
}

// TestShutdownWhileLoggingIn: a login under way when the server shuts
// down, completing after the last logged-in connection has ended, keeps
// the server from saying it stopped until that connection is closed too
// (charm.land/ssh's Shutdown returned at once, leaving it open; its
// WaitGroup, added to by such a login, was also a data race the race
// detector caught in CI).
func TestShutdownWhileLoggingIn(t *testing.T) {
	armed, waiting, gate := new(atomic.Bool), make(chan struct{}, 4), make(chan struct{})
	f := startOver(t, false, func(st model.Store) model.Store {
		return gatedStore{Store: st, armed: armed, waiting: waiting, gate: gate}
	}, func(o *Options) { o.ShutdownNotice = 100 * time.Millisecond })
	live := f.login(t, alice)
	armed.Store(true)
	type dialed struct {
		c   *gossh.Client
		err error
	}
	late := make(chan dialed, 1)
	go func() {
		c, err := f.dial(string(bruno), f.authOf(bruno))
		late <- dialed{c, err}
	}()
	<-waiting // bruno's key lookup holds his login
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- f.srv.Shutdown(ctx) }()
	f.waitLog(t, settle, "shutting down")
	live.Close()
	f.waitLog(t, settle, "connection closed", "account=aa11111-ovh")
	time.Sleep(100 * time.Millisecond)
	armed.Store(false)
	close(gate) // bruno's login completes now
	d := <-late
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop")
	}
	if d.err != nil {
		return // refused: nothing left open
	}
	defer d.c.Close()
	closed := make(chan struct{})
	go func() { d.c.Wait(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(settle): // closed already: this is the client hearing of it
		t.Fatal("a connection logged in during the shutdown is still open after Shutdown returned")
	}
}
