package tui_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/collate"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui/common"
)

// TestSetLangSwitchesOpenSession: profile set-lang (here the desk's
// SetLang, as the command line calls it) turns an open session's
// screens to the new language at once, the request open staying open.
func TestSetLangSwitchesOpenSession(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.openRequest8()
	if _, err := d.SetLang(ctx, demo.Persona, "pt"); err != nil {
		t.Fatal(err)
	}
	pt := locale.For(locale.PT)
	s := a.waitText("[2 "+pt.T("tui.tab.requests"), pt.T("tui.request.title", locale.Args{"ID": 8}), pt.T("tui.request.parties"), "a aguardar a sua confirmação e a de gh13579-ovh", "10 e-mails por ler")
	if !strings.Contains(s, "1 Serviços") {
		t.Fatalf("the frame is not in Portuguese:\n%s", s)
	}
	// and back to English, from another tab
	a.press("esc", "3")
	if _, err := d.SetLang(ctx, demo.Persona, "en"); err != nil {
		t.Fatal(err)
	}
	a.waitText("[3 Mailbox (10)]", "10 mails, 10 unread, newest first")
}

// TestProfileChoosesLanguage: the Profile tab shows the language and
// changes it (l, ←/→, enter); the screens follow, the desk records it,
// and the refusals are then written in that language too.
func TestProfileChoosesLanguage(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("4")
	a.waitText("Language   English (en)   (l: change)")
	a.press("l")
	s := a.waitText("[ English (en) ]", "←/→: choose · enter: speak it from now on · esc: cancel")
	// the key line names enter as the hint does, and the help names esc
	// once: it cancels the choice (the app's "back" does not work there)
	if !strings.Contains(lastLines(s, 2), "enter speak it from now on") {
		t.Fatalf("the key line names enter otherwise than its hint:\n%s", s)
	}
	a.press("f1")
	s = a.waitText(a.T("tui.help.closing"))
	if n := len(regexp.MustCompile(`\besc {2,}\S`).FindAllString(s, -1)); n != 1 {
		t.Fatalf("the help names esc other than once:\n%s", s)
	}
	a.press("esc")
	a.waitGone(a.T("tui.help.closing"))
	a.press("right", "enter") // Português, English, Français: French
	fr := locale.For(locale.FR)
	s = a.waitText("[4 Profil]", "Langue", "Français (fr)", fr.T("tui.lang_changed", locale.Args{"Name": "français"}))
	if !strings.Contains(s, "1 Services   2 Demandes") {
		t.Fatalf("the tabs are not in French:\n%s", s)
	}
	if acc, err := d.Account(ctx, demo.Persona); err != nil || acc.Lang != model.LangFR {
		t.Fatalf("the account's language: %v, %v", acc.Lang, err)
	}
	// a refusal, in French: a wrong token (one that is none is refused
	// by the app, in French too)
	a.press("2")
	a.waitText(fr.T("tui.requests.title"), "#8")
	a.press("enter")
	a.waitText(fr.T("tui.request.title", locale.Args{"ID": 8}))
	a.press("a")
	a.typ("nope")
	a.press("enter")
	a.waitText("ceci n'est pas un code de validation", "rien n'a")
	a.press("ctrl+u")
	a.typ("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	a.press("enter")
	a.waitText("code de validation erroné", fr.T("tui.request.not_recorded")[:20])
}

// TestSeveralRequestsNameEachTheirParties: a new tech and a new billing
// contact sent at once make two requests; the one status message that
// says so names, for each request, the parties it waits for — not one
// list of every party, which had the new tech confirm the change of
// billing — in each language, whole at 80×24.
func TestSeveralRequestsNameEachTheirParties(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT, model.LangFR} {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
			a.typ("/xara.pt")
			a.press("enter", "G")
			a.waitFor("xara.pt selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), " xara.pt") })
			a.press("enter")
			a.waitText(a.T("tui.contacts.title"), a.T("tui.contacts.col.current"))
			a.press("tab") // tech
			a.typ("zz33333-ovh")
			a.press("tab") // billing
			a.typ("cd67890-ovh")
			billing := "cd67890-ovh (" + model.PartyWhy{To: true, Roles: []model.Role{model.Billing}}.In(a.l) + ")"
			tech := "zz33333-ovh (" + model.PartyWhy{To: true, Roles: []model.Role{model.Tech}}.In(a.l) + ")"
			a.waitFor("the plan", func(s string) bool { return shownWhole(s, billing) && shownWhole(s, tech) })
			a.press("ctrl+s")
			a.waitGone(a.T("tui.contacts.col.current"))
			rs, err := d.Requests(ctx, demo.Persona)
			if err != nil {
				t.Fatal(err)
			}
			made := rs[:2] // newest first
			slices.SortFunc(made, func(x, y model.Request) int { return int(x.ID - y.ID) })
			var ids, each []string
			for _, r := range made {
				ids = append(ids, fmt.Sprintf("#%d", r.ID))
				each = append(each, a.T("tui.contacts.sent_each_item_you_and", locale.Args{"ID": r.ID, "Rest": string(r.To), "N": 1}))
			}
			want := a.T("tui.contacts.sent_each", locale.Args{"N": 2, "IDs": strings.Join(ids, ", "), "Each": strings.Join(each, a.T("tui.contacts.sent_each_sep"))})
			s := a.waitFor("the message", func(s string) bool { return shownWhole(s, want) })
			checkFrame(t, s, 80, 24)
			if !strings.HasPrefix(lastLine(s), "xx11111-ovh Xavier Xará │ ") {
				t.Fatalf("the message hides the account:\n%s", s)
			}
			// wrapped between words, never inside a handle
			ls := strings.Split(s, "\n")
			first := slices.IndexFunc(ls, func(l string) bool { return strings.HasPrefix(l, want[:12]) })
			if first < 0 {
				t.Fatalf("no line starts the message:\n%s", s)
			}
			msgLines := strings.Join(ls[first:len(ls)-1], "\n")
			for _, r := range made {
				if !strings.Contains(msgLines, string(r.To)) {
					t.Fatalf("%s is broken over two lines:\n%s", r.To, s)
				}
			}
		})
	}
}

