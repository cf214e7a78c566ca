package sqlite

import (
	"context"
	"errors"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Waiting for a lock another program holds. SQLite's own wait (its busy
// timeout) sleeps between tries and looks at nothing else: a statement
// whose context is cancelled while it waits for the lock, sqlite3_interrupt
// or not, returns only once the whole timeout has passed (Ctrl-C during a
// write to a desk another program held locked took the rest of 5 s to
// take effect). The driver offers no busy handler of its own, so the
// writer's connection, which takes the desk's locks, tells SQLite not to
// wait (_busy_timeout=0), and the waiting is done here, between tries of
// the statement that takes the lock, where a cancelled context (or a
// closing database) ends it at once. Once the lock is held, the
// transaction's other statements never wait for it. (The readers keep
// SQLite's own wait: see View.)

// busyTries are the pauses between tries to take a lock, then the last
// one again until BusyTimeout has passed: short at first, for the locks
// held a moment (another process's commit), and never so long that a
// lock released is left unused for more than a few milliseconds. (SQLite
// itself pauses 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, then 100 ms.)
var busyTries = []time.Duration{1, 2, 5, 10, 15, 20, 25}

// errGone is what a write's lock wait ends with when every caller of
// the group gave up before it began.
var errGone = errors.New("sqlite: every write of the group was given up")

// busy reports whether err says that another connection held the lock.
func busy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// wait calls try, which takes a lock, again and again while it fails
// because another connection holds that lock, for BusyTimeout at most:
// then it returns try's error (BUSY), which explain words. It stops at
// once, returning ctx's error, when ctx is done, and errClosed when stop
// is closed.
func wait(ctx context.Context, stop <-chan struct{}, try func() error) error {
	deadline := time.Now().Add(BusyTimeout)
	for i := 0; ; i++ {
		err := try()
		left := time.Until(deadline)
		if !busy(err) || left <= 0 {
			return err
		}
		pause := busyTries[min(i, len(busyTries)-1)] * time.Millisecond
		t := time.NewTimer(min(pause, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-stop:
			t.Stop()
			return errClosed
		case <-t.C:
		}
	}
}
