// Package postgres keeps contactdesk's data in PostgreSQL, so that several
// nodes (contactdesk serve behind a load balancer) share one desk. It
// implements the interfaces model declares (model.Store, model.Tx,
// model.Watcher) with the same semantics as the SQLite store; its
// transactions are sqlstore's, and the rules stay in model.
package postgres

import (
	"cmp"
	"context"
	crand "crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"contactdesk/model"
	"contactdesk/storage/sqlstore"
)

// Defaults, each overridden by the URL when it sets the same parameter.
const (
	// DefaultConnectTimeout bounds how long opening a connection may take
	// (the URL's connect_timeout, in seconds, overrides it).
	DefaultConnectTimeout = 5 * time.Second
	// DefaultStatementTimeout bounds every statement, lock waits included
	// (the URL's statement_timeout, in milliseconds, overrides it).
	DefaultStatementTimeout = 15 * time.Second
	// idleInTransactionTimeout ends a session that stopped halfway through
	// a transaction (a hung node), releasing what it held.
	idleInTransactionTimeout = time.Minute
)

// Channel is the NOTIFY channel every committed write is announced on.
const Channel = "contactdesk"

// Errors of opening a database, each with a message a person understands.
var (
	ErrUnreachable  = errors.New("database server unreachable")
	ErrMissing      = errors.New("no contactdesk data")
	ErrNotOurs      = sqlstore.ErrNotOurs
	ErrNewerSchema  = sqlstore.ErrNewerSchema
	ErrNotEmpty     = errors.New("not empty")
	ErrBusy         = errors.New("too many conflicting changes")
	ErrLost         = errors.New("lost the database server")
	ErrReadOnlyOpen = sqlstore.ErrReadOnlyOpen
	ErrBadURL       = errors.New("not a PostgreSQL URL this contactdesk understands: postgres://USER:PASSWORD@HOST:PORT/DATABASE?PARAM=VALUE, " +
		"with special characters in the user and the password percent-encoded (%40 for @, %23 for #, %3F for ?, %2F for /, %3A for :, %25 for %)")
)

// poolParam finds, in pgxpool's refusal of a URL, the pool parameter
// whose value it could not take ("…`: cannot parse pool_max_conns (…)").
var poolParam = regexp.MustCompile("`: (?:cannot parse )?(pool_[a-z_]+)")

// IsURL reports whether a --db value names a PostgreSQL database rather
// than a SQLite file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// testTracer watches every connection's statements in a test.
var testTracer pgx.QueryTracer

// Options say how to open a database.
type Options struct {
	// Create gives an empty database the contactdesk schema. Without it,
	// a database that holds no contactdesk schema is refused.
	Create bool
	// ReadOnly is for a command that only reads: Update fails.
	ReadOnly bool
	// MaxConns sizes the pool of connections; 0 keeps the URL's
	// pool_max_conns, else pgxpool's default (4, or the number of CPUs
	// when larger).
	MaxConns int32
	// StatementTimeout bounds each statement; 0 keeps the URL's
	// statement_timeout, else DefaultStatementTimeout; negative: none
	// (a bulk copy).
	StatementTimeout time.Duration
	// Log, when set, is told what the store does by itself, apart from
	// any call: a Warn when the connection that listens for other
	// nodes' writes is lost (once, however many tries it takes to come
	// back), an Info when it listens again. It names the server as
	// Where does, never the URL (which may hold a password). Nil: said
	// nowhere (a command's terminal app, say, whose screen a line would
	// tear).
	Log *slog.Logger
}

// DB is a contactdesk database on a PostgreSQL server, reached through a
// pool of connections.
type DB struct {
	pool  *pgxpool.Pool
	where string // "the PostgreSQL server at host:5432, database d", for messages
	host  string // "host:5432", "socket /run/postgresql": where, in parts
	name  string // the database
	node  string // this DB's name in the NOTIFYs it sends
	watch watch
	queue chan struct{} // this node's writes holding or waiting for the writers' lock
	ro    bool          // opened to read only
	plain bool          // the URL asks for no TLS (sslmode=disable): no try used it
}

// SchemaVersion is the schema this binary writes.
func SchemaVersion() int { return sqlstore.SchemaVersion }

