package tui_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// failDesk is base's desk over a database whose reads named in reads
// ("PendingEmailChange", "Request"), once armed, wait until release and
// then fail with err: a read under way while the user types ahead, which
// then fails (a server gone, a request no longer there).
type failDesk struct {
	*model.Desk
	armed   *atomic.Bool
	gate    chan struct{}
	release func()
}

func newFailDesk(t testing.TB, base *model.Desk, err error, reads ...string) *failDesk {
	f := &failDesk{armed: new(atomic.Bool), gate: make(chan struct{})}
	var once sync.Once
	f.release = func() { once.Do(func() { close(f.gate) }) }
	t.Cleanup(f.release)
	f.Desk = model.NewDesk(failStore{base.Store(), f, reads, err}, model.Options{Clock: fixedClock(now), Broker: base.Broker()})
	return f
}

type failStore struct {
	model.Store
	f     *failDesk
	reads []string
	err   error
}

func (s failStore) View(ctx context.Context, fn func(model.Tx) error) error {
	return s.Store.View(ctx, func(tx model.Tx) error { return fn(failTx{tx, s}) })
}

type failTx struct {
	model.Tx
	s failStore
}

func (tx failTx) fail(read string) error {
	if !tx.s.f.armed.Load() || !slices.Contains(tx.s.reads, read) {
		return nil
	}
	<-tx.s.f.gate
	return tx.s.err
}

func (tx failTx) PendingEmailChange(h model.Handle) (model.EmailChange, error) {
	if err := tx.fail("PendingEmailChange"); err != nil {
		return model.EmailChange{}, err
	}
	return tx.Tx.PendingEmailChange(h)
}

func (tx failTx) Request(id int64) (model.Request, error) {
	if err := tx.fail("Request"); err != nil {
		return model.Request{}, err
	}
	return tx.Tx.Request(id)
}

var (
	errGone    = errors.New("the database server went away")
	errRefused = &model.Error{Kind: model.ErrNotFound, Msg: "no such request"}
)

