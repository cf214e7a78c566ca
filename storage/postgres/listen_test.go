package postgres

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"contactdesk/internal/syncbuf"
	"contactdesk/model"
	"contactdesk/storage/postgres/pgtest"
)

func TestMain(m *testing.M) {
	// Tests cut connections on purpose: come back at once.
	ReconnectDelay = 20 * time.Millisecond
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// eventually waits until cond holds; it fails the test only when it
// never does (the bound is generous: this is not a speed test).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (db *DB) heard() int {
	db.watch.mu.Lock()
	defer db.watch.mu.Unlock()
	return db.watch.heard
}

func (db *DB) listening() bool {
	db.watch.mu.Lock()
	defer db.watch.mu.Unlock()
	return db.watch.started && db.watch.err == nil
}

func addAccount(t *testing.T, db *DB, h model.Handle) {
	t.Helper()
	err := db.Update(context.Background(), func(tx model.Tx) error {
		return tx.InsertAccount(model.Account{Handle: h, Name: string(h), Email: "a@b.c"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// changedSoon waits until Changed reports a change.
func changedSoon(t *testing.T, db *DB, what string) {
	t.Helper()
	eventually(t, what, func() bool {
		c, err := db.Changed(context.Background())
		return err == nil && c
	})
}

func TestChangedHearsOtherNodesNotItself(t *testing.T) {
	u := pgtest.URL(t)
	a, b := openURL(t, u), openURL(t, u)
	ctx := context.Background()
	if c, err := a.Changed(ctx); c || err != nil {
		t.Fatalf("first Changed: %v, %v; want false, nil", c, err)
	}
	eventually(t, "a listens", a.listening)
	// Connecting counts as a change (what happened before can't be
	// told): take it down.
	changedSoon(t, a, "the change of connecting")

	// a's own write: heard, not reported (the desk announces it itself).
	n := a.heard()
	addAccount(t, a, "xx11111-ovh")
	eventually(t, "a hears its own NOTIFY", func() bool { return a.heard() > n })
	if c, err := a.Changed(ctx); c || err != nil {
		t.Fatalf("Changed after a's own write: %v, %v; want false, nil", c, err)
	}

	// b's write is reported once.
	addAccount(t, b, "yy22222-ovh")
	changedSoon(t, a, "a hears b's write")
	if c, _ := a.Changed(ctx); c {
		t.Fatal("one write reported twice")
	}

	// A View or an Update that wrote nothing says nothing.
	n = a.heard()
	b.View(ctx, func(tx model.Tx) error { _, err := tx.Accounts(); return err })
	b.Update(ctx, func(tx model.Tx) error { _, err := tx.Accounts(); return err })
	addAccount(t, b, "zz33333-ovh")
	eventually(t, "a hears b's next write", func() bool { return a.heard() > n })
	if got := a.heard(); got != n+1 {
		t.Errorf("a heard %d NOTIFYs for one write (a View and an empty Update said something)", got-n)
	}
	// A failed Update says nothing either.
	n = a.heard()
	b.Update(ctx, func(tx model.Tx) error {
		tx.InsertAccount(model.Account{Handle: "rb00000-ovh", Name: "r", Email: "r@b.c"})
		return errors.New("no")
	})
	addAccount(t, b, "ab12345-ovh")
	eventually(t, "a hears b's write after the failed one", func() bool { return a.heard() > n })
	if got := a.heard(); got != n+1 {
		t.Errorf("a heard %d NOTIFYs for one committed write", got-n)
	}
}

// TestListenerReconnects: the server ends the listening session (as a
// restart would); the listener connects again by itself, counts the gap
// as a change, and hears the next writes.
func TestListenerReconnects(t *testing.T) {
	u := pgtest.URL(t)
	a, b := openURL(t, u), openURL(t, u)
	ctx := context.Background()
	a.Changed(ctx)
	eventually(t, "a listens", a.listening)
	changedSoon(t, a, "the change of connecting")

	terminateListener(t, u)
	changedSoon(t, a, "a reports the gap once it listens again")
	addAccount(t, b, "yy22222-ovh")
	changedSoon(t, a, "a hears b's write after reconnecting")
}

// proxy stands between the store and the server, and can cut every
// connection (as a network failure or a server restart would).
type proxy struct {
	t      *testing.T
	ln     net.Listener
	target func() (net.Conn, error)
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
	// gate holds, while locked (hold), what clients send: the server
	// does not hear it, as when it hangs or the network drops it, until
	// release.
	gate sync.RWMutex
}

// hold keeps what clients send from the server until release.
func (p *proxy) hold() { p.gate.Lock() }

// release sends the server what hold kept, and what follows.
func (p *proxy) release() { p.gate.Unlock() }

// toServer copies what client c sends to server s, passing the gate.
func (p *proxy) toServer(s, c net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			p.gate.RLock()
			_, werr := s.Write(buf[:n])
			p.gate.RUnlock()
			if werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// newProxy returns a proxy to the test server and a URL of db through it.
func newProxy(t *testing.T, dbURL string) (*proxy, string) {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	network, addr := "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if strings.HasPrefix(cfg.Host, "/") {
		network, addr = "unix", cfg.Host+"/.s.PGSQL."+strconv.Itoa(int(cfg.Port))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, ln: ln, conns: map[net.Conn]bool{},
		target: func() (net.Conn, error) { return net.Dial(network, addr) }}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	u, _ := url.Parse(dbURL)
	q := u.Query()
	q.Del("host")
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	u.Host = ln.Addr().String()
	return p, u.String()
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		s, err := p.target()
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		go func() { p.toServer(s, c); s.Close(); c.Close() }()
		go func() { io.Copy(c, s); s.Close(); c.Close() }()
	}
}

// cut closes every connection and refuses new ones until restore.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *proxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// TestServerGoesAway: while the server is unreachable every action fails
// with a storage error that says so and nothing half-written remains;
// when it is back, actions work again and live updates resume, by
// themselves.
func TestServerGoesAway(t *testing.T) {
	u := pgtest.URL(t)
	p, pu := newProxy(t, u)
	db := openURL(t, pu)
	other := openURL(t, u)
	desk := model.NewDesk(db, model.Options{})
	ctx := context.Background()
	if _, err := desk.AddAccount(ctx, model.NewAccount{Handle: "xx11111-ovh", Name: "Xavier", Email: "x@xara.pt"}); err != nil {
		t.Fatal(err)
	}
	db.Changed(ctx)
	eventually(t, "db listens", db.listening)

	p.cut()
	_, err := desk.AddAccount(ctx, model.NewAccount{Handle: "yy22222-ovh", Name: "Yolanda", Email: "y@example.es"})
	if !errors.Is(err, model.ErrStorage) || !errors.Is(err, ErrLost) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("an action while the server is away: %v", err)
	}
	if _, err := desk.Accounts(ctx); !errors.Is(err, model.ErrStorage) {
		t.Fatalf("a read while the server is away: %v", err)
	}
	eventually(t, "Changed says live updates are paused", func() bool {
		_, err := db.Changed(ctx)
		return errors.Is(err, ErrLost)
	})

	p.restore()
	if _, err := desk.AddAccount(ctx, model.NewAccount{Handle: "yy22222-ovh", Name: "Yolanda", Email: "y@example.es"}); err != nil {
		t.Fatalf("the first action once the server is back: %v", err)
	}
	changedSoon(t, db, "Changed reports the gap once it listens again")
	addAccount(t, other, "zz33333-ovh")
	changedSoon(t, db, "live updates resume")

	// The connection breaks halfway through a transaction: nothing of
	// it is kept.
	err = db.Update(ctx, func(tx model.Tx) error {
		if err := tx.InsertAccount(model.Account{Handle: "ab12345-ovh", Name: "Half", Email: "h@x.x"}); err != nil {
			return err
		}
		p.cut()
		return tx.InsertAccount(model.Account{Handle: "cd67890-ovh", Name: "Other half", Email: "o@x.x"})
	})
	if !errors.Is(err, ErrLost) {
		t.Fatalf("an Update cut halfway: %v", err)
	}
	p.restore()
	var as []model.Account
	if err := db.View(ctx, func(tx model.Tx) error { as, err = tx.Accounts(); return err }); err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Handle == "ab12345-ovh" || a.Handle == "cd67890-ovh" {
			t.Errorf("%s was kept from a transaction cut halfway", a.Handle)
		}
	}
}

// TestListenerLossIsLoggedOnce: the log is told once that live updates
// from other nodes are paused when the listening connection is lost,
// however many tries it takes to come back, and once that they resumed;
// first connecting says nothing. Neither line names the URL, whose
// password (the test server trusts local logins, so any does) never
// shows.
func TestListenerLossIsLoggedOnce(t *testing.T) {
	const password = "S3cret-pw"
	u := pgtest.URL(t)
	p, pu := newProxy(t, u)
	withPassword, err := url.Parse(pu)
	if err != nil {
		t.Fatal(err)
	}
	name := "postgres"
	if withPassword.User != nil && withPassword.User.Username() != "" {
		name = withPassword.User.Username()
	}
	withPassword.User = url.UserPassword(name, password)
	logs := &syncbuf.Buffer{}
	db, err := Open(context.Background(), withPassword.String(), Options{Create: true, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	db.Changed(ctx)
	eventually(t, "db listens", db.listening)
	if l := logs.String(); l != "" {
		t.Fatalf("connecting the first time logged:\n%s", l)
	}
	count := func(s string) int { return strings.Count(logs.String(), s) }
	const (
		lost = `level=WARN msg="live updates from other nodes paused: lost the connection that listens to ` +
			`the PostgreSQL server at 127.0.0.1:`
		back = `level=INFO msg="live updates from other nodes resumed: listening to the PostgreSQL server at 127.0.0.1:`
	)

	// The server ends the listening session (as an administrator or a
	// restart would): back at the first try.
	terminateListener(t, u)
	eventually(t, "the log says live updates resumed", func() bool { return count(back) == 1 })
	if n := count(lost); n != 1 {
		t.Errorf("%d lines saying live updates paused, want 1:\n%s", n, logs)
	}

	// The server can't be reached for a while: many tries, one line.
	p.cut()
	eventually(t, "the log says live updates paused again", func() bool { return count(lost) == 2 })
	time.Sleep(20 * ReconnectDelay)
	if n := count("live updates"); n != 3 {
		t.Errorf("%d lines about live updates while the server is away, want 3 (one more):\n%s", n, logs)
	}
	p.restore()
	eventually(t, "the log says live updates resumed again", func() bool { return count(back) == 2 })
	if n := count("live updates"); n != 4 {
		t.Errorf("%d lines about live updates, want 4:\n%s", n, logs)
	}
	l := logs.String()
	if strings.Contains(l, password) || strings.Contains(l, "postgres://") || strings.Contains(l, "?") {
		t.Errorf("the log names the URL:\n%s", l)
	}
	if !strings.Contains(l, "; connecting again every "+ReconnectDelay.String()+`"`) {
		t.Errorf("the log does not say it tries again:\n%s", l)
	}
	t.Log("\n" + l)
}

// terminateListener ends, from a session of its own, the one session of
// database u that listens (as an administrator or a restart would).
func terminateListener(t *testing.T, u string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var killed int
	err = c.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'listen%'`).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminating the listener's session: %d sessions, %v", killed, err)
	}
}

// TestCommitUnanswered: a write whose COMMIT was sent, and whose answer
// did not come in time (the server, or the network, hangs), may have
// been saved: the server commits once the message reaches it. It is
// said so (model.ErrMaybeSaved), never "nothing was changed", so that
// no door tells a user that a change which happened did not.
func TestCommitUnanswered(t *testing.T) {
	u := pgtest.URL(t)
	p, pu := newProxy(t, u)
	db := openURL(t, pu)
	other := openURL(t, u)
	// Its time runs from the COMMIT's hold, not from the start: on a busy
	// machine, BEGIN and INSERT could take the whole time, and the write
	// end before its COMMIT, as one that saved nothing.
	ctx := newArmedCtx()
	held := false
	defer func() {
		if held {
			p.release()
		}
	}()
	err := db.Update(ctx, func(tx model.Tx) error {
		if err := tx.InsertAccount(model.Account{Handle: "ab12345-ovh", Name: "Late", Email: "l@x.x"}); err != nil {
			return err
		}
		p.hold() // the COMMIT that follows waits in the network
		held = true
		ctx.arm(3 * time.Second)
		return nil
	})
	if !errors.Is(err, model.ErrMaybeSaved) || !errors.Is(err, context.DeadlineExceeded) ||
		!strings.Contains(err.Error(), "may or may not have been saved") || strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("a COMMIT unanswered in time: %v", err)
	}
	p.release()
	held = false
	// and it was saved, after all
	eventually(t, "the COMMIT reaches the server", func() bool {
		var found bool
		other.View(context.Background(), func(tx model.Tx) error {
			_, err := tx.Account("ab12345-ovh")
			found = err == nil
			return nil
		})
		return found
	})
	// A statement before the COMMIT that is not answered in time
	// changed nothing, and says no more than that it took too long.
	short, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err = db.Update(short, func(tx model.Tx) error {
		p.hold()
		held = true
		return tx.InsertAccount(model.Account{Handle: "cd67890-ovh", Name: "Never", Email: "n@x.x"})
	})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, model.ErrMaybeSaved) {
		t.Fatalf("a statement unanswered in time: %v", err)
	}
}

// armedCtx is a context whose deadline passes a while after it is armed,
// not after it is made: its time runs from a point inside the work it
// bounds.
type armedCtx struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newArmedCtx() *armedCtx {
	return &armedCtx{Context: context.Background(), done: make(chan struct{})}
}

// arm has the deadline pass after d.
func (c *armedCtx) arm(d time.Duration) {
	time.AfterFunc(d, func() { c.once.Do(func() { close(c.done) }) })
}

func (c *armedCtx) Done() <-chan struct{} { return c.done }

func (c *armedCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}