// Open connects to the database the URL names, checks that it is a
// contactdesk database this binary can read (or, with o.Create, an empty
// one, which it gives the schema), and brings its schema up to date in
// one transaction. A server that can't be reached is reported at once.
func Open(ctx context.Context, url string, o Options) (*DB, error) {
	if o.Create && o.ReadOnly {
		return nil, errors.New("postgres: a database opened to read only can't be given the schema")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if m := poolParam.FindStringSubmatch(fmt.Sprint(err)); m != nil {
		// A pool parameter's value: not the URL's writing. Its name
		// alone is taken from the parser's words.
		return nil, fmt.Errorf("the URL's %s is not a value it takes (pool_max_conns, pool_min_conns: a whole number, at least 1 for pool_max_conns; pool_max_conn_lifetime and the like: a duration such as 1h)", m[1])
	}
	if err != nil || strings.Contains(cfg.ConnConfig.Host, "@") {
		// Not the parser's words: they quote the URL's tail, where an
		// unencoded password is ("p#ss@host" leaves "ss@host" in them).
		return nil, ErrBadURL
	}
	cc := cfg.ConnConfig
	cc.ConnectTimeout = cmp.Or(cc.ConnectTimeout, DefaultConnectTimeout)
	params := cc.RuntimeParams
	ms := func(d time.Duration) string { return strconv.FormatInt(max(d, 0).Milliseconds(), 10) }
	if o.StatementTimeout != 0 {
		params["statement_timeout"] = ms(o.StatementTimeout)
	}
	params["statement_timeout"] = cmp.Or(params["statement_timeout"], ms(DefaultStatementTimeout))
	params["idle_in_transaction_session_timeout"] = cmp.Or(params["idle_in_transaction_session_timeout"], ms(idleInTransactionTimeout))
	params["application_name"] = cmp.Or(params["application_name"], "contactdesk")
	cfg.MaxConns = cmp.Or(o.MaxConns, cfg.MaxConns)
	cc.Tracer = testTracer
	host := fmt.Sprintf("%s:%d", cc.Host, cc.Port)
	if strings.HasPrefix(cc.Host, "/") {
		host = "socket " + cc.Host
	}
	b := make([]byte, 8)
	crand.Read(b)
	db := &DB{where: fmt.Sprintf("the PostgreSQL server at %s, database %s", host, cc.Database), host: host, name: cc.Database, node: hex.EncodeToString(b), queue: make(chan struct{}, writersPerNode), ro: o.ReadOnly}
	db.plain = cc.TLSConfig == nil
	for _, f := range cc.Fallbacks {
		db.plain = db.plain && f.TLSConfig == nil
	}
	db.watch.cfg, db.watch.self, db.watch.log = cc.Copy(), db.node, o.Log
	if db.watch.log == nil {
		db.watch.log = slog.New(slog.DiscardHandler)
	}
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, db.openErr(err, cc.Database)
	}
	if err := db.pool.Ping(ctx); err != nil {
		db.pool.Close()
		return nil, db.openErr(err, cc.Database)
	}
	if err := db.migrate(ctx, o.Create); err != nil {
		db.pool.Close()
		return nil, err
	}
	return db, nil
}

// Where names the server and the database, for messages; never the
// password.
func (db *DB) Where() string { return db.where }

// The cases of ServerError.
const (
	CaseNoDatabase  = "no_database" // the URL's database does not exist
	CaseNoDesk      = "no_desk"     // it holds no desk yet (init, demo, migrate make one)
	CaseUnreachable = "unreachable" // the server can't be reached; Detail says why
	CaseLogin       = "login"       // the server refused the login; Detail is its reason
	CaseDiskFull    = "disk_full"   // the server has no disk space left; Detail is its error
	// rarer, each said with what to do; Detail is the server's or the
	// network's error
	CaseOutOfMemory    = "out_of_memory"   // the server ran out of memory
	CaseReadOnly       = "read_only"       // the database takes no writes (a standby, default_transaction_read_only)
	CaseNoConnection   = "no_connection"   // no connection left (max_connections, the user's CONNECTION LIMIT)
	CaseShuttingDown   = "shutting_down"   // starting up, shutting down or restarting (57P01, 57P02, 57P03)
	CaseTimeout        = "timeout"         // a statement passed statement_timeout
	CaseLockTimeout    = "lock_timeout"    // a lock waited for passed lock_timeout
	CaseNoTLS          = "no_tls"          // the server does not speak TLS, which the URL's sslmode asks for; no Detail
	CaseTLSCertificate = "tls_certificate" // the server's TLS certificate can't be trusted (sslmode verify-ca, verify-full)
	CaseTLSRequired    = "tls_required"    // pg_hba.conf lets no connection without TLS in, and the URL asks for none (sslmode=disable)
	CaseLost           = "lost"            // the connection broke (the server stopped?): nothing was changed
	CaseLostSaving     = "lost_saving"     // it broke while saving: the change may or may not have been saved
	CaseSilentSaving   = "silent_saving"   // no answer in time while saving: the same; no Detail
)