// langs80 are the languages whose screens must fit 80 columns.
var langs80 = []model.Lang{model.LangPT, model.LangEN, model.LangFR}

// shownDetail is what the app shows of h beside its action: what the
// action does not say. It is empty only for a line that says no more
// than its action (an answer's "accepted").
func shownDetail(t *testing.T, a *app, h model.HistoryEntry) string {
	t.Helper()
	c := &common.Common{L: a.l}
	detail := c.Detail(h)
	if full := model.DetailOf(h).In(a.l); detail == "" && !strings.EqualFold(full, c.Action(h.Action)) {
		t.Fatalf("the detail %q of a %s line is left out", full, h.Action)
	}
	return detail
}

// openRequest opens request id from the Requests tab, by its filter.
func (a *app) openRequest(id int64) string {
	a.t.Helper()
	a.press("2")
	a.waitText(a.T("tui.requests.title"), fmt.Sprintf("#%d", id))
	a.typ(fmt.Sprintf("/#%d", id))
	a.press("enter", "enter")
	return a.waitText(a.T("tui.request.title", locale.Args{"ID": id}), a.T("tui.request.parties"), a.T("tui.request.history"))
}

// block is the lines of s from the one that is title to the next empty
// one.
func block(s, title string) []string {
	ls := strings.Split(s, "\n")
	i := slices.Index(ls, title)
	if i < 0 {
		return nil
	}
	end := slices.Index(ls[i:], "")
	if end < 0 {
		return ls[i+1:]
	}
	return ls[i+1 : i+end]
}

var columnsRE = regexp.MustCompile(`\s{2,}`)

// inEveryLang80 runs fn, for each language of langs80, on a demo desk in
// that language, with the persona's requests.
func inEveryLang80(t *testing.T, fn func(t *testing.T, d *model.Desk, rs []model.Request)) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			rs, err := d.Requests(ctx, demo.Persona)
			if err != nil {
				t.Fatal(err)
			}
			fn(t, d, rs)
		})
	}
}

// TestRequestPartiesAt80: at 80 columns, in every language, each
// party's row shows its role label whole (wrapped within its column when
// too long), two spaces at least before its answer, and the note that
// the user's answer is awaited, uncut.
func TestRequestPartiesAt80(t *testing.T) {
	inEveryLang80(t, func(t *testing.T, d *model.Desk, rs []model.Request) {
		for _, r := range rs {
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			s := a.openRequest(r.ID)
			checkFrame(t, s, 80, 24)
			c := &common.Common{L: a.l, Me: demo.Persona}
			rows := block(s, a.T("tui.request.parties"))
			if strings.Contains(strings.Join(rows, "\n"), "…") {
				t.Fatalf("#%d: a party's row is cut:\n%s", r.ID, s)
			}
			for _, pt := range r.Parties {
				k := slices.IndexFunc(rows, func(l string) bool { return strings.HasPrefix(l, "  "+string(pt.Handle)+"  ") })
				if k < 0 {
					t.Fatalf("#%d: no row for %s:\n%s", r.ID, pt.Handle, s)
				}
				cols := columnsRE.Split(strings.TrimSpace(rows[k]), -1)
				if len(cols) < 3 {
					t.Fatalf("#%d: %s's row has no columns: %q", r.ID, pt.Handle, rows[k])
				}
				label := cols[1]
				for _, more := range rows[k+1:] {
					if !strings.HasPrefix(more, "   ") {
						break // the next party's
					}
					label += " " + strings.TrimSpace(more)
				}
				if want := c.PartyLabel(r, pt.Handle); label != want {
					t.Fatalf("#%d: %s's label reads %q, want %q, apart from its answer:\n%s", r.ID, pt.Handle, label, want, s)
				}
				if mine := pt.Handle == demo.Persona && r.AwaitingMe(demo.Persona); mine && cols[len(cols)-1] != a.T("tui.request.your_answer") {
					t.Fatalf("#%d: the note on the user's row: %q", r.ID, rows[k])
				}
			}
		}
	})
}

