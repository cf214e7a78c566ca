// Package contacts is the Edit contacts form of one service: its three
// contacts, a field for each role the user may ask to change (the others
// show the model's reason: not the user's to change, or a request for it
// already pending, said as the form opens, not once a handle is typed),
// accounts suggested as a handle is typed (the accounts the user already
// has to do with, from any part of a handle or a name; enter takes the
// highlighted one, the first at once), and, before anything is sent, who
// will have to confirm, as the model plans it. Every change of the form
// is sent in one transaction, all or none; refusals appear beside the
// field they are about and nothing typed is lost. When the user's roles
// change meanwhile (another session, the command line), the fields
// follow them on the next read, the focus by role, never by place: the
// keys stay with the field they were going to, and a field that goes
// says so, with what was typed in it.
package contacts

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
	"contactdesk/tui/common"
	"contactdesk/tui/components/field"
)

// KeyMap is the form's keys.
type KeyMap struct {
	Next, Prev, Pick, Send, Leave, SuggestUp, SuggestDown key.Binding
	// Close closes the suggestions (esc, while they show); Discard and
	// Stay answer the question esc asks when something was typed.
	Close, Discard, Stay key.Binding
}

func newKeyMap(c *common.Common) KeyMap {
	return KeyMap{
		Next:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", c.T("tui.key.next_field"))),
		Prev:        key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", c.T("tui.key.prev_field"))),
		SuggestDown: key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", c.T("tui.contacts.key.next_suggestion"))),
		SuggestUp:   key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", c.T("tui.contacts.key.prev_suggestion"))),
		Pick:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", c.T("tui.contacts.key.pick"))),
		Send:        key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", c.T("tui.contacts.key.send"))),
		Leave:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", c.T("tui.contacts.key.leave"))),
		Close:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", c.T("tui.contacts.key.close"))),
		Discard:     c.Yes(c.T("tui.contacts.key.discard")),
		Stay:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", c.T("tui.contacts.key.stay"))),
	}
}

// maxSuggestions is how many accounts the handle field proposes.
const maxSuggestions = 5

// Page is the Edit contacts form.
type Page struct {
	c       *common.Common
	keys    KeyMap
	name    string // the service, as the list knows it
	service model.Service
	perms   map[model.Role]error
	loaded  bool
	first   common.FirstRead // the keys pressed before the form is read, and whether that read failed
	fields  map[model.Role]*field.Model
	order   []model.Role // the editable roles, in display order
	focus   int          // index in order; len(order) is the Send button
	formErr string

	accts   []account // the accounts the user has to do with, for the suggestions
	sugg    []model.Account
	suggSel int // -1: none highlighted

	plan     []model.Request
	planFor  string // the values the plan was made for
	planSeq  int    // the plan asked last
	planning bool
	sending  bool
	// asking: esc was pressed with something typed, and the form asks
	// before leaving it (as cancelling a request asks)
	asking bool

	// until is when the first refusal of a role that passes with time
	// passes (a request pending on it expires), zero when none does:
	// the form reads the roles again then, by itself, as it does when
	// the request is answered (a change published); wake tells the
	// last alarm set from those set before
	until time.Time
	wake  int

	width, height int
	seq           int
	// lines is how many fixed lines the form took, as last drawn: what
	// comes and goes as one types (suggestions, a plan's lines,
	// refusals) left out, for it is left out in less room (see form)
	lines int
}

// New returns the form for a service.
func New(c *common.Common, service string) *Page {
	p := &Page{c: c, keys: newKeyMap(c), name: service, fields: map[model.Role]*field.Model{}, suggSel: -1}
	p.first.Fields = true // a q, a digit typed ahead are letters (Capturing)
	return p
}

// account is an account as the suggestions search it: its handle and
// name, never its address (which it would confirm to whoever types it).
type account struct {
	a            model.Account
	handle, name string // lowercase
}

type (
	loadedMsg struct {
		seq   int
		s     model.Service
		perms map[model.Role]error
		accts []account
		err   error
	}
	planMsg struct {
		seq    int
		values string
		checked
	}
	// wakeMsg is the alarm of the time until: a role's refusal passes
	wakeMsg struct{ wake int }
	sentMsg struct {
		made []model.Request
		// the refusals, when nothing was sent; checked.roles is empty
		// when they are the transaction's (it stops at its first), not
		// the check of every change
		checked
	}
)

// Load reads the service, what the user may change on it, and the
// accounts to suggest: only those the user already has to do with (the
// desk's Acquaintances: the contacts of its services, the parties of its
// requests), for on a desk shared by many customers the form must not
// list, nor confirm by its suggestions, anybody else's account. Any
// other account is still taken when its whole handle is typed (the
// model checks it). The suggestions are searched here, in the form: the
// digits of a handle or a part of a name are what people remember.
func (p *Page) Load() tea.Cmd {
	p.seq++
	p.first.Start() // loading again, after a failure
	seq, c, name := p.seq, p.c, p.name
	return common.Do(func() tea.Msg {
		s, perms, err := c.Desk.Permissions(c.Ctx, c.Me, name)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		as, err := c.Desk.Acquaintances(c.Ctx, c.Me)
		accts := make([]account, len(as))
		for i, a := range as {
			accts[i] = account{a: model.Account{Handle: a.Handle, Name: a.Name}, handle: common.Fold(common.H(a.Handle)), name: common.Fold(common.Line(a.Name))}
		}
		return loadedMsg{seq: seq, s: s, perms: perms, accts: accts, err: err}
	})
}

