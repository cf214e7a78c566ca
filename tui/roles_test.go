package tui_test

import (
	"fmt"
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// handOver makes, behind the session's back (the command line, another
// process), the change of role on service from -> to, accepted by every
// party: the form open on it reads it by itself, once it is done, as it
// reads another process's writes (model.Change.All) — not the request
// pending in between, which would take the role's field away first.
func handOver(t *testing.T, d *model.Desk, actor model.Handle, service string, role model.Role, to model.Handle) {
	t.Helper()
	other := model.NewDesk(d.Store(), model.Options{Clock: fixedClock(now)})
	rs, err := other.CreateRequest(ctx, actor, model.NewRequest{Service: service, Roles: []model.Role{role}, To: string(to)})
	if err != nil || len(rs) != 1 {
		t.Fatalf("handing %s of %s to %s: %v %v", role, service, to, rs, err)
	}
	for _, h := range rs[0].Awaited() {
		if _, err := other.Accept(ctx, h, rs[0].ID, mailedToken(t, other, h, rs[0].ID)); err != nil {
			t.Fatalf("%s accepting #%d: %v", h, rs[0].ID, err)
		}
	}
	if r, err := other.Request(ctx, actor, rs[0].ID); err != nil || r.State != model.StateDone {
		t.Fatalf("#%d: %+v %v; want done", rs[0].ID, r, err)
	}
	d.Broker().Publish(model.Change{All: true})
}

// editService opens the Edit contacts form of a service, from the
// Services tab, by a filter that leaves it alone.
func (a *app) editService(filter string) {
	a.t.Helper()
	a.typ("/" + filter)
	a.press("enter")
	a.waitText(a.T("tui.services.info", locale.Args{"Shown": 1, "Total": 12, "Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.name")}))
	a.press("enter")
	a.waitText(a.T("tui.contacts.title"), a.T("tui.contacts.col.current"))
}

// TestRoleGainedKeepsTheFocusOnItsField: the user types in the billing
// field when a change made elsewhere makes them the admin too: the form
// reads it by itself and an admin field appears above. The focus stays on
// the billing field, what was typed in it too, and the next keys go on
// into it — not into the admin field, where a suggestion taken with one
// more enter would hand the admin role to someone.
func TestRoleGainedKeepsTheFocusOnItsField(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.editService("ns5012345")
	s := a.waitText("> billing")
	// the refusal, wrapped after its first line
	adminOnly := "only the admin can hand over the admin role"
	if strings.Contains(s, "> admin") || !strings.Contains(lineOf(s, " admin "), adminOnly) {
		t.Fatalf("the persona may change the admin of ns5012345.ip-145-239-3.eu already:\n%s", s)
	}
	a.typ("cd6")
	a.waitText("[cd6")

	handOver(t, d, "gh13579-ovh", "ns5012345.ip-145-239-3.eu", model.Admin, demo.Persona)
	a.waitGone(adminOnly)
	s = a.waitText("[cd6")
	if !strings.HasPrefix(lineOf(s, "[cd6"), "> billing") || strings.Contains(s, "> admin") {
		t.Fatalf("the focus left the billing field when the admin one appeared:\n%s", s)
	}
	a.typ("7890-ovh")
	s = a.waitText("[cd67890-ovh")
	if !strings.HasPrefix(lineOf(s, "[cd67890-ovh"), "> billing") {
		t.Fatalf("the keys went into another field than billing:\n%s", s)
	}
	if l := lineOf(s, " admin "); !strings.Contains(l, "[new admin handle") {
		t.Fatalf("the admin field holds something typed: %q\n%s", l, s)
	}
}

// TestRoleLostSaysWhatWasNotSent: the user types in the tech field when a
// change made elsewhere takes the admin role away from them, and with it
// the tech field. The status line says the field is gone and that what
// was typed in it was not sent, quoting it; the focus goes to the field
// left (billing), where the next keys are seen going, not to the Send
// button, where they went nowhere.
func TestRoleLostSaysWhatWasNotSent(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT, model.LangFR} {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			a := start(t, d, demo.Persona, 160, 30) // the message on one line
			a.waitFor("the frame", a.loaded)
			a.editService("web.xara")
			a.press("tab") // tech
			a.typ("cd6")
			tech, billing := a.T("tui.role.tech"), a.T("tui.role.billing")
			s := a.waitText("[cd6")
			if !strings.HasPrefix(lineOf(s, "[cd6"), "> "+tech) {
				t.Fatalf("not typing in the tech field:\n%s", s)
			}

			handOver(t, d, demo.Persona, "web.xara.pt", model.Admin, "yy22222-ovh")
			said := a.T("tui.contacts.role_lost_typed", locale.Args{"Roles": model.RoleWords{model.Tech}.In(a.l), "Service": "web.xara.pt", "Typed": locale.Quoted(`"cd6"`)})
			s = a.waitText(said)
			if strings.Contains(s, "[cd6") || !strings.Contains(lineOf(s, "> "+billing), "[") {
				t.Fatalf("the focus is not on the billing field, the field left:\n%s", s)
			}
			a.typ("ab")
			s = a.waitText("[ab")
			if !strings.HasPrefix(lineOf(s, "[ab"), "> "+billing) {
				t.Fatalf("the next keys went nowhere:\n%s", s)
			}
		})
	}
}

