package tui_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui/pages/services"
)

// gatedStore holds back every read of a whole list of services until
// its gate opens, so a test sees the Services tab between its first
// page and the whole list.
type gatedStore struct {
	model.Store
	gate chan struct{}
}

func (s gatedStore) View(ctx context.Context, fn func(model.Tx) error) error {
	return s.Store.View(ctx, func(tx model.Tx) error { return fn(gatedTx{tx, s.gate}) })
}

type gatedTx struct {
	model.Tx
	gate chan struct{}
}

func (tx gatedTx) ServicesOf(h model.Handle, now time.Time) ([]model.ServiceView, error) {
	<-tx.gate
	return tx.Tx.ServicesOf(h, now)
}

// TestLongListShowsItsFirstPageFirst: with more services than a first
// page, the tab shows the first page at once and says the rest is
// loading; a filter or a sort on it says so too, and both are complete
// once the whole list is there.
func TestLongListShowsItsFirstPageFirst(t *testing.T) {
	base := newDesk(t)
	extra := services.FirstPage + 50
	err := base.Batch(ctx, func(b *model.Batch) error {
		for i := range extra {
			if _, err := b.AddService(model.NewService{Name: fmt.Sprintf("zz-long-%03d.example", i), Type: model.TypeHosting,
				Admin: string(demo.Persona), Tech: "yy22222-ovh", Billing: string(demo.Persona)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	var open sync.Once
	d := model.NewDesk(gatedStore{base.Store(), gate}, model.Options{Clock: fixedClock(now)})
	total := 12 + extra

	a := start(t, d, demo.Persona, 140, 40)
	t.Cleanup(func() { open.Do(func() { close(gate) }) })
	s := a.waitText("100 of the first 100, loading the rest…", "zz-long-000.example")
	if !strings.HasPrefix(lineOf(s, "fontes-arquitetura.pt"), ">") {
		t.Fatalf("the first row is not selected:\n%s", s)
	}
	// a filter on the first page says it is not the whole list
	a.typ("/zz-long-00")
	a.waitText("10 of the first 100, loading the rest…", "zz-long-009.example")
	a.press("backspace", "backspace")
	a.typ("14")
	a.waitText("0 of the first 100, loading the rest…", "none of the first 100 matches; still loading the rest…")
	// the whole list completes what the filter finds
	open.Do(func() { close(gate) })
	s = a.waitText(fmt.Sprintf("10 of %d · role: all", total), "zz-long-149.example")
	if strings.Contains(s, "loading") {
		t.Fatalf("still says loading:\n%s", s)
	}
	a.press("esc")
	a.waitText(fmt.Sprintf("%d of %d · role: all · sort: name", total, total))
	a.press("s")
	a.waitText(fmt.Sprintf("%d of %d · role: all · sort: type", total, total))
}

// TestLongListSortedWhileLoading: a sort asked for before the whole list
// came says the list is still loading, and applies to the whole list.
func TestLongListSortedWhileLoading(t *testing.T) {
	base := newDesk(t)
	extra := services.FirstPage + 5
	err := base.Batch(ctx, func(b *model.Batch) error {
		for i := range extra {
			if _, err := b.AddService(model.NewService{Name: fmt.Sprintf("zz-long-%03d.example", i), Type: model.TypeHosting,
				Admin: string(demo.Persona), Tech: "yy22222-ovh", Billing: string(demo.Persona)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	var open sync.Once
	d := model.NewDesk(gatedStore{base.Store(), gate}, model.Options{Clock: fixedClock(now)})
	a := start(t, d, demo.Persona, 140, 40)
	t.Cleanup(func() { open.Do(func() { close(gate) }) })
	a.waitText("100 of the first 100, loading the rest…")
	a.press("s")
	a.waitText("100 of the first 100, loading the rest… · role: all · sort: type")
	open.Do(func() { close(gate) })
	s := a.waitText(fmt.Sprintf("%d of %d · role: all · sort: type", 12+extra, 12+extra))
	first := strings.Split(s, "\n")[4] // under the tabs, the rule, the title and the header
	if !strings.Contains(first, "pn-104233") || !strings.Contains(first, "cloud") {
		t.Fatalf("sorted by type, the first row is not the cloud project:\n%s", s)
	}
}
