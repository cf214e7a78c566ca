package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	uv "github.com/charmbracelet/ultraviolet"
	"golang.org/x/time/rate"

	"contactdesk/locale"
	"contactdesk/tui/input"
)

// app runs the session's Bubble Tea program: the client's terminal size,
// colour profile (from its TERM and environment, never the server's) and
// resizes; it ends on quit, disconnection, idleness or shutdown.
func (s *Server) app() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			l := s.live.get(sess)
			who := whoOf(sess)
			ctx, cancel := context.WithCancel(channelCtx(sess))
			defer cancel()
			in := &activity{r: &bytePaced{ctx: ctx, r: sess, pace: newPacer(inputRate, inputBurst, pacedChunk)}}
			in.touch()
			m := newGuard(s.o.NewModel(ctx, sess, who.Account), func(r any, stack string) {
				s.log.Error("panic", "in", "program", "panic", fmt.Sprint(r), "stack", stack, "account", string(who.Handle))
				l.end(endPanic)
			})
			opts := append(bubbletea.MakeOptions(sess),
				// the keys come through s.input, not through the
				// program's own reader: see there
				tea.WithInput(idleInput{ctx}),
				tea.WithContext(ctx),
				// Signals are the server's: ^C in a session is a keystroke.
				tea.WithoutSignalHandler(),
			)
			p := tea.NewProgram(m, opts...)
			if !l.attach(p) { // ended (shutdown, key removed) while it was made
				s.farewell(sess, l)
				next(sess)
				return
			}
			go s.resizes(ctx, sess, p)
			go s.idle(ctx, in, l)
			pty, _, _ := sess.Pty()
			go s.input(ctx, newEscPaced(ctx, input.NewReader(in)), pty.Term, p)

			_, err := p.Run()
			p.Kill() // restores the terminal if the program crashed
			switch {
			case errors.Is(err, tea.ErrProgramPanic):
				// Caught by Bubble Tea, past the guard (a command run by
				// tea.Sequence): it printed the stack on stderr.
				s.log.Error("program panicked", "account", string(who.Handle), "error", err.Error())
				l.end(endPanic)
			case ctx.Err() != nil:
				l.end(endDisconnected)
			case err != nil && !errors.Is(err, tea.ErrProgramKilled):
				s.log.Error("program failed", "account", string(who.Handle), "error", err.Error())
				l.end(endPanic)
			default:
				l.end(endQuit)
			}
			s.farewell(sess, l)
			next(sess)
		}
	}
}

// farewell tells the client, in one line, why the server ended its
// session, and sets its exit status.
func (s *Server) farewell(sess ssh.Session, l *live) {
	switch l.why() {
	case endIdle:
		s.tell(sess, "srv.idle", locale.Args{"Idle": spoken(s.o.IdleTimeout)})
	case endShutdown:
		s.tell(sess, "srv.closed")
	case endKeyRemoved:
		s.tell(sess, "srv.key_removed")
		l.exit(1)
	case endPanic:
		s.tell(sess, "srv.crashed")
		l.exit(1)
	}
}

// channelCtx is the context of sess's channel: it ends when the client
// closes the channel, or the connection ends.
func channelCtx(sess ssh.Session) context.Context {
	if s, ok := sess.(*session); ok {
		return s.ch.ctx
	}
	return sess.Context()
}

// resizeEvery is how often, at most, a session's program is handed a
// new size, and resizeCells how many cells a second its frames drawn at
// new sizes may hold: each new size costs the program a whole frame,
// drawn into buffers made for it (22 MiB at 500 × 200). A client sending
// window changes as fast as it could (68,000 in 20 s, between 500 × 200
// and 80 × 24) kept 40 % of a core busy per session, two cores for an
// account's five (the serve process's CPU, 810 ticks of 2,000); paced at
// 50 ms, a quarter of a core. A window dragged by its edge sends tens a
// second: one of up to 200 × 60 cells redraws ten times a second, the
// largest (500 × 200) about once; the last size is always handed on.
const (
	resizeEvery = 100 * time.Millisecond
	resizeCells = 10 * 200 * 60
)

// resizes passes the client's window changes to the program, the latest
// one at most every resizeEvery and within resizeCells.
func (s *Server) resizes(ctx context.Context, sess ssh.Session, p *tea.Program) {
	defer s.recovered("resizes", p.Quit)
	_, windows, _ := sess.Pty()
	pace := rate.NewLimiter(rate.Every(resizeEvery), 1)
	most := s.o.MaxWidth * s.o.MaxHeight
	cells := rate.NewLimiter(resizeCells, most) // the largest frame at once
	for {
		select {
		case <-ctx.Done():
			return
		case w, ok := <-windows:
			if !ok {
				return
			}
			if pace.Wait(ctx) != nil {
				return
			}
			// the client's latest size, sent while this one waited
			if w, ok = latest(windows, w); !ok {
				return
			}
			if cells.WaitN(ctx, min(w.Width*w.Height, cells.Burst())) != nil {
				return
			}
			p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
		}
	}
}

