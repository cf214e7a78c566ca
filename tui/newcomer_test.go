package tui_test

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/creack/pty"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui"
)

// The app as a newcomer meets it: a whole change across accounts, then
// each rough edge a first try ran into.

// TestWholeChangeAcrossAccountsByKeys drives a whole change by keys, as
// support staff would, acting as each account in turn with @: the admin
// of xara-shop.com names a new tech contact and confirms; the outgoing
// and the incoming tech confirm. It counts the keys pressed, each letter
// typed counted: a first try in the issue took about 42.
func TestWholeChangeAcrossAccountsByKeys(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, "", 80, 24)
	a.waitText("Act as which account", "8 of 8 accounts")
	a.typ("xx")
	a.press("enter")
	servicesShown(a)

	a.editShop()
	a.press("tab")
	a.typ("zz33")
	a.waitText("> zz33333-ovh  Zélia Zagalo") // suggested, highlighted
	a.press("enter")                          // taken
	a.waitText("(you, requester), yy22222-ovh (current tech contact)")
	a.press("ctrl+s")
	// the request made opens: the requester confirms at once, with the
	// token of its mail
	a.waitText("Request #9", "your mail of just now holds your token")
	a.press("a", "enter")
	a.waitText("you accepted request #9; still waiting for yy22222-ovh, zz33333-ovh")

	// the two others speak Portuguese: the screens turn Portuguese as
	// the session acts as them
	pt := locale.For(locale.PT)
	id9 := locale.Args{"ID": 9}
	for _, who := range []string{"yy", "zz"} {
		a.press("@")
		// the accounts read, before typing: a key typed sooner filters
		// an empty list, and enter then picks nobody
		a.waitText(a.T("tui.picker.title"), a.T("tui.picker.info", locale.Args{"Shown": 8, "N": 8}))
		a.typ(who)
		a.press("enter")
		// the request is right there: the new account is a party to it
		a.waitText(who+"", pt.T("tui.request.title", id9), pt.T("tui.request.your_answer")[:15], pt.T("tui.request.offered", locale.Args{"Ago": pt.T("fmt.ago.now")}))
		a.press("a", "enter")
		a.waitText(pt.T("tui.request.accepted_by_you", id9))
	}
	// the outcome, too long for a line of 80, takes two above the
	// status line, which goes on naming the account
	done := pt.T("tui.request.answered_done", locale.Args{"Done": pt.T("tui.request.accepted_by_you", id9),
		"To": "zz33333-ovh", "Roles": model.RoleWords{model.Tech}, "Service": "xara-shop.com"})
	s := a.waitFor("the outcome", func(s string) bool {
		ls := strings.Split(s, "\n")
		return len(ls) > 3 && ls[len(ls)-3]+" "+ls[len(ls)-2] == done && strings.HasPrefix(ls[len(ls)-1], "zz33333-ovh Zélia Zagalo │ ")
	})
	if !strings.HasPrefix(done, "aceitou o pedido #9; todos confirmaram: zz33333-ovh é agora o contacto técnico") {
		t.Fatalf("the outcome in Portuguese: %q\n%s", done, s)
	}
	r, err := d.Request(ctx, demo.Persona, 9)
	if err != nil || r.State != model.StateDone || r.To != "zz33333-ovh" {
		t.Fatalf("request #9: %+v, %v; want done", r, err)
	}
	t.Logf("a whole change across three accounts: %d keys", a.keys)
	if a.keys > 31 {
		t.Fatalf("a whole change took %d keys, more than the 31 it takes", a.keys)
	}
}