// ServerError is a refusal of the server or the database at Host,
// Database that a user commonly meets: Case says which (CaseNoDatabase
// …); Detail is the server's or the network's own words, when the
// message quotes them. Error is English, as it always was; a door that
// speaks its reader's language words the refusal from these fields.
type ServerError struct {
	Case           string
	Host, Database string
	Detail         string
	english        error // its message, and what errors.Is finds in it
}

func (e *ServerError) Error() string {
	if e.english == nil {
		return ""
	}
	return e.english.Error()
}

// Unwrap is what its English wraps: what errors.Is and errors.As find.
func (e *ServerError) Unwrap() []error {
	switch u := e.english.(type) {
	case interface{ Unwrap() []error }:
		return u.Unwrap()
	case interface{ Unwrap() error }:
		if w := u.Unwrap(); w != nil {
			return []error{w}
		}
	}
	return nil
}

// sentence is an English message that wraps errs without quoting them
// all (fmt.Errorf's %w writes each).
type sentence struct {
	msg  string
	errs []error
}

func (s *sentence) Error() string   { return s.msg }
func (s *sentence) Unwrap() []error { return s.errs }

// said makes a ServerError of db's server and database in case c, its
// English msg (db.where and detail are written where it says %s, in
// that order), wrapping errs.
func (db *DB) said(c, detail, msg string, errs ...error) *ServerError {
	n := strings.Count(msg, "%s")
	args := []any{db.where, detail}[:n]
	return db.serverError(c, detail, &sentence{msg: fmt.Sprintf(msg, args...), errs: errs})
}

// The English of the rarer cases (the command line's words in English,
// locale's cli.fail.pg_*, are the same): %s the server and the database,
// then the detail.
const (
	saysOutOfMemory    = "%s ran out of memory; nothing was changed: try again in a moment, and if it goes on, tell the server's administrator (%s)"
	saysReadOnly       = "%s is read-only (a standby?); nothing was changed: point the URL at the server that takes writes (the primary), or have the database made writable (%s)"
	saysNoConnection   = "%s has no connection left; nothing was changed: try again in a moment, and if it goes on, lower --pool (pool_max_conns in the URL) on the nodes, or raise the server's max_connections or the user's CONNECTION LIMIT (%s)"
	saysShuttingDown   = "%s is starting up, shutting down or restarting; nothing was changed: try again in a moment (%s)"
	saysTimeout        = "%s took too long to answer (statement_timeout); nothing was changed: try again, and if it goes on, raise statement_timeout in the URL, 15 s by default (%s)"
	saysLockTimeout    = "%s waited too long for a lock another session holds (lock_timeout); nothing was changed: try again in a moment, and if it goes on, look for a long transaction in pg_stat_activity, or raise lock_timeout in the URL (%s)"
	saysNoTLS          = "%s does not speak TLS, which the URL's sslmode (require, verify-ca or verify-full) asks for: turn TLS on in the server, or change sslmode in the URL"
	saysTLSRequired    = "%s does not take this connection without TLS (%s), and the URL's sslmode=disable asks for none: if the server takes TLS connections, set sslmode=require (or verify-full) in the URL; else have an entry added to its pg_hba.conf"
	saysTLSCertificate = "%s showed a TLS certificate that can't be trusted (%s): give the certificate of the authority that signed it with sslrootcert=FILE in the URL, and write there the host name the certificate names"
)

// serverError makes a ServerError of db's server and database, saying
// what english says and unwrapping to what it wraps.
func (db *DB) serverError(c, detail string, english error) *ServerError {
	return &ServerError{Case: c, Host: db.host, Database: db.name, Detail: detail, english: english}
}

