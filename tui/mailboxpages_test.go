package tui_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// bigMailbox gives the persona extra notes, newer than its mails, all
// unread ("Note 000" the oldest of them), and returns how many mails
// and unread mails it then has.
func bigMailbox(t *testing.T, d *model.Desk, extra int) (mails, unread int) {
	t.Helper()
	now := d.Now()
	err := d.Store().Update(ctx, func(tx model.Tx) error {
		for i := range extra {
			if err := tx.InsertMail(&model.Mail{To: demo.Persona, Address: "xavier@xara.pt", Subject: fmt.Sprintf("Note %03d", i),
				Date: now.Add(time.Duration(i-extra) * time.Second), Body: "a note", Kind: model.MailOutcome}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := d.Mails(ctx, demo.Persona)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if !m.Read {
			unread++
		}
	}
	return len(ms), unread
}

// mailboxTab starts the app on d as the persona at w×h and opens its
// Mailbox tab, once the services are shown.
func mailboxTab(t *testing.T, d *model.Desk, w, h int) *app {
	t.Helper()
	a := start(t, d, demo.Persona, w, h)
	a.waitText("fontes-arquitetura.pt") // the services, in any language
	a.press("3")
	return a
}

// TestBigMailboxReadByPages: a mailbox of more mails than a page shows
// its newest page, says older ones are below, and counts the unread
// mails of them all; going down past its last row reads the older ones.
func TestBigMailboxReadByPages(t *testing.T) {
	d := newDesk(t)
	mails, unread := bigMailbox(t, d, model.MailboxPage+30)
	if mails >= 2*model.MailboxPage {
		t.Fatalf("%d mails: more than two pages", mails)
	}
	a := mailboxTab(t, d, 120, 40)
	s := a.waitText(fmt.Sprintf("the newest %d mails, %d unread in all, older ones below", model.MailboxPage, unread), "Note 129")
	if strings.Contains(s, "Note 029") {
		t.Fatalf("the 101st newest mail is shown:\n%s", s)
	}
	if !strings.Contains(s, fmt.Sprintf("Mailbox (%d)", unread)) {
		t.Fatalf("the tab does not count the unread mails of the whole mailbox:\n%s", s)
	}
	a.press("G") // the last row read: Note 030
	s = a.waitText(fmt.Sprintf("%d mails, %d unread, newest first", mails, unread))
	if !strings.HasPrefix(lineOf(s, "Note 030"), ">") {
		t.Fatalf("the cursor left the row it was on:\n%s", s)
	}
	a.press("down")
	s = a.waitText("Note 029")
	if !strings.HasPrefix(lineOf(s, "Note 029"), ">") {
		t.Fatalf("down does not go on to the older mails:\n%s", s)
	}
	a.press("G")
	a.waitText("Note 000")
}

// TestBigMailboxFilterSearchesAll: a filter on a mailbox read in part
// reads the rest, and finds its oldest mails.
func TestBigMailboxFilterSearchesAll(t *testing.T) {
	d := newDesk(t)
	mails, _ := bigMailbox(t, d, model.MailboxPage+30)
	a := mailboxTab(t, d, 120, 40)
	a.waitText("older ones below")
	a.press("/")
	a.typ("note 00")
	s := a.waitText(fmt.Sprintf("10 of %d mails", mails), "Note 000", "Note 009")
	if strings.Contains(s, "older ones below") {
		t.Fatalf("still says older ones are below:\n%s", s)
	}
}

// TestBigMailboxFilterTypedBeforeItCame: a filter typed while the
// mailbox is still being read searches the whole of it once it comes,
// not its newest page alone.
func TestBigMailboxFilterTypedBeforeItCame(t *testing.T) {
	base := newDesk(t)
	mails, _ := bigMailbox(t, base, model.MailboxPage+30)
	d := newHeldDesk(t, base, true, "MailListOf")
	a := start(t, d.Desk, demo.Persona, 120, 40)
	servicesShown(a)
	a.press("3", "/")
	a.typ("note 00")
	a.waitText("/note 00")
	d.release()
	a.waitText(fmt.Sprintf("10 of %d mails", mails), "Note 000", "Note 009")
}

// TestBigMailboxFilterClearedReadsPagesAgain: once a filter that read
// the whole mailbox is cleared, the next read reads the newest page
// again, not the whole mailbox.
func TestBigMailboxFilterClearedReadsPagesAgain(t *testing.T) {
	d := newDesk(t)
	mails, unread := bigMailbox(t, d, model.MailboxPage+30)
	a := mailboxTab(t, d, 120, 40)
	a.waitText("older ones below")
	a.press("/")
	a.typ("note")
	a.waitText(fmt.Sprintf("of %d mails", mails))
	a.press("esc")
	a.waitText(fmt.Sprintf("%d mails, %d unread, newest first", mails, unread))
	// a new mail makes the tab read its mailbox again
	if _, err := d.CreateRequest(ctx, demo.Persona, model.NewRequest{Service: "xara.pt", Roles: []model.Role{model.Billing}, To: "zz33333-ovh"}); err != nil {
		t.Fatal(err)
	}
	a.waitText(fmt.Sprintf("the newest %d mails, %d unread in all, older ones below", model.MailboxPage, unread+1))
}

// TestBigMailboxHeadAt80: at 80 columns, in every language, the head of
// a mailbox read in part says, whole, how many of the newest it shows,
// how many are unread in all and that older ones are below, and keeps
// its legend: in Portuguese and French the part that says older mails
// are below was left out.
func TestBigMailboxHeadAt80(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			_, unread := bigMailbox(t, d, model.MailboxPage+30)
			a := mailboxTab(t, d, 80, 24)
			head := a.T("tui.mailbox.info_older", locale.Args{
				"Count":  a.T("tui.mailbox.count", locale.Args{"N": locale.Number(model.MailboxPage)}),
				"Unread": locale.M("tui.mailbox.unread", locale.Args{"N": locale.Number(unread)})})
			s := a.waitText(head)
			if line := lineOf(s, head); !strings.HasSuffix(strings.TrimRight(line, " "), a.T("tui.mailbox.legend")) {
				t.Fatalf("the head has no legend:\n%s", s)
			}
			checkFrame(t, s, 80, 24)
		})
	}
}

