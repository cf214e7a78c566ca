// Package input bounds what a terminal's input may hand the terminal's
// input parser, at both doors of the app: an SSH session's keys (package
// server) and the terminal the app runs in (package cli).
package input

import (
	"io"
	"unicode/utf8"
)

// The bounds of what a terminal's input may hand the terminal's input
// parser (charm.land's ultraviolet, over x/ansi's). It keeps an
// unfinished sequence, and a whole bracketed paste, in memory until it
// ends, parsing it all again at each read: a client that opened a paste
// and sent 50 MiB made the server allocate 17 times as much (the paste,
// then its runes, then its string), five sessions of one account 9 GB;
// an unterminated sequence fed without a pause grows the same way. And
// x/ansi's parser holds 32 parameters: a 33rd (ESC[1;1;…m) indexes past
// its array, a panic in the program's input goroutine that no recover
// reaches, which ended the whole server, and ends the app run in a
// terminal (70 bytes pasted, or a file cat'ed, as it runs). What is cut
// is more than anything typed or answered takes: the app types the
// first 1,024 characters of a paste (tui's maxPaste), a terminal's
// answers to queries are tens of bytes with a handful of parameters.
const (
	maxPasteBytes = 16 << 10
	maxSeqBytes   = 4 << 10
	maxParams     = 16
)

// pasteEnd is the bracketed paste's end marker, which a paste cut short
// is still given.
const pasteEnd = "\x1b[201~"

// Filter passes a terminal's input to its parser within those bounds.
// It follows the grammar the parser follows (ECMA-48, as x/ansi reads
// it), so that both agree on where a sequence or a paste ends:
//   - outside sequences, UTF-8 characters and 7-bit controls pass; a byte
//     that is not part of a valid character is dropped: the parser takes
//     a lone 0x80–0x9F for an 8-bit introducer (0x9b is CSI), and stalls
//     on others, holding all that follows;
//   - ESC, then intermediates (0x20–0x2F), then a final byte; ESC [ (CSI)
//     and ESC P (DCS) take parameters (0x30–0x3F, at most maxParams, the
//     rest of them dropped), intermediates and a final byte (0x40–0x7E),
//     any other byte of them dropped; DCS then data, as the strings
//     ESC ] (OSC), ESC _ (APC), ESC ^ (PM), ESC X (SOS) do, which end at
//     ESC \ (ST), ESC and anything else (cancelled), CAN or SUB, and
//     for OSC at BEL;
//   - a sequence's first maxSeqBytes pass, then only its end;
//   - a bracketed paste starts at CSI 200 ~ as the parser reads it (any
//     zeros before 200, more parameters after: ESC[0200~ and ESC[200;1~
//     start one too), and ends at CSI 201 ~; its first maxPasteBytes
//     pass, sequences included, then only its end, as ESC[201~.
//
// Hand-written: neither ultraviolet nor bubbletea bounds its input, and
// a filter of the bytes before the parser is the one place that sees all
// of a terminal's input. Its zero value is ready; it keeps, between
// calls, where the input is in the grammar.
type Filter struct {
	out []byte // what passes, during Append

	state inputState
	seq   int  // bytes of the current sequence passed
	cut   bool // the current sequence is past maxSeqBytes

	// the character begun outside a sequence: its bytes so far, and
	// how many it has
	char []byte
	want int

	// a CSI or DCS being read: its parameters so far, whether it has a
	// private marker (<=>?) or an intermediate, and its first parameter
	// (past 999999, counted as more than any that means something)
	dcs, marked  bool
	params       int
	first, digit int

	isOSC bool

	// a paste: whether one is open, the bytes of it passed, whether it
	// is past maxPasteBytes (then nothing passes but its end), and what
	// may be its end marker, held
	paste    bool
	pasted   int
	pasteCut bool
	held     []byte
}

type inputState int

const (
	ground  inputState = iota
	escape             // after ESC, and its intermediates
	csi                // ESC [ or ESC P: parameters, intermediates, final byte
	str                // a string's data (DCS after its final byte, OSC, APC, PM, SOS)
	strEsc             // an ESC in a string: ST, or the string cancelled
	utf8Str            // a character's further bytes in a string
	pasting            // inside a bracketed paste
)