// openErr explains why the server could not be used at all.
func (db *DB) openErr(err error, name string) error {
	var pe *pgconn.PgError
	var ce *pgconn.ConnectError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe) && pe.Code == "3D000":
		return db.serverError(CaseNoDatabase, "", fmt.Errorf("%s does not exist (%w): create it with 'createdb %s', or fix the URL", db.where, ErrMissing, name))
	case errors.As(err, &pe) && pe.Code == "28000" && db.plain && strings.HasSuffix(pe.Message, ", no encryption"):
		// pg_hba.conf lets no connection without TLS in from here
		// ("no pg_hba.conf entry for host …, no encryption"): neither
		// the user nor the password is wrong, and TLS may be the way
		return db.said(CaseTLSRequired, pe.Message, saysTLSRequired, err)
	case errors.As(err, &pe) && (pe.Code == "28P01" || pe.Code == "28000"):
		return db.serverError(CaseLogin, pe.Message, fmt.Errorf("%s refused the login: %s; check the user in the URL, and its password (in the URL, $PGPASSWORD or ~/.pgpass)", db.where, pe.Message))
	case errors.As(err, &pe) && pe.Code == "53300":
		return db.said(CaseNoConnection, pe.Error(), saysNoConnection, ErrUnreachable, err)
	case errors.As(err, &pe) && (pe.Code == "22023" || pe.Code == "42704"):
		// A run-time parameter of the URL (statement_timeout=abc,
		// a name the server does not know): the server is there.
		return fmt.Errorf("%s refused a parameter of the URL: %s; fix it in the URL", db.where, pe.Message)
	case errors.As(err, &pe) && pe.Code == "3F000":
		return fmt.Errorf("%s has no schema to make the desk's tables in: the URL's search_path names none that exists; create it (CREATE SCHEMA …) or fix search_path", db.where)
	case errors.As(err, &pe) && pe.Code == "42501":
		return fmt.Errorf("%s does not let this user make the desk's tables (%s): make the user the database's owner (createdb -O USER …) or grant it CREATE on the schema", db.where, pe.Message)
	case errors.As(err, &pe) && pe.Code == "57P03":
		return db.said(CaseShuttingDown, pe.Error(), saysShuttingDown, ErrUnreachable, err)
	case errors.As(err, &pe) && pe.Code == "25006":
		// init or demo on a database that takes no writes: as it was
		// said (the kind of error unchanged), in words
		return db.said(CaseReadOnly, pe.Error(), saysReadOnly, err)
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
		return fmt.Errorf("%s: %w: no answer in time; is it running, and is the URL right?", db.where, ErrUnreachable)
	case errors.As(err, &ce) && strings.Contains(lastTry(ce).Error(), "server refused TLS connection"):
		// pgx's own words, and no error type to tell them by. Only when
		// its last try asked for TLS: with sslmode=prefer (the default)
		// it tries TLS first, and then without, whose failure is the one
		// to say (a server that is no PostgreSQL server was said not to
		// speak TLS, which the URL's sslmode did not ask for).
		return db.said(CaseNoTLS, "", saysNoTLS, ErrUnreachable, err)
	case errors.As(err, &ce) && untrusted(lastTry(ce)) != nil:
		return db.said(CaseTLSCertificate, untrusted(lastTry(ce)).Error(), saysTLSCertificate, ErrUnreachable, err)
	case errors.As(err, &ce):
		// The innermost network error says it best ("connect: connection
		// refused"); pgx repeats it once per address and TLS mode tried.
		// Without one, the last try's error says why.
		var oe *net.OpError
		var de *net.DNSError
		why := lastTry(ce)
		if errors.As(err, &de) {
			why = de // once, where pgx says it per address tried
		} else if errors.As(err, &oe) {
			why = oe
		}
		return db.serverError(CaseUnreachable, fmt.Sprint(why), fmt.Errorf("cannot reach %s: %w (%v); is it running, and is the URL right?", db.where, ErrUnreachable, why))
	}
	return fmt.Errorf("%s: %w", db.where, err)
}

// upgradeWait is how long an upgrade of the schema waits for the writes
// of other nodes under way to end.
const upgradeWait = 2 * time.Minute

// migrationLock serializes schema checks and upgrades of nodes that start
// at the same time ("CDSK").
const migrationLock = 0x4344534B

