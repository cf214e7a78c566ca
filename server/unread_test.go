package server

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"contactdesk/model"
)

// tiny is how many one-byte packets each stream of the tests below is
// sent: an eighth of a channel's window (2 MiB), which the library keeps
// packet by packet, about 50 bytes of the server's memory for each byte.
const tiny = 256 << 10

// sendTiny writes n bytes to w one at a time: a packet each.
func sendTiny(t *testing.T, w io.Writer, n int) {
	t.Helper()
	b := []byte{'a'}
	for range n {
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
}

// synced waits until the server has had everything sent on ch before
// it: a channel's packets are handled in order, and a request's answer
// comes after the data before it.
func synced(t *testing.T, ch gossh.Channel) {
	t.Helper()
	if _, err := ch.SendRequest("keepalive@openssh.com", true, nil); err != nil {
		t.Fatal(err)
	}
}

// TestUnreadInputIsNotKept: a client sending its input one byte a packet
// where nothing reads it — a session channel that never asks for a
// shell, the channel's stderr (which a client may send a server too,
// and nothing ever reads), a session whose keys wait for their pace —
// costs the server less than 4 MiB, however long it goes on. The
// library kept every packet until read, each in an allocation of its
// own: 2 MiB of a channel's window sent so held about 100 MiB, for the
// session's life, four channels on each of a customer's connections.
// The program still gets the keys it is sent.
func TestUnreadInputIsNotKept(t *testing.T) {
	var keys atomic.Int64
	f := startPlaceholder(t, func(o *Options) {
		o.wireBytes = rate.Inf // the test's 768 Ki packets at once
		o.NewModel = func(context.Context, ssh.Session, model.Account) tea.Model { return keyCounter{&keys} }
	})
	warm := open(t, f.login(t, bruno), 80, 24, "xterm")
	warm.waitFor(t, "keys 0", settle)

	h0 := liveHeap()
	c := f.login(t, alice)
	bare, reqs, err := c.OpenChannel("session", nil)
	if err != nil {
		t.Fatal(err)
	}
	go gossh.DiscardRequests(reqs)
	t.Cleanup(func() { bare.Close() })
	sendTiny(t, bare, tiny)
	sendTiny(t, bare.Stderr(), tiny)
	synced(t, bare)

	tm := open(t, c, 80, 24, "xterm")
	tm.waitFor(t, "keys 0", settle)
	sendTiny(t, tm.stdin, tiny) // keys: DefaultKeyRate a second
	if ok, err := tm.sess.SendRequest("env", true, gossh.Marshal(&struct{ K, V string }{"A", "b"})); err != nil {
		t.Fatal(err, ok)
	}
	held := int64(liveHeap()) - int64(h0)
	t.Logf("%d KiB sent one byte a packet, three times, held %.1f MiB", tiny>>10, float64(held)/(1<<20))
	if held >= 4<<20 {
		t.Errorf("input sent one byte a packet and not read yet holds %.0f MiB of the server; want < 4", float64(held)/(1<<20))
	}
	// still typing, past the keys' burst
	for deadline := time.Now().Add(settle); keys.Load() <= DefaultKeyBurst; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d keys reached the program", keys.Load())
		}
	}
}

// TestRefusedSessionInputIsNotKept: sessions refused for their
// account's limit, whose client sends them input one byte a packet
// before it asks for the shell that tells it why, cost the server less
// than 4 MiB: each waits for that shell up to tellWait, and nothing
// read them meanwhile.
func TestRefusedSessionInputIsNotKept(t *testing.T) {
	f := startPlaceholder(t, func(o *Options) {
		o.wireBytes = rate.Inf
		o.SessionsPerAccount = 1
	})
	c := f.login(t, alice)
	tm := open(t, c, 80, 24, "xterm")
	tm.waitFor(t, "me aa11111-ovh", settle)

	h0 := liveHeap()
	var refused []gossh.Channel
	// two, each sent little enough for the first to still wait for its
	// shell (tellWait) under the race detector
	for range 2 {
		ch, reqs, err := c.OpenChannel("session", nil)
		if err != nil {
			t.Fatal(err)
		}
		go gossh.DiscardRequests(reqs)
		t.Cleanup(func() { ch.Close() })
		sendTiny(t, ch, tiny/4)
		sendTiny(t, ch.Stderr(), tiny/4)
		synced(t, ch)
		refused = append(refused, ch)
	}
	held := int64(liveHeap()) - int64(h0)
	t.Logf("%d refused sessions sent %d KiB each, one byte a packet, held %.1f MiB", len(refused), tiny/2>>10, float64(held)/(1<<20))
	if held >= 4<<20 {
		t.Errorf("refused sessions' input holds %.0f MiB of the server; want < 4", float64(held)/(1<<20))
	}
	for _, ch := range refused {
		if ok, _ := ch.SendRequest("shell", true, nil); !ok {
			t.Fatal("the refused session's shell was not answered yes (to be told why)")
		}
		if msg, _ := io.ReadAll(ch.Stderr()); !strings.Contains(string(msg), "too many sessions") {
			t.Fatalf("the refused session was told %q", msg)
		}
	}
	tm.press(t, "typed")
	tm.waitFor(t, "> typed", settle)
}