var moreRE = regexp.MustCompile(` \+(\d+)$`)

// TestRequestsAwaitedAt80: at 80 columns, in every language, the
// Requests tab's column of whom a request waits for names the user
// first ("you", "eu"), and never cuts a handle: those that do not fit
// are counted ("eu +1"). There, that column says how an ended request
// ended (its state's word), where nobody is awaited.
func TestRequestsAwaitedAt80(t *testing.T) {
	inEveryLang80(t, func(t *testing.T, d *model.Desk, rs []model.Request) {
		a := start(t, d, demo.Persona, 80, 24)
		a.waitFor("the frame", a.loaded)
		a.press("2")
		s := a.waitText(a.T("tui.requests.title"), "#8", "#1 ")
		checkFrame(t, s, 80, 24)
		head := lineOf(s, a.T("tui.requests.col.state_awaiting"))
		col := len([]rune(head[:strings.Index(head, a.T("tui.requests.col.state_awaiting"))]))
		you := a.T("tui.you")
		for _, r := range rs {
			row := []rune(lineOf(s, fmt.Sprintf("#%d ", r.ID)))
			cell := strings.TrimSpace(string(row[min(col, len(row)):]))
			aw := r.Awaited()
			if len(aw) == 0 {
				if want := a.T("tui.state." + string(r.State)); cell != want {
					t.Fatalf("#%d: %q, want its state %q:\n%s", r.ID, cell, want, s)
				}
				continue
			}
			n := 0
			if cell != "" {
				rest := cell
				if m := moreRE.FindStringSubmatch(cell); m != nil {
					fmt.Sscan(m[1], &n)
					rest = strings.TrimSuffix(cell, m[0])
				}
				n += len(strings.Split(rest, ", "))
				for _, item := range strings.Split(rest, ", ") {
					if item != you && !slices.Contains(aw, model.Handle(item)) {
						t.Fatalf("#%d: %q in %q is no party awaited (%v):\n%s", r.ID, item, cell, aw, s)
					}
				}
			}
			if n != len(aw) {
				t.Fatalf("#%d: %q names %d of the %d parties awaited:\n%s", r.ID, cell, n, len(aw), s)
			}
			if r.AwaitingMe(demo.Persona) && !strings.HasPrefix(cell, you) {
				t.Fatalf("#%d: %q does not name %q first:\n%s", r.ID, cell, you, s)
			}
		}
	})
}

// TestProfilePendingAddressAt80: at 80 columns, in every language, the
// Profile's rows above its activity are never cut: a new address waiting
// for its token shows with its deadline whole (under it when both do
// not fit on its line).
func TestProfilePendingAddressAt80(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			ch, err := d.AskEmailChange(ctx, demo.Persona, "xavier.xara@padaria-yolanda.pt")
			if err != nil {
				t.Fatal(err)
			}
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("4")
			pending := a.T("tui.profile.pending", locale.Args{"Until": a.l.Date(ch.Expires)})
			s := a.waitText(a.T("tui.profile.recent"), "xavier.xara@padaria-yolanda.pt")
			checkFrame(t, s, 80, 24)
			// the rows above the activity's heading (which says too which
			// of its entries are shown)
			lines := strings.Split(s, "\n")
			top := strings.Join(lines[2:slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, a.T("tui.profile.recent")) })], "\n")
			if strings.Contains(top, "…") || !shownWhole(top, pending) {
				t.Fatalf("the deadline of the new address (%q) is cut:\n%s", pending, s)
			}
			if !strings.Contains(top, a.l.Date(ch.Expires)+")") {
				t.Fatalf("no deadline %s:\n%s", a.l.Date(ch.Expires), s)
			}
		})
	}
}

