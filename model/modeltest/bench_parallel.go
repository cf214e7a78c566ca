package modeltest

import (
	"context"
	"sync"
	"testing"
	"time"

	"contactdesk/model"
)

// BenchCreateAcceptParallel is BenchCreateAccept with users people at
// once, each on services of its own (services[u], services[u+users]…),
// as on a desk served to many: while one waits for its commit to reach
// the disk, the others read their mail and prepare their next write.
// It reports the p99 of one whole life and, per second of wall time,
// whole lives (requests/s), accept transactions (accepts/s) and write
// transactions (writes/s).
func BenchCreateAcceptParallel(b *testing.B, d *model.Desk, services []model.Service, candidates []model.Handle, users int) {
	ctx := context.Background()
	var mu sync.Mutex
	lives := make([]time.Duration, 0, b.N)
	accepts, writes := 0, 0
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for u := 0; u < users; u++ {
		n := b.N / users
		if u < b.N%users {
			n++
		}
		wg.Add(1)
		go func(u, n int) {
			defer wg.Done()
			for i := 0; i < n; i++ {
				k := u + i*users
				s := services[k%len(services)]
				to := candidates[k%len(candidates)]
				if to == s.Tech {
					to = candidates[(k+1)%len(candidates)]
				}
				t0 := time.Now()
				rs, err := d.CreateRequest(ctx, s.Admin, model.NewRequest{Service: s.Name, Roles: []model.Role{model.Tech}, To: string(to)})
				if err != nil {
					b.Errorf("create on %s: %v", s.Name, err)
					return
				}
				r := rs[0]
				for _, p := range r.Parties {
					tok, err := readToken(ctx, d, p.Handle, r.ID)
					if err != nil {
						b.Error(err)
						return
					}
					if r, err = d.Accept(ctx, p.Handle, r.ID, tok); err != nil {
						b.Errorf("accept #%d by %s: %v", rs[0].ID, p.Handle, err)
						return
					}
				}
				if r.State != model.StateDone {
					b.Errorf("request #%d ended %s: %s", r.ID, r.State, r.Reason)
					return
				}
				took := time.Since(t0)
				mu.Lock()
				lives = append(lives, took)
				accepts += len(r.Parties)
				writes += 1 + len(r.Parties)
				mu.Unlock()
			}
		}(u, n)
	}
	wg.Wait()
	wall := time.Since(start)
	b.StopTimer()
	if len(lives) == 0 {
		return
	}
	b.ReportMetric(float64(percentile(lives, 99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(lives))/wall.Seconds(), "requests/s")
	b.ReportMetric(float64(accepts)/wall.Seconds(), "accepts/s")
	b.ReportMetric(float64(writes)/wall.Seconds(), "writes/s")
}
