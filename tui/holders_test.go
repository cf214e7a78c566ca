package tui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// TestKeysTypedWhileContactsAreSentCount: a new tech contact, ctrl+s
// and 2 typed in one go on Edit contacts: once the desk has made the
// request, it opens, and the 2 then shows the Requests tab, as it would
// had the user waited for the request, instead of being dropped (the
// user was left on the request, wondering where the 2 went).
func TestKeysTypedWhileContactsAreSentCount(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "Service", "writes")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.editShop()
	a.press("tab")
	a.typ("zz33333-ovh")
	a.waitText("tech: yy22222-ovh → zz33333-ovh")
	d.arm()
	a.press("ctrl+s", "2")
	a.waitText(a.T("tui.contacts.sending"))
	d.release()
	a.waitFor("the Requests tab, request #9 on it", func(s string) bool {
		return strings.Contains(s, "[2 Requests") && strings.Contains(s, a.T("tui.requests.title")) && strings.Contains(s, "#9") &&
			!strings.Contains(s, a.T("tui.request.title", locale.Args{"ID": 9}))
	})
	if _, err := base.Request(ctx, demo.Persona, 9); err != nil {
		t.Fatalf("request #9 was not made: %v", err)
	}
}

// TestContactsRefusalStaysInViewOfKeysTypedAhead: a billing contact the
// desk refuses (unpaid bills), ctrl+s and x typed in one go: the refusal
// stays beside the field, the x, meant for what follows a success, not
// typed after what was typed there.
func TestContactsRefusalStaysInViewOfKeysTypedAhead(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "Service", "writes")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.editShop()
	a.press("tab", "tab") // billing
	a.typ("zz33333-ovh")
	a.waitText("unpaid bills")
	d.arm()
	a.press("ctrl+s", "x")
	a.waitText(a.T("tui.contacts.sending"))
	d.release()
	s := a.waitText(a.T("tui.contacts.not_sent"))
	checkBeside(t, s, "billing", "! ab12345-ovh has unpaid bills")
	if !strings.Contains(lineOf(s, "billing  "), "[zz33333-ovh ") {
		t.Fatalf("the x typed while the form was sent went into the field:\n%s", s)
	}
}

// TestKeysTypedBeforeTheRequestsAreReadAccept: enter, a, tab and enter
// typed in one go on the Requests tab before its list has been read
// open its first request once it has, and accept it, tab filling in the
// mail's token, as they would had the user waited: tab was the app's
// key to the next tab, which left the list, the enter kept for it lost.
func TestKeysTypedBeforeTheRequestsAreReadAccept(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, true, "Awaiting", "RequestsOf")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitText(a.T("tui.services.title"), "12 of 12")
	a.press("2")
	a.waitText(a.T("tui.requests.title"), a.T("tui.loading"))
	a.press("enter", "a", "tab", "enter")
	a.waitText(a.T("tui.requests.title"), a.T("tui.loading"))
	d.release()
	a.waitText("you accepted request #8; still waiting for gh13579-ovh")
	wantAccepted8(t, base, "the keys typed before the list was read were lost")
}

// TestKeysTypedBeforeTheMailIsReadAccept: enter, o, a, tab and enter
// typed in one go on the Mailbox tab open the newest mail (request #8's)
// and, once it has been read, follow its link to the request and accept
// it with the mail's token, as they would had the user waited: tab left
// for the Profile tab, the o and the a kept for the mail lost.
func TestKeysTypedBeforeTheMailIsReadAccept(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "Mail")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("3")
	a.waitText(a.T("tui.mailbox.title"), "padaria-yolanda.pt")
	d.arm()
	a.press("enter")
	a.waitText(a.T("tui.mail.title", locale.Args{"ID": 28}), a.T("tui.loading"))
	a.press("o", "a", "tab", "enter")
	a.waitText(a.T("tui.mail.title", locale.Args{"ID": 28}), a.T("tui.loading"))
	d.release()
	a.waitText("you accepted request #8; still waiting for gh13579-ovh")
	wantAccepted8(t, base, "the keys typed before the mail was read were lost")
}

