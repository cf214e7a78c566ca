// Package services is the Services tab: the table of the services where
// the user holds a role, filtered as you type, by role, and sorted by
// column. From a row it asks the root model for the Edit contacts form,
// the owner details or the history of the service.
package services

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/filter"
	"contactdesk/tui/components/table"
)

// KeyMap is the Services tab's own keys.
type KeyMap struct {
	Edit, Owner, History, Role, Sort key.Binding
}

func newKeyMap() KeyMap {
	return KeyMap{
		Edit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "edit contacts")),
		Owner:   key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "owner details")),
		History: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "history")),
		Role:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "role filter")),
		Sort:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort column")),
	}
}

// Roles the list can be narrowed to, in the order f cycles through them.
var roleFilters = []model.Role{"", model.Admin, model.Tech, model.Billing}

// Sort columns, in the order s cycles through them.
var sortNames = []string{"name", "type", "admin", "tech", "billing"}

// Item is one service as the list holds it: what it draws, precomputed,
// and the lowercase text a filter searches.
type Item struct {
	S     model.ServiceView
	hay   string
	roles uint8 // bit i: the user holds model.Roles[i]
	row   table.Row
}

// Page is the Services tab.
type Page struct {
	c      *common.Common
	keys   KeyMap
	table  *table.Model
	filter *filter.Model
	all    []Item // sorted by sortBy
	rows   []table.Row
	role   int
	sortBy int
	width  int
	height int

	reads   common.Reads
	loaded  bool // the whole list is in all
	partial bool // all holds the first page only; the rest is on its way
	err     error
}

// FirstPage is how many services the first read of the tab brings: more
// than a tall terminal shows, a fraction of what a busy account holds.
// The whole list follows in the background.
const FirstPage = 100

// New returns the Services tab.
func New(c *common.Common) *Page {
	p := &Page{c: c, keys: newKeyMap()}
	p.table = table.New(c.Styles,
		table.Column{Title: "Service", Min: 16, Flex: 1, Max: 48},
		table.Column{Title: "Type", Width: 9},
		table.Column{Title: "Admin", Width: 12},
		table.Column{Title: "Tech", Width: 12},
		table.Column{Title: "Billing", Width: 12},
	)
	p.table.Empty = "loading…"
	p.filter = filter.New(c.Styles)
	return p
}

type (
	// firstMsg brings the first page of the list, the first time the tab
	// reads it.
	firstMsg struct {
		seq    int
		sortBy int
		items  []Item
		more   bool
		err    error
	}
	// loadedMsg brings the whole list.
	loadedMsg struct {
		seq    int
		sortBy int
		items  []Item
		err    error
	}
)

// Load reads the services again. The first time, it reads the first
// page and shows it, then the whole list; after that, the whole list,
// the old one staying on screen until the new one is there.
func (p *Page) Load() tea.Cmd {
	seq, ok := p.reads.Begin()
	if !ok {
		return nil
	}
	sortBy, c := p.sortBy, p.c
	if !p.loaded && !p.partial {
		return common.Do(func() tea.Msg {
			ss, more, err := c.Desk.FirstServices(c.Ctx, c.Me, FirstPage)
			if err != nil {
				return firstMsg{seq: seq, err: err}
			}
			items := Items(c, ss)
			sortItems(items, sortBy)
			return firstMsg{seq: seq, sortBy: sortBy, items: items, more: more}
		})
	}
	return p.loadAll(seq, sortBy)
}

func (p *Page) loadAll(seq, sortBy int) tea.Cmd {
	c := p.c
	return common.Do(func() tea.Msg {
		ss, err := c.Desk.Services(c.Ctx, c.Me)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		items := Items(c, ss)
		sortItems(items, sortBy)
		return loadedMsg{seq: seq, sortBy: sortBy, items: items}
	})
}

