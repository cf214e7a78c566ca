package modeltest

import (
	"context"
	"slices"
	"testing"
	"time"

	"contactdesk/model"
)

// BenchCreateAccept measures the whole life of a request on a loaded
// desk: the admin asks for a new tech contact on one of services, then
// every party accepts with the token of its mail, and the change is
// applied. It reports the p99 of one create+accept and how many requests
// are accepted per second.
func BenchCreateAccept(b *testing.B, d *model.Desk, services []model.Service, candidates []model.Handle) {
	ctx := context.Background()
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := services[i%len(services)]
		to := candidates[i%len(candidates)]
		if to == s.Tech {
			to = candidates[(i+1)%len(candidates)]
		}
		start := time.Now()
		rs, err := d.CreateRequest(ctx, s.Admin, model.NewRequest{Service: s.Name, Roles: []model.Role{model.Tech}, To: string(to)})
		if err != nil {
			b.Fatalf("create on %s: %v", s.Name, err)
		}
		r := rs[0]
		for _, p := range r.Parties {
			tok := ""
			ms, err := d.Mails(ctx, p.Handle)
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range ms {
				if m.RequestID == r.ID && m.Token != "" {
					tok = m.Token
					break
				}
			}
			got, err := d.Accept(ctx, p.Handle, r.ID, tok)
			if err != nil {
				b.Fatalf("accept #%d by %s: %v", r.ID, p.Handle, err)
			}
			r = got
		}
		if r.State != model.StateDone {
			b.Fatalf("request #%d ended %s: %s", r.ID, r.State, r.Reason)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	var total time.Duration
	for _, d := range durations {
		total += d
	}
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(durations))/total.Seconds(), "accepted/s")
}