// TestRequestsRolesAt80: at 80 columns, in every language, the Requests
// tab's Roles column names each request's role whole, by the column's
// own word for it ("fatur.", not "fatura…" cut from "faturação"): the
// user tells which contact a request changes without opening it.
func TestRequestsRolesAt80(t *testing.T) {
	inEveryLang80(t, func(t *testing.T, d *model.Desk, rs []model.Request) {
		a := start(t, d, demo.Persona, 80, 24)
		a.waitFor("the frame", a.loaded)
		a.press("2")
		s := a.waitText(a.T("tui.requests.title"), "#8", "#1 ")
		checkFrame(t, s, 80, 24)
		head := []rune(lineOf(s, a.T("tui.requests.col.roles")))
		from := len([]rune(string(head)[:strings.Index(string(head), a.T("tui.requests.col.roles"))]))
		to := len([]rune(string(head)[:strings.Index(string(head), a.T("tui.requests.col.from_to"))]))
		for _, r := range rs {
			if len(r.Roles) != 1 {
				continue // the demo's requests change one role each
			}
			row := []rune(lineOf(s, fmt.Sprintf("#%d ", r.ID)))
			cell := strings.TrimSpace(string(row[min(from, len(row)):min(to, len(row))]))
			want := a.T("tui.requests.role." + string(r.Roles[0]))
			if cell != want || strings.Contains(want, "…") {
				t.Fatalf("#%d (%s): its Roles cell reads %q, want %q whole:\n%s", r.ID, r.Roles[0], cell, want, s)
			}
		}
	})
}

// TestHistoryDetailAt80: at 80 columns, in every language, a service's
// history shows the whole detail of the selected line, though its cell
// in the list is cut: the user reads what each line says by moving to
// it.
func TestHistoryDetailAt80(t *testing.T) {
	const service = "padaria-yolanda.pt"
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			hs, err := d.History(ctx, demo.Persona, model.HistoryFilter{Service: service, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, service) })
			a.typ("/padaria")
			a.press("enter")
			a.waitFor(service+" selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), " "+service) })
			a.press("h")
			a.waitText(a.T("tui.history.title"), a.T("tui.history.info", locale.Args{"N": len(hs)}))
			cut := 0
			for i, h := range hs {
				if i > 0 {
					a.press("j")
				}
				when := a.l.DateTime(h.At)
				a.waitFor("line "+when+" selected", func(s string) bool { return strings.HasPrefix(lineOf(s, ">"), ">  "+when) })
				detail := shownDetail(t, a, h)
				s := a.waitFor("the detail of "+when, func(s string) bool { return shownWhole(s, detail) })
				checkFrame(t, s, 80, 24)
				if strings.HasSuffix(strings.TrimSpace(lineOf(s, ">")), "…") {
					cut++
				}
			}
			if cut == 0 {
				t.Fatalf("no line of the history of %s is cut at 80 columns: the test proves nothing", service)
			}
		})
	}
}

// TestRequestHistoryAt80: at 80 columns, in every language, a request's
// page shows each line of its history whole: a detail too long for the
// line goes under it, wrapped, instead of being cut.
func TestRequestHistoryAt80(t *testing.T) {
	inEveryLang80(t, func(t *testing.T, d *model.Desk, rs []model.Request) {
		cut := 0
		for _, r := range rs {
			hs, err := d.History(ctx, demo.Persona, model.HistoryFilter{RequestID: r.ID})
			if err != nil {
				t.Fatal(err)
			}
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.openRequest(r.ID)
			a.press("G") // the history is at the bottom of the page
			for _, h := range hs {
				detail := shownDetail(t, a, h)
				s := a.waitFor(fmt.Sprintf("#%d: the detail %q", r.ID, detail), func(s string) bool { return shownWhole(s, detail) })
				checkFrame(t, s, 80, 24)
				if len([]rune(detail)) > 80-50 {
					cut++ // longer than the room beside when, who and what
				}
			}
		}
		if cut == 0 {
			t.Fatal("no detail is too long for its line at 80 columns: the test proves nothing")
		}
	})
}

// TestProfileActivityAt80: at 80 columns, in every language, the
// Profile's recent activity shows each of its lines whole, a detail too
// long for the line under it, wrapped, instead of cut.
func TestProfileActivityAt80(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			hs, err := d.History(ctx, demo.Persona, model.HistoryFilter{Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("4")
			a.waitText(a.T("tui.profile.recent"), "xavier@xara.pt")
			long := 0
			for _, h := range hs {
				detail := model.DetailOf(h).In(a.l)
				s := a.waitFor("the detail "+detail, func(s string) bool { return shownWhole(s, detail) })
				checkFrame(t, s, 80, 24)
				if len([]rune(detail)) > 80-43 {
					long++ // longer than the room beside when, who and which service
				}
			}
			if long == 0 {
				t.Fatal("no detail of the newest three is too long for its line at 80 columns: the test proves nothing")
			}
		})
	}
}

