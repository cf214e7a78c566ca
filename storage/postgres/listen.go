package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"contactdesk/model"
)

// ReconnectDelay is how long the listener waits before connecting again
// after it lost the server.
var ReconnectDelay = time.Second

// watch tells Changes, without a query, whether another node committed,
// and whose screens show what it changed: every Update NOTIFYs on
// Channel with the name of its DB and the accounts the write touched
// (see payload), and one connection per DB, opened at the first
// Changes, LISTENs. Its own NOTIFYs are ignored (the desk announces its
// own writes itself), others raise a flag and add their accounts to
// those Changes takes, or, when one says anything may have changed, set
// all. When that connection is lost, and when it listens again, log is
// told, once each (see Options.Log).
type watch struct {
	cfg  *pgx.ConnConfig
	self string // the name of this DB in its NOTIFYs
	log  *slog.Logger

	where string // the server, for the log (set by start)

	mu      sync.Mutex
	started bool
	primed  bool                  // Changed was called once (that call is the baseline)
	changed bool                  // someone else committed since Changes last looked
	all     bool                  // … and anything may have changed
	touched map[model.Handle]bool // … else what these accounts' screens show
	err     error                 // why the listener is not listening now; nil when it is
	warned  bool                  // the log was told that the listener lost the server, and not yet that it is back
	heard   int                   // notifications received, own ones included (for tests)
	cancel  context.CancelFunc
	done    chan struct{}
}

// maxTouched bounds the accounts the listener keeps between two calls of
// Changes: past it, they count as "anything may have changed".
const maxTouched = 1000

// Changed reports whether another node (or process) committed since the
// previous call (see Changes).
func (db *DB) Changed(ctx context.Context) (bool, error) {
	_, c, err := db.Changes(ctx)
	return c, err
}

// Changes reports whether another node (or process) committed since the
// previous call, and whose screens show what changed: the accounts the
// writes touched, or All when one of them did not say (an older node's,
// a change of settings, an import). The first call reports nothing. It
// answers from what the listener heard, asking the server nothing. While
// the listener has lost the server it returns the reason; once it is
// back it reports that anything may have changed, as anything may have
// happened meanwhile.
func (db *DB) Changes(context.Context) (model.Change, bool, error) {
	w := &db.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.started {
		w.start(db.where)
	}
	switch {
	case !w.primed:
		w.primed = true
		w.reset()
		return model.Change{}, false, nil
	case w.err != nil:
		return model.Change{}, false, w.err
	}
	var c model.Change
	changed := w.changed
	if w.all {
		c.All = true
	} else {
		for h := range w.touched {
			c.Handles = append(c.Handles, h)
		}
		slices.Sort(c.Handles)
	}
	w.reset()
	return c, changed, nil
}

// reset forgets what was heard; w.mu is held.
func (w *watch) reset() {
	w.changed, w.all = false, false
	clear(w.touched)
}

// start runs the listener until stop; w.mu is held.
func (w *watch) start(where string) {
	ctx, cancel := context.WithCancel(context.Background())
	w.started, w.cancel, w.done, w.where = true, cancel, make(chan struct{}), where
	w.err = &lostErr{err: errors.New("not connected yet"), msg: "live updates from other nodes: connecting to " + where}
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, w.cfg.Copy()) },
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() != nil {
				return // stopping
			}
			w.mu.Lock()
			w.err = &lostErr{err: err, msg: fmt.Sprintf("live updates from other nodes paused: cannot reach %s (%s); connecting again", where, cause(err))}
			first := !w.warned
			w.warned = true
			w.mu.Unlock()
			if first {
				// Once per outage: the tries that fail after it say
				// nothing new.
				w.log.Warn(fmt.Sprintf("live updates from other nodes paused: lost the connection that listens to %s (%s); connecting again every %s",
					where, cause(err), ReconnectDelay), "error", cause(err))
			}
		},
		ReconnectDelay: ReconnectDelay,
	}
	l.Handle(Channel, w)
	go func() {
		defer close(w.done)
		l.Listen(ctx)
	}()
}

func (w *watch) stop() {
	w.mu.Lock()
	cancel, done := w.cancel, w.done
	w.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// HandleNotification raises the flag for another node's commit, and
// keeps whose screens show what it changed.
func (w *watch) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.heard++
	node, hs, all := readPayload(n.Payload)
	if node == w.self {
		return nil
	}
	w.changed = true
	if all || w.all {
		w.all = true
		return nil
	}
	if w.touched == nil {
		w.touched = map[model.Handle]bool{}
	}
	for _, h := range hs {
		w.touched[h] = true
	}
	if len(w.touched) > maxTouched {
		w.all = true
		clear(w.touched)
	}
	return nil
}

// HandleBacklog runs each time the listener is (again) listening: what
// was committed while it was not cannot be told apart, so it counts as
// a change.
func (w *watch) HandleBacklog(context.Context, string, *pgx.Conn) error {
	w.mu.Lock()
	w.changed, w.all, w.err = true, true, nil
	back := w.warned
	w.warned = false
	where := w.where
	w.mu.Unlock()
	if back {
		w.log.Info("live updates from other nodes resumed: listening to " + where + " again")
	}
	return nil
}
