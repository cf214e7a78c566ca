package common

// Reads runs a page's reads of the desk one at a time. A Load asked while
// a read is under way is remembered and made once that read lands (a
// burst of changes costs one more read, not one each), and the answer of
// a read that a newer one overtook is dropped when it lands.
type Reads struct {
	seq   int
	busy  bool
	again bool
}

// Begin starts a read and returns its number; ok is false when a read is
// already under way, and this one is then made once that one lands.
func (r *Reads) Begin() (seq int, ok bool) {
	if r.busy {
		r.again = true
		return 0, false
	}
	r.busy = true
	r.seq++
	return r.seq, true
}

// Current reports whether seq is the newest read: only its answer counts.
func (r *Reads) Current(seq int) bool { return seq == r.seq }

// Busy reports whether a read is under way.
func (r *Reads) Busy() bool { return r.busy }

// End records that the newest read has landed, and reports whether a
// Load was asked meanwhile (the caller then loads again).
func (r *Reads) End() (again bool) {
	r.busy = false
	again, r.again = r.again, false
	return again
}

// Forget drops a Load asked meanwhile: a read about to start covers it.
func (r *Reads) Forget() { r.again = false }