// TestQuitTypedAheadOfAReadThatFailsQuits: q typed after a key held for
// a screen being read (a move key: nothing that gives the keys to a
// field) quits once that read fails, on the Profile tab and on a
// request, as it would have once the read answered: it was dropped with
// the keys held, and the user who pressed q to quit was left in the app.
func TestQuitTypedAheadOfAReadThatFailsQuits(t *testing.T) {
	for _, v := range []struct {
		name string
		err  error
	}{{"failed", errGone}, {"refused", errRefused}} {
		t.Run("request "+v.name, func(t *testing.T) {
			d := newFailDesk(t, newDesk(t), v.err, "Request")
			a := start(t, d.Desk, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("2")
			a.waitText(a.T("tui.requests.title"), "#8")
			d.armed.Store(true)
			a.press("enter")
			a.waitText(a.T("tui.request.title", locale.Args{"ID": 8}), a.T("tui.loading"))
			a.press("j", "q")
			a.waitFor("the keys held", func(s string) bool {
				return strings.Contains(lastLines(s, 2), a.T("tui.loading")+" · esc")
			})
			d.release()
			a.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
		})
	}
	t.Run("profile", func(t *testing.T) {
		d := newFailDesk(t, newDesk(t), errGone, "PendingEmailChange")
		d.armed.Store(true)
		a := start(t, d.Desk, demo.Persona, 80, 24)
		a.waitText("Services  12 of 12")
		a.press("4")
		a.waitText(a.T("tui.profile.title"), a.T("tui.loading"))
		a.press("down", "q")
		a.waitFor("the keys held", func(s string) bool {
			return strings.Contains(lastLines(s, 2), a.T("tui.loading")+" · ctrl+c")
		})
		d.release()
		a.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	})
}

// TestKeysTypedAheadOfAReadThatFails: keys held for the Profile tab
// being read, which then fails. A tab's digit typed before any of the
// tab's own keys still goes to that tab; a q typed after a key that
// would have opened a field (e: the address) was a letter of it, and
// does not quit; nothing typed after that key acts (@ opened the
// account picker).
func TestKeysTypedAheadOfAReadThatFails(t *testing.T) {
	for _, v := range []struct {
		name string
		keys []string
		want func(a *app) []string
	}{
		{"a tab's digit", []string{"j", "2"}, func(a *app) []string {
			return []string{"[2 " + a.T("tui.tab.requests"), a.T("tui.requests.title")}
		}},
		{"an address", []string{"e", "q", "@", "2"}, func(a *app) []string {
			return []string{"[4 " + a.T("tui.tab.profile"), a.T("tui.not_read")}
		}},
	} {
		t.Run(v.name, func(t *testing.T) {
			d := newFailDesk(t, newDesk(t), errGone, "PendingEmailChange")
			d.armed.Store(true)
			a := start(t, d.Desk, demo.Persona, 80, 24)
			a.waitText("Services  12 of 12")
			a.press("4")
			a.waitText(a.T("tui.profile.title"), a.T("tui.loading"))
			a.press(v.keys...)
			a.waitFor("the keys held", func(s string) bool {
				return strings.Contains(lastLines(s, 2), a.T("tui.loading")+" · ctrl+c")
			})
			d.release()
			s := a.waitText(v.want(a)...)
			if strings.Contains(s, a.T("tui.picker.title")) {
				t.Fatalf("a key typed after e acted:\n%s", s)
			}
			// alive: the next key acts
			a.press("3")
			a.waitText("[3 " + a.T("tui.tab.mailbox"))
		})
	}
}

func (tx failTx) FirstServicesOf(h model.Handle, now time.Time, limit int) ([]model.ServiceView, error) {
	if err := tx.fail("FirstServicesOf"); err != nil {
		return nil, err
	}
	return tx.Tx.FirstServicesOf(h, now, limit)
}

func (tx failTx) Service(name string) (model.Service, error) {
	if err := tx.fail("Service"); err != nil {
		return model.Service{}, err
	}
	return tx.Tx.Service(name)
}

// TestQuitTypedAheadOfAListThatFailsQuits: ↓ then q typed on the
// Services tab before its first read, which fails: q quits.
func TestQuitTypedAheadOfAListThatFailsQuits(t *testing.T) {
	d := newFailDesk(t, newDesk(t), errGone, "FirstServicesOf")
	d.armed.Store(true)
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitText(a.T("tui.services.title"), a.T("tui.loading"))
	a.press("down", "q")
	a.waitFor("the keys held", func(s string) bool {
		return strings.Contains(lastLines(s, 2), a.T("tui.loading")+" · ctrl+c")
	})
	d.release()
	a.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// TestLettersTypedAheadOfAFormThatFailsDoNotQuit: q and a digit typed on
// the owner's form before it is read are letters of its fields (it takes
// the keys meanwhile): once its read fails they are dropped, and neither
// quits nor leaves the form.
func TestLettersTypedAheadOfAFormThatFailsDoNotQuit(t *testing.T) {
	d := newFailDesk(t, newDesk(t), errGone, "Service")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitText("Services  12 of 12")
	d.armed.Store(true)
	a.press("o")
	a.waitText(a.T("tui.owner.title"), a.T("tui.loading"))
	a.press("q", "2")
	d.release()
	a.waitText(a.T("tui.owner.title"), a.T("tui.not_read"))
	a.press("esc")
	a.waitText("Services  12 of 12")
}

// TestRequestRefusedWithKeysTypedAhead: a request whose read is refused
// (gone meanwhile) closes, saying why, with keys typed ahead as without:
// the move key dropped, the tab's digit played on the list it went back
// to, the reason still said there.
func TestRequestRefusedWithKeysTypedAhead(t *testing.T) {
	d := newFailDesk(t, newDesk(t), errRefused, "Request")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("2")
	a.waitText(a.T("tui.requests.title"), "#8")
	d.armed.Store(true)
	a.press("enter")
	a.waitText(a.T("tui.request.title", locale.Args{"ID": 8}), a.T("tui.loading"))
	a.press("j", "2")
	d.release()
	s := a.waitText(a.T("tui.requests.title"), "no such request")
	if strings.Contains(s, a.T("tui.request.title", locale.Args{"ID": 8})) {
		t.Fatalf("the request refused is still open:\n%s", s)
	}
}

// TestKeysTypedAheadOfAListThatFails: keys held for the Services tab
// being read, which then fails, are played on the list saying that it
// could not be read, as if typed once it did: enter opens nothing there
// (there is no row), and the q typed after it quits, the tab's digit
// shows its tab; behind a move key, / opens the filter and the q typed
// next is a letter of it. The enter stopped them all: only the app's
// keys typed before it were played.
func TestKeysTypedAheadOfAListThatFails(t *testing.T) {
	for _, v := range []struct {
		name string
		keys []string
		want func(a *app) []string // nil: the app quits
	}{
		{"enter then q", []string{"enter", "q"}, nil},
		{"enter then a tab's digit", []string{"enter", "2"}, func(a *app) []string {
			return []string{"[2 " + a.T("tui.tab.requests"), a.T("tui.requests.title")}
		}},
		{"the filter", []string{"down", "/", "q"}, func(a *app) []string {
			return []string{"[1 " + a.T("tui.tab.services"), a.T("tui.services.title") + "  /q"}
		}},
	} {
		t.Run(v.name, func(t *testing.T) {
			d := newFailDesk(t, newDesk(t), errGone, "FirstServicesOf")
			d.armed.Store(true)
			a := start(t, d.Desk, demo.Persona, 80, 24)
			a.waitText(a.T("tui.services.title"), a.T("tui.loading"))
			a.press(v.keys...)
			a.waitFor("the keys held", func(s string) bool {
				return strings.Contains(lastLines(s, 2), a.T("tui.loading")+" · ctrl+c")
			})
			d.release()
			if v.want == nil {
				a.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
				return
			}
			a.waitText(v.want(a)...)
		})
	}
}

func (tx failTx) History(h model.Handle, serviceID, requestID int64, limit int) ([]model.HistoryEntry, error) {
	if err := tx.fail("History"); err != nil {
		return nil, err
	}
	return tx.Tx.History(h, serviceID, requestID, limit)
}

func (tx failTx) PartyHistory(h model.Handle, serviceID int64, limit int) ([]model.HistoryEntry, error) {
	if err := tx.fail("History"); err != nil {
		return nil, err
	}
	return tx.Tx.PartyHistory(h, serviceID, limit)
}

// TestKeysTypedAheadOfAHistoryThatFails: a service's history is a list
// as the tabs are: enter then q typed while it is read, once its read
// fails, quit, as the README says (enter opens nothing on a list with
// no row). Played as a request's or a mail's keys are, q was dropped
// with the enter before it.
func TestKeysTypedAheadOfAHistoryThatFails(t *testing.T) {
	d := newFailDesk(t, newDesk(t), errGone, "History")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	d.armed.Store(true)
	a.press("h")
	a.waitText(a.T("tui.loading"))
	a.press("enter", "q")
	a.waitFor("the keys held", func(s string) bool {
		return strings.Contains(lastLines(s, 2), a.T("tui.loading")+" · esc")
	})
	d.release()
	a.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
