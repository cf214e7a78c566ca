// Package requests is the Requests tab (My requests): the requests the
// user is a party to, those waiting for the user's own answer first and
// marked, filtered by state and by text.
package requests

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/listpage"
	"contactdesk/tui/components/table"
)

// KeyMap is the tab's own keys.
type KeyMap struct {
	Open, State key.Binding
}

// states the list can be narrowed to, in the order f cycles through them.
var states = append([]model.State{""}, model.States...)

// Page is the Requests tab.
type Page struct {
	// the list's table, filter and reads (SetSize, View, Capturing, Layers)
	*listpage.List[model.Request]
	c       *common.Common
	keys    KeyMap
	state   int
	awaited int
}

// New returns the Requests tab.
func New(c *common.Common) *Page {
	p := &Page{c: c, keys: newKeyMap(c)}
	p.List = listpage.New(c, p.spec(c), p.Load, columns(c)...)
	return p
}

func newKeyMap(c *common.Common) KeyMap {
	return KeyMap{
		Open:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", c.T("tui.requests.key.open"))),
		State: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", c.T("tui.requests.key.state"))),
	}
}

// Relang makes the tab speak c's language, its list, filter, narrowing
// and cursor kept (common.Relanger).
func (p *Page) Relang(c *common.Common) tea.Cmd {
	p.c, p.keys = c, newKeyMap(c)
	p.List.Relang(c, p.spec(c), columns(c)...)
	return nil
}

func (p *Page) spec(c *common.Common) listpage.Spec[model.Request] {
	return listpage.Spec[model.Request]{
		Title:   c.T("tui.requests.title"),
		Legend:  c.T("tui.requests.legend"),
		Info:    p.info,
		Ahead:   p.ahead,
		None:    c.T("tui.requests.none"),
		NoMatch: c.T("tui.requests.no_match"),
		Keep: func(e *listpage.Entry[model.Request]) bool {
			return p.state == 0 || e.Item.State == states[p.state]
		},
		Narrowed: func() string {
			if p.state == 0 {
				return ""
			}
			return p.c.T("tui.requests.no_match_state")
		},
		Landed: func(g *listpage.Got[model.Request]) { p.awaited = g.Tag },
		Retime: func(now time.Time, e *listpage.Entry[model.Request]) {
			e.Row.Cells[1] = p.c.L.Ago(now, e.Item.Created)
			e.Row.Cells[2] = p.c.L.Brief(now, e.Item.Created)
		},
		Open: p.keys.Open,
		OnOpen: func(e *listpage.Entry[model.Request]) tea.Cmd {
			return p.c.Open(common.OpenRequestMsg{ID: e.Item.ID})
		},
	}
}

func columns(c *common.Common) []table.Column {
	return []table.Column{
		// a request's number and its handles are never cut
		{Title: c.T("tui.requests.col.number"), Width: 4, Fit: true},
		// the date: "6h ago" from 100 columns on; narrower, "6h",
		// "18/02" (c.L.Brief), so that it is there at 80 columns too
		{Title: c.T("tui.requests.col.date"), Width: 10, From: narrow, Fit: true},
		{Title: c.T("tui.requests.col.date"), Width: 4, Until: narrow, Fit: true},
		// the service, the awaited and the roles grow no wider than
		// their widest cells (Fit) while another is short of room: at
		// 120 columns the Service and Awaiting columns grew to 40 cells
		// of blanks while the Roles column read "tech +1"
		{Title: c.T("tui.requests.col.service"), Min: 11, Flex: 1, Max: 40, Fit: true},
		// a role by the column's short word for it, whole ("fatur.":
		// "faturação" is cut at 80 columns); several, those that fit
		// whole and the others counted ("tech +1"), or, when not even
		// one fits with its count, the first cut and the count kept
		// ("adm… +1" at 80 columns in Portuguese and French).
		// Where there is room, the column grows to the widest cell, at
		// first up to a word and its count ("técnico +1"), whole
		// ("tech, billing", "técnico, fatur." at 120 columns) once the
		// Service and Awaiting columns are as wide as their cells;
		// never wider than its widest cell
		{Title: c.T("tui.requests.col.roles"), Min: roleWidth(c), Max: roleWidth(c) + countW, Fit: true, List: true},
		{Title: c.T("tui.requests.col.from_to"), Width: 26, Fit: true},
		{Title: c.T("tui.requests.col.state"), Width: 9, From: narrow, Fit: true},
		// whom it waits for: the user first, never cut within a handle
		// ("you +1" when the others do not fit)
		{Title: c.T("tui.requests.col.awaiting"), Min: 14, Flex: 1, Max: 40, From: narrow, Fit: true, List: true},
		// narrower, one column says both: whom a request waits for
		// while it waits (only then is anyone awaited: model.Request.
		// Awaited), how it ended once it has; the 10 cells of the State
		// column are the date's
		{Title: c.T("tui.requests.col.state_awaiting"), Min: 14, Flex: 1, Max: 40, Until: narrow, Fit: true, List: true},
	}
}

// narrow is the width below which the list writes its dates briefly and
// says the state and whom a request waits for in one column: at 80
// columns, the width of many terminals, the columns of the wide list
// leave no room for a date.
const narrow = 100

