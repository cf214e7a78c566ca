package input

import "os"

// Terminal is the terminal the app runs in, its input bounded by a
// Filter: the input the app's program is given (tea.WithInput) when it
// runs in a terminal rather than over SSH. Pasted into the terminal, or
// cat'ed to it as the app ran, the 70 bytes of a CSI of 33 parameters
// made x/ansi's parser panic in the program's input goroutine, where no
// recover reaches: the app ended, what was typed lost, the terminal left
// raw.
//
// It is the terminal's file, but for Read, so that the program treats it
// as it treats the file: it puts the terminal in raw mode through Fd and
// restores it on every end (a panic of the program's included), and it
// makes its reader cancellable on Fd (ultraviolet's cancel reader waits
// until Fd can be read, then calls Read), which lets the program stop
// reading when it quits. Hence Read reads the file at most once a call:
// a second read would wait for a key past the reader's cancelling, and
// it returns 0 bytes and no error when nothing passes of what it read.
// And it reads no more than what passes may fit in p: what it could not
// return would wait for the terminal's next input, the cancel reader
// calling Read only once the file has some.
//
// On Windows, ultraviolet reads the console's input records itself,
// never calling Read: there the filter is not in the way.
type Terminal struct {
	*os.File
	f   Filter
	buf []byte
	out []byte // filtered, not returned yet (p was too short)
	err error  // the file's, once out is returned
}

// NewTerminal returns the Terminal of f, the terminal's file.
func NewTerminal(f *os.File) *Terminal {
	return &Terminal{File: f, buf: make([]byte, 4096)}
}

// Read returns what passes of the terminal's next input, reading it at
// most once.
func (t *Terminal) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(t.out) == 0 {
		if err := t.err; err != nil {
			t.err = nil
			return 0, err
		}
		// what passes is at most what is read and what the filter
		// holds: with a p of 4096 bytes, as ultraviolet's, all fits
		n := min(max(len(p)-t.f.holding(), 1), len(t.buf))
		k, err := t.File.Read(t.buf[:n])
		t.out = t.f.Append(t.out[:0], t.buf[:k])
		if len(t.out) == 0 {
			return 0, err
		}
		t.err = err
	}
	k := copy(p, t.out)
	t.out = t.out[k:]
	return k, nil
}