// TestKeysTypedBeforeTheOwnerIsReadAreSaved: o on a domain, then tab (to
// the address), a new address and enter typed in one go, before its
// owner details have been read: once they have, the address goes into
// its field and is saved, as it would had the user waited; tab was the
// app's key to the next tab, which closed the form, and the address was
// typed on the Requests tab.
func TestKeysTypedBeforeTheOwnerIsReadAreSaved(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "Service")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.filterTo("shop")
	d.arm()
	a.press("o")
	a.waitText(a.T("tui.owner.title"), a.T("tui.loading"))
	a.press("tab", "ctrl+u")
	a.typ("Rua Nova 1, Lisboa")
	a.press("enter")
	a.waitText(a.T("tui.owner.title"), a.T("tui.loading"))
	d.release()
	a.waitText(a.T("tui.owner.saved", locale.Args{"Service": "xara-shop.com"}))
	wantShopAddress(t, base, "Rua Nova 1, Lisboa")
}

// TestKeysTypedWhileTheOwnerIsSavedCount: a new address, enter and 2
// typed in one go on the owner details: once the desk has saved them,
// the form goes back to the Services tab, and the 2 then shows the
// Requests tab, as it would had the user waited, instead of being
// dropped.
func TestKeysTypedWhileTheOwnerIsSavedCount(t *testing.T) {
	base, d, a, _ := ownerFormOfShop(t)
	a.press("tab", "ctrl+u")
	a.typ("Rua Nova 1, Lisboa")
	d.arm()
	a.press("enter", "2")
	d.release()
	a.waitText("[2 Requests", a.T("tui.requests.title"), "#8")
	wantShopAddress(t, base, "Rua Nova 1, Lisboa")
}

// TestKeysTypedBeforeAnOwnerNotYoursIsReadCount: o on a domain the user
// is not the admin of, then 2, typed in one go before its owner details
// have been read: once they have (nothing to edit), the 2 shows the
// Requests tab, as it would had the user waited.
func TestKeysTypedBeforeAnOwnerNotYoursIsReadCount(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "Service")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.filterTo("fontes")
	d.arm()
	a.press("o")
	a.waitText(a.T("tui.owner.title"), a.T("tui.loading"))
	a.press("2")
	a.waitText(a.T("tui.owner.title"), a.T("tui.loading"))
	d.release()
	a.waitText("[2 Requests", a.T("tui.requests.title"), "#8")
}

// TestTabClickedWhileTheOwnerIsSavedFollowsTheKeys: a new address, enter,
// s and a click on the Mailbox tab, in one go on the owner details: once
// the desk has saved them, the form goes back to the Services list, the
// s sorts it by type, and the click then shows the Mailbox, in the order
// done, as it would had the user waited for the save. The click showed
// the Mailbox at once, the form parked with its draft being saved, and
// the s, held by the form, was lost: the list was still sorted by name.
func TestTabClickedWhileTheOwnerIsSavedFollowsTheKeys(t *testing.T) {
	base, d, a, s := ownerFormOfShop(t)
	mailbox := strings.Index(strings.Split(s, "\n")[0], "3 "+a.T("tui.tab.mailbox"))
	a.press("tab", "ctrl+u")
	a.typ("Rua Nova 1, Lisboa")
	d.arm()
	a.press("enter", "s")
	a.tm.Send(tea.MouseClickMsg{X: mailbox + 2, Y: 0, Button: tea.MouseLeft})
	d.release()
	a.waitText("[3 "+a.T("tui.tab.mailbox"), a.T("tui.mailbox.title"))
	a.press("1")
	a.waitText(a.T("tui.services.info", locale.Args{"Shown": 1, "Total": 12, "Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.type")}))
	wantShopAddress(t, base, "Rua Nova 1, Lisboa")
}