// TestSuggestionsTakenWithEnter: the first suggestion is highlighted as
// soon as suggestions show, and enter takes it; suggestions come from
// any part of a handle (its digits) or of a name.
func TestSuggestionsTakenWithEnter(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 100, 30)
	servicesShown(a)
	a.editShop()
	a.press("tab") // tech
	for _, c := range []struct{ typed, want, shown string }{
		{"yol", "yy22222-ovh", "yy22222-ovh  Yolanda Yáñez"},   // the start of a name
		{"67890", "cd67890-ovh", "cd67890-ovh  Carlos Duarte"}, // the digits of a handle
		{"zagalo", "zz33333-ovh", "zz33333-ovh  Zélia Zagalo"}, // a word of a name
		{"ardim", "ij11223-ovh", "ij11223-ovh  Inês Jardim"},   // a part of a name
	} {
		a.press("ctrl+u")
		a.typ(c.typed)
		a.waitText("> " + c.shown)
		a.press("enter")
		s := a.waitFor(c.want+" in the field", func(s string) bool { return strings.Contains(lineOf(s, " tech  "), "["+c.want) })
		if strings.Contains(s, c.shown) && !strings.Contains(s, "("+c.want) {
			t.Fatalf("%q: the suggestions stay after one was taken:\n%s", c.typed, s)
		}
	}
	// up from the first: none highlighted, and enter goes on to billing,
	// leaving what was typed
	a.press("ctrl+u")
	a.typ("zz3")
	a.waitText("> zz33333-ovh  Zélia Zagalo")
	a.press("up")
	a.waitGone("> zz33333-ovh")
	a.press("enter")
	s := a.waitFor("billing focused", func(s string) bool { return strings.HasPrefix(lineOf(s, " billing  "), "> billing") })
	if !strings.Contains(lineOf(s, " tech  "), "[zz3 ") {
		t.Fatalf("what was typed is lost:\n%s", s)
	}
}

// TestStatusMessagesBelongToTheirScreen: a message shows on the screen
// that made it only, goes with the next key, or after a while by itself.
func TestStatusMessagesBelongToTheirScreen(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30, tui.Options{StatusFade: time.Hour})
	servicesShown(a)
	a.openRequest8()
	a.press("e")
	a.waitText("a fresh token for request #8 was mailed")
	// a click on a tab is no key: the message goes with its screen
	a.tm.Send(tea.MouseClickMsg{X: 20, Y: 0, Button: tea.MouseLeft})
	s := a.waitText("My requests")
	if strings.Contains(s, "a fresh token") {
		t.Fatalf("the request's message shows on the Requests tab:\n%s", s)
	}

	// a form's refusal goes with the form
	a.press("1")
	a.editShop()
	a.press("tab", "tab")
	a.typ("zz33333-ovh")
	a.waitText("unpaid bills")
	a.press("ctrl+s")
	a.waitText("nothing was sent: see the form")
	a.press("esc", "y")
	s = a.waitText("filter: shop")
	if strings.Contains(s, "nothing was sent") {
		t.Fatalf("the form's message outlives the form:\n%s", s)
	}
	// the outcome of a form said on the screen it goes back to
	a.press("o")
	a.waitText("Owner details", "Avenida da Liberdade")
	a.press("enter")
	a.waitText("nothing changed", "filter: shop")
	a.press("down")
	a.waitGone("nothing changed")

	// with no key pressed, a message fades by itself (after 2 s: shown
	// for 200 ms, it could come and go while a busy machine kept this
	// test from looking, and the test wait for it in vain)
	b := start(t, d, demo.Persona, 100, 30, tui.Options{StatusFade: 2 * time.Second})
	servicesShown(b)
	b.typ("/vps-7f")
	b.press("enter", "o")
	b.waitText("is not a domain (vps)")
	b.waitGone("is not a domain (vps)")
}

var mailsRE = regexp.MustCompile(`(?:(\d+) of )?(\d+) mails, `)

