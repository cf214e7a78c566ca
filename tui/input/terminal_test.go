package input

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/term"
	"github.com/creack/pty"
)

// rawTerminal opens a pseudo-terminal in raw mode, as the app's program
// puts it: the Terminal of its tty, and its other end, where a test
// types.
func rawTerminal(t *testing.T) (*Terminal, *os.File) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("a pseudo-terminal is needed (Linux /dev/ptmx): %v", err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	if _, err := term.MakeRaw(tty.Fd()); err != nil {
		t.Fatal(err)
	}
	return NewTerminal(tty), ptmx
}

// typed writes s to the terminal, as a user types or pastes it, without
// waiting for it to be read.
func typed(t *testing.T, ptmx *os.File, s string) {
	go func() { _, _ = ptmx.WriteString(s) }()
}

// TestTerminalKeepsTheParserWhole: a CSI of 33 parameters, typed in the
// terminal the app runs in, alone and in a bracketed paste, made the
// program's terminal reader (ultraviolet's, over a cancel reader of the
// terminal, as bubbletea makes it) panic; through the Terminal, a key
// after it arrives.
func TestTerminalKeepsTheParserWhole(t *testing.T) {
	tm, ptmx := rawTerminal(t)
	cr, err := uv.NewCancelReader(tm)
	if err != nil {
		t.Fatal(err)
	}
	defer cr.Close()
	many := "\x1b[" + strings.Repeat("1;", 32) + "1m"
	typed(t, ptmx, many+pasteStart+many+pasteEnd+"q")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := make(chan uv.Event)
	failed := make(chan any, 1)
	go func() {
		defer func() { failed <- recover() }()
		_ = uv.NewTerminalReader(cr, "xterm-256color").StreamEvents(ctx, events)
	}()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-events:
			if k, ok := e.(uv.KeyPressEvent); ok && k.Code == 'q' {
				cancel()
				cr.Cancel()
				if r := <-failed; r != nil {
					t.Fatalf("the parser panicked: %v", r)
				}
				return
			}
		case r := <-failed:
			t.Fatalf("the reader ended before the key came: %v", r)
		case <-timeout:
			t.Fatal("the key after the sequence never came")
		}
	}
}

// TestTerminalReadsOnce: what the terminal sends that the filter drops
// (a lone 8-bit introducer) or holds (the ESC of a paste, which may start
// its end) makes a read of nothing, not a second read of the terminal,
// which would wait for the next key past the program's cancelling its
// reader: quitting, it waited for good.
func TestTerminalReadsOnce(t *testing.T) {
	tm, ptmx := rawTerminal(t)
	cr, err := uv.NewCancelReader(tm)
	if err != nil {
		t.Fatal(err)
	}
	defer cr.Close()
	reads := make(chan error, 16)
	go func() {
		var buf [4096]byte
		for {
			n, err := cr.Read(buf[:])
			if n > 0 {
				err = errors.New("something passed: " + string(buf[:n]))
			}
			reads <- err
			if err != nil {
				return
			}
		}
	}()
	typed(t, ptmx, "\x9b")
	select {
	case err := <-reads:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second): // a wrong reader waits for good
		t.Fatal("a dropped byte read nothing back: the Terminal read the terminal again")
	}
	typed(t, ptmx, pasteStart)
	if err := <-reads; err == nil || !strings.Contains(err.Error(), pasteStart) {
		t.Fatalf("a paste's start: %v", err)
	}
	// the reader, started again past the error as bubbletea's is not:
	// a paste's lone ESC, held, then the cancelling
	go func() {
		var buf [4096]byte
		for {
			_, err := cr.Read(buf[:])
			reads <- err
			if err != nil {
				return
			}
		}
	}()
	typed(t, ptmx, "\x1b")
	if err := <-reads; err != nil {
		t.Fatal(err)
	}
	if !cr.Cancel() {
		t.Fatal("the program's reader of the Terminal can't be cancelled: bubbletea would not take it for a file")
	}
	select {
	case err := <-reads:
		if err == nil || !strings.Contains(err.Error(), "cancel") {
			t.Fatalf("cancelled, the read returned %v", err)
		}
	case <-time.After(20 * time.Second): // a wrong reader waits for good
		t.Fatal("cancelled, the read went on waiting")
	}
}

// TestTerminalFitsWhatItReads: read with a short p, the Terminal reads
// no more of the terminal than what passes may fit in p (what it keeps
// back would wait for the next key, the cancel reader calling Read only
// once the terminal has more), and passes what a Reader passes.
func TestTerminalFitsWhatItReads(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	pieces := []string{"a", "é", "€", "😀", "\x1b", "\x1b[201~", pasteStart, "\x1b[A", "\x1b]11;x\x1b\\", "\x1b]2;t\x07", "\x1bP1q\x1b\\", "\x9b", "\xe2\x82", "1;", "~", "\r"}
	var in strings.Builder
	for range 2000 {
		in.WriteString(pieces[rng.IntN(len(pieces))])
	}
	want := capped(t, in.String())

	tm, ptmx := rawTerminal(t)
	typed(t, ptmx, in.String())
	var got strings.Builder
	p := make([]byte, 7)
	deadline := time.Now().Add(20 * time.Second)
	for got.Len() < len(want) && time.Now().Before(deadline) {
		n, err := tm.Read(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(tm.out) > 0 {
			t.Fatalf("after %d bytes, %d kept back past a read of %d", got.Len(), len(tm.out), len(p))
		}
		got.Write(p[:n])
	}
	if got.String() != want {
		t.Fatalf("the Terminal passed %d bytes, a Reader %d", got.Len(), len(want))
	}
}

// TestFilterHoldsLittle: what passes of src is at most src and what the
// filter held before it, which the Terminal counts on to fit p.
func TestFilterHoldsLittle(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("\x1b[]P_^X\\;:0129~mA\x07\x18\x80\x9b\x9c\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 a")
	for range 200 {
		var f Filter
		for range 500 {
			src := make([]byte, rng.IntN(8))
			for i := range src {
				src[i] = alphabet[rng.IntN(len(alphabet))]
			}
			before := f.holding()
			if out := f.Append(nil, src); len(out) > len(src)+before {
				t.Fatalf("%q, %d bytes held before, passed %q", src, before, out)
			}
		}
	}
}
