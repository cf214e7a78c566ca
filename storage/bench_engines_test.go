package storage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"contactdesk/model"
	"contactdesk/storage"
)

// Create+accept throughput, the same code on both backends: through
// model.Desk, each iteration is one request (the tech contact of a
// service names the next one), its two parties reading their mail for
// the token, and both accepting, the second acceptance applying it.
//
//	.ci/pg go test -run '^$' -bench 'CreateAccept$' ./storage/
func BenchmarkCreateAccept(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) { benchCreateAccept(b, backend, 1) })
		b.Run(backend+"-parallel", func(b *testing.B) { benchCreateAccept(b, backend, 4) })
	}
}

func benchStore(b *testing.B, backend string) model.Store {
	if backend == "postgres" {
		return pgOpen(b)
	}
	db, err := storage.Open(filepath.Join(b.TempDir(), "desk.db"), storage.Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func benchCreateAccept(b *testing.B, backend string, parallelism int) {
	ctx := context.Background()
	st := benchStore(b, backend)
	d := model.NewDesk(st, model.Options{RequestsPerHour: model.NoLimit})
	// One account per request to come (each is the incoming contact of
	// one request and the requester of the next, so mailboxes stay
	// small), and a service per goroutine; made in one go, not timed.
	chains := parallelism * 8
	accounts := b.N + chains
	handle := func(i int) model.Handle { return model.Handle(fmt.Sprintf("ac%06d-ovh", i)) }
	err := d.Batch(ctx, func(bt *model.Batch) error {
		for i := range accounts {
			if _, err := bt.AddAccount(model.NewAccount{Handle: string(handle(i)), Name: "Bench", Email: "b@example.com"}); err != nil {
				return err
			}
		}
		for c := range chains {
			h := string(handle(b.N + c))
			if _, err := bt.AddService(model.NewService{Name: fmt.Sprintf("s%03d.example", c), Type: model.TypeVPS, Admin: h, Tech: h, Billing: h}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	token := func(h model.Handle, id int64) string {
		ms, err := d.Mails(ctx, h)
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range ms {
			if m.RequestID == id && m.Token != "" {
				return m.Token
			}
		}
		b.Fatalf("no token for %s on #%d", h, id)
		return ""
	}
	var next, chain atomic.Int64
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := int(chain.Add(1) - 1)
		service, tech := fmt.Sprintf("s%03d.example", c), handle(b.N+c)
		for pb.Next() {
			to := handle(int(next.Add(1) - 1))
			rs, err := d.CreateRequest(ctx, tech, model.NewRequest{Service: service, Roles: []model.Role{model.Tech}, To: string(to)})
			if err != nil {
				b.Fatal(err)
			}
			id := rs[0].ID
			if _, err := d.Accept(ctx, tech, id, token(tech, id)); err != nil {
				b.Fatal(err)
			}
			r, err := d.Accept(ctx, to, id, token(to, id))
			if err != nil {
				b.Fatal(err)
			}
			if r.State != model.StateDone {
				b.Fatalf("#%d is %s", id, r.State)
			}
			tech = to
		}
	})
}
