package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/storage/sqlite"
)

// TestWALStartsOverUnderSteadyWrites checks that the WAL stays bounded
// while commits keep coming in, now that checkpoints are made beside the
// writes rather than by them: without the writer's final copy, a WAL
// never wholly copied would never start over and would grow with every
// commit (here to about 50 MB).
func TestWALStartsOverUnderSteadyWrites(t *testing.T) {
	p := newFile(t)
	db, err := sqlite.Open(p, sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	detail := strings.Repeat("a long line of history ", 1400) // about 32 KB: 8 pages
	const commits = 1500
	start := time.Now()
	for i := 0; i < commits; i++ {
		err := db.Update(ctx, func(tx model.Tx) error {
			return tx.InsertHistory(&model.HistoryEntry{At: start, Actor: model.SystemActor, Action: "test", Detail: detail})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(p + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	const most = 24 << 20
	if st.Size() > most {
		t.Errorf("after %d commits of 32 KB the WAL holds %d MB; it should start over before %d MB", commits, st.Size()>>20, most>>20)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + "-wal"); err == nil {
		t.Error("closing the last connection left the WAL")
	}
	raw, err := sql.Open("sqlite3", "file:"+p+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM history WHERE action = 'test'").Scan(&n); err != nil || n != commits {
		t.Fatalf("%d lines (%v), want %d", n, err, commits)
	}
}
