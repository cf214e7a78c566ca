package tui_test

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui"
)

// restHungStore is a database whose whole lists (the reads named in
// reads: "MailListOf", "ServicesOf") hang, while hung is set, until their
// caller gives up, and fail with its context's error, as on a PostgreSQL
// server that stopped answering between a list's first, quick read (a
// count, a first page) and the whole list.
type restHungStore struct {
	model.Store
	hung  *atomic.Bool
	reads []string
}

func (s restHungStore) View(ctx context.Context, fn func(model.Tx) error) error {
	return s.Store.View(ctx, func(tx model.Tx) error { return fn(restHungTx{tx, ctx, s}) })
}

type restHungTx struct {
	model.Tx
	ctx context.Context
	s   restHungStore
}

func (tx restHungTx) hang(read string) error {
	if !tx.s.hung.Load() || !slices.Contains(tx.s.reads, read) {
		return nil
	}
	<-tx.ctx.Done()
	return tx.ctx.Err()
}

func (tx restHungTx) MailListOf(h model.Handle, limit int) ([]model.Mail, error) {
	if err := tx.hang("MailListOf"); err != nil {
		return nil, err
	}
	return tx.Tx.MailListOf(h, limit)
}

func (tx restHungTx) ServicesOf(h model.Handle, now time.Time) ([]model.ServiceView, error) {
	if err := tx.hang("ServicesOf"); err != nil {
		return nil, err
	}
	return tx.Tx.ServicesOf(h, now)
}

func restHungDesk(base *model.Desk, reads ...string) (*model.Desk, *atomic.Bool) {
	hung := new(atomic.Bool)
	hung.Store(true)
	st := restHungStore{base.Store(), hung, reads}
	return model.NewDesk(st, model.Options{Clock: fixedClock(now), Broker: base.Broker()}), hung
}

// TestMailboxWhoseListFailedSaysSo: the Mailbox's unread mails counted,
// its list's read then gave up (the server hung): the tab says the list
// could not be read, and its head no longer says "10 unread, loading…"
// with no read under way. ctrl+r says it is loading while it reads, then
// that it could not be read again; once the desk answers, ctrl+r shows
// the mails.
func TestMailboxWhoseListFailedSaysSo(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			d, hung := restHungDesk(newDeskIn(t, lang), "MailListOf")
			a := startIn(t, d, demo.Persona, lang, 100, 30, tui.Options{Lang: lang, CallTimeout: time.Second})
			loading, notRead := a.T("tui.loading"), a.T("tui.not_read")
			failed := a.T("tui.status.error", locale.Args{"Msg": ""})
			unread := a.T("tui.mailbox.unread", locale.Args{"N": 10})
			a.press("3")
			s := a.waitText(a.T("tui.mailbox.title"), unread, notRead, failed)
			if strings.Contains(s, loading) {
				t.Errorf("the Mailbox says %q once its read gave up, none under way:\n%s", loading, s)
			}
			a.press("ctrl+r")
			a.waitFor("the Mailbox loading again", func(s string) bool {
				return strings.Contains(s, loading) && !strings.Contains(s, notRead)
			})
			s = a.waitText(a.T("tui.mailbox.title"), notRead)
			if strings.Contains(s, loading) {
				t.Errorf("the Mailbox says %q once its read gave up again:\n%s", loading, s)
			}
			hung.Store(false)
			a.press("ctrl+r")
			a.waitText(a.T("tui.mailbox.info", locale.Args{"Count": a.T("tui.mailbox.count", locale.Args{"N": 10}), "Unread": unread}))
		})
	}
}

// TestServicesWhoseRestFailedSaysSo: an agency's first hundred services
// shown, the rest's read gave up (the server hung): the head says the
// rest could not be read; ctrl+r says it is loading the rest while it
// reads, not that it could not be read, then that it could not be read
// again; once the desk answers, ctrl+r shows them all.
func TestServicesWhoseRestFailedSaysSo(t *testing.T) {
	base := emptyDesk(t)
	if _, err := demo.Load(ctx, base, demo.Options{Services: demo.AgencyFrom}); err != nil {
		t.Fatal(err)
	}
	d, hung := restHungDesk(base, "ServicesOf")
	a := start(t, d, demo.Agency, 140, 30, tui.Options{CallTimeout: time.Second})
	rest, restFailed := a.T("tui.services.rest_loading"), a.T("tui.services.rest_failed")
	a.waitText(a.T("tui.services.title"), restFailed)
	a.press("ctrl+r")
	a.waitFor("the rest loading again", func(s string) bool {
		return strings.Contains(s, rest) && !strings.Contains(s, restFailed)
	})
	a.waitText(a.T("tui.services.title"), restFailed)
	hung.Store(false)
	a.press("ctrl+r")
	a.waitText("1000 of 1000")
}