// TestEmptyFieldLostIsSaid: the field that had the keys goes, nothing
// typed in it: the status line still says it is gone, for the keys now go
// to another role's field; the fields that go with nothing typed and
// without the keys go unsaid.
func TestEmptyFieldLostIsSaid(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 160, 30)
	servicesShown(a)
	a.editService("web.xara")
	s := a.waitText("> admin")
	if !strings.Contains(lineOf(s, "> admin"), "[new admin handle") {
		t.Fatalf("the admin field, empty, does not have the keys:\n%s", s)
	}
	handOver(t, d, demo.Persona, "web.xara.pt", model.Admin, "yy22222-ovh")
	s = a.waitText(a.T("tui.contacts.role_lost", locale.Args{"Roles": model.RoleWords{model.Admin}.In(a.l), "Service": "web.xara.pt"}))
	if !strings.Contains(lineOf(s, "> billing"), "[new billing handle") {
		t.Fatalf("the focus is not on the billing field, the field left:\n%s", s)
	}
}

// TestSendButtonKeepsTheFocus: the focus on the Send button stays there
// when fields appear above it (it went to the field that took its
// place).
func TestSendButtonKeepsTheFocus(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.editService("ns5012345")
	a.press("tab")
	send := "> [ " + a.T("tui.contacts.send") + " ]"
	a.waitText(send)
	handOver(t, d, "gh13579-ovh", "ns5012345.ip-145-239-3.eu", model.Admin, demo.Persona)
	s := a.waitGone("only the admin can hand over the admin role")
	if !strings.Contains(s, send) || strings.Contains(s, "> admin") || strings.Contains(s, "> tech") || strings.Contains(s, "> billing") {
		t.Fatalf("the focus left the Send button:\n%s", s)
	}
}

// TestLastRoleLostClosesTheForm: the user types in the tech field of a
// service where tech is their only role, when a change made elsewhere
// hands tech to someone else: the service is no longer theirs. The form
// closes, back on the Services tab it was opened from, and the status
// line says they no longer hold a role on it and that what was typed was
// not sent, quoting it — not that no service has that name, nor a form
// left taking keys that ctrl+s can't send.
func TestLastRoleLostClosesTheForm(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT, model.LangFR} {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			a := start(t, d, demo.Persona, 160, 30) // the message on one line
			a.waitFor("the frame", a.loaded)
			a.editService("yanez")
			a.typ("cd6")
			s := a.waitText("[cd6")
			if !strings.HasPrefix(lineOf(s, "[cd6"), "> "+a.T("tui.role.tech")) {
				t.Fatalf("not typing in the tech field:\n%s", s)
			}

			handOver(t, d, demo.Persona, "web.yanez-studio.fr", model.Tech, "ab12345-ovh")
			said := a.T("tui.contacts.service_lost_typed", locale.Args{"Service": "web.yanez-studio.fr", "Typed": locale.Quoted(`"cd6"`)})
			s = a.waitText(said)
			notFound := a.T("err.service.not_found", locale.Args{"Service": "web.yanez-studio.fr", "Handle": demo.Persona})
			if strings.Contains(s, a.T("tui.contacts.col.current")) || strings.Contains(s, "[cd6") || strings.Contains(s, notFound) {
				t.Fatalf("the form stays open, or says the service does not exist:\n%s", s)
			}
			if !strings.Contains(s, a.T("tui.services.title")) {
				t.Fatalf("not back on the Services tab:\n%s", s)
			}
		})
	}
}