// migrate applies, in one transaction, the migrations the database lacks.
func (db *DB) migrate(ctx context.Context, create bool) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return db.openErr(err, "")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
		return db.openErr(err, "")
	}
	var ours bool
	ver, tables := 0, 0
	err = tx.QueryRow(ctx, "SELECT to_regclass('contactdesk_schema') IS NOT NULL, (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema())").Scan(&ours, &tables)
	if err == nil && ours {
		err = tx.QueryRow(ctx, "SELECT version FROM contactdesk_schema").Scan(&ver)
	}
	switch {
	case err != nil:
		return db.openErr(err, "")
	case ours && ver == SchemaVersion():
		return nil
	case ours:
	case tables > 0:
		return fmt.Errorf("%s is %w: it already holds tables of another program (%d); refusing to touch it (give contactdesk a database, or a schema with search_path, of its own)", db.where, ErrNotOurs, tables)
	case !create:
		return db.serverError(CaseNoDesk, "", fmt.Errorf("%s holds %w yet: make an empty desk there with 'contactdesk init', a demo with 'contactdesk demo', or copy a desk with 'contactdesk migrate --from FILE --to URL'", db.where, ErrMissing))
	default:
		if _, err := tx.Exec(ctx, "CREATE TABLE contactdesk_schema (version integer NOT NULL); INSERT INTO contactdesk_schema VALUES (0)"); err != nil {
			return db.openErr(err, "")
		}
	}
	if ours && ver < SchemaVersion() {
		// Writes of nodes still running (a rolling upgrade) end before
		// the upgrade begins, and those that come after it read its
		// version with their BEGIN (see attempt), holding the same
		// lock: none writes under a schema it does not know. The wait
		// is not a statement's (the URL's statement_timeout, 15 s by
		// default, cut it with the server's words): it is bounded by
		// lock_timeout, and said.
		if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
			return db.openErr(err, "")
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", upgradeWait.Milliseconds())); err != nil {
			return db.openErr(err, "")
		}
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(writersLock)); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "55P03" {
				return fmt.Errorf("%s: the upgrade of its schema waited %s for the writes of other nodes to end (an import under way?), and gave up: nothing was changed; start again once they have", db.where, upgradeWait)
			}
			return db.openErr(err, "")
		}
	}
	err = sqlstore.Upgrade(sqlstore.Postgres, db.where, ver, func(q string) error { _, err := tx.Exec(ctx, q); return err })
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE contactdesk_schema SET version = $1", SchemaVersion()); err != nil {
		return db.openErr(err, "")
	}
	return db.openErr(tx.Commit(ctx), "")
}

// MaxConns is the size of the pool of connections to the server.
func (db *DB) MaxConns() int32 { return db.pool.Config().MaxConns }

// Close stops listening and closes every connection.
func (db *DB) Close() error {
	db.watch.stop()
	db.pool.Close()
	return nil
}

// View runs fn in a read-only transaction over one snapshot (REPEATABLE
// READ: every query of fn sees the same committed state).
func (db *DB) View(ctx context.Context, fn func(model.Tx) error) error {
	return db.view(ctx, func(x *exec) error { return fn(sqlstore.New(x)) })
}

func (db *DB) view(ctx context.Context, fn func(*exec) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return db.friendly(err, false)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(&exec{ctx: ctx, tx: tx}); err != nil {
		return db.friendly(err, false)
	}
	// a read's COMMIT saves nothing: one unanswered is a failed read,
	// never "the change may have been saved"
	return db.friendly(tx.Commit(ctx), false)
}