// TestTabClickedWhileTheOwnerIsSavedClosesTheForm: a new address, enter,
// and at once a click on the Mailbox tab, no key typed after enter: the
// Mailbox shows at once, the form parked on its tab with its draft being
// saved; once the desk has saved it, the form closes as it does when
// shown, saying so on the Mailbox, and the Services tab shows its list
// again. The form stayed open, saved, as if it had not been, the Save
// ready to save the same again.
func TestTabClickedWhileTheOwnerIsSavedClosesTheForm(t *testing.T) {
	base, d, a, s := ownerFormOfShop(t)
	mailbox := strings.Index(strings.Split(s, "\n")[0], "3 "+a.T("tui.tab.mailbox"))
	a.press("tab", "ctrl+u")
	a.typ("Rua Nova 1, Lisboa")
	d.arm()
	a.press("enter")
	a.tm.Send(tea.MouseClickMsg{X: mailbox + 2, Y: 0, Button: tea.MouseLeft})
	a.waitText("[3 "+a.T("tui.tab.mailbox"), a.T("tui.mailbox.title"))
	d.release()
	a.waitText("[3 "+a.T("tui.tab.mailbox"), a.T("tui.owner.saved", locale.Args{"Service": "xara-shop.com"}))
	a.press("1")
	s = a.waitText(a.T("tui.services.info", locale.Args{"Shown": 1, "Total": 12, "Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.name")}))
	if strings.Contains(s, a.T("tui.owner.title")) {
		t.Fatalf("the form saved still shows:\n%s", s)
	}
	wantShopAddress(t, base, "Rua Nova 1, Lisboa")
}

// TestTabClickedWhileContactsAreSentClosesTheForm: a new tech contact,
// ctrl+s and at once a click on the Mailbox tab: once the desk has made
// the request, the form parked on the Services tab closes, the Mailbox
// says what was made, and the Requests tab's cursor is on it. The form
// stayed open, emptied, as if nothing had been sent.
func TestTabClickedWhileContactsAreSentClosesTheForm(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "Service", "writes")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.editShop()
	s := a.screen()
	mailbox := strings.Index(strings.Split(s, "\n")[0], "3 "+a.T("tui.tab.mailbox"))
	a.press("tab")
	a.typ("zz33333-ovh")
	a.waitText("tech: yy22222-ovh → zz33333-ovh")
	d.arm()
	a.press("ctrl+s")
	a.tm.Send(tea.MouseClickMsg{X: mailbox + 2, Y: 0, Button: tea.MouseLeft})
	a.waitText("[3 "+a.T("tui.tab.mailbox"), a.T("tui.mailbox.title"))
	d.release()
	a.waitFor("what was made, said on the Mailbox", func(s string) bool {
		return strings.Contains(s, "[3 "+a.T("tui.tab.mailbox")) && strings.Contains(lastLines(s, 2), "#9")
	})
	a.press("1")
	s = a.waitText(a.T("tui.services.title"), "1 of 12", "xara-shop.com")
	if strings.Contains(s, a.T("tui.contacts.title")) {
		t.Fatalf("the form sent still shows:\n%s", s)
	}
	a.press("2")
	s = a.waitText(a.T("tui.requests.title"), "#9")
	if !strings.HasPrefix(lineOf(s, "#9"), ">") {
		t.Fatalf("the cursor is not on the request made:\n%s", s)
	}
}

// ownerFormOfShop starts the app at 80×24 on a desk whose service reads
// and writes can be held (not yet armed), and opens xara-shop.com's
// owner details, read; it returns the screen they show.
func ownerFormOfShop(t *testing.T) (*model.Desk, *heldDesk, *app, string) {
	t.Helper()
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "Service", "writes")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.filterTo("shop")
	a.press("o")
	return base, d, a, a.waitText(a.T("tui.owner.title"), a.T("tui.owner.label.address"))
}

// wantShopAddress fails the test unless the desk holds address as
// xara-shop.com's owner address: what the form typed ahead or saved
// meanwhile was saved.
func wantShopAddress(t *testing.T, base *model.Desk, address string) {
	t.Helper()
	s, err := base.Owner(ctx, demo.Persona, "xara-shop.com")
	if err != nil {
		t.Fatal(err)
	}
	if s.Owner.Address != address {
		t.Fatalf("the address was not saved: %q, want %q", s.Owner.Address, address)
	}
}