// TestBigMailboxKeepsItsMailWhenMailComes: new mail pushing the mail
// under the cursor past the page read leaves the cursor on that mail,
// read down to, not on the mail that took its place.
func TestBigMailboxKeepsItsMailWhenMailComes(t *testing.T) {
	d := newDesk(t)
	bigMailbox(t, d, 2*model.MailboxPage+30)
	a := mailboxTab(t, d, 120, 40)
	a.waitText("the newest 100 mails")
	keys := make([]string, model.MailboxPage-3)
	for i := range keys {
		keys[i] = "down"
	}
	a.press(keys...)
	// the 98th newest: Note 132 (the notes are the 230 newest)
	s := a.waitText("Note 132")
	if !strings.HasPrefix(lineOf(s, "Note 132"), ">") {
		t.Fatalf("the cursor is not on Note 132:\n%s", s)
	}
	// five mails come, each a request the persona asks for
	for _, svc := range []string{"xara.pt", "web.xara.pt", "vps-7f3a21c9.vps.ovh.net", "pn-104233", "ns3091432.ip-51-91-12.eu"} {
		role := model.Billing // the persona's own
		if svc == "ns3091432.ip-51-91-12.eu" {
			role = model.Tech
		}
		if _, err := d.CreateRequest(ctx, demo.Persona, model.NewRequest{Service: svc, Roles: []model.Role{role}, To: "zz33333-ovh"}); err != nil {
			t.Fatal(err)
		}
	}
	s = a.waitText("the newest 200 mails")
	if !strings.HasPrefix(lineOf(s, "Note 132"), ">") {
		t.Fatalf("the cursor left Note 132 when mail came:\n%s", s)
	}
}

// TestEndPressedWhileOlderMailsAreRead: G pressed again while the older
// mails the first G asked for are being read goes to the last of them
// once they land, as it would have had they been there. Before, it did
// nothing: the cursor stayed on the row the first G went to.
func TestEndPressedWhileOlderMailsAreRead(t *testing.T) {
	base := newDesk(t)
	bigMailbox(t, base, 2*model.MailboxPage+50) // Note 249 the newest … Note 000
	h := newHeldDesk(t, base, false, "MailListOf")
	a := mailboxTab(t, h.Desk, 120, 40)
	a.waitText("Note 249")
	h.arm()
	a.press("G") // the 100th row, Note 150: the next page is asked for, and held
	a.waitFor("the cursor on Note 150", func(s string) bool { return strings.HasPrefix(lineOf(s, "Note 150"), ">") })
	a.press("G")
	h.release()
	// the 200th row; the page after it is read in turn
	s := a.waitFor("the cursor on Note 050", func(s string) bool { return strings.HasPrefix(lineOf(s, "Note 050"), ">") })
	if strings.HasPrefix(lineOf(s, "Note 150"), ">") {
		t.Fatalf("two rows under the cursor:\n%s", s)
	}
}

// TestEndThenWheelWhileOlderMailsAreRead: G pressed again while the
// older mails are read, then the wheel turned before they land: the
// wheel's move is the last word, and the cursor stays where it put it.
func TestEndThenWheelWhileOlderMailsAreRead(t *testing.T) {
	base := newDesk(t)
	bigMailbox(t, base, 2*model.MailboxPage+50)
	h := newHeldDesk(t, base, false, "MailListOf")
	a := mailboxTab(t, h.Desk, 120, 40)
	a.waitText("Note 249")
	h.arm()
	a.press("G")
	a.waitFor("the cursor on Note 150", func(s string) bool { return strings.HasPrefix(lineOf(s, "Note 150"), ">") })
	a.press("G")
	a.tm.Send(tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelUp})
	s := a.waitFor("the cursor off Note 150", func(s string) bool { return !strings.HasPrefix(lineOf(s, "Note 150"), ">") })
	cur := lineOf(s, ">")
	h.release()
	s = a.waitText(fmt.Sprintf("the newest %d mails", 2*model.MailboxPage))
	if lineOf(s, ">") != cur {
		t.Fatalf("the cursor left the row the wheel put it on (%q):\n%s", cur, s)
	}
}