// Update runs fn in one SERIALIZABLE transaction, one write at a time
// across all nodes, and runs it again when the server finds that it
// conflicted with a concurrent transaction.
//
// Why SERIALIZABLE rather than row locks: the model's rules read several
// rows and then write (the request's state, the parties' answers, the
// tokens, the service's contacts, both accounts' standing), and some
// checks are about rows that do not exist yet ("no request for this
// service and role is pending"), which no row lock can hold. Under
// SERIALIZABLE, PostgreSQL guarantees that committed transactions have
// the effect of running one at a time, exactly as SQLite's single writer
// does; a transaction that would break that fails with 40001 (or 40P01,
// a deadlock) and changes nothing, and running fn again on fresh data is
// always right because model.Store lets Update re-run fn. So an
// acceptance and the re-check that applies the change commit together, a
// request is applied once even when its last two parties accept on two
// nodes at the same instant, and no answer is lost: one of the two is
// re-run and sees the other's.
//
// Why also one write at a time (the writers' lock, a PostgreSQL advisory
// lock taken before the transaction begins): every write reads the
// requests due to expire, and most write requests, so two writes that
// overlap in time nearly always conflict, and under a burst of them the
// retries go on failing one another (measured: half of all attempts,
// and some writes failing ten times in a row). Queued, each write runs
// once and sees every write before it, as on SQLite. Reads (View) are
// not queued and run side by side on every node, which is where a desk
// served to many sessions spends its time. Correctness rests on
// SERIALIZABLE alone, the lock gives progress: a write that does not
// take it (an older node, a hand-typed statement) is still caught.
func (db *DB) Update(ctx context.Context, fn func(model.Tx) error) error {
	if db.ro {
		return fmt.Errorf("%s: %w; nothing was changed", db.where, ErrReadOnlyOpen)
	}
	return db.update(ctx, func(x *exec) error { return fn(sqlstore.New(x)) })
}

// writersPerNode is how many of a node's writes hold or wait for the
// writers' lock on the server at once.
const writersPerNode = 2

// maxAttempts bounds the re-runs of one Update; with writes queued, a
// conflict comes only from a write that bypassed the queue.
const maxAttempts = 10

// errCommit marks an error of the COMMIT itself, whose outcome may be
// unknown when the connection broke.
var errCommit = errors.New("commit")

// errCommitEnded marks a COMMIT whose session the server ended as it
// ran (57P01, 57P02): it is errCommit, and its outcome is unknown. A
// session ended while its COMMIT waits for a synchronous standby has
// committed on the server all the same (PostgreSQL warns "the
// transaction has already committed locally"), and a crash of another
// server process ends every session at once, maybe after a COMMIT's
// record reached the disk, which recovery then keeps.
var errCommitEnded = fmt.Errorf("%w ended by the server", errCommit)

// The writers' lock ("CDSW") around a write. The announcement of the
// write, the COMMIT and the unlock go in one string, one round trip to
// the server (the simple protocol's multi-statement query, where a
// failed statement stops the ones after it): a write pays three round
// trips besides its statements, not five. The lock can't go in the
// BEGIN's: the two would be one transaction, whose snapshot is taken at
// its first statement, before the lock is granted.
const writersLock = 0x43445357

var (
	lockWriters   = fmt.Sprintf("SELECT pg_advisory_lock(%d)", writersLock)
	unlockWriters = fmt.Sprintf("SELECT pg_advisory_unlock(%d)", writersLock)
)

// update runs fn as Update does. Two writes per node hold the writers'
// lock or wait for it on the server, each with a connection, so that
// the next one starts as soon as the lock is free; the others wait
// here, holding none, so readers keep the rest of the pool.
func (db *DB) update(ctx context.Context, fn func(*exec) error) error {
	select {
	case db.queue <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-db.queue }()
	err := db.attempts(ctx, fn)
	if err != nil && !errors.Is(err, errCommit) && !model.IsRefusal(err) && !isCtxErr(err) && pgconn.SafeToRetry(err) {
		// A pooled connection the server had dropped fails before
		// anything is sent: one more try on a fresh one.
		err = db.attempts(ctx, fn)
	}
	if errors.Is(err, ErrBusy) {
		return err
	}
	return db.friendly(err, errors.Is(err, errCommit))
}

// attempts runs fn on one connection until it commits, or fails for
// another reason than a conflict, or maxAttempts times.
func (db *DB) attempts(ctx context.Context, fn func(*exec) error) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	held := false // the writers' lock
	defer func() {
		if !held {
			return
		}
		if _, err := conn.Exec(context.WithoutCancel(ctx), unlockWriters); err != nil {
			// The lock ends with the session: end it.
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	for attempt := 1; ; attempt++ {
		held, err = db.attempt(ctx, conn, fn, held)
		if !isConflict(err) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("%w: %d tries in a row met concurrent changes of the same data; nothing was changed, try again (%v)", ErrBusy, attempt, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))):
		}
	}
}

