package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/modeltest"
	"contactdesk/storage/postgres"
	"contactdesk/storage/postgres/pgtest"
)

var bigPG struct {
	once sync.Once
	url  string
	drop func() error // at the end of the run (TestMain)
	err  error
}

// BenchmarkCreateAccept100kPostgres is BenchmarkCreateAccept100k on
// PostgreSQL: a request's whole life on a desk of 100,000 services built
// by the demo loader (once per run, about a minute), and beside it, in
// the same run, four raw commits of one small row each on the same
// server, reported as the SQLite benchmark reports them (reportRaw). The
// server is $CONTACTDESK_TEST_PG, else the tests' throwaway cluster,
// which runs without fsync: the log says which, as the two measure
// different things (the disk, or round trips and the server's work).
func BenchmarkCreateAccept100kPostgres(b *testing.B) {
	bigPG.once.Do(func() {
		u, drop, err := pgtest.NewDatabase(pgtest.Server(b))
		if err != nil {
			bigPG.err = err
			return
		}
		bigPG.drop = drop
		db, err := postgres.Open(context.Background(), u, postgres.Options{Create: true, StatementTimeout: -1})
		if err != nil {
			bigPG.err = err
			return
		}
		defer db.Close()
		_, bigPG.err = demo.Load(context.Background(), model.NewDesk(db, model.Options{}), demo.Options{Services: 100_000})
		bigPG.url = u
	})
	if bigPG.err != nil {
		b.Fatal(bigPG.err)
	}
	db, err := postgres.Open(context.Background(), bigPG.url, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ss, cands := upToDateServices(b, db, 20000)
	n := max(b.N, 200)
	before := pgRawCommits(b, bigPG.url, n)
	p99 := modeltest.BenchCreateAccept(b, model.NewDesk(db, model.Options{RequestsPerHour: model.NoLimit}), ss, cands)
	reportRaw(b, p99, before, pgRawCommits(b, bigPG.url, n))
}

// pgRawCommits returns the durations of n rounds of four commits of one
// small row each on the server, and logs how durable they are.
func pgRawCommits(b *testing.B, url string, n int) []time.Duration {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	var fsync, sync string
	if err := c.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &sync); err != nil {
		b.Fatal(err)
	}
	b.Logf("the server: fsync=%s, synchronous_commit=%s", fsync, sync)
	if _, err := c.Exec(ctx, "CREATE TABLE IF NOT EXISTS raw_commits (id bigserial PRIMARY KEY, v text NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	rounds := make([]time.Duration, n)
	for i := range rounds {
		start := time.Now()
		for range 4 {
			tx, err := c.Begin(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO raw_commits (v) VALUES ('a small row')"); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		}
		rounds[i] = time.Since(start)
	}
	return rounds
}