// Load reads the requests again. The first time, it counts those waiting
// for the user's answer first, for the tab, and reads the requests once
// the session's first frame is complete: an agency is a party to
// hundreds of requests, which the first frame does not show.
func (p *Page) Load() tea.Cmd {
	c := p.c
	first := func() listpage.Got[model.Request] {
		n, err := c.Desk.Awaiting(c.Ctx, c.Me)
		return listpage.Got[model.Request]{More: true, Tag: n, Err: err}
	}
	return p.List.Load(first, func() listpage.Got[model.Request] {
		rs, err := c.Desk.Requests(c.Ctx, c.Me)
		if err != nil {
			return listpage.Got[model.Request]{Err: err}
		}
		es, awaited := entries(c, rs)
		return listpage.Got[model.Request]{Entries: es, Tag: awaited}
	})
}

// entries keeps the model's order (newest first) but puts the requests
// waiting for the user's own answer first; it counts them.
func entries(c *common.Common, rs []model.Request) ([]listpage.Entry[model.Request], int) {
	es := make([]listpage.Entry[model.Request], 0, len(rs))
	now := c.Now()
	add := func(r model.Request, mine bool) {
		row := table.Row{Key: r.ID, Cells: []string{
			fmt.Sprintf("#%d", r.ID),
			c.L.Ago(now, r.Created),
			c.L.Brief(now, r.Created),
			common.Line(r.Service),
			roleLabels(c, r),
			fmt.Sprintf("%s → %s", c.Handle(r.From), c.Handle(r.To)),
			c.StateWord(r.State),
			c.Handles(mineFirst(c.Me, r.Awaited())),
			stateOrAwaited(c, r),
		}}
		if mine {
			row.Mark, row.Bold = "!", true
		}
		hay := strings.ToLower(fmt.Sprintf("#%d %s %s %s %s %s %s %s", r.ID, common.Line(r.Service), c.RoleNames(r), roleLabels(c, r), common.H(r.From), common.H(r.To), common.Line(string(r.State)), c.StateWord(r.State)))
		es = append(es, listpage.Entry[model.Request]{Item: r, Row: row, Hay: hay})
	}
	for _, r := range rs {
		if r.AwaitingMe(c.Me) {
			add(r, true)
		}
	}
	awaited := len(es)
	for _, r := range rs {
		if !r.AwaitingMe(c.Me) {
			add(r, false)
		}
	}
	return es, awaited
}

// stateOrAwaited is the narrow list's cell of r's state: whom r waits
// for, the user first, while anyone is awaited; else its state's word.
func stateOrAwaited(c *common.Common, r model.Request) string {
	if hs := r.Awaited(); len(hs) > 0 {
		return c.Handles(mineFirst(c.Me, hs))
	}
	return c.StateWord(r.State)
}

// roleLabels names r's roles as the Roles column does: each by its
// short word (tui.requests.role), joined by ", " (a List column counts
// those that do not fit).
func roleLabels(c *common.Common, r model.Request) string {
	ws := make([]string, len(r.Roles))
	for i, role := range r.Roles {
		ws[i] = c.T("tui.requests.role." + string(role))
	}
	return common.Line(strings.Join(ws, ", "))
}

// countW is the room of the count of the roles a cell leaves out (" +2").
const countW = 3

// roleWidth is the least width of the Roles column: the widest of the
// language's short words for a role, 7 cells in each of the desk's
// languages.
func roleWidth(c *common.Common) int {
	w := 7
	for _, role := range model.Roles {
		w = max(w, common.Width(c.T("tui.requests.role."+string(role))))
	}
	return w
}

// mineFirst puts me first among hs, the others in their order: "you"
// leads the list, so that a narrow column never leaves it out.
func mineFirst(me model.Handle, hs []model.Handle) []model.Handle {
	i := slices.Index(hs, me)
	if i <= 0 {
		return hs
	}
	out := append([]model.Handle{me}, hs[:i]...)
	return append(out, hs[i+1:]...)
}

// Opened puts the cursor on request id, opened from any screen (a mail,
// the Edit contacts form, a service's history, this tab): "2 enter"
// opens the request last opened. One not read yet (just made) is
// selected once the list reads it.
func (p *Page) Opened(id int64) { p.List.Select(id) }

// Awaiting counts the requests waiting for the user's answer.
func (p *Page) Awaiting() int { return p.awaited }

func (p *Page) info(shown, total int) string {
	if !p.List.Loaded() && total == 0 {
		// the first read counts those awaiting the user only: the
		// state, not "0 of 0"
		return p.ahead()
	}
	return p.c.T("tui.requests.info", locale.Args{"Shown": locale.Number(shown), "Total": locale.Number(total), "State": p.stateWord()})
}

// ahead is the head before the list is read: the state it shows, and
// no count. It said nothing, until the list was read, of a state
// already chosen with f.
func (p *Page) ahead() string {
	return p.c.T("tui.requests.info_ahead", locale.Args{"State": p.stateWord()})
}

// stateWord names the state the list is narrowed to ("all").
func (p *Page) stateWord() string {
	if p.state > 0 {
		return p.c.StateWord(states[p.state])
	}
	return p.c.T("tui.requests.state_all")
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	if cmd, used := p.List.Update(msg); used {
		return cmd
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, p.keys.State) {
		p.state = (p.state + 1) % len(states)
		p.List.Apply()
	}
	return nil
}

// Title names the tab.
func (p *Page) Title() string { return p.c.T("tui.tab.requests") }

// ShortHelp lists the main keys.
func (p *Page) ShortHelp() []key.Binding {
	sh := p.List.ShortHelp(p.keys.Open)
	if p.List.Capturing() {
		return sh
	}
	return append(sh, p.keys.State)
}

// FullHelp lists every key of the tab.
func (p *Page) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.keys.Open}, append(p.List.FilterKeys(), p.keys.State)}
}