// Items prepares services for the list: cells cleaned and cut once, the
// filter's haystack lowercased once.
func Items(c *common.Common, ss []model.ServiceView) []Item {
	items := make([]Item, len(ss))
	for i, s := range ss {
		name, typ := common.Line(s.Name), common.Line(s.Type)
		it := &items[i]
		it.S = s
		for k, r := range model.Roles {
			if s.Contact(r) == c.Me {
				it.roles |= 1 << k
			}
		}
		it.hay = strings.ToLower(name + "\x00" + typ + "\x00" + common.H(s.Admin) + "\x00" + common.H(s.Tech) + "\x00" + common.H(s.Billing))
		it.row = table.Row{Key: s.ID, Cells: []string{name, typ, c.Handle(s.Admin), c.Handle(s.Tech), c.Handle(s.Billing)}}
		if s.Pending {
			it.row.Mark = "●"
		}
	}
	return items
}

func sortItems(items []Item, by int) {
	key := func(it *Item) string {
		switch by {
		case 1:
			return it.S.Type
		case 2:
			return string(it.S.Admin)
		case 3:
			return string(it.S.Tech)
		case 4:
			return string(it.S.Billing)
		}
		return it.S.Name
	}
	slices.SortStableFunc(items, func(a, b Item) int {
		if by == 0 {
			return cmp.Compare(a.S.Name, b.S.Name)
		}
		if c := cmp.Compare(key(&a), key(&b)); c != 0 {
			return c
		}
		return cmp.Compare(a.S.Name, b.S.Name)
	})
}

// SetItems replaces the list (for benchmarks and tests that skip the desk).
func (p *Page) SetItems(items []Item) {
	sortItems(items, p.sortBy)
	p.all = items
	p.loaded = true
	p.apply()
}

// apply rebuilds the visible rows from the filter and the role, in the
// memory of the previous ones: a key press in the filter allocates nothing.
func (p *Page) apply() {
	key, had := p.table.SelectedKey()
	rows := p.rows[:0]
	var mask uint8
	if p.role > 0 {
		mask = 1 << (p.role - 1)
	}
	q := p.filter.Query()
	for i := range p.all {
		it := &p.all[i]
		if mask != 0 && it.roles&mask == 0 {
			continue
		}
		if q != "" && !strings.Contains(it.hay, q) {
			continue
		}
		rows = append(rows, it.row)
	}
	switch {
	case p.partial && len(rows) == 0:
		p.table.Empty = fmt.Sprintf("none of the first %d matches; still loading the rest…", len(p.all))
	case !p.loaded:
		p.table.Empty = "loading…"
	case len(p.all) == 0:
		p.table.Empty = "you hold no role on any service"
	default:
		p.table.Empty = "no service matches"
	}
	p.rows = rows
	p.table.SetRowsAt(rows, key, had)
}

// Selected returns the service under the cursor.
func (p *Page) Selected() (model.ServiceView, bool) {
	r, ok := p.table.Selected()
	if !ok {
		return model.ServiceView{}, false
	}
	for i := range p.all {
		if p.all[i].S.ID == r.Key {
			return p.all[i].S, true
		}
	}
	return model.ServiceView{}, false
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case firstMsg:
		if !p.reads.Current(msg.seq) {
			return nil
		}
		if msg.err != nil {
			return p.finish(loadedMsg{seq: msg.seq, err: msg.err})
		}
		if !msg.more {
			return p.finish(loadedMsg{seq: msg.seq, sortBy: msg.sortBy, items: msg.items})
		}
		if msg.sortBy != p.sortBy {
			sortItems(msg.items, p.sortBy)
		}
		p.all, p.partial, p.err = msg.items, true, nil
		p.apply()
		p.reads.Forget() // the whole list, read next, is newer still
		return tea.Batch(common.Read(), common.Later(p.loadAll(msg.seq, p.sortBy)))
	case loadedMsg:
		return p.finish(msg)
	case tea.KeyPressMsg:
		return p.key(msg)
	case tea.MouseMsg:
		if p.table.HandleMouse(msg, msg.Mouse().Y-1) {
			return p.edit()
		}
	}
	return nil
}