// Relang makes the form speak c's language, what was typed, the focus,
// the cursor and the suggestions kept (common.Relanger); the plan and
// the refusals beside the fields are asked again, to be said in it.
func (p *Page) Relang(c *common.Common) tea.Cmd {
	p.c, p.keys = c, newKeyMap(c)
	for r, f := range p.fields {
		f.Relang(c.T("tui.role."+string(r)), c.T("tui.contacts.placeholder."+string(r)), c.ErrText)
	}
	if !p.loaded || p.sending {
		return nil
	}
	p.planFor = ""
	return p.replan()
}

// group is the roles going to one new contact: one request to the model.
type group struct {
	to    string // as typed (trimmed): a refusal quotes it so
	key   string // to, in lower case: what tells two fields' accounts apart
	roles []model.Role
}

// groups gathers the filled fields by new contact, so that tech and
// billing to the same account make one request with two roles.
func (p *Page) groups() []group {
	var gs []group
	for _, r := range p.order {
		v := strings.TrimSpace(p.fields[r].Value())
		if v == "" {
			continue
		}
		key := strings.ToLower(v)
		found := false
		for i := range gs {
			if gs[i].key == key {
				gs[i].roles = append(gs[i].roles, r)
				found = true
			}
		}
		if !found {
			gs = append(gs, group{to: v, key: key, roles: []model.Role{r}})
		}
	}
	return gs
}

func (p *Page) values() string {
	var b strings.Builder
	for _, g := range p.groups() {
		fmt.Fprintf(&b, "%s=%s;", model.JoinRoles(g.roles, "+"), g.key)
	}
	return b.String()
}

// replan asks the model what the typed change would make: each filled
// field holding something shaped like a handle is checked, whatever the
// others hold, so that a refusal shows beside its field as soon as its
// handle is whole, and the changes that are whole and accepted show in
// the plan. A field still being typed is left alone (no refusal of a
// half-typed handle), and keeps a refusal Send gave it.
func (p *Page) replan() tea.Cmd {
	gs, _ := handles(p.groups())
	v := p.values()
	p.planFor = v
	if len(gs) == 0 {
		p.plan = nil
		return nil
	}
	p.planning = true
	p.planSeq++
	c, name, seq := p.c, p.name, p.planSeq
	return common.Do(func() tea.Msg {
		return planMsg{seq: seq, values: v, checked: check(c, name, gs)}
	})
}

// checked is what the model said of the form's changes, each on its own:
// the requests of those it accepts, the refusals of the others beside
// their fields (errs), or of the whole form (form), and the roles
// checked.
type checked struct {
	reqs  []model.Request
	errs  map[model.Role]error
	form  error
	roles []model.Role
}

// check asks the model about every change of gs, each on its own: every
// refused field is told at once, not only the first one (the one
// transaction of Send stops at its first refusal).
func check(c *common.Common, name string, gs []group) checked {
	out := checked{errs: map[model.Role]error{}}
	for _, g := range gs {
		out.roles = append(out.roles, g.roles...)
		reqs, err := c.Desk.Plan(c.Ctx, c.Me, model.NewRequest{Service: name, Roles: g.roles, To: g.to})
		if err != nil {
			if len(g.roles) > 1 && alone(c, name, g, out.errs) {
				continue
			}
			if !place(out.errs, g, err) && out.form == nil {
				out.form = err
			}
			continue
		}
		out.reqs = append(out.reqs, reqs...)
	}
	return out
}

// show puts what the model said beside the fields: the refusals of the
// roles checked, theirs cleared when accepted; the other fields keep
// theirs (a field still being typed, and not checked, keeps the refusal
// Send gave it until it changes).
func (p *Page) show(ch checked) {
	for r, err := range ch.errs {
		if f := p.fields[r]; f != nil {
			f.Refuse(err, p.c.ErrText)
		}
	}
	for _, r := range ch.roles {
		if _, refused := ch.errs[r]; !refused && p.fields[r] != nil {
			p.fields[r].Err = ""
		}
	}
	p.formErr = p.c.ErrText(ch.form)
}

// alone asks the model about each role of g on its own, when g (roles
// going to one account, one request) is refused: the refusal of one role
// (billing's unpaid bills, a request pending on tech) shows beside that
// role's field, not beside every field of g. It reports false when no
// role is refused alone, and the refusal is g's as a whole.
func alone(c *common.Common, name string, g group, errs map[model.Role]error) bool {
	found := false
	for _, r := range g.roles {
		one := group{to: g.to, key: g.key, roles: []model.Role{r}}
		if _, err := c.Desk.Plan(c.Ctx, c.Me, model.NewRequest{Service: name, Roles: one.roles, To: g.to}); err != nil && place(errs, one, err) {
			found = true
		}
	}
	return found
}

