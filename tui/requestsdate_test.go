package tui_test

import (
	"fmt"
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// TestRequestsShowTheirDateAt80Columns: at 80x24, the size of tmux and of
// many SSH clients, each row of the Requests tab says when the request
// was made ("6h", "18/02"), in each language, and still shows what it
// showed without it: both handles of the change whole, the user first
// among those awaited, how an ended request ended.
func TestRequestsShowTheirDateAt80Columns(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT, model.LangFR} {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the app", a.loaded)
			a.press("2")
			s := a.waitText(a.T("tui.requests.info", locale.Args{"Shown": 7, "Total": 7, "State": a.T("tui.requests.state_all")}))
			if head := lineOf(s, a.T("tui.requests.col.roles")); !strings.Contains(head, a.T("tui.requests.col.date")) {
				t.Errorf("no %q column: %q", a.T("tui.requests.col.date"), head)
			}
			rs, err := d.Requests(ctx, demo.Persona)
			if err != nil || len(rs) != 7 {
				t.Fatalf("%d requests, %v", len(rs), err)
			}
			for _, r := range rs {
				l := lineOf(s, fmt.Sprintf("#%d ", r.ID))
				if date := a.l.Brief(now, r.Created); !strings.Contains(l, " "+date+" ") {
					t.Errorf("#%d: no date %q: %q", r.ID, date, l)
				}
				for _, h := range []model.Handle{r.From, r.To} {
					if !strings.Contains(l, string(h)) {
						t.Errorf("#%d: %s cut: %q", r.ID, h, l)
					}
				}
				switch {
				case r.AwaitingMe(demo.Persona):
					// right of the change, those awaited, the user first
					rest := l[strings.Index(l, string(r.To))+len(r.To):]
					you := strings.Index(rest, " "+a.T("tui.you"))
					if you < 0 {
						t.Errorf("#%d waits for the user, who is not named: %q", r.ID, l)
					}
					for _, h := range r.Awaited() {
						if i := strings.Index(rest, string(h)); h != demo.Persona && i >= 0 && i < you {
							t.Errorf("#%d: %s named before the user: %q", r.ID, h, l)
						}
					}
				case r.State.Ended():
					if w := a.T("tui.state." + string(r.State)); !strings.Contains(l, w) {
						t.Errorf("#%d ended: no %q: %q", r.ID, w, l)
					}
				}
			}
		})
	}
}