// finish takes the whole list, or the error that kept it from coming.
func (p *Page) finish(msg loadedMsg) tea.Cmd {
	if !p.reads.Current(msg.seq) {
		return nil
	}
	again := p.reads.End()
	cmd := common.Read()
	if msg.err != nil {
		p.err = msg.err
		cmd = common.ReadFailed(msg.err)
	} else {
		p.err = nil
		if msg.sortBy != p.sortBy {
			sortItems(msg.items, p.sortBy)
		}
		p.all = msg.items
		p.loaded, p.partial = true, false
		p.apply()
	}
	if again {
		return tea.Batch(cmd, p.Load())
	}
	return cmd
}

func (p *Page) key(msg tea.KeyPressMsg) tea.Cmd {
	if cmd, used := p.filter.Key(msg, p.apply); used {
		return cmd
	}
	if p.table.HandleKey(msg, p.c.Keys) {
		return nil
	}
	switch {
	case key.Matches(msg, p.keys.Role):
		p.role = (p.role + 1) % len(roleFilters)
		p.apply()
	case key.Matches(msg, p.keys.Sort):
		p.sortBy = (p.sortBy + 1) % len(sortNames)
		sortItems(p.all, p.sortBy)
		p.apply()
	case key.Matches(msg, p.keys.Edit):
		return p.edit()
	case key.Matches(msg, p.keys.Owner):
		s, ok := p.Selected()
		if !ok {
			return nil
		}
		if !s.IsDomain() {
			return common.Status("%s is a %s, not a domain: it has no owner details", common.Line(s.Name), common.Line(s.Type))
		}
		return common.Send(common.OwnerMsg{Service: s.Name})
	case key.Matches(msg, p.keys.History):
		if s, ok := p.Selected(); ok {
			return common.Send(common.HistoryMsg{Service: s.Name})
		}
	}
	return nil
}

func (p *Page) edit() tea.Cmd {
	if s, ok := p.Selected(); ok {
		return common.Send(common.EditContactsMsg{Service: s.Name})
	}
	return nil
}

// SetSize sets the page's size.
func (p *Page) SetSize(w, h int) {
	p.width, p.height = w, h
	p.table.SetSize(w, h-1)
}

// Title names the tab.
func (p *Page) Title() string { return "Services" }

// Capturing reports whether the filter has the keys.
func (p *Page) Capturing() bool { return p.filter.On() }

// View draws the page.
func (p *Page) View() string {
	st := p.c.Styles
	info := fmt.Sprintf("%d of %d · role: %s · sort: %s", p.table.Len(), len(p.all), roleName(p.role), sortNames[p.sortBy])
	if p.partial {
		rest := "loading the rest…"
		if p.err != nil {
			rest = "the rest could not be read (ctrl+r reloads)"
		}
		info = fmt.Sprintf("%d of the first %d, %s · role: %s · sort: %s", p.table.Len(), len(p.all), rest, roleName(p.role), sortNames[p.sortBy])
	}
	head := st.Title.Render("Services") + "  "
	if f := p.filter.View(p.width / 3); f != "" {
		head += f + "  "
	}
	head += st.Subtle.Render(info)
	legend := "● request pending  * you"
	if w := common.Width(head); w+2+len([]rune(legend)) <= p.width {
		head += common.Pad(p.width-w-len([]rune(legend))) + st.Subtle.Render(legend)
	} else {
		head = common.Cut(head, p.width)
	}
	return head + "\n" + p.table.View()
}

func roleName(i int) string {
	if i == 0 {
		return "all"
	}
	return string(roleFilters[i])
}

// ShortHelp lists the main keys.
func (p *Page) ShortHelp() []key.Binding {
	if p.filter.On() {
		return []key.Binding{p.filter.Keep, p.filter.Clear}
	}
	return []key.Binding{p.keys.Edit, p.keys.Owner, p.keys.History, p.filter.Start, p.keys.Role, p.keys.Sort}
}

// FullHelp lists every key of the tab.
func (p *Page) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{p.keys.Edit, p.keys.Owner, p.keys.History},
		{p.filter.Start, p.filter.Clear, p.keys.Role, p.keys.Sort},
	}
}
