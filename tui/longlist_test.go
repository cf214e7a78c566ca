package tui_test

import (
	"fmt"
	"strings"
	"testing"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui/pages/services"
)

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
	// the whole list waits
	d := newHeldDesk(t, base, true, "ServicesOf")
	total := 12 + extra

	a := start(t, d.Desk, demo.Persona, 140, 40)
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
	d.release()
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
	d := newHeldDesk(t, base, true, "ServicesOf")
	a := start(t, d.Desk, demo.Persona, 140, 40)
	a.waitText("100 of the first 100, loading the rest…")
	a.press("s")
	a.waitText("100 of the first 100, loading the rest… · role: all · sort: type")
	d.release()
	s := a.waitText(fmt.Sprintf("%d of %d · role: all · sort: type", 12+extra, 12+extra))
	first := strings.Split(s, "\n")[4] // under the tabs, the rule, the title and the header
	if !strings.Contains(first, "pn-104233") || !strings.Contains(first, "cloud") {
		t.Fatalf("sorted by type, the first row is not the cloud project:\n%s", s)
	}
}
