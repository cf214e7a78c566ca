// Package services is the Services tab: the table of the services where
// the user holds a role, filtered as you type, by role, and sorted by
// column. From a row it asks the root model for the Edit contacts form,
// the owner details or the history of the service.
package services

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"golang.org/x/text/collate"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/listpage"
	"contactdesk/tui/components/table"
)

// KeyMap is the Services tab's own keys.
type KeyMap struct {
	Edit, Owner, History, Role, Sort key.Binding
}

func newKeyMap(c *common.Common) KeyMap {
	return KeyMap{
		Edit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", c.T("tui.services.key.edit"))),
		Owner:   key.NewBinding(key.WithKeys("o"), key.WithHelp("o", c.T("tui.services.key.owner"))),
		History: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", c.T("tui.services.key.history"))),
		Role:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", c.T("tui.services.key.role"))),
		Sort:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", c.T("tui.services.key.sort"))),
	}
}

// Roles the list can be narrowed to, in the order f cycles through them.
var roleFilters = []model.Role{"", model.Admin, model.Tech, model.Billing}

// Sort columns, in the order s cycles through them (their names in the
// catalogues: tui.services.sort.<name>).
var sortNames = []string{"name", "type", "admin", "tech", "billing"}

// Item is one service as the list holds it, with the roles the user
// holds on it.
type Item struct {
	S     model.ServiceView
	roles uint8 // bit i: the user holds model.Roles[i]
	// typeKey sorts the type by its name as shown, in the user's
	// language (see typeKeys)
	typeKey []byte
}

type entry = listpage.Entry[Item]

// Page is the Services tab.
type Page struct {
	// the list's table, filter and reads (SetSize, View, Capturing, Layers)
	*listpage.List[Item]
	c      *common.Common
	keys   KeyMap
	role   int
	sortBy int
}

// FirstPage is how many services the first read of the tab brings: more
// than a tall terminal shows, a fraction of what a busy account holds.
// The whole list follows in the background.
const FirstPage = 100

// handleW is the least width of a handle column; a column is as wide as
// its widest handle (twelve characters and the * of "you" in a large
// desk), and the service's name shrinks first.
const handleW = 11

// New returns the Services tab.
func New(c *common.Common) *Page {
	p := &Page{c: c, keys: newKeyMap(c)}
	p.List = listpage.New(c, p.spec(c), p.Load, columns(c)...)
	return p
}

// Relang makes the tab speak c's language, its list, filter, narrowing
// and cursor kept (common.Relanger).
func (p *Page) Relang(c *common.Common) tea.Cmd {
	p.c, p.keys = c, newKeyMap(c)
	p.List.Relang(c, p.spec(c), columns(c)...)
	return nil
}

func (p *Page) spec(c *common.Common) listpage.Spec[Item] {
	return listpage.Spec[Item]{
		Title:   c.T("tui.services.title"),
		Legend:  c.T("tui.services.legend"),
		Info:    p.info,
		Ahead:   p.ahead,
		None:    c.T("tui.services.none"),
		NoMatch: c.T("tui.services.no_match"),
		Keep:    p.keep,
		Narrowed: func() string {
			if p.role == 0 {
				return ""
			}
			return p.c.T("tui.services.no_match_role")
		},
		Landed: func(g *listpage.Got[Item]) {
			if g.Tag != p.sortBy {
				sortEntries(g.Entries, p.sortBy)
			}
		},
		Open:   p.keys.Edit,
		OnOpen: func(e *entry) tea.Cmd { return p.c.Open(common.EditContactsMsg{Service: e.Item.S.Name}) },
		Row:    []key.Binding{p.keys.Owner, p.keys.History},
	}
}

func columns(c *common.Common) []table.Column {
	return []table.Column{
		{Title: c.T("tui.services.col.service"), Min: 16, Flex: 1, Max: 48, Fit: true},
		// as wide as the types shown (Fit): at 80 columns in French
		// the 11 cells of "hébergement", for a user with none, cut
		// "vps-2c81d0e4.vps.ovh.n…" beside "VPS" and "domaine"
		{Title: c.T("tui.services.col.type"), Width: 3, Fit: true, Max: typeWidth(c)},
		{Title: c.T("tui.col.admin"), Width: handleW, Fit: true},
		{Title: c.T("tui.col.tech"), Width: handleW, Fit: true},
		{Title: c.T("tui.col.billing"), Width: handleW, Fit: true},
	}
}

// typeWidth is the widest the Type column grows: the widest of the
// language's words for the known types (9 in English, "hébergement" in
// French), at most 12; a type of another making is cut.
func typeWidth(c *common.Common) int {
	w := 9
	for _, t := range model.ServiceTypes {
		w = max(w, common.Width(model.ServiceType(t).In(c.L)))
	}
	return min(w, 12)
}

// Load reads the services again. The first time, it reads the first
// page and shows it, then the whole list; after that, the whole list,
// the old one staying on screen until the new one is there.
func (p *Page) Load() tea.Cmd {
	c, by := p.c, p.sortBy
	first := func() listpage.Got[Item] {
		ss, more, err := c.Desk.FirstServices(c.Ctx, c.Me, FirstPage)
		return got(c, ss, by, more, err)
	}
	whole := func() listpage.Got[Item] {
		ss, err := c.Desk.Services(c.Ctx, c.Me)
		return got(c, ss, by, false, err)
	}
	return p.List.Load(first, whole)
}

func got(c *common.Common, ss []model.ServiceView, by int, more bool, err error) listpage.Got[Item] {
	if err != nil {
		return listpage.Got[Item]{Err: err}
	}
	es := entries(c, ss)
	sortEntries(es, by)
	return listpage.Got[Item]{Entries: es, More: more, Tag: by}
}

