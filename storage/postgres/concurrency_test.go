package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"contactdesk/model"
	"contactdesk/storage/postgres/pgtest"
)

// conflictOnce returns an Update fn that reads an account, and, the first
// time only, lets a transaction outside the writers' queue (an older
// node, a hand-typed statement) change it before writing it itself.
// Without a retry one of the two changes would be lost, or refused.
func conflictOnce(t *testing.T, u string, runs *int, write func(tx model.Tx, a model.Account) error) func(model.Tx) error {
	return func(tx model.Tx) error {
		*runs++
		a, err := tx.Account("xx11111-ovh")
		if err != nil {
			return err
		}
		if *runs == 1 {
			run(t, u, "UPDATE accounts SET owes = owes + 100, email = 'outside@x.x' WHERE handle = 'xx11111-ovh'")
		}
		return write(tx, a)
	}
}

func TestUpdateRetriesSerializationFailure(t *testing.T) {
	u := pgtest.URL(t)
	db := openURL(t, u)
	ctx := context.Background()
	addAccount(t, db, "xx11111-ovh")
	runs := 0
	err := db.Update(ctx, conflictOnce(t, u, &runs, func(tx model.Tx, a model.Account) error {
		return tx.SetOwes(a.Handle, a.Owes+100)
	}))
	if err != nil {
		t.Fatal(err)
	}
	var owes model.Cents
	db.View(ctx, func(tx model.Tx) error {
		a, err := tx.Account("xx11111-ovh")
		owes = a.Owes
		return err
	})
	if owes != 200 || runs != 2 {
		t.Errorf("after two +100, one from outside: owes %d after %d runs, want 200 after 2", owes, runs)
	}
}

// TestRetryEvenWhenFnHidesTheConflict: fn turns the failure into an
// error of its own; Update still sees the conflict and runs it again.
func TestRetryEvenWhenFnHidesTheConflict(t *testing.T) {
	u := pgtest.URL(t)
	db := openURL(t, u)
	addAccount(t, db, "xx11111-ovh")
	runs := 0
	err := db.Update(context.Background(), conflictOnce(t, u, &runs, func(tx model.Tx, a model.Account) error {
		if err := tx.SetEmail(a.Handle, "inside@x.x"); err != nil {
			return errors.New("something else went wrong")
		}
		return nil
	}))
	if err != nil || runs != 2 {
		t.Fatalf("Update: %v after %d runs, want success after 2", err, runs)
	}
}