// place puts a refusal beside the field(s) it is about, or reports false
// when it concerns the whole form.
func place(errs map[model.Role]error, g group, err error) bool {
	switch model.FieldOf(err) {
	case "to", "role":
		for _, r := range g.roles {
			errs[r] = err
		}
		return true
	}
	return false
}

func (p *Page) send() tea.Cmd {
	gs := p.groups()
	if len(gs) == 0 {
		// said in the form and on the status line, as a refusal is: in
		// the form alone, under a preview saying much the same, it went
		// unseen, and Send seemed to do nothing
		p.formErr = p.c.T("tui.contacts.nothing_typed")
		return common.Status(p.c.T("tui.contacts.not_sent"))
	}
	p.sending = true
	p.formErr = ""
	c, name := p.c, p.name
	ins := make([]model.NewRequest, len(gs))
	for i, g := range gs {
		ins[i] = model.NewRequest{Service: name, Roles: g.roles, To: g.to}
	}
	return common.Do(func() tea.Msg {
		// every change checked first, so that each refused field says
		// so, not only the first the transaction meets
		if ch := check(c, name, gs); len(ch.errs) > 0 || ch.form != nil {
			return sentMsg{checked: ch}
		}
		// every change of the form, or none (one transaction): it
		// checks them again, as they are when stored
		made, err := c.Desk.CreateRequests(c.Ctx, c.Me, ins)
		out := sentMsg{made: made, checked: checked{errs: map[model.Role]error{}}}
		if err != nil {
			if i := model.ChangeOf(err); i < 0 || i >= len(gs) || !place(out.errs, gs[i], err) {
				out.form = err
			}
		}
		return out
	})
}

// suggest proposes the accounts matching what the field holds: those
// whose handle starts with it first, then those with a word of their
// name starting with it, then those holding it anywhere in their
// handle or name (never in their address). The first is highlighted, so that enter
// takes it; the account highlighted before stays so while it matches.
func (p *Page) suggest(f *field.Model) {
	typed := common.Fold(strings.TrimSpace(f.Value()))
	var chosen model.Handle
	if p.suggSel >= 0 && p.suggSel < len(p.sugg) {
		chosen = p.sugg[p.suggSel].Handle
	}
	p.sugg, p.suggSel = nil, -1
	if typed == "" {
		return
	}
	var ranked [3][]model.Account
	for i := range p.accts {
		a := &p.accts[i]
		switch {
		case strings.HasPrefix(a.handle, typed):
			ranked[0] = append(ranked[0], a.a)
		case strings.HasPrefix(a.name, typed) || strings.Contains(a.name, " "+typed):
			ranked[1] = append(ranked[1], a.a)
		case strings.Contains(a.handle, typed) || strings.Contains(a.name, typed):
			ranked[2] = append(ranked[2], a.a)
		}
	}
	for _, r := range ranked {
		p.sugg = append(p.sugg, r[:min(len(r), maxSuggestions-len(p.sugg))]...)
	}
	if len(p.sugg) == 1 && strings.EqualFold(string(p.sugg[0].Handle), typed) {
		// the whole handle is typed: nothing to suggest
		p.sugg = nil
	}
	if len(p.sugg) > 0 {
		p.suggSel = 0
	}
	for i, a := range p.sugg {
		if a.Handle == chosen {
			p.suggSel = i
		}
	}
}

func (p *Page) focused() (model.Role, *field.Model) {
	if p.focus < len(p.order) {
		r := p.order[p.focus]
		return r, p.fields[r]
	}
	return "", nil
}

func (p *Page) setFocus(i int) {
	n := len(p.order) + 1
	p.focus = ((i % n) + n) % n
	for k, r := range p.order {
		if k == p.focus {
			p.fields[r].Focus()
		} else {
			p.fields[r].Blur()
		}
	}
	p.sugg, p.suggSel = nil, -1
}

// refocus is where the focus goes when the field of role was, which had
// it, is gone (before is the order of the fields it was in): a field
// left, the nearest after it in the form, else before it, an empty one
// rather than one holding something typed (the next keys go on into it,
// and must not add to another draft); the Send button when none is
// left.
func (p *Page) refocus(before []model.Role, was model.Role) int {
	at := slices.Index(before, was)
	var near []int // the fields left, nearest first
	for _, r := range before[at+1:] {
		if i := slices.Index(p.order, r); i >= 0 {
			near = append(near, i)
		}
	}
	for k := at - 1; k >= 0; k-- {
		if i := slices.Index(p.order, before[k]); i >= 0 {
			near = append(near, i)
		}
	}
	for _, i := range near {
		if strings.TrimSpace(p.fields[p.order[i]].Value()) == "" {
			return i
		}
	}
	if len(near) > 0 {
		return near[0]
	}
	return len(p.order)
}

