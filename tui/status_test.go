package tui_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui"
	"contactdesk/tui/pages/services"
)

// flakyStore fails every read while down, as a store whose database
// server went away.
type flakyStore struct {
	model.Store
	down  *atomic.Bool
	reads *atomic.Int64
}

// flakyDesk is a desk over a flakyStore of a new test desk (base, whose
// broker it shares): down fails its reads, reads counts them.
func flakyDesk(t *testing.T) (base, d *model.Desk, down *atomic.Bool, reads *atomic.Int64) {
	base = newDesk(t)
	down, reads = &atomic.Bool{}, &atomic.Int64{}
	d = model.NewDesk(flakyStore{base.Store(), down, reads}, model.Options{Clock: fixedClock(now), Broker: base.Broker()})
	return base, d, down, reads
}

func (s flakyStore) View(ctx context.Context, fn func(model.Tx) error) error {
	s.reads.Add(1)
	if s.down.Load() {
		return errors.New("connection refused: the server went away")
	}
	return s.Store.View(ctx, fn)
}

// TestSharedSessionHidesFailuresWords: a customer over SSH is told that
// the desk could not answer, never a failure's own words, which can name
// the database's server.
func TestSharedSessionHidesFailuresWords(t *testing.T) {
	base, d, down, _ := flakyDesk(t)
	a := start(t, d, demo.Persona, 120, 30, tui.Options{Locked: true})
	servicesShown(a)
	down.Store(true)
	base.Broker().Publish(model.Change{All: true})
	s := a.waitText("error: the desk could not answer just now; try again in a moment")
	if strings.Contains(s, "connection refused") {
		t.Fatalf("a customer reads the failure's own words:\n%s", s)
	}
}

// TestStatusLineRecovers: an error of reading, shown in the status line
// while the database is away, goes once the screens read fine again; a
// message the user must read stays through a reload.
func TestStatusLineRecovers(t *testing.T) {
	base, d, down, reads := flakyDesk(t)
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

	// what the user must read stays through a reload, until a key
	a.press("esc", "1")
	a.waitText("Services")
	a.typ("/vps-7f")
	a.press("enter")
	a.waitText("1 of 12")
	a.press("o")
	a.waitText("is not a domain (vps)")
	before := reads.Load()
	reload()
	a.waitFor("the tabs read again", func(string) bool { return reads.Load() >= before+4 })
	time.Sleep(50 * time.Millisecond) // their answers land
	if !strings.Contains(a.screen(), "is not a domain (vps)") {
		t.Fatalf("a reload took the message away:\n%s", a.screen())
	}
	a.press("down")
	a.waitGone("is not a domain (vps)")
}

