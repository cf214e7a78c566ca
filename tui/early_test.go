package tui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"contactdesk/model"
	"contactdesk/model/demo"
)

// TestKeysTypedWhileARequestLoadsCount: enter on a request, then a and
// enter at once, before the request has been read: once it has, the
// keys are played and the request is accepted with the mail's token,
// instead of the a being answered "not awaiting your answer" and lost.
func TestKeysTypedWhileARequestLoadsCount(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "Request")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("2")
	a.waitText("My requests", "#8")
	d.arm()
	a.press("enter")
	a.waitText("Request #8", a.T("tui.loading"))
	a.press("a", "enter")
	a.waitText("Request #8", a.T("tui.loading"))
	d.release()
	a.waitText("you accepted request #8; still waiting for gh13579-ovh")
	wantAccepted8(t, base, "the keys typed while the request loaded were lost")
}

// TestKeysTypedBeforeAListArrivesCount: ↓ and enter on the Services tab
// before its list has been read open the second service once it has,
// instead of moving on an empty table and opening nothing.
func TestKeysTypedBeforeAListArrivesCount(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, true, "FirstServicesOf")
	a := start(t, d.Desk, demo.Persona, 100, 30)
	a.waitText(a.T("tui.services.title"), a.T("tui.loading"))
	a.press("down", "enter")
	a.waitText(a.T("tui.services.title"), a.T("tui.loading"))
	d.release()
	ss, err := base.Services(ctx, demo.Persona)
	if err != nil {
		t.Fatal(err)
	}
	a.waitText(a.T("tui.contacts.title"), ss[1].Name)
}

// TestKeysTypedTogetherReachTheScreenTheyOpen: enter, a, enter typed in
// one go on the Requests tab open request #8 and accept it with the
// mail's token: each key reaches the screen the one before opened, not
// the list being left. Then esc and enter in one go: back on the list,
// and #8 open again.
func TestKeysTypedTogetherReachTheScreenTheyOpen(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("2")
	a.waitText(a.T("tui.requests.title"), "#8")
	a.press("enter", "a", "enter")
	a.waitText("you accepted request #8; still waiting for gh13579-ovh")
	r, err := d.Request(ctx, demo.Persona, 8)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Party(demo.Persona); p.Answer != model.AnswerAccepted {
		t.Fatalf("enter a enter did not accept #8: the answer is %s", p.Answer)
	}
	a.press("esc", "down", "enter")
	a.waitFor("another request open", func(s string) bool {
		return strings.Contains(s, "Request #") && !strings.Contains(s, "Request #8") && strings.Contains(s, a.T("tui.request.parties"))
	})
}

// TestPickingAnAccountTakesTheNextKeys: support staff type a handle,
// enter and 2 in one go on the picker: the 2 reaches the account's
// session (its Requests tab), not the picker's filter.
func TestPickingAnAccountTakesTheNextKeys(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, "", 80, 24)
	a.waitText("xx11111-ovh")
	a.typ("xx11111")
	a.press("enter", "2")
	a.waitText("[2 Requests (3!)]", a.T("tui.requests.title"), "#8")
}

// TestKeysTypedOnATabLeftAreForgotten: ↓ and enter on a Services tab
// still being read, then a click on the Requests tab: once the list
// arrives, nothing opens behind the user's back, who stays on Requests;
// back on Services, the list is there and its cursor on the first row.
func TestKeysTypedOnATabLeftAreForgotten(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, true, "FirstServicesOf")
	a := start(t, d.Desk, demo.Persona, 100, 30)
	a.waitText(a.T("tui.services.title"), a.T("tui.loading"))
	a.press("down", "enter")
	a.tm.Send(tea.MouseClickMsg{X: 20, Y: 0, Button: tea.MouseLeft}) // "2 Requests"
	a.waitText("[2 Requests (3!)]", a.T("tui.requests.title"))
	d.release()
	a.press("1")
	s := a.waitText("[1 Services]", "12 of 12")
	if strings.Contains(s, a.T("tui.contacts.title")) {
		t.Fatalf("the keys typed on the tab left opened a service:\n%s", s)
	}
	ss, err := base.Services(ctx, demo.Persona)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lineOf(s, ss[0].Name), ">") {
		t.Fatalf("the cursor moved on the list left:\n%s", s)
	}
}
