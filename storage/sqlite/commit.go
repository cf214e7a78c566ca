package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"contactdesk/model"
	"contactdesk/storage/sqlstore"
)

// Group commit. Every write transaction ends with a sync of the WAL
// (synchronous=FULL), which takes about 0.3 ms on the machine of
// BENCHMARKS.md and is most of a write's cost; SQLite has one writer at a
// time, so while one commit waits for the disk, the writes of other users
// can only wait too. Here they are gathered instead: the writes that
// arrive while a commit is under way run, each in a savepoint of its own,
// in the next transaction, and one sync commits them all. A write that
// fails is rolled back to its savepoint, alone; each caller learns its own
// outcome only once the commit that holds its write is durable.
//
// A caller whose context is done while its write waits (for the writes
// before it, or for another program's lock on the file) gets the
// context's error at once, its write never to run; one whose write has
// begun waits for the commit, as before (see commit). The group waits
// for the lock as long as one of its callers does.

// maxGroup bounds how many writes share a transaction.
const maxGroup = 64

// errClosed is what a write gets once the database is closed.
var errClosed = errors.New("sqlite: the database is closed")

// job is one caller's write transaction, waiting for the committer.
type job struct {
	ctx     context.Context
	fn      func(model.Tx) error
	done    chan error
	panicky any // what fn panicked with, to panic again in the caller
	// state says who has the job: waiting (the caller may still give it
	// up), then running (the committer took it) or abandoned (the caller
	// gave it up); whoever moves it from waiting first decides.
	state atomic.Int32
}

const (
	waiting int32 = iota
	running
	abandoned
)

// abandon gives the job up if the committer has not taken it: then its
// write never runs.
func (j *job) abandon() bool { return j.state.CompareAndSwap(waiting, abandoned) }

// take gives the job to the committer unless its caller gave it up.
func (j *job) take() bool { return j.state.CompareAndSwap(waiting, running) }

