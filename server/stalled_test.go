package server

import (
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"contactdesk/model"
)

// noisyModel draws a full screen of text that changes every few
// milliseconds: a client that reads none of it has its channel's window
// full in a moment. steps counts its updates, read by the test: they
// stop once its output waits, the program's loop waiting on the
// renderer that is stuck writing.
type noisyModel struct {
	n     int
	steps *atomic.Int64
}

type noiseMsg struct{}

func noise() tea.Msg { time.Sleep(5 * time.Millisecond); return noiseMsg{} }

func (m *noisyModel) Init() tea.Cmd { return noise }

func (m *noisyModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(noiseMsg); ok {
		m.n++
		m.steps.Add(1)
		return m, noise
	}
	return m, nil
}

func (m *noisyModel) View() tea.View {
	var b strings.Builder
	for y := range DefaultMaxHeight {
		if y > 0 {
			b.WriteByte('\n')
		}
		for x := range DefaultMaxWidth - 1 {
			b.WriteByte(byte('a' + (x*7+y*3+m.n)%26))
		}
	}
	return tea.NewView(b.String())
}

// openUnread opens a session with a terminal as large as the server
// draws, whose output its client never reads: the server's writes stop
// once the channel's window is full, and wait.
func openUnread(t *testing.T, c *gossh.Client) gossh.Channel {
	t.Helper()
	ch, reqs, err := c.OpenChannel("session", nil)
	if err != nil {
		t.Fatal(err)
	}
	go gossh.DiscardRequests(reqs)
	t.Cleanup(func() { ch.Close() })
	pty := gossh.Marshal(&ptyRequest{Term: "xterm-256color", Columns: DefaultMaxWidth, Rows: DefaultMaxHeight})
	if ok, err := ch.SendRequest("pty-req", true, pty); !ok || err != nil {
		t.Fatalf("pty-req: %v %v", ok, err)
	}
	if ok, err := ch.SendRequest("shell", true, nil); !ok || err != nil {
		t.Fatalf("shell: %v %v", ok, err)
	}
	return ch
}

// stuckWriting reports whether a program's output waits for its
// client's window to open. Any program's: a package's earlier tests may
// leave one still ending.
func stuckWriting() bool {
	// every goroutine's stack, the buffer grown until they all fit: a
	// package's earlier tests may leave many still ending, and a cut dump
	// could miss the one stuck
	buf := make([]byte, 8<<20)
	n := runtime.Stack(buf, true)
	for n == len(buf) {
		buf = make([]byte, 2*len(buf))
		n = runtime.Stack(buf, true)
	}
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		if strings.Contains(g, "ssh.(*window).reserve") && strings.Contains(g, "bubbletea/v2") {
			return true
		}
	}
	return false
}

// stuck reports whether the noisy program counting steps, whose client
// has received got bytes, is stuck writing: its client was sent a whole
// window (the rest, if any, is less than a packet: a frame's next write
// can't but wait), some program's output waits for its client's window,
// and this one has not stepped in half a second, where it steps every
// few milliseconds. Any of them alone could be another thing: a
// program's output waiting for an earlier test's client, still ending,
// or a frame of 500×200 cells written slowly under the race detector.
func stuck(got, steps *atomic.Int64) bool {
	if got.Load() < clientWindow || !stuckWriting() {
		return false
	}
	was := steps.Load()
	time.Sleep(500 * time.Millisecond)
	return steps.Load() == was && stuckWriting()
}

// clientWindow is how many bytes of a channel's data x/crypto's client
// takes before its user reads them: the window it opens a channel with,
// and adjusts only as they are read.
const clientWindow = 64 * 32 << 10

// counted counts the bytes read from a connection.
type counted struct {
	net.Conn
	n *atomic.Int64
}