// TestConnectionBytesArePaced: a client sending as fast as it can into a
// session channel that never asks for a shell, whose input the server
// now reads as it comes and drops, has it read no faster than wireRate
// a second, after wireBurst: the last is taken only once the pace allows
// it. What the client then types in a session of the same connection
// still works.
func TestConnectionBytesArePaced(t *testing.T) {
	const sent = wireBurst + 2*wireRate // at least 2 s at the pace
	f := startPlaceholder(t, nil)
	c := f.login(t, alice)
	tm := open(t, c, 80, 24, "xterm")
	tm.waitFor(t, "me aa11111-ovh", settle)
	bare, reqs, err := c.OpenChannel("session", nil)
	if err != nil {
		t.Fatal(err)
	}
	go gossh.DiscardRequests(reqs)
	t.Cleanup(func() { bare.Close() })
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		junk := make([]byte, 32<<10)
		for written := 0; written < sent; written += len(junk) {
			if _, err := bare.Write(junk); err != nil {
				done <- err
				return
			}
		}
		_, err := bare.SendRequest("keepalive@openssh.com", true, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(settle):
		t.Fatalf("%d MiB sent to a session without a shell were not read within %s", sent>>20, settle)
	}
	// the pace's own arithmetic, however fast the machine: the last
	// chunk read is paid for at the next read
	if took, least := time.Since(start), time.Duration(sent-wireBurst-wireChunk)*time.Second/wireRate; took < least {
		t.Errorf("%d MiB were read in %s; at most %d KiB a second after %d MiB, they take %s at least",
			sent>>20, took.Round(time.Millisecond), wireRate>>10, wireBurst>>20, least)
	}
	tm.press(t, "typed")
	tm.waitFor(t, "> typed", settle)
}

// TestLongPasteKeepsItsEnd: a bracketed paste longer than what a session
// keeps unread (maxUnread), sent as fast as the client can, loses none
// of its bytes to the buffer: the app takes a session's input faster
// than a connection may send it. Its end comes through, so what is typed
// after it is typed, not taken for more of the paste.
func TestLongPasteKeepsItsEnd(t *testing.T) {
	const long = wireBurst + 2*wireRate // 2 s past the burst
	f := startPlaceholder(t, nil)
	tm := open(t, f.login(t, alice), 80, 24, "xterm")
	tm.waitFor(t, "me aa11111-ovh", settle)
	chunk := strings.Repeat("x", 32<<10)
	if _, err := io.WriteString(tm.stdin, "\x1b[200~"); err != nil {
		t.Fatal(err)
	}
	for written := 0; written < long; written += len(chunk) {
		if _, err := io.WriteString(tm.stdin, chunk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := io.WriteString(tm.stdin, "\x1b[201~"); err != nil {
		t.Fatal(err)
	}
	tm.press(t, "typed")
	tm.waitFor(t, "> typed", settle)
	tm.sess.Close()
	line := f.waitLog(t, settle, "session end", "account=aa11111-ovh")
	if strings.Contains(line, "input-dropped") {
		t.Errorf("the paste lost bytes: %s", line)
	}
}

// leftOpen is a refused session's channel whose client never closes it:
// the server's close goes unanswered (x/crypto's client always answers
// it, so the test hands the server the channel itself).
type leftOpen struct {
	reqs   chan *gossh.Request
	closed chan struct{} // the server closed it
	gone   chan struct{} // the test is over: its reads end
	stderr bytes.Buffer
	mu     sync.Mutex
}

func (o *leftOpen) Accept() (gossh.Channel, <-chan *gossh.Request, error) { return o, o.reqs, nil }
func (o *leftOpen) Reject(gossh.RejectionReason, string) error            { return nil }
func (o *leftOpen) ChannelType() string                                   { return "session" }
func (o *leftOpen) ExtraData() []byte                                     { return nil }
func (o *leftOpen) Read([]byte) (int, error)                              { <-o.gone; return 0, io.EOF }
func (o *leftOpen) Write(p []byte) (int, error)                           { return len(p), nil }
func (o *leftOpen) CloseWrite() error                                     { return nil }
func (o *leftOpen) Close() error                                          { close(o.closed); return nil }
func (o *leftOpen) SendRequest(string, bool, []byte) (bool, error)        { return false, nil }
func (o *leftOpen) Stderr() io.ReadWriter                                 { return (*leftOpenStderr)(o) }

type leftOpenStderr leftOpen

func (e *leftOpenStderr) Read([]byte) (int, error) { <-e.gone; return 0, io.EOF }
func (e *leftOpenStderr) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stderr.Write(p)
}

// TestRefusedSessionLeftOpen: a client that never closes a refused
// session's channel, once the server has told it why and closed it, has
// its connection closed, its other sessions with it (the log says why):
// the channel, the library's share of it and the goroutines reading it
// stayed until the whole connection closed, while the connection opened
// ten more a second, each refused and left open.
func TestRefusedSessionLeftOpen(t *testing.T) {
	f := startPlaceholder(t, nil)
	c := f.login(t, alice)
	tm := open(t, c, 80, 24, "xterm")
	tm.waitFor(t, "me aa11111-ovh", settle)
	var l *link
	f.srv.mu.Lock()
	for k := range f.srv.links {
		if k.who() == alice {
			l = k
		}
	}
	f.srv.mu.Unlock()
	if l == nil {
		t.Fatal("no connection of aa11111-ovh")
	}
	o := &leftOpen{reqs: make(chan *gossh.Request), closed: make(chan struct{}), gone: make(chan struct{})}
	t.Cleanup(func() { close(o.gone) })
	go f.srv.refuseSession(l, o, RefusedAccount, "contactdesk: too many sessions")
	o.reqs <- &gossh.Request{Type: "shell"}
	select {
	case <-o.closed:
	case <-time.After(settle):
		t.Fatal("the refused session was not closed once told")
	}
	o.mu.Lock()
	told := o.stderr.String()
	o.mu.Unlock()
	if !strings.Contains(told, "too many sessions") {
		t.Errorf("the refused session was told %q", told)
	}
	waitClosed(t, c, 2*settle) // closeWait, and time to spare
	f.waitLog(t, settle, "connection closed", "account=aa11111-ovh", `reason="refused session left open"`)
}
