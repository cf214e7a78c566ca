package server

import (
	"io"
	"sync"

	gossh "golang.org/x/crypto/ssh"
)

// drained is a session channel whose input is read as it comes, into
// one buffer of at most maxUnread bytes: golang.org/x/crypto/ssh keeps
// what a channel is sent and nothing has read yet packet by packet, each
// in an allocation of its own, up to the channel's window (2 MiB), and a
// client sending one byte a packet made it hold about 50 bytes of the
// server's memory for each byte: 100 MiB a channel, for as long as
// nothing read it (a session channel that never asks for a shell, a
// session whose keys wait for their pace, the stderr that a client may
// send too and nothing reads). What comes while the buffer is full is
// dropped: the app takes a session's input far faster than a connection
// may send it (see wireRate), so only keys waiting for their pace
// (DefaultKeyRate) ever fill it, a paste sent as keys of more than
// maxUnread. The stderr a client sends is read and dropped.
type drained struct {
	gossh.Channel

	mu      sync.Mutex
	ready   *sync.Cond
	buf     []byte // read, not taken yet
	keep    int    // the most buf holds
	err     error  // the channel's, once buf is taken
	dropped int64  // bytes dropped: the buffer was full
}

// drain starts reading c's input into at most keep bytes (none: all of
// it dropped), and its stderr into nothing.
func drain(c gossh.Channel, keep int) *drained {
	d := &drained{Channel: c, keep: keep}
	d.ready = sync.NewCond(&d.mu)
	go d.fill()
	go func() { _, _ = io.Copy(io.Discard, c.Stderr()) }()
	return d
}

// drainBuffer is how much of the channel one read takes at most.
const drainBuffer = 8 << 10

func (d *drained) fill() {
	b := make([]byte, drainBuffer)
	for {
		n, err := d.Channel.Read(b)
		d.mu.Lock()
		kept := min(n, max(d.keep-len(d.buf), 0))
		if kept > 0 {
			d.buf = append(d.buf, b[:kept]...)
			d.ready.Signal()
		}
		d.dropped += int64(n - kept)
		if err != nil {
			d.err = err
			d.ready.Broadcast()
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
	}
}

// Read returns the input read so far, waiting for some; the channel's
// error once it is all taken.
func (d *drained) Read(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.buf) == 0 && d.err == nil {
		d.ready.Wait()
	}
	if len(d.buf) == 0 {
		return 0, d.err
	}
	n := copy(p, d.buf)
	if d.buf = d.buf[n:]; len(d.buf) == 0 {
		d.buf = nil // its array goes, not kept at its largest
	}
	return n, nil
}

// Dropped is how many bytes of input were dropped so far.
func (d *drained) Dropped() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dropped
}
