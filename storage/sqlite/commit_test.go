package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"contactdesk/model"
)

// TestWritesCommittedTogetherStayApart has many writes arrive at once, so
// that they share transactions: each write that fails, or panics, after
// writing leaves nothing, and takes nothing of the others with it; each
// that succeeds is all there.
func TestWritesCommittedTogetherStayApart(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	errRefused := errors.New("refused after writing")
	const writers, rounds = 32, 20
	start := make(chan struct{})
	var wg sync.WaitGroup
	results := make([][]string, writers) // per writer: "ok", "refused", "panicked"
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			<-start
			for r := 0; r < rounds; r++ {
				outcome := func() (outcome string) {
					defer func() {
						if p := recover(); p != nil {
							outcome = "panicked"
						}
					}()
					err := db.Update(ctx, func(tx model.Tx) error {
						for k := 0; k < 3; k++ {
							if err := tx.InsertHistory(&model.HistoryEntry{At: time.Unix(1, 0), Actor: "system", Action: "test", Detail: fmt.Sprintf("%d/%d/%d", w, r, k)}); err != nil {
								return err
							}
						}
						switch (w + r) % 7 {
						case 3:
							return errRefused
						case 5:
							panic("a bug in a write")
						}
						return nil
					})
					switch {
					case err == nil:
						return "ok"
					case errors.Is(err, errRefused):
						return "refused"
					default:
						t.Errorf("writer %d round %d: %v", w, r, err)
						return "error"
					}
				}()
				results[w] = append(results[w], outcome)
			}
		}(w)
	}
	before := db.commits.Load()
	close(start)
	wg.Wait()
	commits := db.commits.Load() - before
	err = db.View(ctx, func(tx model.Tx) error {
		hs, err := tx.History("system", 0, 0, 0)
		if err != nil {
			return err
		}
		got := map[string]int{}
		for _, h := range hs {
			var w, r, k int
			fmt.Sscanf(h.Detail, "%d/%d/%d", &w, &r, &k)
			got[fmt.Sprintf("%d/%d", w, r)]++
		}
		ok := 0
		for w := range results {
			for r, outcome := range results[w] {
				n := got[fmt.Sprintf("%d/%d", w, r)]
				want := 0
				if outcome == "ok" {
					want, ok = 3, ok+1
				}
				if n != want {
					t.Errorf("writer %d round %d (%s) left %d lines, want %d", w, r, outcome, n, want)
				}
			}
		}
		t.Logf("%d writes (%d succeeded) in %d commits", writers*rounds, ok, commits)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUpdateAfterCloseFails checks that a write after Close is refused,
// not lost nor blocked.
func TestUpdateAfterCloseFails(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db.Close() // twice is fine
	if err := db.Update(context.Background(), func(model.Tx) error { return nil }); err == nil {
		t.Fatal("a write after Close succeeded")
	}
}
