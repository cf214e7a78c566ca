package tui_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"contactdesk/model"
	"contactdesk/model/demo"
)

// flakyStore fails every read while down, as a store whose database
// server went away.
type flakyStore struct {
	model.Store
	down *atomic.Bool
}

func (s flakyStore) View(ctx context.Context, fn func(model.Tx) error) error {
	if s.down.Load() {
		return errors.New("connection refused: the server went away")
	}
	return s.Store.View(ctx, fn)
}

// TestStatusLineRecovers: an error of reading, shown in the status line
// while the database is away, goes once the screens read fine again; a
// message the user must read stays through a reload.
func TestStatusLineRecovers(t *testing.T) {
	base := newDesk(t)
	var down atomic.Bool
	d := model.NewDesk(flakyStore{base.Store(), &down}, model.Options{Clock: fixedClock(now), Broker: base.Broker()})
	a := start(t, d, demo.Persona, 120, 30)
	servicesShown(a)

	reload := func() { base.Broker().Publish(model.Change{All: true}) } // a write elsewhere
	down.Store(true)
	reload()
	s := a.waitText("error: connection refused: the server went away")
	if !strings.Contains(s, "xara-shop.com") {
		t.Fatalf("the list went with the error:\n%s", s)
	}
	down.Store(false)
	reload()
	a.waitGone("connection refused")

	// the same on a sub-view: the request's own read
	a.press("2")
	a.waitText("My requests", "#8")
	a.press("enter")
	a.waitText("Request #8", "Parties")
	down.Store(true)
	reload()
	a.waitText("error: connection refused")
	down.Store(false)
	reload()
	a.waitGone("connection refused")

	// what the user must read stays through a reload
	a.press("esc", "1")
	a.waitText("Services")
	a.typ("/vps-7f")
	a.press("enter")
	a.waitText("1 of 12")
	a.press("o")
	a.waitText("is a vps, not a domain")
	reload()
	a.press("2") // the Requests tab reloaded too: its count shows
	a.waitText("My requests")
	if !strings.Contains(a.screen(), "is a vps, not a domain") {
		t.Fatalf("a reload took the message away:\n%s", a.screen())
	}
}
