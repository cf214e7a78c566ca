package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// ReconnectDelay is how long the listener waits before connecting again
// after it lost the server.
var ReconnectDelay = time.Second

// watch tells Changed, without a query, whether another node committed:
// every Update NOTIFYs on Channel with the name of its DB, and one
// connection per DB, opened at the first Changed, LISTENs. Its own
// NOTIFYs are ignored (the desk announces its own writes itself), others
// raise a flag that Changed takes down. When that connection is lost,
// and when it listens again, log is told, once each (see Options.Log).
type watch struct {
	cfg  *pgx.ConnConfig
	self string // the name of this DB in its NOTIFYs
	log  *slog.Logger

	where string // the server, for the log (set by start)

	mu      sync.Mutex
	started bool
	primed  bool  // Changed was called once (that call is the baseline)
	changed bool  // someone else committed since Changed last looked
	err     error // why the listener is not listening now; nil when it is
	warned  bool  // the log was told that the listener lost the server, and not yet that it is back
	heard   int   // notifications received, own ones included (for tests)
	cancel  context.CancelFunc
	done    chan struct{}
}

// Changed reports whether another node (or process) committed since the
// previous call; the first call reports false. It answers from what the
// listener heard, asking the server nothing. While the listener has lost
// the server it returns the reason; once it is back it reports a change,
// as anything may have happened meanwhile.
func (db *DB) Changed(context.Context) (bool, error) {
	w := &db.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.started {
		w.start(db.where)
	}
	switch {
	case !w.primed:
		w.primed, w.changed = true, false
		return false, nil
	case w.err != nil:
		return false, w.err
	}
	c := w.changed
	w.changed = false
	return c, nil
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

// HandleNotification raises the flag for another node's commit.
func (w *watch) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.heard++
	w.changed = w.changed || n.Payload != w.self
	return nil
}

// HandleBacklog runs each time the listener is (again) listening: what
// was committed while it was not cannot be told apart, so it counts as
// a change.
func (w *watch) HandleBacklog(context.Context, string, *pgx.Conn) error {
	w.mu.Lock()
	w.changed, w.err = true, nil
	back := w.warned
	w.warned = false
	where := w.where
	w.mu.Unlock()
	if back {
		w.log.Info("live updates from other nodes resumed: listening to " + where + " again")
	}
	return nil
}