func (c counted) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// loginCounted logs in as h like login, counting in got the bytes the
// client receives.
func (f *fixture) loginCounted(t *testing.T, h model.Handle, got *atomic.Int64) *gossh.Client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", f.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cc, chans, reqs, err := gossh.NewClientConn(counted{conn, got}, f.addr, &gossh.ClientConfig{
		User: string(h), Auth: []gossh.AuthMethod{gossh.PublicKeys(f.keys[h])}, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		conn.Close()
		t.Fatalf("login as %s: %v", h, err)
	}
	c := gossh.NewClient(cc, chans, reqs)
	t.Cleanup(func() { c.Close() })
	return c
}

// waitSessions waits until the server counts n sessions open.
func (f *fixture) waitSessions(t *testing.T, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for f.srv.Sessions() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions open after %s, want %d; log:\n%s", f.srv.Sessions(), within, n, f.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestUnreadSessionIsEnded: a client that never reads its session's
// output (its channel's window stays shut, and the program's writes wait
// for good) still has that session ended when the server ends it (idle,
// its key removed): its seat is given back and its connection closed.
// The program, stuck in its write, never took the Quit the server sent
// it: the session, its goroutines and its screens stayed, its seat
// taken, as long as the client kept its connection up (a keepalive now
// and then), whatever the idle timeout, and past the removal of its key.
// Another customer is served all along.
func TestUnreadSessionIsEnded(t *testing.T) {
	for _, tt := range []struct {
		name, reason string
		idle         time.Duration
		end          func(t *testing.T, f *fixture)
	}{
		// idle 20 s after its last key read, sent until its output is
		// stuck. Keys wait while the program draws, and a 500×200 frame
		// drawn under the race detector on a busy machine is slow: with
		// 2 s, then 5 s, keys were left unread that long before the
		// output filled the window, and the session ended idle, never
		// stuck.
		{"idle", "reason=idle", 20 * time.Second, func(*testing.T, *fixture) {}},
		{"key removed", `reason="key removed"`, 0, func(t *testing.T, f *fixture) {
			if _, err := f.desk.RemoveKey(context.Background(), gossh.FingerprintSHA256(f.keys[alice].PublicKey())); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var steps, got atomic.Int64
			f := startPlaceholder(t, func(o *Options) {
				o.IdleTimeout = tt.idle
				desk := o.NewModel
				o.NewModel = func(ctx context.Context, sess ssh.Session, who model.Account) tea.Model {
					if who.Handle == alice {
						return &noisyModel{steps: &steps}
					}
					return desk(ctx, sess, who)
				}
			})
			other := open(t, f.login(t, bruno), 80, 24, "xterm")
			other.waitFor(t, "me bb22222-ovh", settle)
			stop, stopped := make(chan struct{}), make(chan struct{})
			quiet := sync.OnceFunc(func() { close(stop); <-stopped })
			defer quiet()
			go func() { // the other customer keeps typing (a line a keystroke): never idle
				defer close(stopped)
				for {
					select {
					case <-stop:
						return
					case <-time.After(200 * time.Millisecond):
						io.WriteString(other.stdin, "x\r") // a line each time: the screen keeps room for "typed"
					}
				}
			}()
			c := f.loginCounted(t, alice, &got)
			unread := openUnread(t, c)
			// a bound for a hung test, not a measure: with the race
			// detector on a machine busy with other builds, drawing
			// 500×200 frames until the window fills took more than 15 s
			deadline := time.Now().Add(3 * settle)
			for !stuck(&got, &steps) {
				if time.Now().After(deadline) {
					t.Fatal("the server's writes to a client that reads nothing never waited")
				}
				if _, err := unread.Write([]byte("x")); err != nil {
					// the server ended the session already (idle):
					// the log below says whether its program was stuck
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			tt.end(t, f)
			f.waitLog(t, tt.idle+settle, "session end", "account=aa11111-ovh", tt.reason)
			f.waitLog(t, settle, "session stuck", "account=aa11111-ovh", tt.reason)
			f.waitSessions(t, 1, settle)
			waitClosed(t, c, settle)

			quiet() // its last keys, then "typed", not typed into
			other.press(t, "typed")
			other.waitFor(t, "> typed", settle)
		})
	}
}