// TestMailboxKeepsTheCursor: new mail comes on top; a user who had not
// moved the cursor is on the newest, one who had stays on the same mail.
// With a filter, the head counts the mails shown.
func TestMailboxKeepsTheCursor(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 120, 40)
	servicesShown(a)
	a.press("3")
	s := a.waitText("Mailbox", "newest first", "Please confirm: new tech contact for padaria-yolanda.pt")
	m := mailsRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("the mailbox does not count its mails:\n%s", s)
	}
	var n int
	fmt.Sscan(m[2], &n)

	// mail arrives while the user looks: the cursor stays on the newest
	if _, err := d.Resend(ctx, demo.Persona, 8); err != nil {
		t.Fatal(err)
	}
	a.waitText(fmt.Sprintf("Mailbox  %d mails", n+1))
	a.press("enter")
	a.waitText("Subject   Sent again: Please confirm: new tech contact for padaria-yolanda.pt")
	a.press("esc")

	// moved down, it stays on its mail as mail arrives
	a.waitText("Mailbox  ")
	a.press("down")
	second := "● 6h ago     (token replaced) Please confirm: new tech contact for padaria-yolanda.pt (request #8)"
	a.waitFor("the second mail selected", func(s string) bool { return strings.HasPrefix(lineOf(s, second), ">") })
	if _, err := d.Resend(ctx, demo.Persona, 5); err != nil {
		t.Fatal(err)
	}
	s = a.waitText(fmt.Sprintf("Mailbox  %d mails", n+2))
	if sel := lineOf(s, ">"); !strings.Contains(sel, second) {
		t.Fatalf("the cursor left its mail as mail arrived: %q\n%s", sel, s)
	}

	a.typ("/zagalo")
	a.press("enter")
	s = a.waitText(fmt.Sprintf(" of %d mails", n+2))
	m = mailsRE.FindStringSubmatch(s)
	if m == nil || m[1] == "" || strings.Count(s, "zagalo.net") != atoi(m[1]) {
		t.Fatalf("with a filter the head does not count the mails shown:\n%s", s)
	}
}

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