// Update runs fn in a write transaction, alone or with writes that
// arrived at the same time (see maxGroup): everything fn wrote is
// committed when it returns nil, nothing when it returns an error.
func (db *DB) Update(ctx context.Context, fn func(model.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db.readOnly {
		return fmt.Errorf("%s: %w; nothing was changed", db.path, ErrReadOnlyOpen)
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.stopCommits:
		return errClosed
	}
	return j.await()
}

// await is the outcome of a job handed to the committer: its context's
// error at once if the job is given up before the committer takes it.
func (j *job) await() error {
	var err error
	select {
	case err = <-j.done:
	case <-j.ctx.Done():
		if j.abandon() {
			return j.ctx.Err()
		}
		err = <-j.done // it runs: its outcome, soon
	}
	if j.panicky != nil {
		panic(j.panicky)
	}
	return err
}

// committer runs the writes, a group at a time, until the database is
// closed.
func (db *DB) committer() {
	defer close(db.commitsDone)
	for {
		var group []*job
		select {
		case j := <-db.jobs:
			group = append(group, j)
		case <-db.stopCommits:
			return
		}
	gather:
		for len(group) < maxGroup {
			select {
			case j := <-db.jobs:
				group = append(group, j)
			default:
				break gather
			}
		}
		db.commit(group)
	}
}

// commit runs a group of writes in one transaction, each in a savepoint
// of its own, and tells each its outcome once the transaction is
// committed (or not).
func (db *DB) commit(group []*job) {
	errs := make([]error, len(group))
	// The lock is waited for while one caller of the group still waits,
	// and not once the database is closing.
	var tx *sql.Tx
	broken := wait(context.Background(), db.stopCommits, func() (err error) {
		if gone(group) {
			return errGone
		}
		tx, err = db.writer.Begin()
		return err
	})
	// A newer contactdesk may have upgraded the file since it was
	// opened (another process, a rolling upgrade): this one would write
	// rows the newer schema does not expect, so it writes none. The
	// transaction holds the write lock, which an upgrade takes too.
	var newer error
	if broken == nil {
		var ver int
		if broken = tx.QueryRow("PRAGMA user_version").Scan(&ver); broken == nil {
			newer = sqlstore.Newer(ver)
		}
	}
	wrote := false
	for i, j := range group {
		if broken != nil {
			errs[i] = broken
			continue
		}
		if errs[i] = newer; errs[i] != nil {
			continue
		}
		if !j.take() || j.ctx.Err() != nil {
			errs[i] = j.ctx.Err() // the caller has it already, or waits for it
			continue
		}
		// A write alone in its group needs no savepoint: when it fails,
		// the transaction is rolled back whole, which holds nothing
		// else. That saves two statements of every write that came
		// alone (most, unless many users write at once).
		alone := len(group) == 1
		if !alone {
			if _, broken = tx.Exec("SAVEPOINT write"); broken != nil {
				continue
			}
		}
		// One caller giving up must not interrupt the statements of
		// a transaction that holds others' writes: fn runs to its end.
		end := "RELEASE write"
		if errs[i] = run(j, sqlstore.New(&exec{ctx: context.WithoutCancel(j.ctx), tx: tx})); errs[i] != nil {
			// If SQLite rolled the whole transaction back (it may, on a
			// full disk or an I/O error), the savepoint is gone too.
			end = "ROLLBACK TO write; RELEASE write"
		}
		if !alone {
			_, broken = tx.Exec(end)
		}
		wrote = wrote || errs[i] == nil
	}
	switch {
	case broken == nil && wrote:
		if broken = tx.Commit(); broken == nil {
			db.committed()
		}
	case tx != nil:
		tx.Rollback()
	}
	for i, j := range group {
		if errs[i] == nil && broken != nil {
			errs[i] = fmt.Errorf("the transaction holding this write failed: %w", broken)
		}
		j.done <- db.explain(errs[i], false)
	}
	if db.finish.CompareAndSwap(true, false) {
		// Done, not failed, whatever this says: the next run retries.
		db.writer.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// gone reports whether every caller of a group gave its write up.
func gone(group []*job) bool {
	for _, j := range group {
		if j.state.Load() != abandoned {
			return false
		}
	}
	return true
}

// run calls the job's fn, turning a panic into an error here (so that
// the group's transaction is rolled back to the job's savepoint) and
// keeping it to panic again in the caller.
func run(j *job, tx model.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			j.panicky = p
			err = fmt.Errorf("sqlite: a write panicked: %v", p)
		}
	}()
	return j.fn(tx)
}

// Checkpoints copy the WAL back into the database file, and the WAL
// starts over once a write finds it wholly copied. SQLite would do it in
// the commit that fills the WAL past 1,000 pages, making that one user's
// action wait for a copy of 4 MB and for a sync of the database file:
// the slowest 1-2% of writes took 8-10 ms instead of under 1 ms on the
// machine of BENCHMARKS.md. Here the copying is done beside the writes
// by a connection of its own (see checkpointer), woken every
// CheckpointEvery commits of this process and every CheckpointInterval
// (for the commits of other processes). While writes keep coming in, a
// copy is never whole at the moment a write begins, so once the WAL holds
// CheckpointFinish frames the writer copies what is left after its next
// commit: a few pages, the rest having been copied and synced already.
// A commit is durable once its WAL frames are synced, before any
// checkpoint, so where checkpoints run changes nothing of what survives a
// crash.
const (
	CheckpointEvery    = 64
	CheckpointInterval = time.Second
	CheckpointFinish   = 1000 // frames (pages) in the WAL
)

// startCheckpointer runs the checkpointer on its connection c.
func (db *DB) startCheckpointer(c *sql.DB) {
	ctx, stop := context.WithCancel(context.Background())
	db.ckpt, db.kick, db.stopCkpt, db.ckptDone = c, make(chan struct{}, 1), stop, make(chan struct{})
	go db.checkpointer(ctx)
}

// checkpointer copies the WAL into the database file, without waiting
// for readers or writers (PASSIVE). SQLite syncs the database file only
// after a copy during which no commit came in; such a copy is what makes
// the writer's final one cheap, so the copy is repeated (up to 8 times,
// each copying what came in during the one before) until one finds
// nothing new. Its errors (another process checkpointing, say) are those
// of a chore tried again soon, so they are not reported.
func (db *DB) checkpointer(ctx context.Context) {
	defer close(db.ckptDone)
	t := time.NewTicker(CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-db.kick:
		case <-t.C:
		}
		// log: the frames in the WAL when the copy began; done: the
		// frames copied. A copy that begins where the previous one
		// ended found nothing new: the previous one was whole.
		var busy, log, done int
		var err error
		prev := -1
		for i := 0; i < 8; i++ {
			err = db.ckpt.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
			if err != nil || log == prev {
				break
			}
			prev = done
		}
		if err == nil && log >= CheckpointFinish {
			db.finish.Store(true)
		}
	}
}

// committed counts a commit and wakes the checkpointer every
// CheckpointEvery of them.
func (db *DB) committed() {
	if db.kick != nil && db.commits.Add(1)%CheckpointEvery == 0 {
		select {
		case db.kick <- struct{}{}:
		default:
		}
	}
}