// TestProfileActivityFrenchColon: in French the Profile's activity puts
// the no-break space before the colon of "#8 demande refusée : …", as
// every other French line does.
func TestProfileActivityFrenchColon(t *testing.T) {
	d := newDeskIn(t, locale.FR)
	a := start(t, d, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("4")
	good := regexp.MustCompile(`#\d+ [^:\n]*\S\x{a0}: `)
	bad := regexp.MustCompile(`#\d+ [^:\n]*[^\s\x{a0}]: `)
	// the activity, once read (it says "chargement…" first)
	s := a.waitFor("the activity's lines about requests", func(s string) bool {
		return strings.Contains(s, a.T("tui.profile.recent")) && (good.MatchString(s) || bad.MatchString(s))
	})
	if !good.MatchString(s) || bad.MatchString(s) {
		t.Errorf("the activity's colons (want a no-break space before each):\n%s", s)
	}
}

// TestAnswerSaidOnce: an answer's history line says what was answered
// once, in every language: its action ("accepted") and no detail
// repeating it ("accepted  accepted", "aceitou  aceitou").
func TestAnswerSaidOnce(t *testing.T) {
	inEveryLang80(t, func(t *testing.T, d *model.Desk, rs []model.Request) {
		seen := 0
		for _, r := range rs {
			hs, err := d.History(ctx, demo.Persona, model.HistoryFilter{RequestID: r.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				if h.Action != model.ActRequestAccept {
					continue
				}
				a := start(t, d, demo.Persona, 80, 24)
				a.waitFor("the frame", a.loaded)
				a.openRequest(r.ID)
				a.press("G")
				c := &common.Common{L: a.l, Me: demo.Persona}
				said := c.Action(h.Action)
				s := a.waitText(said)
				for _, line := range strings.Split(s, "\n") {
					if strings.Contains(line, a.l.DateTime(h.At)) && strings.Contains(line, said) {
						_, rest, _ := strings.Cut(line, said)
						if rest = strings.TrimSpace(rest); rest != "" {
							t.Errorf("#%d: the answer is said again (%q): %q", r.ID, rest, line)
						}
						seen++
					}
				}
				break
			}
		}
		if seen == 0 {
			t.Fatal("no request of the persona has an accepted answer: the test proves nothing")
		}
	})
}

// linkShownWhole reports whether s shows link whole: on one line when it
// fits the width; else on lines of their own from column 0, each full
// but the last, which joined give the link.
func linkShownWhole(s, link string, width int) bool {
	ls := strings.Split(s, "\n")
	if len([]rune(link)) <= width {
		return slices.ContainsFunc(ls, func(l string) bool { return strings.Contains(l, link) })
	}
	for i, l := range ls {
		if !strings.HasPrefix(link, l) || len(l) != width {
			continue
		}
		got := l
		for _, more := range ls[i+1:] {
			more = strings.TrimRight(more, " ")
			if more == "" || !strings.HasPrefix(link, got+more) {
				break
			}
			got += more
			if len(more) < width {
				break
			}
		}
		if got == link {
			return true
		}
	}
	return false
}

// TestMailLinkWholeAt80: at 80 columns, in every language, a mail's web
// link is never broken mid-way: in the header it is beside its label
// when it fits there, else on a line of its own from column 0 (where a
// terminal or tmux finds it whole to click or copy); so in the body. A
// link wider than the screen is broken only at the width, from column
// 0, its pieces nothing but the link.
func TestMailLinkWholeAt80(t *testing.T) {
	for _, url := range []string{"http://127.0.0.1:8400", "https://contactdesk.hosting-provider.example.com/contacts"} {
		inEveryLang80(t, func(t *testing.T, d *model.Desk, rs []model.Request) {
			if _, err := d.SetSetting(ctx, model.SettingPublicURL, url); err != nil {
				t.Fatal(err)
			}
			m, err := d.Resend(ctx, demo.Persona, 8)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(m.Link, url) {
				t.Fatalf("the mail links to %q, not to %s", m.Link, url)
			}
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("3")
			a.waitFor("the new mail selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), string([]rune(m.Subject)[:20])) })
			a.press("enter")
			s := a.waitText(a.T("tui.mail.label.link"), m.Token)
			checkFrame(t, s, 80, 24)
			if !linkShownWhole(s, m.Link, 80) {
				t.Fatalf("the header breaks the link %s:\n%s", m.Link, s)
			}
			a.press("G")
			s = a.waitGone(a.T("tui.mail.label.link"))
			checkFrame(t, s, 80, 24)
			if !linkShownWhole(s, m.Link, 80) {
				t.Fatalf("the body breaks the link %s:\n%s", m.Link, s)
			}
		})
	}
}

// TestServicesSortedByTypeAsShown: s sorting the Services tab by type
// orders the services by the type's name as shown, in the user's
// language, case and accents aside ("alojamento" first in Portuguese,
// "domínio" among the d's), not by the English names under them.
func TestServicesSortedByTypeAsShown(t *testing.T) {
	inEveryLang80(t, func(t *testing.T, d *model.Desk, rs []model.Request) {
		a := start(t, d, demo.Persona, 80, 24)
		a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.press("s") // by name, then by type
		s := a.waitText(a.T("tui.services.sort.type"))
		checkFrame(t, s, 80, 24)
		ls := strings.Split(s, "\n")
		h := slices.IndexFunc(ls, func(l string) bool { return strings.Contains(l, a.T("tui.services.col.type")) })
		if h < 0 {
			t.Fatalf("no Type column:\n%s", s)
		}
		from := len([]rune(ls[h][:strings.Index(ls[h], a.T("tui.services.col.type"))]))
		to := len([]rune(ls[h][:strings.Index(ls[h], a.T("tui.col.admin"))]))
		col := collate.New(a.l.Lang().Tag(), collate.Loose)
		var types []string
		for _, l := range ls[h+1:] {
			r := []rune(l)
			if strings.TrimSpace(l) == "" || len(r) <= from {
				break
			}
			types = append(types, strings.TrimSpace(string(r[from:min(to, len(r))])))
		}
		if len(types) < 8 {
			t.Fatalf("only %d services listed:\n%s", len(types), s)
		}
		if !slices.IsSortedFunc(types, col.CompareString) {
			t.Fatalf("the services are not sorted by their type as shown: %v\n%s", types, s)
		}
	})
}

// TestEditContactsWholeAt80: at 80 columns, in every language, the Edit
// contacts form's note on who must confirm reads whole (wrapped), and
// its title beside the tabs is shortened, not cut.
func TestEditContactsWholeAt80(t *testing.T) {
	inEveryLang80(t, func(t *testing.T, d *model.Desk, rs []model.Request) {
		a := start(t, d, demo.Persona, 80, 24)
		a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.editShop()
		s := a.waitText(a.T("tui.contacts.who"))
		checkFrame(t, s, 80, 24)
		who := a.T("tui.contacts.who_empty")
		if rows := block(s, a.T("tui.contacts.who")); !shownWhole(strings.Join(rows, "\n"), who) || strings.Contains(strings.Join(rows, "\n"), "…") {
			t.Errorf("the note %q is cut:\n%s", who, s)
		}
		top := strings.Split(s, "\n")[0]
		if strings.Contains(top, "…") || !strings.HasSuffix(top, a.T("tui.contacts.title")) && !strings.HasSuffix(top, a.T("tui.contacts.short_title")) {
			t.Errorf("the form's title is cut beside the tabs: %q", top)
		}
		if w := len([]rune(a.T("tui.contacts.short_title"))); w > 17 {
			t.Errorf("the short title %q is %d cells: more than the room beside the tabs with 3 digits of unread mail", a.T("tui.contacts.short_title"), w)
		}
	})
}

// TestRequestPromptsWholeAt80: at 80 columns, in every language, the
// request page's prompts read whole: the question before cancelling a
// request, and the token prompts' hint down to its last key (esc),
// wrapped between keys.
func TestRequestPromptsWholeAt80(t *testing.T) {
	inEveryLang80(t, func(t *testing.T, d *model.Desk, rs []model.Request) {
		a := start(t, d, demo.Persona, 80, 24)
		a.waitFor("the frame", a.loaded)
		a.openRequest(8)
		a.press("c")
		ask := a.T("tui.request.cancel_ask", locale.Args{"ID": 8})
		s := a.waitFor("the question", func(s string) bool { return shownWhole(s, ask) })
		checkFrame(t, s, 80, 24)
		if !shownWhole(s, a.T("tui.request.cancel_keys")) {
			t.Errorf("the keys of the question are cut:\n%s", s)
		}
		a.press("n")
		a.waitGone(ask[:20])

		ms, err := d.Mails(ctx, demo.Persona)
		if err != nil {
			t.Fatal(err)
		}
		k := slices.IndexFunc(ms, func(m model.Mail) bool { return m.RequestID == 8 && m.Token != "" })
		if k < 0 {
			t.Fatal("no mail holds the token for #8")
		}
		for _, c := range []struct{ key, verb string }{{"a", "accept"}, {"x", "refuse"}} {
			a.press(c.key)
			hint := a.T("tui.request.hint."+c.verb+"_offered", locale.Args{"Ago": a.l.Ago(now, ms[k].Date)})
			s = a.waitText(a.T("tui.request.prompt."+c.verb, locale.Args{"ID": 8}))
			checkFrame(t, s, 80, 24)
			// wrapped between its keys, where the dot is left out
			if !shownWhole(s, hint) && !shownWhole(s, strings.ReplaceAll(hint, common.HintSep, " ")) {
				t.Errorf("the hint %q is cut:\n%s", hint, s)
			}
			// each key with what it does, on one line
			for _, part := range strings.Split(hint, common.HintSep) {
				if !strings.Contains(s, part) {
					t.Errorf("%q is broken over two lines:\n%s", part, s)
				}
			}
			a.press("esc")
			a.waitGone(a.T("tui.request.prompt."+c.verb, locale.Args{"ID": 8}))
		}
	})
}

// TestOwnerTitleWholeAt80: at 80 columns, in every language, the owner
// details form's title beside the tabs is shortened, not cut
// ("Coordonnées du prop…").
func TestOwnerTitleWholeAt80(t *testing.T) {
	inEveryLang80(t, func(t *testing.T, d *model.Desk, rs []model.Request) {
		a := start(t, d, demo.Persona, 80, 24)
		a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "fontes-arquitetura.pt") })
		a.press("o")
		s := a.waitText(a.T("tui.owner.title") + "  fontes-arquitetura.pt")
		top := strings.Split(s, "\n")[0]
		if strings.Contains(top, "…") || !strings.HasSuffix(top, a.T("tui.owner.title")) && !strings.HasSuffix(top, a.T("tui.owner.short_title")) {
			t.Errorf("the form's title is cut beside the tabs: %q", top)
		}
	})
}

