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
// every party reads its mailbox for its token (readToken) and accepts,
// and the last acceptance applies the change. Each life is one create
// and one accept per party (three here), each its own durable write
// transaction.
//
// It reports:
//   - p99-ms: the 99th percentile of one whole life;
//   - requests/s: whole lives done per second, one after the other;
//   - accepts/s: accept transactions per second of time spent accepting;
//   - writes/s: write transactions (creates and accepts) per second of
//     time spent writing;
//   - p99-write-ms: the 99th percentile of one write transaction.
//
// It returns the p99 of a life, for the caller to set against its disk.
func BenchCreateAccept(b *testing.B, d *model.Desk, services []model.Service, candidates []model.Handle) time.Duration {
	ctx := context.Background()
	lives := make([]time.Duration, 0, b.N)
	writes := make([]time.Duration, 0, 4*b.N)
	var inAccept time.Duration
	accepts := 0
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
		writes = append(writes, time.Since(start))
		r := rs[0]
		for _, p := range r.Parties {
			tok, err := readToken(ctx, d, p.Handle, r.ID)
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			got, err := d.Accept(ctx, p.Handle, r.ID, tok)
			if err != nil {
				b.Fatalf("accept #%d by %s: %v", r.ID, p.Handle, err)
			}
			took := time.Since(t0)
			writes = append(writes, took)
			inAccept += took
			accepts++
			r = got
		}
		if r.State != model.StateDone {
			b.Fatalf("request #%d ended %s: %s", r.ID, r.State, r.Reason)
		}
		lives = append(lives, time.Since(start))
	}
	b.StopTimer()
	p99 := percentile(lives, 99)
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(lives))/sum(lives).Seconds(), "requests/s")
	b.ReportMetric(float64(accepts)/inAccept.Seconds(), "accepts/s")
	b.ReportMetric(float64(len(writes))/sum(writes).Seconds(), "writes/s")
	b.ReportMetric(float64(percentile(writes, 99).Microseconds())/1000, "p99-write-ms")
	return p99
}

// Percentile is the p-th percentile of ds.
func Percentile(ds []time.Duration, p int) time.Duration { return percentile(ds, p) }

// readToken is h's token for request id, read as the app's user reads
// it: the mailbox's list (Desk.Mailbox, its first page as the Mailbox
// tab reads it), then the newest mail of the request that holds a
// token, opened (Desk.Mail, as the tab's enter opens it).
func readToken(ctx context.Context, d *model.Desk, h model.Handle, id int64) (string, error) {
	ms, _, err := d.Mailbox(ctx, h, model.MailboxPage)
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		if m.RequestID == id && m.Token != "" {
			m, err = d.Mail(ctx, h, m.ID)
			return m.Token, err
		}
	}
	return "", nil
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)*p/100]
}

func sum(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}