// TestPendingRoleSaidAsTheFormOpens: a role with a request pending can't
// be asked for, whatever handle is typed: the form says so beside the
// role as it opens, with no field to type in, in the words of the
// refusal a request would meet — the request's number and whom it
// waits for to a party of it (the persona asked #8, for the tech
// contact of padaria-yolanda.pt, and must confirm it: "waits for your
// answer"), to a contact that is no party, neither (the tech contact of
// web.xara.pt names its successor; the persona, its admin, is told
// when it ends at the latest). It said nothing until a whole handle was
// typed, only to be refused.
func TestPendingRoleSaidAsTheFormOpens(t *testing.T) {
	for _, tc := range []struct {
		lang          model.Lang
		width, height int
	}{
		{model.LangEN, 100, 30}, {model.LangPT, 100, 30}, {model.LangFR, 100, 30},
		// at 80 columns too, the reason whole, its date with it
		{model.LangEN, 80, 24}, {model.LangPT, 80, 24}, {model.LangFR, 80, 24},
	} {
		lang := tc.lang
		t.Run(fmt.Sprintf("%s_%dx%d", lang, tc.width, tc.height), func(t *testing.T) {
			d := newDeskIn(t, lang)
			rs, err := d.CreateRequest(ctx, "zz33333-ovh", model.NewRequest{Service: "web.xara.pt", Roles: []model.Role{model.Tech}, To: "ab12345-ovh"})
			if err != nil {
				t.Fatal(err)
			}
			a := start(t, d, demo.Persona, tc.width, tc.height)
			a.waitFor("the frame", a.loaded)
			tech := a.T("tui.role.tech")
			noTechField := func(s string) {
				t.Helper()
				if strings.Contains(s, "> "+tech) || strings.Contains(lineOf(s, "  "+tech+" "), "[") {
					t.Fatalf("the tech role, pending, has a field:\n%s", s)
				}
			}

			// a party: the number, and that it waits for the persona
			a.edit("padaria", "padaria-yolanda.pt")
			mine := a.T("tui.pending_you", locale.Args{"ID": 8, "Role": model.Tech, "Service": "padaria-yolanda.pt"})
			s := a.waitFor(mine, func(s string) bool { return shownWhole(s, mine) })
			if !strings.Contains(lineOf(s, " "+tech+" "), "#8") {
				t.Fatalf("the pending request is not said beside the tech role:\n%s", s)
			}
			noTechField(s)
			a.press("esc")
			a.waitText(a.T("tui.services.title"))
			a.press("esc") // the filter

			// no party: neither the number nor the parties
			a.edit("web.xara", "web.xara.pt")
			others := a.T("err.role.pending_other", locale.Args{"Role": model.Tech, "Service": "web.xara.pt", "Expires": locale.Stamp(rs[0].Expires)})
			s = a.waitFor(others, func(s string) bool { return shownWhole(s, others) })
			row := lineOf(s, " "+tech+" ")
			if !strings.Contains(row, "zz33333-ovh") || !strings.Contains(row, strings.Fields(others)[0]) {
				t.Fatalf("the pending request is not said beside the tech role:\n%s", s)
			}
			if strings.Contains(s, "#") || strings.Contains(s, "ab12345-ovh") {
				t.Fatalf("the form tells a contact no party to it the request's number or its parties:\n%s", s)
			}
			noTechField(s)
			if !strings.Contains(s, "> "+a.T("tui.role.admin")) {
				t.Fatalf("the admin field, the first editable, does not have the keys:\n%s", s)
			}
		})
	}
}

// TestPendingRoleMeanwhileKeepsWhatWasTyped: the user types in the tech
// field when a request for the tech role is made elsewhere: the field
// goes, the refusal a request would now meet shows in its place, and the
// status line quotes what was typed, never sent — not that the user may
// no longer change the role, which they may once the request ends.
func TestPendingRoleMeanwhileKeepsWhatWasTyped(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT, model.LangFR} {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			a := start(t, d, demo.Persona, 160, 30) // the message on one line
			a.waitFor("the frame", a.loaded)
			a.editService("web.xara")
			a.press("tab") // tech
			a.typ("cd6")
			tech, billing := a.T("tui.role.tech"), a.T("tui.role.billing")
			s := a.waitText("[cd6")
			if !strings.HasPrefix(lineOf(s, "[cd6"), "> "+tech) {
				t.Fatalf("not typing in the tech field:\n%s", s)
			}

			rs, err := d.CreateRequest(ctx, "zz33333-ovh", model.NewRequest{Service: "web.xara.pt", Roles: []model.Role{model.Tech}, To: "ab12345-ovh"})
			if err != nil {
				t.Fatal(err)
			}
			said := a.T("tui.contacts.role_pending_typed", locale.Args{"Roles": model.RoleWords{model.Tech}.In(a.l), "Service": "web.xara.pt", "Typed": locale.Quoted(`"cd6"`)})
			s = a.waitText(said)
			others := a.T("err.role.pending_other", locale.Args{"Role": model.Tech, "Service": "web.xara.pt", "Expires": locale.Stamp(rs[0].Expires)})
			if !shownWhole(s, others) || strings.Contains(s, "[cd6") {
				t.Fatalf("the tech field stays, or does not say why it went:\n%s", s)
			}
			if !strings.Contains(lineOf(s, "> "+billing), "[") {
				t.Fatalf("the focus is not on the billing field, the field after it:\n%s", s)
			}
		})
	}
}