// Append filters src, the input's next bytes, and appends what passes
// to dst. Bytes that may be part of what comes next are held until it
// comes (the start of a character, an ESC in a paste or in a string):
// what passes is at most len(src) and the bytes held before.
func (f *Filter) Append(dst, src []byte) []byte {
	f.out = dst
	for _, b := range src {
		f.take(b)
	}
	dst, f.out = f.out, nil
	return dst
}

// holding is the number of bytes taken and held, not passed yet.
func (f *Filter) holding() int {
	n := len(f.char) + len(f.held)
	if f.state == strEsc {
		n++
	}
	return n
}

// Reader reads r within the Filter's bounds.
type Reader struct {
	r   io.Reader
	f   Filter
	buf []byte
	out []byte // filtered, not returned yet
	err error
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, buf: make([]byte, 4096)}
}

// Read returns what passes of r's input; it reads r again while nothing
// does.
func (c *Reader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		n, err := c.r.Read(c.buf)
		c.out = c.f.Append(c.out[:0], c.buf[:n])
		c.err = err
	}
	k := copy(p, c.out)
	c.out = c.out[k:]
	return k, nil
}

// emit passes bs, unless a paste is past its bound; bytes of a paste
// count towards it.
func (c *Filter) emit(bs ...byte) {
	if !c.paste {
		c.out = append(c.out, bs...)
		return
	}
	if c.pasteCut {
		return
	}
	if c.pasted+len(bs) > maxPasteBytes {
		c.pasteCut = true
		return
	}
	c.pasted += len(bs)
	c.out = append(c.out, bs...)
}

// seqByte passes b, a byte inside a sequence, while the sequence is
// within its bound.
func (c *Filter) seqByte(b byte) {
	if c.seq >= maxSeqBytes {
		c.cut = true
		return
	}
	c.seq++
	c.emit(b)
}

// take filters one byte.
func (c *Filter) take(b byte) {
	switch c.state {
	case ground:
		c.ground(b)
	case escape:
		c.escape(b)
	case csi:
		c.csiByte(b)
	case str, utf8Str:
		c.strByte(b)
	case pasting:
		c.pasteByte(b)
	case strEsc:
		c.state = str
		if b == '\\' {
			c.emit(0x1b, b)
			c.state = ground
			return
		}
		// ESC then not \: the string is cancelled, and the ESC starts
		// a sequence of its own
		c.emit(0x1b)
		c.startEscape()
		c.take(b)
	}
}

// ground takes b outside any sequence.
func (c *Filter) ground(b byte) {
	if len(c.char) > 0 {
		if b&0xC0 == 0x80 {
			c.char = append(c.char, b)
			if len(c.char) == c.want {
				if r, _ := utf8.DecodeRune(c.char); r != utf8.RuneError {
					c.emit(c.char...)
				}
				c.char = c.char[:0]
			}
			return
		}
		c.char = c.char[:0] // a character cut short: dropped
	}
	switch {
	case b == 0x1b:
		c.emit(b)
		c.startEscape()
	case b < 0x80:
		c.emit(b)
	case b >= 0xC2 && b <= 0xF4:
		c.char, c.want = append(c.char, b), 2
		if b >= 0xE0 {
			c.want = 3
		}
		if b >= 0xF0 {
			c.want = 4
		}
	default:
		// a byte no character starts with: a lone 0x80–0xBF (among
		// them the 8-bit introducers), or one UTF-8 never uses
	}
}

func (c *Filter) startEscape() {
	c.state, c.seq, c.cut = escape, 0, false
}

// escape takes b after ESC (and its intermediates).
func (c *Filter) escape(b byte) {
	switch {
	case b == '[' || b == 'P':
		c.emit(b)
		c.state, c.dcs, c.marked, c.params, c.first, c.digit = csi, b == 'P', false, 0, 0, 0
	case b == ']' || b == '_' || b == '^' || b == 'X':
		c.emit(b)
		c.state, c.isOSC = str, b == ']'
	case b == 0x1b:
		c.emit(b)
		c.startEscape()
	case b >= 0x20 && b <= 0x2F:
		c.seqByte(b) // an intermediate: the sequence goes on
	case b >= 0x30 && b <= 0x7E:
		c.emit(b)
		c.state = ground
	default:
		// the parser ends the sequence before b, which is read anew
		c.state = ground
		c.ground(b)
	}
}

