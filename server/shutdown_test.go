package server

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestGracefulShutdown: the server stops accepting at once, tells the
// open sessions, ends them after the notice, and returns.
func TestGracefulShutdown(t *testing.T) {
	f := start(t, func(o *Options) { o.ShutdownNotice = 500 * time.Millisecond })
	a := open(t, f.login(t, alice), 100, 30, "xterm")
	b := open(t, f.login(t, bruno), 100, 30, "xterm")
	a.waitFor(t, "aa11111-ovh Alice Abreu", settle)
	b.waitFor(t, "bb22222-ovh Bruno Bento", settle)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- f.srv.Shutdown(ctx) }()

	a.waitFor(t, "contactdesk closes for maintenance in 500ms; what you confirmed is saved", settle)
	b.waitFor(t, "contactdesk closes for maintenance", settle)
	if c, err := f.dial(string(alice), f.authOf(alice)); err == nil {
		c.Close()
		t.Error("a new connection was accepted while shutting down")
	}
	// One leaves by itself during the notice; the other is ended.
	io.WriteString(a.stdin, "q")
	a.waitEnd(t, 5*time.Second)
	if err := b.waitEnd(t, 5*time.Second); err != nil {
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
	f.waitLog(t, time.Second, "session end", "account=bb22222-ovh", "reason=shutdown")
	f.waitLog(t, time.Second, "session end", "account=aa11111-ovh", "reason=quit")
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
	a.waitEnd(t, 5*time.Second)
}
