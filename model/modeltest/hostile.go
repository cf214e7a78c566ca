package modeltest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"contactdesk/model"
	"contactdesk/model/text"
)

// Hostile is text a user could type, or a script send, to act on the
// screens of the people who will read it: escape sequences that clear
// the screen, move the cursor, set the window title or write hyperlinks;
// 8-bit controls; text-direction overrides that reorder or hide what is
// read; invalid UTF-8; and a megabyte of text.
var Hostile = map[string]string{
	"CSI clear":        "Eve\x1b[2J\x1b[H",
	"CSI colour":       "\x1b[31mred\x1b[0m Eve",
	"OSC title":        "Eve\x1b]0;pwned\x07",
	"OSC hyperlink":    "\x1b]8;;http://evil.example\x1b\\Eve\x1b]8;;\x1b\\",
	"DCS":              "Eve\x1bP+q544e\x1b\\",
	"8-bit CSI":        "Eve\u009b2J",
	"8-bit OSC":        "Eve\u009d0;pwned\u009c",
	"lone ESC":         "Eve\x1b",
	"RLO":              "Eve \u202eevil\u202c",
	"RLI":              "Eve \u2067evil\u2069",
	"invalid UTF-8":    "Eve \xff\xfe",
	"overlong UTF-8":   "Eve \xc0\x8a",
	"NUL":              "Eve\x00Mallory",
	"newline":          "Eve\nMallory",
	"carriage return":  "Eve\rMallory",
	"line separator":   "Eve\u2028Mallory",
	"byte-order mark":  "\ufeffEve",
	"one megabyte":     strings.Repeat("Eve Mallory ", 1<<20/12),
	"megabyte escaped": strings.Repeat("\x1b[2J", 1<<20/4),
}

// hostileKey is a valid public key, to which hostile comments are added.
const hostileKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGrxDA4+1Or3MZJCCTF6HdsmEfL9zaDqjgFwQ9YIFOJg"

// refusedOrClean checks one action's outcome on hostile input: refused
// as invalid with a short message that can't act on a terminal, or
// accepted with what it stored clean (checked later by checkStored).
func refusedOrClean(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if !model.IsRefusal(err) {
		t.Errorf("%s: not a refusal but %v", what, err)
		return
	}
	msg := err.Error()
	if why := text.Unsafe(msg); why != "" {
		t.Errorf("%s: the message %q can't be shown safely: %s", what, msg, why)
	}
	if n := utf8.RuneCountInString(msg); n > 400 {
		t.Errorf("%s: a message of %d characters", what, n)
	}
}