// TestMailHintWholeAt80: at 80 columns, in every language, the hint
// under a long mail says what o does whole, and more lines below; "esc:
// back", which the footer says too, makes room. It was cut mid-phrase
// in pt and fr ("… no seu Perfil · esc:…").
func TestMailHintWholeAt80(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			if _, err := d.AskEmailChange(ctx, demo.Persona, "xavier@example.org"); err != nil {
				t.Fatal(err)
			}
			ms, _ := d.Mails(ctx, demo.Persona)
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("3")
			a.waitFor("the new mail selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), string([]rune(ms[0].Subject)[:20])) })
			a.press("enter")
			hint := a.T("tui.mail.hint_confirm_email")
			s := a.waitText(a.T("tui.mail.label.token"))
			line := lineOf(s, hint)
			if line == "" || strings.Contains(line, "…") {
				t.Fatalf("the hint %q is not whole:\n%s", hint, s)
			}
			checkFrame(t, s, 80, 24)
		})
	}
}

// TestListHeadWholeWhileFiltering: at 80 columns, in every language, the
// head of a list being filtered leaves out the last parts of its counts
// that do not fit, whole, rather than cut one mid-word ("27 por ler, os
// mais rec…" in the Portuguese mailbox).
func TestListHeadWholeWhileFiltering(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("3")
			a.waitText(a.T("tui.mailbox.title"))
			a.typ("/zagalo")
			// once the mailbox is read: its head says "loading…" before
			s := a.waitFor("the filtered mailbox", func(s string) bool {
				return strings.Contains(s, "/zagalo") && !strings.Contains(s, a.T("tui.loading"))
			})
			head := lineOf(s, "/zagalo")
			if strings.Contains(head, "…") {
				t.Fatalf("the head is cut:\n%s", s)
			}
			checkFrame(t, s, 80, 24)
		})
	}
}

