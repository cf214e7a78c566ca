package tui_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"contactdesk/model"
	"contactdesk/model/demo"
)

// TestEscOnTheProfileWhileItLoadsActsAtOnce: esc typed on the Profile tab
// while its first read hangs, with or without keys typed before it, acts
// at once, as it does on a screen opened over a tab: the keys typed
// before it are dropped, and esc itself is not kept to act once the tab
// is read. It was kept, and every key typed after it waited behind it:
// a tab's digit typed next did nothing until the read answered. Once the
// tab is read, nothing typed before esc acts (no field open).
func TestEscOnTheProfileWhileItLoadsActsAtOnce(t *testing.T) {
	for _, v := range []struct {
		name   string
		before []string
	}{
		{"alone", nil},
		{"after a key held", []string{"e"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			base := newDesk(t)
			d := newHeldDesk(t, base, true, "PendingEmailChange")
			a := start(t, d.Desk, demo.Persona, 80, 24)
			a.waitText("Services  12 of 12")
			a.press("4")
			a.waitText(a.T("tui.profile.title"), a.T("tui.loading"))
			a.press(append(v.before, "esc", "2")...)
			// the Requests tab, its rows waiting for the tabs' first reads
			a.waitText("[2 "+a.T("tui.tab.requests"), a.T("tui.requests.title"))
			d.release()
			a.waitText("#8")
			a.press("4")
			s := a.waitText(a.T("tui.profile.label.since"))
			if strings.Contains(s, a.T("tui.profile.hint_email")) {
				t.Fatalf("a key typed before esc acted once the tab was read:\n%s", s)
			}
			if keys := lastLines(s, 2); strings.Contains(keys, a.T("tui.loading")) {
				t.Fatalf("the key line says loading once the tab is read:\n%s", keys)
			}
		})
	}
}

// prefillStore is a database whose read of the change of address
// waiting, made apart from any mail's (the Profile's: a mail read reads
// it too, to tell whether its token still works), fails while mode is
// 1, and waits for gate while mode is 2.
type prefillStore struct {
	model.Store
	mode *atomic.Int32
	gate chan struct{}
}

func (s prefillStore) View(ctx context.Context, fn func(model.Tx) error) error {
	return s.Store.View(ctx, func(tx model.Tx) error { return fn(&prefillTx{Tx: tx, s: s}) })
}

type prefillTx struct {
	model.Tx
	s     prefillStore
	mails bool // a mail was read in this transaction
}

func (tx *prefillTx) MailListOf(h model.Handle, limit int) ([]model.Mail, error) {
	tx.mails = true
	return tx.Tx.MailListOf(h, limit)
}

func (tx *prefillTx) MailsOf(h model.Handle) ([]model.Mail, error) {
	tx.mails = true
	return tx.Tx.MailsOf(h)
}

func (tx *prefillTx) Mail(id int64) (model.Mail, error) {
	tx.mails = true
	return tx.Tx.Mail(id)
}

func (tx *prefillTx) PendingEmailChange(h model.Handle) (model.EmailChange, error) {
	switch m := tx.s.mode.Load(); {
	case tx.mails:
	case m == 1:
		return model.EmailChange{}, errGone
	case m == 2:
		<-tx.s.gate
	}
	return tx.Tx.PendingEmailChange(h)
}

// TestEscCancelsTheTokenFieldAMailAskedForWhileTheProfileLoads: o on the
// mail bringing the token of a new address opens the Profile, whose
// token field opens with it once the account is read; esc typed while
// it is still read cancels that field at once, as it would close it
// once open: it does not open once the account is read.
func TestEscCancelsTheTokenFieldAMailAskedForWhileTheProfileLoads(t *testing.T) {
	base := newDesk(t)
	if _, err := base.AskEmailChange(ctx, demo.Persona, "new1@example.com"); err != nil {
		t.Fatal(err)
	}
	mode, gate := new(atomic.Int32), make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	mode.Store(1) // the Profile's first read fails: the other tabs are read
	d := model.NewDesk(prefillStore{base.Store(), mode, gate}, model.Options{Clock: fixedClock(now), Broker: base.Broker()})
	a := start(t, d, demo.Persona, 80, 24)
	a.waitText("Services  12 of 12", a.T("tui.tab.mailbox")+" (11)")
	a.press("4")
	a.waitText(a.T("tui.profile.title"), a.T("tui.not_read"))
	a.press("3")
	a.waitText("[3 "+a.T("tui.tab.mailbox"), "Please confirm your new e-mail address")
	a.press("enter")
	a.waitText(a.T("tui.mail.key.confirm_email"))
	// the Profile is read again, and hangs
	mode.Store(2)
	a.press("ctrl+r")
	a.press("o")
	a.waitText("[4 "+a.T("tui.tab.profile"), a.T("tui.loading"))
	a.press("esc")
	mode.Store(0)
	release()
	s := a.waitText(a.T("tui.profile.label.since"), "new1@example.com")
	if strings.Contains(s, a.T("tui.profile.hint_token")) {
		t.Fatalf("the token field opened after esc:\n%s", s)
	}
}