// TestRestOfLongListFails: when the whole list can't be read after its
// first page, the tab says so instead of "loading", and a reload brings it.
func TestRestOfLongListFails(t *testing.T) {
	base := newDesk(t)
	err := base.Batch(ctx, func(b *model.Batch) error {
		for i := range services.FirstPage {
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
	var down atomic.Bool
	down.Store(true)
	d := model.NewDesk(wholeListFails{base.Store(), &down}, model.Options{Clock: fixedClock(now), Broker: base.Broker()})
	a := start(t, d, demo.Persona, 140, 30)
	a.waitText("100 of the first 100, the rest could not be read (ctrl+r reloads)", "error: connection refused")
	down.Store(false)
	a.press("ctrl+r")
	a.waitText("112 of 112 · role: all")
}

// wholeListFails fails the reads of a whole list of services while down.
type wholeListFails struct {
	model.Store
	down *atomic.Bool
}

func (s wholeListFails) View(ctx context.Context, fn func(model.Tx) error) error {
	return s.Store.View(ctx, func(tx model.Tx) error { return fn(failingList{tx, s.down}) })
}

type failingList struct {
	model.Tx
	down *atomic.Bool
}

func (tx failingList) ServicesOf(h model.Handle, now time.Time) ([]model.ServiceView, error) {
	if tx.down.Load() {
		return nil, errors.New("connection refused")
	}
	return tx.Tx.ServicesOf(h, now)
}

// TestKeysTypedBeforeTheFormIsReadAreKept: a user who opens Edit
// contacts and types at once, before the form's read has come back (a
// busy server, a slow database), loses none of it.
func TestKeysTypedBeforeTheFormIsReadAreKept(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "Service")
	a := start(t, d.Desk, demo.Persona, 100, 30)
	servicesShown(a)
	a.typ("/shop")
	a.press("enter")
	a.waitText("1 of 12")
	d.arm()
	a.press("enter") // opens the form, whose read now waits
	a.waitText(a.T("tui.contacts.title"))
	a.press("tab")
	a.typ("zz33333-ovh")
	d.release()
	a.waitText("zz33333-ovh (new tech contact)")
}

// TestRefusalsAreMarkedAsFieldsMarkThem: a rule's refusal in the status
// line reads "! …", as a field's does, not "error: …", which is for
// failures; and a limit of an hour says so once ("within 1 hour").
func TestRefusalsAreMarkedAsFieldsMarkThem(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 120, 40)
	servicesShown(a)
	a.openRequest8()
	for i := 1; i <= model.MaxResends; i++ {
		a.press("e")
		a.waitFor(fmt.Sprintf("resend %d", i), func(s string) bool {
			return strings.Count(s, "* sent again ") == i && strings.Contains(s, "a fresh token for request #8 was mailed")
		})
	}
	a.press("e")
	s := a.waitText("! request #8 was already mailed to you again 3 times within 1 hour")
	if strings.Contains(s, "error: request #8") {
		t.Errorf("a refusal reads as a failure:\n%s", s)
	}
}

// shownWhole reports whether text is on screen whole, on one line or
// wrapped over lines that follow one another.
func shownWhole(s, text string) bool {
	flat := strings.Join(strings.Fields(s), "")
	return strings.Contains(flat, strings.Join(strings.Fields(text), ""))
}

// TestLongMessageKeepsTheAccountLine: at 80×24 a message too long for
// the status line is drawn whole over the line of the keys and a row the
// screen lends it; the status line keeps naming the account in use, and
// the screen has its row back once the message is read.
func TestLongMessageKeepsTheAccountLine(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.openRequest8()
	a.waitText(a.offered())
	msg := a.T("tui.request.resent", locale.Args{"ID": 8, "Address": "xavier@xara.pt"})
	if len([]rune(msg)) <= 80 {
		t.Fatalf("the test needs a message of two lines at 80 columns: %q", msg)
	}
	a.press("e")
	s := a.waitText(msg[:30])
	checkFrame(t, s, 80, 24)
	if st := lastLine(s); !strings.HasPrefix(st, "xx11111-ovh Xavier Xará │ ") {
		t.Fatalf("the status line no longer names the account:\n%s", s)
	}
	if !shownWhole(s, msg) {
		t.Fatalf("the message is not shown whole (%q):\n%s", msg, s)
	}
	// the screen gave a row, not its title: its head is where it was
	if lines := strings.Split(s, "\n"); !strings.HasPrefix(lines[2], "Request #8") {
		t.Fatalf("the screen moved:\n%s", s)
	}
	a.press("down") // read: a key ends it
	a.waitGone(msg[:20])
	// the request read again, after the resend, offers the fresh mail
	fresh := a.T("tui.request.offered", locale.Args{"Ago": a.l.Ago(now, now)})
	s = a.waitText(fresh)
	if !strings.Contains(s, fresh) || !strings.Contains(s, "a "+a.T("tui.request.key.accept")) || !strings.Contains(lastLine(s), "xx11111-ovh Xavier Xará") {
		t.Fatalf("the screen did not get its rows back:\n%s", s)
	}
}

// TestStoreFailureInTheSessionsLanguage: a failure of the store (a
// server out of reach) is written by Options.StoreSays, which the
// command line gives the app, in the session's language; before, a
// Portuguese local session read the store's English words.
func TestStoreFailureInTheSessionsLanguage(t *testing.T) {
	base, d, down, _ := flakyDesk(t)
	says := func(err error, msg string, l *locale.Localizer) (string, bool) {
		if msg != "connection refused: the server went away" {
			return "", false
		}
		return "the store's words, said in " + string(l.Lang()), true
	}
	a := start(t, d, demo.Persona, 120, 30, tui.Options{StoreSays: says})
	servicesShown(a)
	down.Store(true)
	base.Broker().Publish(model.Change{All: true})
	s := a.waitText("error: the store's words, said in en")
	if strings.Contains(s, "connection refused") {
		t.Fatalf("the store's own words shown:\n%s", s)
	}
}