// TestRequestsRolesGrowWithRoom: at 120 columns, in every language, a
// request of two roles shows them whole in the Requests tab's Roles
// column ("tech, billing", "técnico, fatur."), where English read "tech
// +1" beside Service and Awaiting columns of blanks; one of three roles
// shows them whole too when the row has the room for them, else those
// that fit whole and the others counted ("admin., técnico +1"), never a
// word cut that loses the count ("técnic…"), and then no column of the
// row is wider than its widest cell.
func TestRequestsRolesGrowWithRoom(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			two := makeRequest(t, d, "mx-xara", model.Tech, model.Billing)
			three := makeRequest(t, d, "xara.pt", model.Admin, model.Tech, model.Billing)
			a := start(t, d, demo.Persona, 120, 40)
			a.waitFor("the frame", a.loaded)
			a.press("2")
			s := a.waitText(a.T("tui.requests.title"), fmt.Sprintf("#%d ", three.ID), "#1 ")
			checkFrame(t, s, 120, 40)
			head := lineOf(s, a.T("tui.requests.col.roles"))
			from := len([]rune(head[:strings.Index(head, a.T("tui.requests.col.roles"))]))
			to := len([]rune(head[:strings.Index(head, a.T("tui.requests.col.from_to"))]))
			for _, r := range []model.Request{two, three} {
				row := []rune(lineOf(s, fmt.Sprintf("#%d ", r.ID)))
				got := strings.TrimSpace(string(row[min(from, len(row)):min(to, len(row))]))
				words := make([]string, len(r.Roles))
				for i, role := range r.Roles {
					words[i] = a.T("tui.requests.role." + string(role))
				}
				whole := strings.Join(words, ", ")
				if got == whole {
					continue
				}
				if len(r.Roles) == 2 {
					t.Fatalf("#%d: its Roles cell reads %q, not %q whole, at 120 columns:\n%s", r.ID, got, whole, s)
				}
				counted := false
				for k := 1; k < len(words); k++ {
					counted = counted || got == fmt.Sprintf("%s +%d", strings.Join(words[:k], ", "), len(words)-k)
				}
				if !counted {
					t.Fatalf("#%d: its Roles cell reads %q: neither %q whole nor counted:\n%s", r.ID, got, whole, s)
				}
				// counted: for want of room, not for columns of blanks
				for _, col := range []string{"tui.requests.col.service", "tui.requests.col.awaiting"} {
					if w, widest := columnWidth(s, a.T(col)); w > widest {
						t.Errorf("#%d's roles counted (%q) while the %s column is %d cells wide, its widest cell %d:\n%s", r.ID, got, a.T(col), w, widest, s)
					}
				}
			}
		})
	}
}