// entries prepares services for the list: cells cleaned and cut once,
// the filter's haystack lowercased once.
func entries(c *common.Common, ss []model.ServiceView) []listpage.Entry[Item] {
	es := make([]entry, len(ss))
	keys := typeKeys(c)
	for i, s := range ss {
		name, typ := common.Line(s.Name), common.Line(model.ServiceType(s.Type).In(c.L))
		e := &es[i]
		e.Item.S = s
		e.Item.typeKey = keys(typ)
		for k, r := range model.Roles {
			if s.Contact(r) == c.Me {
				e.Item.roles |= 1 << k
			}
		}
		e.Hay = strings.ToLower(name + "\x00" + typ + "\x00" + common.H(s.Admin) + "\x00" + common.H(s.Tech) + "\x00" + common.H(s.Billing))
		e.Row = table.Row{Key: s.ID, Cells: []string{name, typ, c.Handle(s.Admin), c.Handle(s.Tech), c.Handle(s.Billing)}}
		if s.Pending {
			e.Row.Mark = "●"
		}
	}
	return es
}

// typeKeys returns the sort key of a type's name as shown, by the
// collation of the user's language, case and accents aside: in
// Portuguese "alojamento, cloud, dedicado, domínio, e-mail, VPS", where
// the English keys (hosting, domain…) made "cloud, dedicado, domínio,
// e-mail, alojamento". A collator is not safe for concurrent use: each
// read makes its own, and each type's key is made once.
func typeKeys(c *common.Common) func(string) []byte {
	col := collate.New(c.L.Lang().Tag(), collate.Loose)
	var buf collate.Buffer
	made := map[string][]byte{}
	return func(typ string) []byte {
		k, ok := made[typ]
		if !ok {
			k = slices.Clone(col.KeyFromString(&buf, typ))
			buf.Reset()
			made[typ] = k
		}
		return k
	}
}

func sortEntries(es []entry, by int) {
	key := func(it *Item) string {
		switch by {
		case 2:
			return string(it.S.Admin)
		case 3:
			return string(it.S.Tech)
		case 4:
			return string(it.S.Billing)
		}
		return it.S.Name
	}
	slices.SortStableFunc(es, func(a, b entry) int {
		switch by {
		case 0:
			return cmp.Compare(a.Item.S.Name, b.Item.S.Name)
		case 1:
			if c := bytes.Compare(a.Item.typeKey, b.Item.typeKey); c != 0 {
				return c
			}
			return cmp.Compare(a.Item.S.Name, b.Item.S.Name)
		}
		if c := cmp.Compare(key(&a.Item), key(&b.Item)); c != 0 {
			return c
		}
		return cmp.Compare(a.Item.S.Name, b.Item.S.Name)
	})
}

// keep narrows the list to the role chosen.
func (p *Page) keep(e *entry) bool {
	return p.role == 0 || e.Item.roles&(1<<(p.role-1)) != 0
}

// ahead is the head before the first page is read: the role and the
// order only, no count.
func (p *Page) ahead() string {
	return p.c.T("tui.services.info_ahead", locale.Args{"Role": p.roleName(), "Sort": p.c.T("tui.services.sort." + sortNames[p.sortBy])})
}

func (p *Page) info(shown, total int) string {
	args := locale.Args{"Shown": locale.Number(shown), "Total": locale.Number(total),
		"Role": p.roleName(), "Sort": p.c.T("tui.services.sort." + sortNames[p.sortBy])}
	if p.List.Partial() {
		args["Rest"] = locale.M("tui.services.rest_loading")
		if p.List.Failed() {
			args["Rest"] = locale.M("tui.services.rest_failed")
		}
		return p.c.T("tui.services.info_partial", args)
	}
	return p.c.T("tui.services.info", args)
}

// Selected returns the service under the cursor.
func (p *Page) Selected() (model.ServiceView, bool) {
	if e, ok := p.List.Selected(); ok {
		return e.Item.S, true
	}
	return model.ServiceView{}, false
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	if cmd, used := p.List.Update(msg); used {
		return cmd
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, p.keys.Role):
		p.role = (p.role + 1) % len(roleFilters)
		p.List.Apply()
	case key.Matches(k, p.keys.Sort):
		p.sortBy = (p.sortBy + 1) % len(sortNames)
		sortEntries(p.List.Entries(), p.sortBy)
		p.List.Apply()
	case key.Matches(k, p.keys.Owner):
		s, ok := p.Selected()
		if !ok {
			return nil
		}
		if !s.IsDomain() {
			return common.Status(p.c.T("err.service.not_domain", locale.Args{"Service": common.Line(s.Name), "Type": model.ServiceType(common.Line(s.Type))}))
		}
		return p.c.Open(common.OwnerMsg{Service: s.Name})
	case key.Matches(k, p.keys.History):
		if s, ok := p.Selected(); ok {
			return p.c.Open(common.HistoryMsg{Service: s.Name})
		}
	}
	return nil
}

// Title names the tab.
func (p *Page) Title() string { return p.c.T("tui.services.title") }

// roleName is the role the list is narrowed to, as the head says it.
func (p *Page) roleName() string {
	if p.role == 0 {
		return p.c.T("tui.services.role_all")
	}
	return p.c.T("tui.role." + string(roleFilters[p.role]))
}

// ShortHelp lists the main keys.
func (p *Page) ShortHelp() []key.Binding {
	sh := p.List.ShortHelp(p.keys.Edit, p.keys.Owner, p.keys.History)
	if p.List.Capturing() {
		return sh
	}
	return append(sh, p.keys.Role, p.keys.Sort)
}

// FullHelp lists every key of the tab.
func (p *Page) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{p.keys.Edit, p.keys.Owner, p.keys.History},
		append(p.List.FilterKeys(), p.keys.Role, p.keys.Sort),
	}
}
