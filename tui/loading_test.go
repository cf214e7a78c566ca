package tui_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/modeltest"
	"contactdesk/tui"
)

// stalledStore is a database that stops answering without refusing
// (modeltest.HangingStore), counting the calls its callers gave up on
// while it hung.
type stalledStore struct {
	modeltest.HangingStore
	gaveUp *atomic.Int32
}

func (s stalledStore) View(ctx context.Context, fn func(model.Tx) error) error {
	hung := s.Hung.Load()
	err := s.HangingStore.View(ctx, fn)
	if hung {
		s.gaveUp.Add(1)
	}
	return err
}

func (s stalledStore) Update(ctx context.Context, fn func(model.Tx) error) error {
	hung := s.Hung.Load()
	err := s.HangingStore.Update(ctx, fn)
	if hung {
		s.gaveUp.Add(1)
	}
	return err
}

// stalledDesk is base's desk over a database that hangs from the start,
// until hung is cleared.
func stalledDesk(base *model.Desk) (d *model.Desk, hung *atomic.Bool, gaveUp *atomic.Int32) {
	hung, gaveUp = new(atomic.Bool), new(atomic.Int32)
	hung.Store(true)
	st := stalledStore{modeltest.HangingStore{Store: base.Store(), Hung: hung}, gaveUp}
	return model.NewDesk(st, model.Options{Clock: fixedClock(now), Broker: base.Broker()}), hung, gaveUp
}

// TestPickerLoadingWhileTheDeskHangs: the account picker over a desk
// that hangs says it is loading where the accounts will be, in the
// session's language, without counting "0 of 0 accounts"; once its read
// gives up, that it could not be read; once the desk answers, ctrl+r
// lists the accounts.
func TestPickerLoadingWhileTheDeskHangs(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			d, hung, _ := stalledDesk(newDesk(t))
			a := startIn(t, d, "", lang, 80, 24, tui.Options{Lang: lang, CallTimeout: 2 * time.Second})
			loading := a.T("tui.loading")
			none := a.T("tui.picker.info", locale.Args{"Shown": 0, "N": 0})
			s := a.waitText(a.T("tui.picker.title"), loading)
			if strings.Contains(s, none) {
				t.Errorf("while nothing was read, the picker says %q:\n%s", none, s)
			}
			failed := a.T("tui.status.error", locale.Args{"Msg": ""})
			s = a.waitText(a.T("tui.picker.title"), a.T("tui.not_read"), failed)
			if strings.Contains(s, loading) || strings.Contains(s, none) {
				t.Errorf("once its read gave up, the picker says %q or %q:\n%s", loading, none, s)
			}
			hung.Store(false)
			a.press("ctrl+r")
			a.waitText(demo.Persona.String(), "Xavier Xará", a.T("tui.picker.info", locale.Args{"Shown": 8, "N": 8}))
		})
	}
}