// columnWidth returns how wide the column titled title is drawn on the
// list of screen s (to the next column's title, that column's space
// included), and its widest cell.
func columnWidth(s, title string) (width, widest int) {
	ls := strings.Split(s, "\n")
	h := slices.IndexFunc(ls, func(l string) bool { return strings.Contains(l, title) })
	head := []rune(ls[h])
	from := len([]rune(ls[h][:strings.Index(ls[h], title)]))
	to := from + len([]rune(title))
	for to < len(head) && head[to] == ' ' {
		to++
	}
	for _, l := range ls[h+1:] {
		row := []rune(l)
		if len(row) <= from {
			continue
		}
		cell := strings.TrimRight(string(row[from:min(to, len(row))]), " ")
		widest = max(widest, len([]rune(cell)))
	}
	return to - from - 1, widest
}

// TestRequestsRolesCountedAt80: at 80 columns, where the Roles column
// has room for one short word only, a request of several roles still
// says how many: its first role, cut if it must be, and the others
// counted ("adm… +1"); Portuguese and French read "admin.…", the second
// role not even counted.
func TestRequestsRolesCountedAt80(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			two := makeRequest(t, d, "mx-xara", model.Tech, model.Billing)
			three := makeRequest(t, d, "xara.pt", model.Admin, model.Tech, model.Billing)
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("2")
			s := a.waitText(a.T("tui.requests.title"), fmt.Sprintf("#%d ", three.ID), fmt.Sprintf("#%d ", two.ID))
			checkFrame(t, s, 80, 24)
			head := lineOf(s, a.T("tui.requests.col.roles"))
			from := len([]rune(head[:strings.Index(head, a.T("tui.requests.col.roles"))]))
			to := len([]rune(head[:strings.Index(head, a.T("tui.requests.col.from_to"))]))
			for _, r := range []model.Request{two, three} {
				row := []rune(lineOf(s, fmt.Sprintf("#%d ", r.ID)))
				got := strings.TrimSpace(string(row[min(from, len(row)):min(to, len(row))]))
				first := a.T("tui.requests.role." + string(r.Roles[0]))
				count := fmt.Sprintf(" +%d", len(r.Roles)-1)
				lead, ok := strings.CutSuffix(got, count)
				if ok {
					lead = strings.TrimSuffix(lead, "…")
				}
				if !ok || len(lead) < 2 || !strings.HasPrefix(first, lead) {
					t.Fatalf("#%d: its Roles cell reads %q, not %q (or its start) and %q:\n%s", r.ID, got, first, count, s)
				}
			}
		})
	}
}

// makeRequest has the persona ask, by the model, for one change of
// roles on service to cd67890-ovh.
func makeRequest(t *testing.T, d *model.Desk, service string, roles ...model.Role) model.Request {
	t.Helper()
	rs, err := d.CreateRequest(ctx, demo.Persona, model.NewRequest{Service: service, Roles: roles, To: "cd67890-ovh"})
	if err != nil || len(rs) != 1 {
		t.Fatalf("asking for %v of %s: %v %v", roles, service, rs, err)
	}
	return rs[0]
}

// TestRequestHistoryActionWhole: where there is room (120 columns), the
// request's history shows each action whole: "pausa nos códigos" was cut
// to "pausa nos códig…".
func TestRequestHistoryActionWhole(t *testing.T) {
	d := newDeskIn(t, model.LangPT)
	for range model.MaxTokenFailures {
		d.Accept(ctx, demo.Persona, 8, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	}
	a := start(t, d, demo.Persona, 120, 40)
	a.waitFor("the frame", a.loaded)
	a.openRequest8()
	a.press("G")
	a.waitText(a.T("tui.action.token.throttled"))
}

// TestServiceHistoryActionWhole: a service's history, at 120 columns,
// shows each action whole: "pausa nos códigos" was cut there too.
func TestServiceHistoryActionWhole(t *testing.T) {
	d := newDeskIn(t, model.LangPT)
	for range model.MaxTokenFailures {
		d.Accept(ctx, demo.Persona, 8, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	}
	a := start(t, d, demo.Persona, 120, 40)
	a.waitText("padaria-yolanda.pt")
	a.typ("/padaria")
	a.press("enter", "h")
	a.waitText(a.T("tui.action.token.throttled"))
}
