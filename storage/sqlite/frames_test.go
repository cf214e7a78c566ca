package sqlite

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/model/demo"
)

// TestFramesPerAction tells, for 40 request lives, how many WAL frames
// (whole pages) each kind of write transaction writes, and in which
// tables and indexes: what a write pays for, beside the sync
// (BENCHMARKS.md). It runs on the desk of the 100,000-service benchmark
// when $CONTACTDESK_BENCH_CACHE holds it (the storage benchmarks build it
// there), else on a demo desk of 1,000 services made here, and names the
// tables when the sqlite3 shell is at hand. It fails when a life writes
// more pages than schema 9 made it write.
func TestFramesPerAction(t *testing.T) {
	const lives = 40
	p := filepath.Join(t.TempDir(), "big.db")
	src := filepath.Join(os.Getenv("CONTACTDESK_BENCH_CACHE"), fmt.Sprintf("big-100k-schema%d.db", SchemaVersion()))
	most := 33.0 // 30.6 on the 1,000-service desk
	if b, err := os.ReadFile(src); os.Getenv("CONTACTDESK_BENCH_CACHE") != "" && err == nil {
		os.WriteFile(p, b, 0o600)
		most = 40 // 38 on the 100,000-service desk
	} else {
		db, err := Open(p, Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Load(context.Background(), model.NewDesk(db, model.Options{}), demo.Options{Services: 1000}); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	db, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// No checkpoint: every frame stays in the WAL, to be counted.
	db.stopCkpt()
	<-db.ckptDone
	d, ctx := model.NewDesk(db, model.Options{RequestsPerHour: model.NoLimit}), context.Background()
	var ss []model.ServiceView
	var cands []model.Handle
	db.View(ctx, func(tx model.Tx) error {
		as, _ := tx.Accounts()
		for _, a := range as {
			if a.UpToDate() && len(cands) < 500 {
				cands = append(cands, a.Handle)
			}
		}
		for _, a := range as[len(as)/2:] {
			vs, _ := tx.ServicesOf(a.Handle, time.Now())
			for _, v := range vs {
				if !v.Pending && v.Admin == a.Handle && len(ss) < lives {
					ss = append(ss, v)
				}
			}
		}
		return nil
	})
	pages := map[string][]uint32{}
	count := map[string]int{}
	write := func(what string, f func() error) {
		k := len(walPages(p, 0))
		if err := f(); err != nil {
			t.Fatal(err)
		}
		pages[what] = append(pages[what], walPages(p, k)...)
		count[what]++
	}
	for i, s := range ss {
		to := cands[i%len(cands)]
		if to == s.Tech {
			to = cands[(i+1)%len(cands)]
		}
		var r model.Request
		write("create", func() error {
			rs, err := d.CreateRequest(ctx, s.Admin, model.NewRequest{Service: s.Name, Roles: []model.Role{model.Tech}, To: string(to)})
			if err == nil {
				r = rs[0]
			}
			return err
		})
		for k, pt := range r.Parties {
			ms, _ := d.Mails(ctx, pt.Handle)
			tok := ""
			for _, m := range ms {
				if m.RequestID == r.ID && m.Token != "" {
					tok = m.Token
					break
				}
			}
			what := "accept"
			if k == len(r.Parties)-1 {
				what = "last accept"
			}
			write(what, func() error { _, err := d.Accept(ctx, pt.Handle, r.ID, tok); return err })
		}
	}
	db.Close()
	name := map[uint32]string{}
	if out, err := osexec.Command("sqlite3", p, "SELECT pageno, name FROM dbstat").Output(); err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			var n uint32
			var s string
			if _, err := fmt.Sscanf(strings.Replace(l, "|", " ", 1), "%d %s", &n, &s); err == nil {
				name[n] = s
			}
		}
	}
	for _, w := range []string{"create", "accept", "last accept"} {
		by := map[string]int{}
		for _, pg := range pages[w] {
			by[name[pg]]++
		}
		ks := make([]string, 0, len(by))
		for k := range by {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool { return by[ks[i]] > by[ks[j]] })
		var line strings.Builder
		for _, k := range ks {
			fmt.Fprintf(&line, " %s %.2f", k, float64(by[k])/float64(count[w]))
		}
		t.Logf("%s: %.1f frames per transaction:%s", w, float64(len(pages[w]))/float64(count[w]), line.String())
	}
	life := float64(len(pages["create"])+len(pages["accept"])+len(pages["last accept"])) / float64(count["create"])
	t.Logf("a life: %.1f frames", life)
	// Schema 9's count, and a little room for page splits: one more
	// index on the mails (six a life) is past it.
	if life > most {
		t.Errorf("a request's life writes %.1f pages, more than %.0f", life, most)
	}
}

// walPages returns the page numbers of the frames in the WAL from the
// k-th on (a frame is a 24-byte header, the page's number first, and
// the page).
func walPages(path string, k int) []uint32 {
	b, _ := os.ReadFile(path + "-wal")
	var out []uint32
	for off := 32 + k*(4096+24); off+24 <= len(b); off += 4096 + 24 {
		out = append(out, binary.BigEndian.Uint32(b[off:]))
	}
	return out
}