// TestAnswerWithTheMailedToken: the prompt offers the token of the
// user's own newest mail for the request (enter uses it, tab fills it
// in); a mail with no token in it (real delivery) makes the prompt ask
// for the token of the e-mail.
func TestAnswerWithTheMailedToken(t *testing.T) {
	d := newDesk(t)
	tok := mailedToken(t, d, demo.Persona, 8)
	a := start(t, d, demo.Persona, 120, 40)
	servicesShown(a)
	a.openRequest8()
	a.waitText("your mail of 6h ago holds your token: a accepts, x refuses")
	a.press("a")
	a.waitText("Accept request #8 with your token:", "enter accepts with the token of your mail of 6h ago")
	a.press("tab")
	a.waitText("[" + tok)
	a.press("ctrl+u")
	a.waitText("enter accepts with the token of your mail of 6h ago")
	a.press("enter")
	a.waitText("you accepted request #8; still waiting for gh13579-ovh")
	r, _ := d.Request(ctx, demo.Persona, 8)
	if p, _ := r.Party(demo.Persona); p.Answer != model.AnswerAccepted {
		t.Fatalf("the answer was not recorded: %s", p.Answer)
	}

	// Real delivery: the newest mail for request #5 holds no token.
	err := d.Store().Update(ctx, func(tx model.Tx) error {
		m := &model.Mail{To: demo.Persona, Address: "xavier@xara.pt", Subject: "Please confirm (request #5)", Date: now.Add(-time.Hour),
			Body: "the token is in your inbox", RequestID: 5, Kind: model.MailConfirm}
		if err := tx.InsertMail(m); err != nil {
			return err
		}
		// sent through the outbox, as a real delivery's mail is
		if err := tx.QueueMail(m.ID, now.Add(-time.Hour)); err != nil {
			return err
		}
		due, err := tx.DueMails(now, 1000)
		if err != nil {
			return err
		}
		for _, e := range due {
			if e.Mail.ID == m.ID {
				e.State, e.Attempts, e.Updated = model.DeliverySent, 1, now.Add(-time.Hour)
				return tx.SetDelivery(e)
			}
		}
		return fmt.Errorf("mail #%d not in the outbox", m.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	a.press("esc")
	a.waitText("My requests")
	a.typ("/zagalo")
	a.press("enter", "enter")
	a.waitText("Request #5", "your token was mailed to xavier@xara.pt 1h ago: a accepts, x refuses, e mails a fresh one")
	a.press("x")
	s := a.waitText("Refuse request #5 with the token of your e-mail:", "mailed to xavier@xara.pt 1h ago")
	if strings.Contains(s, "tab fills") {
		t.Fatalf("a token is offered where the mail holds none:\n%s", s)
	}
}

// TestHandlesAreNeverCut: handles of twelve characters, as in a large
// demo, show whole at 80 columns, with the * that marks the user's own;
// the service's name shrinks first.
func TestHandlesAreNeverCut(t *testing.T) {
	d := newDesk(t)
	for _, h := range []string{"nr102755-ovh", "ab100001-ovh"} {
		if _, err := d.AddAccount(ctx, model.NewAccount{Handle: h, Name: "Long " + h, Email: h + "@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.AddService(ctx, model.NewService{Name: "a-long-enough-service-name.example.com", Type: model.TypeDomain,
		Admin: string(demo.Persona), Tech: "nr102755-ovh", Billing: "ab100001-ovh"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateRequest(ctx, demo.Persona, model.NewRequest{Service: "a-long-enough-service-name.example.com", Roles: []model.Role{model.Tech}, To: "ab100001-ovh"}); err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 80, 24)
	s := a.waitFor("the services", func(s string) bool { return loaded(s) && strings.Contains(s, "a-long-enough") })
	l := lineOf(s, "a-long-enough")
	if !strings.Contains(l, "xx11111-ovh* nr102755-ovh ab100001-ovh") || !strings.Contains(l, "…") {
		t.Fatalf("the handles are cut, or the name is not: %q\n%s", l, s)
	}
	checkFrame(t, s, 80, 24)
	a.press("2")
	s = a.waitText("My requests", "#9")
	if l := lineOf(s, "#9 "); !strings.Contains(l, "nr102755-ovh → ab100001-ovh") {
		t.Fatalf("the change is cut: %q\n%s", l, s)
	}
	checkFrame(t, s, 80, 24)
}

// TestPickerOnAnEmptyDesk says how accounts are added.
func TestPickerOnAnEmptyDesk(t *testing.T) {
	a := start(t, emptyDesk(t), "", 80, 24)
	s := a.waitText("0 of 0 accounts", "no account yet", "contactdesk account add HANDLE --name NAME --email ADDRESS")
	checkFrame(t, s, 80, 24)
}

// TestNeedsATerminal: the app runs only between terminals; /dev/null,
// although a character device, is none.
func TestNeedsATerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("a pseudo-terminal is needed (Linux /dev/ptmx): %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	for _, c := range []struct {
		name    string
		in, out any
		want    error
	}{
		{"terminal", tty, tty, nil},
		{"stdin /dev/null", null, tty, tui.ErrNoTerminal},
		{"stdin a pipe", r, tty, tui.ErrNoTerminal},
		{"stdout a pipe", tty, w, tui.ErrNoTerminal},
		{"no file", strings.NewReader(""), tty, tui.ErrNoTerminal},
	} {
		if err := tui.CheckTerminal(c.in, c.out); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if got := tui.ErrNoTerminal.Error(); got != "the terminal app needs a terminal; to script, give a command" {
		t.Errorf("the message is %q", got)
	}
}

// TestAgencyLongList: in a demo of 10,000 services the agency holds a
// role on a thousand; its list shows its first page at once, then all of
// them, and moves, filters and narrows by role over the whole list.
func TestAgencyLongList(t *testing.T) {
	d := emptyDesk(t)
	if _, err := demo.Load(ctx, d, demo.Options{Services: demo.AgencyFrom}); err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Agency, 120, 40)
	a.waitText("ag10000-ovh Agência Exemplo", "1000 of 1000 · role: all")
	a.press("G")
	s := a.waitFor("the last service selected", func(s string) bool {
		rows := strings.Split(s, "\n")
		return strings.HasPrefix(rows[len(rows)-3], ">")
	})
	if !strings.Contains(lineOf(s, ">"), "ag10000-ovh*") {
		t.Fatalf("the agency's own handle is not marked on its row:\n%s", s)
	}
	a.press("f")
	s = a.waitText("· role: admin")
	m := regexp.MustCompile(`(\d+) of 1000 · role: admin`).FindStringSubmatch(s)
	if m == nil || atoi(m[1]) == 0 || atoi(m[1]) >= 1000 {
		t.Fatalf("the role filter does not narrow the list:\n%s", s)
	}
	a.typ("/vps-")
	a.press("enter")
	s = a.waitText("filter: vps-")
	rows := strings.Split(s, "\n")
	for _, l := range rows[4 : len(rows)-2] { // the table's rows
		if strings.Contains(l, "-ovh") && !strings.Contains(l, "vps-") {
			t.Fatalf("the filter shows %q:\n%s", l, s)
		}
	}
}

// TestPasteATokenFromAMail: a token pasted from a mail (a terminal's
// bracketed paste, its line end included) fills the field that has the
// keys, and answers; a paste where no field has the keys is not taken
// as commands.
func TestPasteATokenFromAMail(t *testing.T) {
	d := newDesk(t)
	tok := mailedToken(t, d, demo.Persona, 8)
	a := start(t, d, demo.Persona, 120, 40)
	servicesShown(a)
	a.tm.Send(tea.PasteMsg{Content: "q4"}) // no field: neither quits nor opens the Profile tab
	a.openRequest8()
	a.press("a")
	a.waitText("Accept request #8 with your token:")
	a.tm.Send(tea.PasteMsg{Content: " " + strings.ToLower(tok) + "\r\n"})
	a.waitText("[" + strings.ToLower(tok))
	a.press("enter")
	a.waitText("you accepted request #8; still waiting for gh13579-ovh")
	r, _ := d.Request(ctx, demo.Persona, 8)
	if p, _ := r.Party(demo.Persona); p.Answer != model.AnswerAccepted {
		t.Fatalf("the pasted token did not answer: %s", p.Answer)
	}
}

// TestMailboxSaysAnsweredNotEnded: the newcomer's report. As the
// persona, a request on xara.pt (tech and billing to cd67890-ovh),
// accepted at once: its token mail is "(answered)" in the Mailbox, and
// its page says the request still waits for the other parties, while
// the request waits for cd67890-ovh; once cd67890-ovh accepts, it is
// "(ended)". Before, it read "(ended)" from the first answer, and the
// newcomer took the request for over.
func TestMailboxSaysAnsweredNotEnded(t *testing.T) {
	d := newDesk(t)
	rs, err := d.CreateRequest(ctx, demo.Persona, model.NewRequest{Service: "xara.pt", Roles: []model.Role{model.Tech, model.Billing}, To: "cd67890-ovh"})
	if err != nil {
		t.Fatal(err)
	}
	id := rs[0].ID
	if _, err := d.Accept(ctx, demo.Persona, id, mailedToken(t, d, demo.Persona, id)); err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 120, 40)
	a.waitFor("the frame", a.loaded)
	a.press("3")
	s := a.waitText(a.T("tui.mailbox.title"), fmt.Sprintf("(request #%d)", id))
	line := lineOf(s, fmt.Sprintf("(request #%d)", id))
	if !strings.Contains(line, a.T("tui.mailbox.answered")+" ") || strings.Contains(line, a.T("tui.mailbox.ended")) {
		t.Fatalf("the token mail of a request answered, still waiting for cd67890-ovh:\n%s", s)
	}
	a.press("enter")
	a.waitText(a.T("tui.mail.label.token"), model.GoneNote(model.Mail{RequestID: id, TokenEnded: true, TokenAnswered: true}).In(a.l)[:40])
	a.quit()

	if _, err := d.Accept(ctx, "cd67890-ovh", id, mailedToken(t, d, "cd67890-ovh", id)); err != nil {
		t.Fatal(err)
	}
	a = start(t, d, demo.Persona, 120, 40)
	a.waitFor("the frame", a.loaded)
	a.press("3")
	s = a.waitText(a.T("tui.mailbox.title"), fmt.Sprintf("Request #%d done", id))
	if line := lineOf(s, fmt.Sprintf("(request #%d)", id)); !strings.Contains(line, a.T("tui.mailbox.ended")+" ") {
		t.Fatalf("the token mail of a request done:\n%s", s)
	}
}
