package server

import (
	"io"
	"unicode/utf8"
)

// The bounds of what one escape sequence or one paste may hand the
// terminal's input parser (charm.land's ultraviolet). It keeps an
// unfinished sequence, and a whole bracketed paste, in memory until it
// ends, parsing the sequence again at each read: a client that opened a
// paste and sent 50 MiB made the server allocate 17 times as much (the
// paste, then its runes, then its string), five sessions of one account
// 9 GB; an unterminated sequence fed without a pause grows the same way,
// each read parsing it whole again. What is cut is more than anything
// typed or answered takes: the app types the first 1,024 characters of a
// paste (tui's maxPaste), and a terminal's answers to queries are tens of
// bytes.
const (
	maxPasteBytes = 16 << 10
	maxSeqBytes   = 4 << 10
)

// The bracketed paste's markers, which the client's terminal puts around
// a paste once the app asks it to.
const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
)

// inputCap passes a session's input to the program, but only the first
// maxPasteBytes of a bracketed paste and the first maxSeqBytes of an
// escape sequence: the rest of either is dropped up to its end, which is
// passed, so the parser sees the paste or the sequence end as it would.
// Keys outside them pass untouched and at once.
//
// Hand-written: neither ultraviolet nor bubbletea bounds its input, and a
// filter of the bytes, before the parser, is the one place that sees
// every session's input whatever the parser keeps. It knows only how
// sequences end (ECMA-48): a CSI at its final byte, a string (OSC, DCS,
// APC, PM, SOS) at ST or, for OSC, BEL.
type inputCap struct {
	r   io.Reader
	buf []byte
	out []byte // filtered, not returned yet
	err error

	state inputState
	n     int  // bytes of the current sequence or paste passed
	cut   bool // the current sequence or paste is past its bound
	csi   []byte
	held  []byte // in a paste: the start of what may be its end marker
	stEsc bool   // in a string: an ESC just came (ST is ESC \)
	isOSC bool
}

type inputState int

const (
	ground inputState = iota
	escape            // after ESC
	csi               // ESC [ … final byte
	str               // ESC ] / P / _ / ^ / X … ST
	paste             // between the paste's markers
)

func newInputCap(r io.Reader) *inputCap {
	return &inputCap{r: r, buf: make([]byte, 4096)}
}

func (c *inputCap) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		n, err := c.r.Read(c.buf)
		c.out = c.out[:0]
		for _, b := range c.buf[:n] {
			c.take(b)
		}
		c.err = err
	}
	k := copy(p, c.out)
	c.out = c.out[k:]
	return k, nil
}

// take filters one byte.
func (c *inputCap) take(b byte) {
	switch c.state {
	case ground:
		c.out = append(c.out, b)
		if b == 0x1b {
			c.state = escape
		}
	case escape:
		c.out = append(c.out, b)
		c.n, c.cut = 0, false
		switch b {
		case '[':
			c.state, c.csi = csi, c.csi[:0]
		case ']', 'P', '_', '^', 'X':
			c.state, c.isOSC, c.stEsc = str, b == ']', false
		case 0x1b:
			// ESC ESC: the second may start a sequence (alt+esc, or a
			// sequence after a lone esc)
		default:
			c.state = ground
		}
	case csi:
		if b == 0x1b {
			// an ESC cancels the sequence and starts another
			c.out = append(c.out, b)
			c.state = escape
			return
		}
		final := b >= 0x40 && b <= 0x7e
		if !final {
			c.seqByte(b)
			if len(c.csi) < len(pasteStart) {
				c.csi = append(c.csi, b)
			}
			return
		}
		c.out = append(c.out, b)
		c.state = ground
		if b == '~' && string(c.csi) == pasteStart[2:len(pasteStart)-1] && !c.cut {
			c.state, c.n, c.cut, c.held = paste, 0, false, c.held[:0]
		}
	case str:
		switch {
		case c.stEsc && b == '\\':
			c.out = append(c.out, 0x1b, b)
			c.state = ground
		case c.stEsc:
			// ESC then not \: the string was cancelled, and the ESC
			// starts a sequence of its own
			c.out = append(c.out, 0x1b)
			c.state = escape
			c.take(b)
		case b == 0x1b:
			c.stEsc = true // held until the next byte says whether it is ST
		case b == 0x07 && c.isOSC:
			c.out = append(c.out, b)
			c.state = ground
		default:
			c.seqByte(b)
		}
	case paste:
		c.pasteByte(b)
	}
}

// seqByte passes b, a byte inside a sequence, while the sequence is
// within its bound.
func (c *inputCap) seqByte(b byte) {
	if c.n >= maxSeqBytes {
		c.cut = true
		return
	}
	c.n++
	c.out = append(c.out, b)
}

// pasteByte takes b inside a paste: the end marker is passed whole, and
// only when whole; the paste's own bytes up to maxPasteBytes, and never
// part of a character.
func (c *inputCap) pasteByte(b byte) {
	if b == pasteEnd[len(c.held)] {
		c.held = append(c.held, b)
		if len(c.held) == len(pasteEnd) {
			c.out = append(c.out, c.held...)
			c.held, c.state = c.held[:0], ground
		}
		return
	}
	// not the marker after all: what was held is the paste's
	var held [len(pasteEnd)]byte
	k := copy(held[:], c.held)
	c.held = c.held[:0]
	for _, h := range held[:k] {
		c.pasted(h)
	}
	if b == pasteEnd[0] {
		c.held = append(c.held, b)
		return
	}
	c.pasted(b)
}

// pasted passes b, a byte of the paste itself, while the paste is within
// its bound; past it, the character begun is finished, then nothing.
func (c *inputCap) pasted(b byte) {
	if c.cut {
		return
	}
	if c.n >= maxPasteBytes && utf8.RuneStart(b) {
		c.cut = true
		return
	}
	c.n++
	c.out = append(c.out, b)
}
