package tui_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/text"
)

// Hostile data: what the model refuses on input, written to the store
// directly, as an older version or another tool could have. Every
// payload hides "pwned" inside an escape sequence (a title to set, a
// colour, a cursor move) or behind a control: it must never reach the
// screen, the terminal, or the title.
const (
	evil    model.Handle = "ev66666-ovh"                    // the account acting, with a hostile name and address
	evilH   model.Handle = "ba\x1b[2J\x1b]0;pwned\x07d-ovh" // an account whose very handle is hostile
	payload              = "\x1b]0;pwned\x07\x1b]2;pwned\x1b\\\x1b[2J\x1b[H\x1b[10;10H\x1b[5A\x1b[31mred\x1b[0m\x1b[8;5;31;41mhidden\x1b[0m" +
		"\x1bP pwned \x1b\\\u009d0;pwned\u009c\u009b31m\x9d0;raw\x9c" + // OSC and DCS, 8-bit OSC and CSI (as runes and as raw bytes: invalid UTF-8, drawn as such)
		"\x00\x01\a\b\r\n\t\x7f\u0085\u008d" + // C0, DEL, C1
		"\xff\xfe\xc3\x28" + // invalid UTF-8
		"\u202egnp.exe\u202c\u2066\u2069\u200f\u061c\u2028\u2029\ufeff" // direction overrides, separators, BOM
)

// hostile is a visible tag, every payload, the tag again.
func hostile(tag string) string { return tag + " " + payload + " " + tag }

// huge is a megabyte of text with payloads all through it.
var huge = strings.Repeat("long text "+payload, (1<<20)/(10+len(payload))+1)