// csiByte takes b inside a CSI or a DCS's parameters.
func (c *Filter) csiByte(b byte) {
	switch {
	case b == 0x1b:
		// an ESC cancels the sequence and starts another
		c.emit(b)
		c.startEscape()
	case b >= 0x30 && b <= 0x3F:
		switch {
		case b == ';' || b == ':':
			if c.params++; c.params >= maxParams {
				return // parameters past the bound: dropped, all of them
			}
		case b >= '<':
			c.marked = true
		case c.params == 0:
			c.first = min(c.first*10+int(b-'0'), 1_000_000)
			c.digit++
		}
		if c.params >= maxParams {
			return
		}
		c.seqByte(b)
	case b >= 0x20 && b <= 0x2F:
		c.marked = true
		c.seqByte(b)
	case b >= 0x40 && b <= 0x7E:
		c.final(b)
	default:
		// a control or a byte past 0x7E inside the sequence: dropped
	}
}

// final ends a CSI or a DCS's parameters with b.
func (c *Filter) final(b byte) {
	if b == '_' {
		// Windows' input mode (CSI … _), which no SSH client sends
		// unasked: ultraviolet repeats its key by the sixth parameter
		// (21 bytes made 65,535 events, 4 KiB 700 MB), and x/ansi
		// miscounts its records of a character, skipping real bytes
		// after them. An unknown final byte ends the sequence instead.
		b = 'z'
	}
	if c.dcs {
		c.emit(b)
		c.state, c.isOSC = str, false
		return
	}
	c.state = ground
	switch {
	case b == '~' && !c.marked && c.digit > 0 && (c.first == 200 || c.first >= 1_000_000):
		// a paste starts (a first parameter of seven digits and more
		// may overflow to 200 in the parser: taken for a start too)
		c.emit(b)
		c.state, c.paste, c.pasted, c.pasteCut, c.held = pasting, true, 0, false, c.held[:0]
	default:
		c.emit(b)
	}
}

// pasteByte takes b inside a paste. Its characters pass, within
// maxPasteBytes; an ESC passes only as the start of the end marker
// ESC[201~, which passes whole, at once, always: the parser, which
// reads a marker split over time as two (its ESC timeout), never holds
// half of it, nor sees another sequence, so that it can't stay in a
// paste the filter took for ended (a tester's ESC[201, a pause, then ~
// and 50 MiB). Any other ESC of a paste is dropped.
func (c *Filter) pasteByte(b byte) {
	if len(c.held) > 0 {
		if b == pasteEnd[len(c.held)] {
			if c.held = append(c.held, b); len(c.held) == len(pasteEnd) {
				c.out = append(c.out, pasteEnd...)
				c.held, c.paste, c.state = c.held[:0], false, ground
			}
			return
		}
		// not the end after all: the ESC goes, what followed it is the
		// paste's
		var rest [len(pasteEnd)]byte
		k := copy(rest[:], c.held[1:])
		c.held = c.held[:0]
		for _, x := range rest[:k] {
			c.ground(x)
		}
	}
	if b == 0x1b {
		c.held = append(c.held, b)
		return
	}
	c.ground(b)
}

// strByte takes b inside a string's data.
func (c *Filter) strByte(b byte) {
	if c.state == utf8Str {
		if b&0xC0 == 0x80 {
			c.char = append(c.char, b)
			if len(c.char) == c.want {
				if r, _ := utf8.DecodeRune(c.char); r != utf8.RuneError {
					for _, x := range c.char {
						c.seqByte(x)
					}
				}
				c.char, c.state = c.char[:0], str
			}
			return
		}
		c.char, c.state = c.char[:0], str // a character cut short: dropped
	}
	switch {
	case b == 0x1b:
		c.state = strEsc // held until the next byte says whether it is ST
	case b == 0x07 && c.isOSC, b == 0x18, b == 0x1a:
		// BEL ends an OSC; CAN and SUB cancel any string
		c.emit(b)
		c.state = ground
	case b < 0x80:
		c.seqByte(b)
	case b >= 0xC2 && b <= 0xF4:
		c.char, c.want, c.state = append(c.char, b), 2, utf8Str
		if b >= 0xE0 {
			c.want = 3
		}
		if b >= 0xF0 {
			c.want = 4
		}
	default:
		// not part of a character (the 8-bit ST 0x9c among them): dropped
	}
}
