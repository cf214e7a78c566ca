package server

import (
	"context"
	"io"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
)

// The terminal reader (ultraviolet's) waits, before it decides, on an
// escape of two bytes or less (ESC j: alt+j, or the escape key and a j)
// and on a sequence it does not know: it keeps them, and all the input
// after them, until no input has come for its EscTimeout. A client that
// sends one such escape, then anything without a pause (a stream of
// bytes, a key every 20 ms), made it keep everything it sent, and parse
// it all again at each read: the session grew by megabytes a second and
// took most of a core (76 MiB and 40 % of a core in 30 s; "enter, esc"
// sent without end, 35 %), and its keys were never handed on.
//
// escPaced hands the reader the session's input with a pause after each
// such escape, and after every maxUnpaused bytes: then the reader's
// timeout passes with nothing new, it decides on what it holds, and
// holds no more than that. A person's alt+key waits escPause more for
// the keys typed just after it; a paste pauses once at most: the input
// filter passes 16 KiB of it, and none of its ESCs but its end's.
type escPaced struct {
	ctx    context.Context
	r      io.Reader
	buf    []byte
	next   []byte // read, not returned yet
	esc    bool   // the last byte returned is an ESC whose sequence is not known yet
	rest   int    // bytes still to come of the character after such an ESC (alt+é)
	since  int    // bytes returned since the last pause
	paused bool   // the next Read pauses first
}

const (
	// escPause is twice the reader's timeout, so that it passes.
	escPause    = 2 * uv.DefaultEscTimeout
	maxUnpaused = 16 << 10
)

func newEscPaced(ctx context.Context, r io.Reader) *escPaced {
	return &escPaced{ctx: ctx, r: r, buf: make([]byte, 4096)}
}

func (e *escPaced) Read(p []byte) (int, error) {
	if e.paused {
		e.paused, e.since = false, 0
		t := time.NewTimer(escPause)
		select {
		case <-t.C:
		case <-e.ctx.Done():
			t.Stop()
			return 0, io.EOF
		}
	}
	if len(e.next) == 0 {
		n, err := e.r.Read(e.buf)
		if n == 0 {
			return 0, err
		}
		e.next = e.buf[:n]
	}
	n := min(len(p), len(e.next), maxUnpaused-e.since)
	for i := 0; i < n; i++ {
		b := e.next[i]
		if e.rest > 0 {
			// alt and a character of several bytes: the pause comes
			// after its last byte, or after a byte that does not
			// continue it
			if e.rest--; e.rest > 0 && b&0xc0 == 0x80 {
				continue
			}
			e.rest = 0
			n = i + 1
			e.paused = true
			break
		}
		if e.esc {
			e.esc = false
			if b == 0x1b { // ESC ESC [A: alt+up
				e.esc = true
				continue
			}
			if r := runeRest(b); r > 0 { // ESC é: alt+é
				e.rest = r
				continue
			}
			if !startsLonger(b) {
				n = i + 1 // up to the escape's end: the reader decides on it in the pause
				e.paused = true
				break
			}
			continue
		}
		e.esc = b == 0x1b
	}
	copy(p, e.next[:n])
	e.next = e.next[n:]
	if e.since += n; e.since >= maxUnpaused {
		e.paused = true
	}
	return n, nil
}

// runeRest is how many bytes follow b in a UTF-8 character that b starts
// (0 for a byte that starts none of several bytes).
func runeRest(b byte) int {
	switch {
	case b >= 0xc2 && b <= 0xdf:
		return 1
	case b >= 0xe0 && b <= 0xef:
		return 2
	case b >= 0xf0 && b <= 0xf4:
		return 3
	}
	return 0
}

// startsLonger reports whether b, after ESC, makes a sequence of more
// than two bytes: CSI, SS3, a string (DCS, OSC, APC, PM, SOS), or an
// intermediate byte.
func startsLonger(b byte) bool {
	switch b {
	case '[', 'O', 'P', ']', '_', '^', 'X':
		return true
	}
	return b >= 0x20 && b <= 0x2f
}