// hostileDesk is the demo desk plus hostile data around evil: three
// services (one a domain with hostile owner details, one with a name of a
// megabyte), an account with a hostile handle as a contact, a request
// waiting for evil and one refused with a hostile reason, a mail with a
// hostile subject, address, token, link and a body of a megabyte, and
// history lines with hostile actions and details.
func hostileDesk(t *testing.T) *model.Desk {
	d := newDesk(t)
	err := d.Store().Update(ctx, func(tx model.Tx) error {
		for _, a := range []model.Account{
			{Handle: evil, Name: "Eve " + hostile("Evil") + huge, Email: hostile("eve@evil.example"), Created: now.Add(-48 * time.Hour)},
			{Handle: evilH, Name: hostile("Bad Handle"), Email: "bad@example.com", Created: now.Add(-48 * time.Hour)},
		} {
			if err := tx.InsertAccount(a); err != nil {
				return err
			}
		}
		owner := &model.Owner{Holder: hostile("Holder"), Address: hostile("Address") + huge, Phone: hostile("+351"), Email: hostile("owner@evil.example")}
		svcs := []*model.Service{
			{Name: hostile("svc-one.example"), Type: hostile("kind"), Admin: evil, Tech: evilH, Billing: evil, Created: now},
			{Name: hostile("svc-two.example"), Type: model.TypeDomain, Admin: evil, Tech: evilH, Billing: demo.Persona, Owner: owner, Created: now},
			{Name: "svc-three " + hostile("long") + huge, Type: model.TypeDomain, Admin: demo.Persona, Tech: evil, Billing: evilH, Owner: owner, Created: now},
		}
		for _, s := range svcs {
			if err := tx.InsertService(s); err != nil {
				return err
			}
		}
		two := svcs[1]
		waiting := &model.Request{ServiceID: two.ID, Roles: []model.Role{model.Tech}, From: evilH, To: demo.Persona, Requester: evil,
			State: model.StateValidating, Created: now.Add(-time.Hour), Expires: now.Add(14 * 24 * time.Hour),
			Parties: []model.Party{{Handle: evil, Answer: model.AnswerPending}, {Handle: evilH, Answer: model.AnswerPending}, {Handle: demo.Persona, Answer: model.AnswerPending}}}
		refused := &model.Request{ServiceID: svcs[2].ID, Roles: []model.Role{model.Billing}, From: evilH, To: evil, Requester: demo.Persona,
			State: model.StateRefused, Reason: hostile("Reason") + huge, Created: now.Add(-30 * time.Hour), Expires: now.Add(10 * 24 * time.Hour), Ended: now.Add(-20 * time.Hour),
			Parties: []model.Party{{Handle: demo.Persona, Answer: model.AnswerAccepted, Answered: now.Add(-29 * time.Hour)}, {Handle: evilH, Answer: model.AnswerRefused, Answered: now.Add(-20 * time.Hour)}, {Handle: evil, Answer: model.AnswerPending}}}
		for _, r := range []*model.Request{waiting, refused} {
			if err := tx.InsertRequest(r); err != nil {
				return err
			}
		}
		mails := []*model.Mail{
			{To: evil, Address: "eve@evil.example", Subject: "Plain " + hostile("second"), Date: now.Add(-2 * time.Hour), Body: "plain", Kind: model.MailOutcome, Read: true},
			{To: evil, Address: hostile("eve@evil.example"), Subject: hostile("Subject"), Date: now.Add(-50 * time.Minute),
				Body: hostile("Body") + "\n\n" + huge, RequestID: waiting.ID, Token: hostile("TOKEN"),
				Link: fmt.Sprintf("contactdesk://request/%d?token=%s", waiting.ID, hostile("LINKTOKEN")), Kind: hostile("kind"),
				Delivery: hostile("sent"), DeliveryError: hostile("Bounce") + huge},
		}
		for _, m := range mails {
			if err := tx.InsertMail(m); err != nil {
				return err
			}
		}
		for i, h := range []model.HistoryEntry{
			{At: now.Add(-3 * time.Hour), Actor: evilH, Action: hostile("act"), ServiceID: two.ID, RequestID: waiting.ID, Detail: hostile("Detail") + huge},
			{At: now.Add(-2 * time.Hour), Actor: evil, Action: "request.create", ServiceID: two.ID, RequestID: waiting.ID, Detail: "short " + hostile("detail")},
		} {
			if err := tx.InsertHistory(&h); err != nil {
				return fmt.Errorf("history %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// hostileScreens reach every screen as evil (the picker as nobody yet).
var hostileScreens = []struct {
	name  string
	me    model.Handle
	reach func(a *app) string
}{
	{"services", evil, func(a *app) string {
		return a.waitText("3 of 3", "svc-one.example", "Eve Evil", "Requests (1!)", "Mailbox (1)")
	}},
	{"edit_contacts", evil, func(a *app) string {
		a.waitText("3 of 3", "Eve Evil", "Requests (1!)", "Mailbox (1)")
		a.typ("/svc-three")
		a.press("enter")
		a.waitText("1 of 3")
		a.press("enter")
		return a.waitText("Edit contacts", "Current contact", "only the admin")
	}},
	{"owner", evil, func(a *app) string {
		a.waitText("3 of 3", "Eve Evil", "Requests (1!)", "Mailbox (1)")
		a.typ("/svc-two")
		a.press("enter")
		a.waitText("1 of 3")
		a.press("o")
		return a.waitText("Owner details", "Holder", "Address")
	}},
	{"history", evil, func(a *app) string {
		a.waitText("3 of 3", "Eve Evil", "Requests (1!)", "Mailbox (1)")
		a.typ("/svc-two")
		a.press("enter")
		a.waitText("1 of 3")
		a.press("h")
		return a.waitText("History", "request made", "act ")
	}},
	{"requests", evil, func(a *app) string {
		a.waitText("3 of 3", "Eve Evil", "Requests (1!)", "Mailbox (1)")
		a.press("2")
		return a.waitText("My requests", "2 of 2")
	}},
	{"request", evil, func(a *app) string {
		a.waitText("3 of 3", "Eve Evil", "Requests (1!)", "Mailbox (1)")
		a.press("2")
		a.waitText("My requests", "2 of 2")
		a.press("down", "enter")
		return a.waitText("Parties", "Reason", "refused")
	}},
	{"mailbox", evil, func(a *app) string {
		a.waitText("3 of 3", "Eve Evil", "Requests (1!)", "Mailbox (1)")
		a.press("3")
		return a.waitText("Mailbox", "2 mails")
	}},
	{"mail", evil, func(a *app) string {
		a.waitText("3 of 3", "Eve Evil", "Requests (1!)", "Mailbox (1)")
		a.press("3")
		a.waitText("2 mails")
		a.press("enter")
		return a.waitText("Subject", "Token", "Link", "more lines", "no unread mail")
	}},
	{"mail_link", evil, func(a *app) string {
		a.waitText("3 of 3", "Eve Evil", "Requests (1!)", "Mailbox (1)")
		a.press("3")
		a.waitText("2 mails")
		a.press("enter")
		a.waitText("Token", "Link")
		a.press("o")
		a.waitText("Request #9", "Change")
		a.press("a")
		return a.waitText("Accept request", "with your token", "LINKTOKEN", "no unread mail")
	}},
	{"profile", evil, func(a *app) string {
		a.waitText("3 of 3", "Eve Evil", "Requests (1!)", "Mailbox (1)")
		a.press("4")
		return a.waitText("Recent activity", "eve@evil.example", "short")
	}},
	{"profile_edit", evil, func(a *app) string {
		a.waitText("3 of 3", "Eve Evil", "Requests (1!)", "Mailbox (1)")
		a.press("4")
		a.waitText("Recent activity", "eve@evil.example")
		a.press("e")
		return a.waitText("enter: mail a token", "short detail")
	}},
	{"picker", "", func(a *app) string {
		a.typ("ev666")
		return a.waitText("Act as which account", "Account: ev666 ", "ev66666-ovh", "1 of")
	}},
}

// TestHostileDataIsInert draws every screen over hostile data and checks
// that nothing of it acts on the terminal: no escape sequence but the
// app's own colours, no control character, no direction override, valid
// UTF-8; the frame keeps its size, every line within the width; the
// title stays the app's. The screens are compared with golden files
// (go test ./tui -run Hostile -update rewrites them).
func TestHostileDataIsInert(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, sc := range hostileScreens {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				a := start(t, hostileDesk(t), sc.me, size[0], size[1])
				s := sc.reach(a)
				raw := a.raw()
				checkInert(t, raw)
				checkCells(t, s, size[0], size[1])
				if title := a.title(); title != "contactdesk — "+string(sc.me) && title != "contactdesk" {
					t.Errorf("the title is %q", title)
				}
				a.quit()
				out := readAll(t, a)
				if strings.Contains(out, "pwned") || strings.Contains(out, "\u202e") {
					t.Errorf("the terminal received a payload")
				}
				for _, m := range oscRE.FindAllStringSubmatch(out, -1) {
					if m[1] == "0" || m[1] == "1" || m[1] == "2" {
						if m[2] != "contactdesk — "+string(sc.me) && m[2] != "contactdesk" && m[2] != "" { // "" as it quits
							t.Errorf("the terminal's title was set to %q", m[2])
						}
					}
				}
				golden.RequireEqual(t, hideTokens(s))
			})
		}
	}
}

var (
	sgrOnlyRE = regexp.MustCompile(`\x1b\[[0-9;:]*m`)
	oscRE     = regexp.MustCompile(`\x1b\]([0-9]+);([^\x07\x1b]*)(?:\x07|\x1b\\)`)
)

// checkInert fails unless the frame holds nothing but text and the app's
// own SGR (colour and weight) sequences.
func checkInert(t *testing.T, raw string) {
	t.Helper()
	s := sgrOnlyRE.ReplaceAllString(raw, "")
	if !utf8.ValidString(s) {
		t.Fatalf("the frame is not valid UTF-8")
	}
	for i, r := range s {
		bad := ""
		switch {
		case r == 0x1b:
			bad = "an escape sequence"
		case r == '\n':
		case text.IsControl(r):
			bad = "a control character"
		case text.IsBidiControl(r):
			bad = "a direction override"
		case r == 0x2028 || r == 0x2029 || r == 0xfeff:
			bad = "an invisible separator"
		}
		if bad != "" {
			t.Fatalf("the frame draws %s (%q) at byte %d: …%q…", bad, r, i, s[max(0, i-40):min(len(s), i+40)])
		}
	}
	if strings.Contains(s, "pwned") {
		t.Fatalf("the frame draws the body of an escape sequence")
	}
	if strings.Contains(raw, "8;5;31;41m") || strings.Contains(raw, "\x1b[31m") {
		t.Fatalf("the frame draws a user's own colours (hidden text)")
	}
}

// checkCells checks the screen fills the terminal exactly, no line wider
// than it in cells.
func checkCells(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Errorf("the screen has %d lines, the terminal %d:\n%s", len(lines), h, s)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, the terminal %d: %q", i+1, n, w, l)
		}
	}
}