// latest is the last window size waiting in windows, else w; false once
// windows is closed.
func latest(windows <-chan ssh.Window, w ssh.Window) (ssh.Window, bool) {
	for {
		select {
		case next, ok := <-windows:
			if !ok {
				return w, false
			}
			w = next
		default:
			return w, true
		}
	}
}

// input reads the session's keys (r, bounded by input.Reader) with the
// terminal reader the program would make (ultraviolet's, with the
// client's TERM) and hands their events to p, as the program's own reader
// does; a panic of the parser ends the session, not the server.
//
// Not the program's own reader: that one sends each event to the program
// and waits for it to be taken, whatever the program's end, so a session
// ending while input was still coming (keys typed after q, a client
// sending as it hangs up) left it waiting for good, and the whole
// program, its model and screens with it (a hostile tester leaked
// gigabytes so). Here the events go through p.Send, which gives up once
// the program has ended, and the reader is read to its end.
func (s *Server) input(ctx context.Context, r io.Reader, term string, p *tea.Program) {
	events := make(chan uv.Event)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer s.recovered("input", p.Quit)
		_ = uv.NewTerminalReader(r, term).StreamEvents(ctx, events)
	}()
	// At most KeyRate events a second: while this waits, the reader
	// waits to hand over the next, and the session's input is not read,
	// so that the client's window fills and it waits too. Nothing is
	// dropped, nor held beyond the reader's one event.
	keys := newPacer(rate.Inf, 0, 0)
	if s.o.KeyRate != NoLimit {
		keys = newPacer(rate.Limit(s.o.KeyRate), DefaultKeyBurst, max(1, s.o.KeyRate/10))
	}
	for {
		select {
		case e := <-events:
			if keys.Wait(ctx) == nil {
				p.Send(e)
			}
		case <-done:
			return
		}
	}
}

// idleInput is the program's own input: nothing, until the session ends
// (see Server.input).
type idleInput struct{ ctx context.Context }

func (i idleInput) Read([]byte) (int, error) {
	<-i.ctx.Done()
	return 0, io.EOF
}

// idle ends the session once no keystroke came for the idle timeout.
// Output the server sends (live updates) does not count.
func (s *Server) idle(ctx context.Context, in *activity, l *live) {
	defer s.recovered("idle timer", nil)
	t := time.NewTimer(s.o.IdleTimeout)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			left := s.o.IdleTimeout - in.since()
			if left <= 0 {
				l.end(endIdle)
				return
			}
			t.Reset(left)
		}
	}
}

// inputRate is how many bytes of a session's input the server reads a
// second, after inputBurst at once. Keys are paced as events (KeyRate),
// but bytes that make none (a paste's past its first 16 KiB, bytes no
// character starts with) were read as fast as the client sent them: a
// client sending 0xff without end had 750 MB decrypted and filtered in
// 20 s, half a core per session; at 4 MiB a second a fifth of a core
// each, an account's five sessions a whole one. 1 MiB a second, after
// 4 MiB at once, is more than anyone types or pastes into the app's
// fields (the longest holds 256 characters): a paste of 50 MB, typed in
// part, is read in 47 s (in 90 s now, at the connection's wireRate).
const (
	inputRate  = 1 << 20
	inputBurst = 4 << 20
)

// pacedChunk is the most of a session's input read and paced at once:
// a sixteenth of inputRate, so that a flood is read 16 times a second
// (see pacer). The buffer grows to it only while reads fill it.
const pacedChunk = inputRate / 16

// bytePaced reads r no faster than pace allows, a byte a token. It reads
// as much as r holds, up to pacedChunk, rather than what each caller
// asks for (the terminal reader's 4 KiB): each read of the session's
// channel is a wake of the server and a window adjustment sent.
type bytePaced struct {
	ctx  context.Context
	r    io.Reader
	pace *pacer
	buf  []byte
	next []byte // read and paced, not handed on yet
	err  error  // r's, once next is handed on
}

func (b *bytePaced) Read(p []byte) (int, error) {
	if len(b.next) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		if b.buf == nil {
			b.buf = make([]byte, 4096)
		}
		n, err := b.r.Read(b.buf)
		b.next, b.err = b.buf[:n], err
		if n > 0 && b.pace.WaitN(b.ctx, n) != nil && err == nil {
			b.err = io.EOF // the session ended
		}
		if n == len(b.buf) && n < pacedChunk {
			b.buf = make([]byte, min(2*n, pacedChunk)) // next keeps the old one
		}
		if n == 0 {
			return 0, b.err
		}
	}
	n := copy(p, b.next)
	b.next = b.next[n:]
	return n, nil
}

// activity is the session's input, noting when the client last sent any.
type activity struct {
	r    io.Reader
	last atomic.Int64
}

func (a *activity) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.touch()
	}
	return n, err
}

func (a *activity) touch() { a.last.Store(time.Now().UnixNano()) }

func (a *activity) since() time.Duration { return time.Duration(time.Now().UnixNano() - a.last.Load()) }