// lost says, on the status line, which fields are gone since the form
// was read before (before is their order then): those of the roles no
// longer the user's to change that held something typed, or had the
// keys (was). What was typed in them is quoted, never sent, and
// cleared: a field that comes back later comes back empty. Fields gone
// only because a request for their role is pending now say so (the
// refusal shows beside the role, as the model words it): the user may
// change it again once it ends, which "you may no longer change" denied.
func (p *Page) lost(before []model.Role, was model.Role) tea.Cmd {
	var roles []model.Role
	var typed []any
	pending := true
	for _, r := range before {
		if slices.Contains(p.order, r) {
			continue
		}
		f := p.fields[r]
		v := strings.TrimSpace(f.Value())
		if v == "" && r != was {
			continue
		}
		roles = append(roles, r)
		pending = pending && errors.Is(p.perms[r], model.ErrPending)
		if v != "" {
			typed = append(typed, locale.Quoted(text.Quote(v, 40)))
		}
		f.SetValue("")
		f.Err = ""
	}
	if len(roles) == 0 {
		return nil
	}
	ids := [2]string{"tui.contacts.role_lost", "tui.contacts.role_lost_typed"}
	if pending {
		ids = [2]string{"tui.contacts.role_pending", "tui.contacts.role_pending_typed"}
	}
	args := locale.Args{"Roles": model.RoleWords(roles).In(p.c.L), "Service": common.Line(p.service.Name)}
	if len(typed) == 0 {
		return common.Status(p.c.T(ids[0], args))
	}
	args["Typed"] = p.c.L.List(typed...)
	return common.Status(p.c.T(ids[1], args))
}

// gone closes the form when the service is no longer among the user's
// (its last role on it went meanwhile: the read again says "not found",
// services are never removed): back where it was opened from, saying
// so, and quoting what was typed, never sent — not that the service does
// not exist, nor a form left taking keys that nothing can send.
func (p *Page) gone() tea.Cmd {
	var typed []any
	for _, r := range p.order {
		if v := strings.TrimSpace(p.fields[r].Value()); v != "" {
			typed = append(typed, locale.Quoted(text.Quote(v, 40)))
		}
	}
	p.asking = false
	args := locale.Args{"Service": common.Line(p.service.Name)}
	if len(typed) == 0 {
		return p.c.BackSaying(common.Say(p.c.T("tui.contacts.service_lost", args)))
	}
	args["Typed"] = p.c.L.List(typed...)
	return p.c.BackSaying(common.Say(p.c.T("tui.contacts.service_lost_typed", args)))
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			if p.loaded && errors.Is(msg.err, model.ErrNotFound) {
				return p.gone()
			}
			return p.first.Fail(p.c, msg.err, p.loaded)
		}
		p.service, p.perms, p.accts = msg.s, msg.perms, msg.accts
		first := !p.loaded
		sugg, sel := p.sugg, p.suggSel
		was, _ := p.focused() // "": the Send button
		before := slices.Clone(p.order)
		p.loaded = true
		p.order = p.order[:0]
		for _, r := range model.Roles {
			if p.perms[r] == nil {
				if p.fields[r] == nil {
					p.fields[r] = field.New(p.c.Styles, p.c.T("tui.role."+string(r)), p.c.T("tui.contacts.placeholder."+string(r)), 64)
				}
				p.order = append(p.order, r)
			}
		}
		switch at := slices.Index(p.order, was); {
		case first:
			p.setFocus(0)
		case at >= 0:
			// read again (a change, a new language): the focus stays
			// on its role's field, wherever the roles gained or lost
			// put it, and the field keeps the keys, and its
			// suggestions, from the accounts read
			p.setFocus(at)
			p.sugg, p.suggSel = sugg, sel
			if _, f := p.focused(); f != nil {
				p.suggest(f)
			}
		case was == "":
			p.setFocus(len(p.order)) // the Send button stays so
		default:
			// the role of the field that had the keys is no longer the
			// user's to change: its field is gone (said below)
			p.setFocus(p.refocus(before, was))
		}
		var early tea.Cmd
		if !p.sending {
			// the keys typed while the form was sent wait for its answer
			early = p.first.Play(p.c)
		}
		return tea.Batch(common.Read(), early, p.replan(), p.lost(before, was), p.alarm())
	case wakeMsg:
		if msg.wake != p.wake || p.until.IsZero() {
			return nil
		}
		if p.c.Now().Before(p.until) {
			// the wall clock's timer waits a minute at most: again
			return p.c.At(p.until, wakeMsg{wake: p.wake})
		}
		// the request expired: the role is the user's to change again,
		// its field comes back, the others keep what was typed
		p.until = time.Time{}
		return p.Load()
	case planMsg:
		if msg.values != p.planFor || msg.seq != p.planSeq {
			return nil
		}
		p.planning = false
		p.plan = msg.reqs
		p.show(msg.checked)
	case sentMsg:
		p.sending = false
		if len(msg.errs) > 0 || msg.form != nil {
			// nothing was stored: what was typed stays, each refusal
			// beside the field it is about; the plan, the changes the
			// model accepts (none known when the transaction refused)
			p.show(msg.checked)
			p.plan = msg.reqs
			// the keys typed meanwhile were meant for what follows a
			// success: the refusals stay in view, beside their fields
			p.first.Forget()
			return common.Status(p.c.T("tui.contacts.not_sent"))
		}
		for _, r := range p.order {
			p.fields[r].SetValue("")
			p.fields[r].Err = ""
		}
		p.plan, p.planFor = nil, ""
		// One request made: it opens in place of the form, where the
		// user, a party too, confirms it. Several: back to the list.
		// The keys typed while it was sent are played there, as they
		// would had the user waited (after Open: see Model.update).
		said := common.Say(made(p.c, msg.made))
		if len(msg.made) == 1 {
			return tea.Batch(common.Send(common.ChangedMsg{}), p.c.Open(common.OpenRequestMsg{ID: msg.made[0].ID, Replace: true, Status: said}), p.first.Play(p.c))
		}
		return tea.Batch(common.Send(common.ChangedMsg{}), p.c.BackSaying(said), p.first.Play(p.c))
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return nil
}