// TestWritesQueueAcrossNodes: many writers on three nodes at once, each
// read-then-write of one shared row: none is lost, none fails.
func TestWritesQueueAcrossNodes(t *testing.T) {
	ns := nodes(t, 3)
	ctx := context.Background()
	addAccount(t, ns[0].db, "xx11111-ovh")
	const writers, each = 12, 5
	errs := make(chan error, writers)
	for w := range writers {
		db := ns[w%len(ns)].db
		go func() {
			for range each {
				err := db.Update(ctx, func(tx model.Tx) error {
					a, err := tx.Account("xx11111-ovh")
					if err != nil {
						return err
					}
					return tx.SetOwes(a.Handle, a.Owes+1)
				})
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var owes model.Cents
	ns[1].db.View(ctx, func(tx model.Tx) error {
		a, err := tx.Account("xx11111-ovh")
		owes = a.Owes
		return err
	})
	if owes != writers*each {
		t.Errorf("%d increments gave %d", writers*each, owes)
	}
}

// node is one contactdesk process on the shared database.
type node struct {
	db   *DB
	desk *model.Desk
}

func nodes(t *testing.T, n int) []node {
	u := pgtest.URL(t)
	var ns []node
	for range n {
		db := openURL(t, u)
		ns = append(ns, node{db: db, desk: model.NewDesk(db, model.Options{RequestsPerHour: model.NoLimit})})
	}
	return ns
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// token finds the token h was mailed for request id.
func token(t *testing.T, d *model.Desk, h model.Handle, id int64) string {
	t.Helper()
	ms, err := d.Mails(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.RequestID == id && m.Token != "" {
			return m.Token
		}
	}
	t.Fatalf("no token for %s on request #%d", h, id)
	return ""
}

// TestConcurrentAcceptsOnTwoNodesApplyOnce: the last two parties accept
// at the same instant, each through its own node. Both answers are kept,
// the change is applied once, by whichever commits second.
func TestConcurrentAcceptsOnTwoNodesApplyOnce(t *testing.T) {
	ns := nodes(t, 2)
	ctx := context.Background()
	d1, d2 := ns[0].desk, ns[1].desk
	must[model.Account](t)(d1.AddAccount(ctx, model.NewAccount{Handle: "xx11111-ovh", Name: "Xavier", Email: "x@xara.pt"}))
	must[model.Account](t)(d1.AddAccount(ctx, model.NewAccount{Handle: "yy22222-ovh", Name: "Yolanda", Email: "y@example.es"}))
	const rounds = 12
	for i := range rounds {
		must[model.Service](t)(d1.AddService(ctx, model.NewService{Name: fmt.Sprintf("s%02d.example", i), Type: model.TypeVPS, Admin: "xx11111-ovh", Tech: "xx11111-ovh", Billing: "xx11111-ovh"}))
	}
	for i := range rounds {
		service := fmt.Sprintf("s%02d.example", i)
		rs := must[[]model.Request](t)(d1.CreateRequest(ctx, "xx11111-ovh", model.NewRequest{Service: service, Roles: []model.Role{model.Tech}, To: "yy22222-ovh"}))
		id := rs[0].ID
		tx, ty := token(t, d1, "xx11111-ovh", id), token(t, d2, "yy22222-ovh", id)
		start := make(chan struct{})
		errs := make(chan error, 2)
		go func() { <-start; _, err := d1.Accept(ctx, "xx11111-ovh", id, tx); errs <- err }()
		go func() { <-start; _, err := d2.Accept(ctx, "yy22222-ovh", id, ty); errs <- err }()
		close(start)
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("%s: %v", service, err)
			}
		}
		r := must[model.Request](t)(d2.Request(ctx, "xx11111-ovh", id))
		if r.State != model.StateDone {
			t.Fatalf("%s: request %s (%s), want done", service, r.State, r.Reason)
		}
		for _, p := range r.Parties {
			if p.Answer != model.AnswerAccepted {
				t.Errorf("%s: %s's answer is %s: an answer was lost", service, p.Handle, p.Answer)
			}
		}
		s := must[model.Service](t)(d1.Service(ctx, "yy22222-ovh", service))
		if s.Tech != "yy22222-ovh" {
			t.Errorf("%s: tech is %s after the request was done", service, s.Tech)
		}
		hs := must[[]model.HistoryEntry](t)(d1.History(ctx, "xx11111-ovh", model.HistoryFilter{Service: service}))
		done, accepts := 0, 0
		for _, h := range hs {
			switch h.Action {
			case model.ActRequestDone:
				done++
			case model.ActRequestAccept:
				accepts++
			}
		}
		if done != 1 || accepts != 2 {
			t.Errorf("%s: history has %d done and %d accepted, want 1 and 2", service, done, accepts)
		}
	}
}

// TestConcurrentCreatesOnTwoNodes: two nodes ask for the same role of the
// same service at once; one request is made, the other is refused as
// pending — a check on a row that did not exist yet, which only
// SERIALIZABLE (not a row lock) protects.
func TestConcurrentCreatesOnTwoNodes(t *testing.T) {
	ns := nodes(t, 2)
	ctx := context.Background()
	d1, d2 := ns[0].desk, ns[1].desk
	for _, h := range []string{"xx11111-ovh", "yy22222-ovh", "zz33333-ovh"} {
		must[model.Account](t)(d1.AddAccount(ctx, model.NewAccount{Handle: h, Name: h, Email: h + "@example.com"}))
	}
	const rounds = 12
	for i := range rounds {
		service := fmt.Sprintf("s%02d.example", i)
		must[model.Service](t)(d1.AddService(ctx, model.NewService{Name: service, Type: model.TypeVPS, Admin: "xx11111-ovh", Tech: "xx11111-ovh", Billing: "xx11111-ovh"}))
		start := make(chan struct{})
		errs := make(chan error, 2)
		for j, d := range []*model.Desk{d1, d2} {
			to := []string{"yy22222-ovh", "zz33333-ovh"}[j]
			go func() {
				<-start
				_, err := d.CreateRequest(ctx, "xx11111-ovh", model.NewRequest{Service: service, Roles: []model.Role{model.Tech}, To: to})
				errs <- err
			}()
		}
		close(start)
		made, pending := 0, 0
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				made++
			case errors.Is(err, model.ErrPending):
				pending++
			default:
				t.Fatalf("%s: %v", service, err)
			}
		}
		if made != 1 || pending != 1 {
			t.Errorf("%s: %d requests made and %d refused as pending, want 1 and 1", service, made, pending)
		}
	}
}