// attempt runs fn once in a SERIALIZABLE transaction on conn, taking
// the writers' lock first unless held, and letting it go when the
// transaction commits. It reports whether the lock is still held.
func (db *DB) attempt(ctx context.Context, conn *pgxpool.Conn, fn func(*exec) error, held bool) (bool, error) {
	if !held {
		if _, err := conn.Exec(ctx, lockWriters); err != nil {
			return false, err
		}
	}
	pc := conn.Conn().PgConn()
	// The schema's version comes with the BEGIN, in its round trip: a
	// newer contactdesk may have upgraded the database since this one
	// opened it (a rolling upgrade), and this one would write rows the
	// newer schema does not expect, so it writes none. The upgrade
	// takes the writers' lock, which this write holds: the version read
	// is the one it writes under.
	rs, err := pc.Exec(ctx, "BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT version FROM contactdesk_schema").ReadAll()
	defer func() {
		if pc.TxStatus() != 'I' {
			// Nothing to do if this fails: the pool drops a connection
			// left in a transaction.
			pc.Exec(context.WithoutCancel(ctx), "ROLLBACK").ReadAll()
		}
	}()
	if err != nil {
		return true, err
	}
	if err := newer(rs); err != nil {
		return true, err
	}
	x := &exec{ctx: ctx, tx: conn}
	if err := fn(x); x.conflict != nil || err != nil {
		// fn may have turned a conflict into something else (a
		// refusal read from an aborted transaction): the conflict is
		// what happened.
		return true, cmp.Or(x.conflict, err)
	}
	end := []string{"COMMIT", unlockWriters}
	if x.wrote {
		// Delivered to every listener when, and only when, this commits
		// (the payload is hex, lower-case letters, digits, '-' and
		// spaces: no quoting needed).
		end = append([]string{fmt.Sprintf("SELECT pg_notify('%s', '%s')", Channel, payload(db.node, x.announced, x.touched))}, end...)
	}
	rs, err = pc.Exec(ctx, strings.Join(end, "; ")).ReadAll()
	var pe *pgconn.PgError
	switch {
	case err != nil && !errors.As(err, &pe):
		// The connection broke: the COMMIT may or may not have been
		// done, and the session, with its lock, is gone.
		return false, fmt.Errorf("%w: %w", errCommit, err)
	case err != nil && len(rs) == len(end)-2 && errors.As(err, &pe) && (pe.Code == "57P01" || pe.Code == "57P02"):
		// The COMMIT itself failed, its session ended by the server:
		// it may have committed; the session, with its lock, is gone.
		return false, fmt.Errorf("%w: %w", errCommitEnded, err)
	case err != nil && len(rs) < len(end)-1:
		return true, fmt.Errorf("%w: %w", errCommit, err) // refused: nothing was committed
	case err != nil:
		// Committed, and the unlock failed: end the session, which
		// ends the lock.
		conn.Conn().Close(context.WithoutCancel(ctx))
	}
	if x.copied {
		// Statistics now rather than at autovacuum's next round: until
		// then the planner guesses, and reads a contact's whole list of
		// services for its first page. Done, not failed, if this fails.
		conn.Exec(context.WithoutCancel(ctx), "ANALYZE")
	}
	return false, nil
}

// newer reads the version of the schema a write's BEGIN came with (see
// attempt), and refuses one newer than this binary's.
func newer(rs []*pgconn.Result) error {
	if len(rs) != 2 || len(rs[1].Rows) != 1 || len(rs[1].Rows[0]) != 1 {
		return errors.New("the version of the desk's schema can't be read (contactdesk_schema holds no row)")
	}
	ver, err := strconv.Atoi(string(rs[1].Rows[0][0]))
	if err != nil {
		return fmt.Errorf("the version of the desk's schema can't be read: %w", err)
	}
	return sqlstore.Newer(ver)
}