// alarm sets the form's alarm for the first moment a role's refusal
// passes (model.RetryAt: a request pending on the role expires), when
// it is not set for that moment already: at it, the form reads the
// roles again, and the role pending until then has its field. The
// reason beside a pending role said when it ends at the latest, and
// went on saying it past that moment, until something else made the
// form read again.
func (p *Page) alarm() tea.Cmd {
	var next time.Time
	now := p.c.Now()
	for _, err := range p.perms {
		// a moment passed already, by the session's clock, is none to
		// wait for (a desk's clock behind it): the next read says
		if at := model.RetryAt(err); at.After(now) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	if next.Equal(p.until) {
		return nil
	}
	p.until = next
	p.wake++
	if next.IsZero() {
		return nil
	}
	return p.c.At(next, wakeMsg{wake: p.wake})
}

// made says what was sent, in one status message: the requests made and
// whom each waits for. Several requests name each its own parties ("#9:
// you and zz33333-ovh; #10: you and cd67890-ovh"): one list of every
// party would have the user take the new tech for a party to the change
// of billing.
func made(c *common.Common, rs []model.Request) string {
	ids := make([]string, len(rs))
	var each []string
	for i, r := range rs {
		ids[i] = fmt.Sprintf("#%d", r.ID)
		aw := r.Awaited()
		if len(aw) == 0 {
			continue // nobody to wait for: not waiting
		}
		each = append(each, c.Waiting(aw, [3]string{"tui.contacts.sent_each_item", "tui.contacts.sent_each_item_you", "tui.contacts.sent_each_item_you_and"}, locale.Args{"ID": r.ID}))
	}
	args := locale.Args{"N": len(rs), "IDs": strings.Join(ids, ", ")}
	switch {
	case len(each) == 0:
		return c.T("tui.contacts.sent", args)
	case len(rs) == 1:
		// the others, listed as the language lists them ("…by you and
		// yy22222-ovh and zz33333-ovh", "…a sua confirmação e a de
		// yy22222-ovh e zz33333-ovh"): a comma read as one more party
		// beside "you and yy22222-ovh"
		var others []any
		for _, h := range rs[0].Awaited() {
			if h != c.Me {
				others = append(others, common.H(h))
			}
		}
		// one request: its form agrees with the others awaited ("e a de
		// yy22222-ovh", "e as de yy22222-ovh e zz33333-ovh")
		args["Awaited"], args["N"] = c.L.List(others...), len(others)
		return c.T("tui.contacts.sent_waiting", args)
	}
	args["Each"] = strings.Join(each, c.T("tui.contacts.sent_each_sep"))
	return c.T("tui.contacts.sent_each", args)
}

// Holding reports whether keys typed before the form was read, or while
// it was sent, wait to be played (common.Holder): once it is read, once
// the desk has answered, in the order typed, each reaching what the one
// before it opened (the request made, say).
func (p *Page) Holding() bool { return p.first.Held() }

// ReadHolding reports whether the keys held wait for the first read, not
// for a save (common.Reading).
func (p *Page) ReadHolding() bool { return !p.loaded && p.first.Held() }

// ForgetEarlyKeys drops the keys held (common.Forgetter).
func (p *Page) ForgetEarlyKeys() { p.first.Forget() }

func (p *Page) key(msg tea.KeyPressMsg) tea.Cmd {
	if p.sending || !p.loaded && (p.first.Held() || !key.Matches(msg, p.keys.Leave)) {
		// played once the form is read, or once the desk answers, as if
		// typed then (see common.EarlyKeys.Play); esc, typed first on
		// a form not read yet, leaves at once
		p.first.Hold(msg)
		return nil
	}
	if cmd, ok := p.c.AnswerLeave(&p.asking, msg, p.keys.Discard, p.keys.Stay); ok {
		return cmd
	}
	_, f := p.focused()
	switch {
	case key.Matches(msg, p.keys.Leave):
		switch {
		case p.suggesting():
			// the suggestions first: what was typed stays
			p.sugg, p.suggSel = nil, -1
			return nil
		case p.typed():
			p.asking = true
			return nil
		}
		return p.c.Back()
	case key.Matches(msg, p.keys.Send):
		return p.send()
	case key.Matches(msg, p.keys.Next):
		p.setFocus(p.focus + 1)
		return nil
	case key.Matches(msg, p.keys.Prev):
		p.setFocus(p.focus - 1)
		return nil
	case key.Matches(msg, p.keys.SuggestDown):
		if f != nil && len(p.sugg) > 0 {
			p.suggSel = min(p.suggSel+1, len(p.sugg)-1)
		} else {
			p.setFocus(p.focus + 1)
		}
		return nil
	case key.Matches(msg, p.keys.SuggestUp):
		if f != nil && len(p.sugg) > 0 && p.suggSel >= 0 {
			p.suggSel-- // from the first: none highlighted, enter goes on
		} else {
			p.setFocus(p.focus - 1)
		}
		return nil
	case key.Matches(msg, p.keys.Pick):
		if f == nil {
			return p.send()
		}
		if p.suggSel >= 0 && p.suggSel < len(p.sugg) {
			f.SetValue(string(p.sugg[p.suggSel].Handle))
			p.sugg, p.suggSel = nil, -1
			f.Err = ""
			return p.replan()
		}
		p.setFocus(p.focus + 1)
		return nil
	}
	if f == nil {
		return nil
	}
	changed, cmd := f.Update(msg)
	if !changed {
		return cmd
	}
	p.formErr = ""
	p.suggest(f)
	return tea.Batch(cmd, p.replan())
}

// typed reports whether a field holds something typed, which leaving
// the form would lose.
func (p *Page) typed() bool {
	for _, r := range p.order {
		if strings.TrimSpace(p.fields[r].Value()) != "" {
			return true
		}
	}
	return false
}

// Draft reports whether the form holds something typed (common.Drafter).
func (p *Page) Draft() bool { return p.loaded && p.typed() }

// SetSize sets the form's size.
func (p *Page) SetSize(w, h int) { p.width, p.height = w, h }

// MinSize is the room the form needs (common.Sized): its columns, a
// field at its narrowest, and every line down to its Send button.
func (p *Page) MinSize() (int, int) {
	if !p.loaded {
		return 0, 3
	}
	return 2 + p.labelW() + 1 + curW + 1 + fieldMin, p.lines
}

// Title names the form.
func (p *Page) Title() string { return p.c.T("tui.contacts.title") + " · " + common.Line(p.name) }

// ShortTitles are the form's title without the service, then in a word
// or two (common.ShortTitled): at 80 columns "Modifier les contacts ·
// fontes-arquitetura.pt" has 19 cells beside the tabs.
func (p *Page) ShortTitles() []string {
	return []string{p.c.T("tui.contacts.title"), p.c.T("tui.contacts.short_title")}
}

// Capturing is true but on a form whose first read failed: the form's
// fields have the keys (those typed before it is read too), and only
// esc leaves it (asking first when something was typed), so nothing
// typed is lost to a stray q. A form that could not be read has no
// field: the app's keys act there, as on the owner's form.
func (p *Page) Capturing() bool { return p.loaded || !p.first.Failed() }

// labelW is the width of the roles' labels: the longest of the
// language's, and at least the English one's.
func (p *Page) labelW() int {
	w := 8
	for _, r := range model.Roles {
		w = max(w, common.Width(p.c.T("tui.role."+string(r))))
	}
	return w
}

// View draws the form.
// curW is the width of the current contacts' column; fieldMin, the least
// width of a field.
const (
	curW     = 18
	fieldMin = 16
)

func (p *Page) View() string {
	st := p.c.Styles
	head := st.Title.Render(p.c.T("tui.contacts.title")) + "  " + st.Bold.Render(common.Cut(common.Line(p.name), p.width-30))
	if !p.loaded {
		return head + "\n\n" + p.first.Waiting(p.c)
	}
	head += st.Subtle.Render(" (" + common.Line(model.ServiceType(p.service.Type).In(p.c.L)) + ")")
	var f form
	f.add(kFixed, head)
	f.add(kBlank, "")
	labelW := p.labelW()
	fieldW := min(30, max(fieldMin, p.width-labelW-curW-6))
	f.add(kFixed, "  "+st.Header.Render(common.Fit(p.c.T("tui.contacts.col.role"), labelW))+" "+st.Header.Render(common.Fit(p.c.T("tui.contacts.col.current"), curW))+" "+st.Header.Render(common.Fit(p.c.T("tui.contacts.col.new"), fieldW)))
	for _, r := range model.Roles {
		cur := common.Fit(p.c.HandleYou(p.service.Contact(r)), curW)
		fl := p.fields[r]
		role := p.c.T("tui.role." + string(r))
		if p.perms[r] != nil || fl == nil {
			line := "  " + st.Label.Render(common.Fit(role, labelW)) + " " + cur + " "
			reason := common.WrapMax(p.c.ErrText(p.perms[r]), 0, p.width-labelW-curW-4, common.MsgLines, st.Subtle)
			lines := strings.Split(reason, "\n")
			f.add(kFixed, line+lines[0])
			for _, l := range lines[1:] {
				f.add(kFixed, common.Pad(labelW+curW+4)+l)
			}
			continue
		}
		mark := "  "
		if fl.Focused() {
			mark = "> "
		}
		indent := 2 + labelW + 1 + curW + 1
		// the field, and below it the refusal that does not fit beside it
		fls := strings.Split(mark+st.Label.Render(common.Fit(role, labelW))+" "+cur+" "+fl.View(fieldW, p.width-indent, indent), "\n")
		f.add(kFixed, fls[0])
		if len(fls) > 1 {
			f.begin()
			f.add(kErrFirst, fls[1])
			f.add(kErrMore, fls[2:]...)
			f.end()
		}
		if fl.Focused() && len(p.sugg) > 0 {
			for i, a := range p.sugg {
				line := common.Fit(common.H(a.Handle)+"  "+common.Line(a.Name), fieldW)
				pre := "  "
				if i == p.suggSel {
					pre = "> "
					line = st.SuggestSel.Render(line)
				} else {
					line = st.Suggestion.Render(line)
				}
				f.lines = append(f.lines, formLine{kind: kSugg, text: common.Pad(indent-2) + pre + line, sugg: i})
			}
		}
	}
	f.add(kBlank, "")
	f.add(kFixed, st.Title.Render(p.c.T("tui.contacts.who")))
	// what the plan will show, wrapped (not cut) like the plan: its
	// lines past the first are left out first in little room, so that
	// the form's least height is the same whatever it says
	var ls []string
	say := func(id string) {
		ls = append(ls, strings.Split(common.Wrap(p.c.T(id), 2, p.width, st.Subtle), "\n")...)
	}
	plan := func() {
		for _, r := range p.plan {
			ls = append(ls, strings.Split(common.Wrap(p.c.Change(r), 2, p.width, st.Bold), "\n")...)
			ls = append(ls, strings.Split(common.Wrap(p.c.Parties(r), 4, p.width, st.Value), "\n")...)
		}
	}
	switch {
	case len(p.order) == 0:
		// no field: every role says why beside it (a request pending
		// on the one the user holds), and there is nothing to type
		say("tui.contacts.who_none")
	case len(p.groups()) == 0:
		say("tui.contacts.who_empty")
	case p.refused():
		// Send sends all or nothing: while a change is refused, the
		// accepted ones are no promise, and say so before they show
		say("tui.contacts.who_refused")
		if len(p.plan) > 0 {
			say("tui.contacts.who_refused_rest")
			plan()
		}
	case len(p.plan) > 0:
		plan()
		if p.incomplete() {
			say("tui.contacts.who_incomplete")
		}
	default:
		say("tui.contacts.who_incomplete")
	}
	f.begin()
	f.add(kFixed, ls[0])
	f.add(kWho, ls[1:]...)
	f.end()
	if p.formErr != "" {
		ls := strings.Split(common.WrapMax("! "+p.formErr, 2, p.width, common.MsgLines, st.Error), "\n")
		f.begin()
		f.add(kFormErrFirst, ls[0])
		f.add(kFormErr, ls[1:]...)
		f.end()
	}
	if p.asking {
		// in place of the blank line and the button: the form's height
		// stays the same
		f.add(kFixed, st.Error.Render(common.Cut(p.c.T("tui.contacts.leave_ask"), p.width)),
			st.Subtle.Render(common.Cut("  "+p.c.T("tui.contacts.leave_keys"), p.width)))
	} else {
		btn := "[ " + p.c.T("tui.contacts.send") + " ]"
		if p.sending {
			btn = "[ " + p.c.T("tui.contacts.sending") + " ]"
		}
		if p.focus == len(p.order) {
			btn = "> " + st.FocusButton.Render(btn)
		} else {
			btn = "  " + st.Button.Render(btn)
		}
		keys := "tui.contacts.keys"
		if p.suggesting() {
			// esc closes them first: "esc leave" would have the user
			// type the answer to a question not asked into the field
			keys = "tui.contacts.keys_suggesting"
		}
		f.add(kBlank, "")
		f.add(kFixed, btn+st.Subtle.Render("  "+p.c.T(keys)))
	}
	p.lines = f.count(kFixed) + f.count(kBlank)
	if p.height > 0 {
		f.fit(p.height, p.suggSel, p.width)
	}
	return f.String()
}

// The kinds of a form's lines. What the user types changes how many
// lines the form takes (suggestions, a plan, refusals): the form's least
// height (MinSize) counts only its fixed lines and its blank ones, and
// in less room than all the others need they are left out, in this
// order — the blank lines (room for three suggestions, or the plan's
// lines, at the least height), the plan's lines past its first, the
// form's refusal past its first line, a field's refusal past its first
// line, the suggestions furthest from the one highlighted, then the
// first lines of the refusals —
// so that a key typed never makes the window too small for the form.
const (
	kFixed = iota
	kBlank
	kWho
	kFormErr
	kSugg
	kErrMore
	kFormErrFirst
	kErrFirst
)

type formLine struct {
	kind int
	text string
	sugg int // a suggestion's index
	// block: the text of several lines it is a line of (a refusal, the
	// plan), 0 when none: one left out only in part ends with "…"
	block int
}

// form is the form's lines as drawn, each of a kind.
type form struct {
	lines  []formLine
	blocks int // the last block begun
	in     bool
}

func (f *form) add(kind int, texts ...string) {
	block := 0
	if f.in {
		block = f.blocks
	}
	for _, t := range texts {
		f.lines = append(f.lines, formLine{kind: kind, text: t, block: block})
	}
}

// begin and end bracket the lines of one text (a block).
func (f *form) begin() { f.blocks, f.in = f.blocks+1, true }
func (f *form) end()   { f.in = false }

func (f *form) count(kind int) int {
	n := 0
	for _, l := range f.lines {
		if l.kind == kind {
			n++
		}
	}
	return n
}

// fit leaves lines out, kind by kind, until the form takes at most h
// lines; the fixed lines stay. A text of several lines that loses some
// of them ends its last line kept with "…" (in width cells), so that no
// refusal is cut mid-sentence without a word.
func (f *form) fit(h, sel, width int) {
	cut := map[int]bool{}
	for _, kind := range []int{kBlank, kWho, kFormErr, kErrMore, kSugg, kFormErrFirst, kErrFirst} {
		for len(f.lines) > h {
			i := f.next(kind, sel)
			if i < 0 {
				break
			}
			if b := f.lines[i].block; b != 0 {
				cut[b] = true
			}
			f.lines = append(f.lines[:i], f.lines[i+1:]...)
		}
	}
	for i := len(f.lines) - 1; i >= 0; i-- {
		if b := f.lines[i].block; cut[b] {
			f.lines[i].text = common.Cut(f.lines[i].text+"…", width)
			delete(cut, b)
		}
	}
}

// next is the line of kind to leave out next: the last one, or of the
// suggestions the one furthest from sel, the highlighted one (-1: none
// is left).
func (f *form) next(kind, sel int) int {
	at, far := -1, -1
	for i, l := range f.lines {
		if l.kind != kind {
			continue
		}
		d := 0
		if kind == kSugg {
			d = max(l.sugg-sel, sel-l.sugg)
		}
		if d >= far {
			at, far = i, d
		}
	}
	return at
}

func (f *form) String() string {
	ls := make([]string, len(f.lines))
	for i, l := range f.lines {
		ls[i] = l.text
	}
	return strings.Join(ls, "\n")
}

// incomplete reports whether a filled field holds what is not yet a
// handle: the plan leaves it out until it is one.
func (p *Page) incomplete() bool {
	_, rest := handles(p.groups())
	return rest
}

// handles keeps the groups of gs whose new contact is shaped like a
// handle (those the model is asked about); rest reports whether any
// other is left (a field still being typed).
func handles(gs []group) (whole []group, rest bool) {
	for _, g := range gs {
		if _, err := model.ParseHandle(g.to); err == nil {
			whole = append(whole, g)
		} else {
			rest = true
		}
	}
	return whole, rest
}

// refused reports whether the model refused what was typed.
func (p *Page) refused() bool {
	if p.formErr != "" {
		return true
	}
	for _, r := range p.order {
		if p.fields[r].Err != "" {
			return true
		}
	}
	return false
}

// ShortHelp lists the main keys.
func (p *Page) ShortHelp() []key.Binding {
	if p.asking {
		return []key.Binding{p.keys.Discard, p.keys.Stay}
	}
	if p.unread() {
		return []key.Binding{p.c.Keys.Back} // nothing to leave unsent
	}
	return []key.Binding{p.keys.Next, p.keys.Pick, p.keys.Send, p.esc()}
}

// unread reports whether the form's first read failed: it says it
// could not be read, and has no field (ctrl+r reads it again).
func (p *Page) unread() bool { return !p.loaded && p.first.Failed() }

// suggesting reports whether suggestions show under the field that has
// the keys: esc then closes them, and does not leave.
func (p *Page) suggesting() bool {
	_, f := p.focused()
	return f != nil && len(p.sugg) > 0
}

// esc is what esc does now: close the suggestions, or leave.
func (p *Page) esc() key.Binding {
	if p.suggesting() {
		return p.keys.Close
	}
	return p.keys.Leave
}

// FullHelp lists every key of the form.
func (p *Page) FullHelp() [][]key.Binding {
	if p.asking {
		return [][]key.Binding{{p.keys.Discard, p.keys.Stay}}
	}
	if p.unread() {
		return [][]key.Binding{{p.c.Keys.Back}}
	}
	return [][]key.Binding{
		{p.keys.Next, p.keys.Prev, p.keys.SuggestDown, p.keys.SuggestUp},
		{p.keys.Pick, p.keys.Send, p.esc()},
	}
}