// testHostileInput sends hostile text through every action that takes
// text, then reads back everything a screen shows: all of it must be
// safe to draw (mail bodies may hold newlines).
func testHostileInput(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	n := 0
	for name, h := range Hostile {
		n++
		handle := fmt.Sprintf("ho%05d-ovh", n)
		_, err := f.Desk.AddAccount(f.Ctx, model.NewAccount{Handle: handle, Name: h, Email: "eve@example.com"})
		refusedOrClean(t, name+": account name", err)
		_, err = f.Desk.AddAccount(f.Ctx, model.NewAccount{Handle: handle + "x", Name: "Eve", Email: "eve" + h + "@example.com"})
		refusedOrClean(t, name+": account e-mail", err)
		_, err = f.Desk.AddAccount(f.Ctx, model.NewAccount{Handle: h, Name: "Eve", Email: "eve@example.com"})
		refusedOrClean(t, name+": account handle", err)
		_, err = f.Desk.AskEmailChange(f.Ctx, T, "ted"+h+"@example.com")
		refusedOrClean(t, name+": profile e-mail", err)
		_, err = f.Desk.ConfirmEmail(f.Ctx, T, h)
		refusedOrClean(t, name+": token for a new e-mail", err)
		for field, c := range map[string]model.OwnerChange{
			"holder":  {Holder: ptr(h)},
			"address": {Address: ptr("Rua " + h)},
			"phone":   {Phone: ptr("+351 " + h)},
			"e-mail":  {Email: ptr(h + "@example.com")},
		} {
			_, err = f.Desk.SetOwner(f.Ctx, A, Example, c)
			refusedOrClean(t, name+": owner "+field, err)
		}
		_, err = f.Desk.AddService(f.Ctx, model.NewService{Name: "s" + h, Type: model.TypeDomain, Admin: string(A), Tech: string(T), Billing: string(B)})
		refusedOrClean(t, name+": service name", err)
		_, err = f.Desk.AddService(f.Ctx, model.NewService{Name: fmt.Sprintf("s%d.pt", n), Type: h, Admin: string(A), Tech: string(T), Billing: string(B)})
		refusedOrClean(t, name+": service type", err)
		_, err = f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Multi + h, Roles: []model.Role{model.Tech}, To: string(N)})
		refusedOrClean(t, name+": request service", err)
		_, err = f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Multi, Roles: []model.Role{model.Tech}, To: h})
		refusedOrClean(t, name+": request to", err)
		_, err = f.Desk.Accept(f.Ctx, N2, r.ID, h) // not a party: refused before the token is looked at
		refusedOrClean(t, name+": token of a stranger", err)
		_, err = f.Desk.AddKey(f.Ctx, T, []byte(h))
		refusedOrClean(t, name+": SSH key", err)
		_, err = f.Desk.AddKey(f.Ctx, T, []byte(hostileKey+" "+h))
		refusedOrClean(t, name+": SSH key comment", err)
	}
	// A party's wrong tokens, hostile ones included, are each refused
	// with a safe message; the throttle then stops them.
	for name, h := range Hostile {
		_, err := f.Desk.Accept(f.Ctx, N, r.ID, h)
		refusedOrClean(t, name+": token", err)
		if err == nil {
			t.Fatalf("%s: a hostile token was accepted", name)
		}
		if !errors.Is(err, model.ErrWrongToken) && !errors.Is(err, model.ErrThrottled) {
			t.Errorf("%s: token refused as %v", name, err)
		}
	}
	// The same key with a plain comment is taken: the hostile comments
	// were refused for themselves.
	if _, err := f.Desk.AddKey(f.Ctx, T, []byte(hostileKey+" ted@laptop")); err != nil {
		t.Fatalf("a plain key: %v", err)
	}
	checkStored(t, f)
}

// checkStored reads back what every account sees and fails on anything
// unsafe to draw.
func checkStored(t *testing.T, f *Fixture) {
	t.Helper()
	safe := func(where, s string, multiline bool) {
		if multiline {
			s = strings.ReplaceAll(s, "\n", " ")
		}
		if why := text.Unsafe(s); why != "" {
			t.Errorf("%s holds %q: %s", where, s, why)
		}
	}
	as, err := f.Desk.Accounts(f.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		safe("account "+string(a.Handle), string(a.Handle)+a.Name+a.Email, false)
		ss, err := f.Desk.Services(f.Ctx, a.Handle)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ss {
			safe("service "+s.Name, s.Name+s.Type, false)
			if s.Owner != nil {
				safe("owner of "+s.Name, s.Owner.Holder+s.Owner.Address+s.Owner.Phone+s.Owner.Email, false)
			}
		}
		ms, err := f.Desk.Mails(f.Ctx, a.Handle)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			safe(fmt.Sprintf("mail #%d", m.ID), m.Subject+m.Address+m.Token+m.Link, false)
			safe(fmt.Sprintf("mail #%d's body", m.ID), m.Body, true)
		}
		hs, err := f.Desk.History(f.Ctx, a.Handle, model.HistoryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			safe(fmt.Sprintf("history #%d", h.ID), h.Action+h.Detail+h.Service, false)
		}
		ks, err := f.Desk.Keys(f.Ctx, a.Handle)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range ks {
			safe("key "+k.Fingerprint, k.Comment, false)
		}
	}
}