// friendly turns the server's errors that a user can meet into messages.
// atCommit says whether the error came from the COMMIT, where a broken
// connection leaves the outcome unknown.
func (db *DB) friendly(err error, atCommit bool) error {
	var pe *pgconn.PgError
	switch {
	case atCommit && isCtxErr(err) && !errors.As(err, &pe):
		// The COMMIT was sent, and the caller stopped waiting for its
		// answer (the server hangs, or answers too late): the server
		// may have committed, or may yet, when the message reaches it.
		return db.serverError(CaseSilentSaving, "", &lostErr{err: err, unsure: true, msg: fmt.Sprintf("%s did not answer in time while saving: the change may or may not have been saved; look before trying again", db.where)})
	case err == nil || model.IsRefusal(err) || isCtxErr(err) || errors.Is(err, model.ErrNewerSchema):
		return err
	case errors.Is(err, errCommitEnded):
		return db.lost(err, true)
	case errors.As(err, &pe):
		switch pe.Code {
		case "57014":
			return db.said(CaseTimeout, pe.Error(), saysTimeout, err)
		case "55P03":
			return db.said(CaseLockTimeout, pe.Error(), saysLockTimeout, err)
		case "25006":
			return db.said(CaseReadOnly, pe.Error(), saysReadOnly, err)
		case "53300":
			return db.said(CaseNoConnection, pe.Error(), saysNoConnection, err)
		case "53100":
			return db.serverError(CaseDiskFull, err.Error(), fmt.Errorf("%s has no disk space left; nothing was changed: %w", db.where, err))
		case "53200":
			return db.said(CaseOutOfMemory, pe.Error(), saysOutOfMemory, err)
		case "57P01", "57P02", "57P03":
			return db.said(CaseShuttingDown, pe.Error(), saysShuttingDown, ErrLost, err)
		case "25P03":
			return fmt.Errorf("%s ended a transaction left idle; nothing was changed: %w", db.where, err)
		}
		return err
	case !isConnErr(err):
		return err
	}
	return db.lost(err, atCommit)
}

// lost says that the session broke, err why: while saving (the COMMIT
// sent, its outcome unknown), or before anything was changed. When one
// connection broke, the others most likely did too: the idle ones are
// dropped rather than fail once more each.
func (db *DB) lost(err error, saving bool) error {
	db.pool.Reset()
	if saving {
		return db.serverError(CaseLostSaving, cause(err), &lostErr{err: err, unsure: true, msg: fmt.Sprintf("the connection to %s broke while saving (%s): the change may or may not have been saved; look before trying again", db.where, cause(err))})
	}
	return db.serverError(CaseLost, cause(err), &lostErr{err: err, msg: fmt.Sprintf("cannot reach %s (%s): nothing was changed; try again when it is back", db.where, cause(err))})
}

// lastTry is the error of the last address and TLS mode pgx tried to
// connect with (it joins one per try).
func lastTry(ce *pgconn.ConnectError) error {
	inner := errors.Unwrap(ce)
	if j, ok := inner.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
		return j.Unwrap()[len(j.Unwrap())-1]
	}
	if inner == nil {
		return ce
	}
	return inner
}

// untrusted is why the server's TLS certificate was not trusted, when
// err says so (sslmode verify-full: the standard verification's error;
// verify-ca: pgx's own, x509's); nil otherwise.
func untrusted(err error) error {
	var (
		ve *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &ve):
		return ve.Err
	case errors.As(err, &ua):
		return ua
	case errors.As(err, &he):
		return he
	case errors.As(err, &ci):
		return ci
	}
	return nil
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// lostErr is a failure of the connection, told in a sentence; it is
// ErrLost and keeps the driver's error. One that came while a COMMIT
// awaited its answer (unsure) is model.ErrMaybeSaved too.
type lostErr struct {
	msg    string
	err    error
	unsure bool
}

func (e *lostErr) Error() string { return e.msg }
func (e *lostErr) Unwrap() []error {
	if e.unsure {
		return []error{ErrLost, model.ErrMaybeSaved, e.err}
	}
	return []error{ErrLost, e.err}
}

// cause is the innermost error: "connection refused", "unexpected EOF";
// of several (an address, a TLS mode tried after another), the last.
func cause(err error) string {
	for {
		next := errors.Unwrap(err)
		if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
			next = j.Unwrap()[len(j.Unwrap())-1]
		}
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// isConnErr reports an error of the connection rather than of a query.
func isConnErr(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.Timeout(err) || errors.Is(err, pgconn.ErrConnClosed) {
		return true
	}
	// Anything else from pgx that is not the server's answer is the
	// network's: EOF, reset, refused, closed.
	s := err.Error()
	for _, w := range []string{"EOF", "connection reset", "connection refused", "broken pipe", "conn closed", "closed pool", "no such file", "failed to connect", "timeout"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

var (
	_ model.Store         = (*DB)(nil)
	_ model.Watcher       = (*DB)(nil)
	_ model.ChangeWatcher = (*DB)(nil)
)
