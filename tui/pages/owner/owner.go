// Package owner is the owner details form of a domain: holder, postal
// address, phone and e-mail. Its admin edits them; anyone else holding a
// role on the domain reads them, with the reason they can't change them.
// Changed meanwhile (another session, the command line), a field not
// touched follows; one typed in keeps what was typed, the new value said
// beside it, and the first save asks to be made again, so that nobody
// overwrites unawares what someone else just saved. A save that comes
// before the form heard of such a change is refused by the desk, which
// is given the details as the form read them (model.OwnerChange.Was),
// and the form then tells as it would have.
package owner

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/field"
)

// KeyMap is the form's keys.
type KeyMap struct {
	Next, Prev, Save, Leave key.Binding
	// Back is esc where nothing can be edited, said as the page says
	// it ("esc back"): "leave" read, in Portuguese and French, as q's
	// "quit" ("esc sair · q sair")
	Back key.Binding
	// Discard and Stay answer the question esc asks when something was
	// changed (as Edit contacts asks)
	Discard, Stay key.Binding
}

func newKeyMap(c *common.Common) KeyMap {
	return KeyMap{
		Next:    key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", c.T("tui.key.next_field"))),
		Prev:    key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", c.T("tui.key.prev_field"))),
		Save:    key.NewBinding(key.WithKeys("ctrl+s", "enter"), key.WithHelp("enter/ctrl+s", c.T("tui.owner.key.save"))),
		Leave:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", c.T("tui.owner.key.leave"))),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", c.T("tui.key.back"))),
		Discard: c.Yes(c.T("tui.contacts.key.discard")),
		Stay:    key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", c.T("tui.contacts.key.stay"))),
	}
}

// the model's names of the fields, in display order
var names = []string{"holder", "address", "phone", "email"}

// Page is the owner details form.
type Page struct {
	c        *common.Common
	keys     KeyMap
	name     string
	service  model.Service
	loaded   bool
	first    common.FirstRead // the keys pressed before the service is read, and whether that read failed
	editable bool
	fields   []*field.Model
	focus    int
	formErr  string
	formE    error // the refusal formErr says
	saving   bool

	// base is what each field was given from the desk, as it holds it:
	// a field holding something else was typed in
	base []string
	// moved marks the fields whose stored value changed under what
	// was typed there; told, those a save was refused for once
	// since (the next saves what is typed)
	moved, told []bool
	// recheck is a save the desk refused for a field saved by someone
	// else after the form last read it: the reload it asked for tells
	recheck bool

	// asking is esc's question, something changed: leave, and lose it?
	asking bool
	seq    int
	width  int
	height int
	// minW and lines are the least width of the form and how many
	// lines it took, as last drawn
	minW, lines int
}

// New returns the form for a domain.
func New(c *common.Common, service string) *Page {
	p := &Page{c: c, keys: newKeyMap(c), name: service,
		base: make([]string, len(names)), moved: make([]bool, len(names)), told: make([]bool, len(names))}
	limits := []int{model.MaxNameLen, model.MaxAddressLen, model.MaxPhoneLen, model.MaxEmailLen}
	for i, n := range names {
		p.fields = append(p.fields, field.New(c.Styles, c.T("tui.owner.label."+n), "", limits[i]))
	}
	p.first.Fields = true // a q, a digit typed ahead are letters (Capturing)
	return p
}

// Relang makes the form speak c's language, what was typed and the
// focus kept (common.Relanger).
func (p *Page) Relang(c *common.Common) tea.Cmd {
	p.c, p.keys = c, newKeyMap(c)
	for i, n := range names {
		p.fields[i].Relang(c.T("tui.owner.label."+n), "", c.ErrText)
	}
	if p.formE != nil {
		p.formErr = c.ErrText(p.formE)
	}
	return nil
}

type (
	loadedMsg struct {
		seq int
		s   model.Service
		err error
	}
	savedMsg struct {
		s   model.Service
		err error
	}
)

// Load reads the owner details.
func (p *Page) Load() tea.Cmd {
	p.seq++
	p.first.Start() // loading again, after a failure
	seq, c, name := p.seq, p.c, p.name
	return common.Do(func() tea.Msg {
		s, err := c.Desk.Owner(c.Ctx, c.Me, name)
		return loadedMsg{seq: seq, s: s, err: err}
	})
}

func (p *Page) values() []string {
	if p.service.Owner == nil {
		return make([]string, 4)
	}
	o := p.service.Owner
	return []string{o.Holder, o.Address, o.Phone, o.Email}
}

// Draft reports whether a field holds something other than what was
// read (common.Drafter).
func (p *Page) Draft() bool {
	if !p.loaded {
		return false
	}
	for i, v := range p.values() {
		if p.fields[i].Value() != common.Line(v) {
			return true
		}
	}
	return false
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			return p.first.Fail(p.c, msg.err, p.loaded)
		}
		old := p.values()
		first := !p.loaded
		p.service, p.loaded = msg.s, true
		p.editable = msg.s.Admin == p.c.Me
		// a reload keeps what was typed, and takes what was not touched
		for i, v := range p.values() {
			f := p.fields[i]
			switch {
			case first || f.Value() == p.base[i]:
				f.SetValue(v)
				p.base[i] = f.Value()
				p.moved[i], p.told[i] = false, false
			case v != old[i]:
				// changed under what was typed there: said beside the
				// field (unless what was typed is the new value), and
				// the next save is refused once, saying so
				p.moved[i], p.told[i] = !p.same(i, f.Value()), false
			}
		}
		if first && p.editable {
			p.setFocus(0)
		}
		var early tea.Cmd
		if !p.saving {
			// the keys typed while a save is under way wait for its answer
			early = p.first.Play(p.c)
		}
		return tea.Batch(common.Read(), early, p.sayTold())
	case savedMsg:
		p.saving = false
		if msg.err != nil {
			// the keys typed meanwhile were meant for what follows a
			// success: the refusal stays in view
			p.first.Forget()
		}
		if errors.Is(msg.err, model.ErrChanged) {
			// saved by someone else after the form last read it, and
			// before it heard so: read again, then tell as a reload
			// under what was typed tells (see sayTold)
			p.recheck = true
			return p.Load()
		}
		if msg.err != nil {
			p.formErr = ""
			placed := false
			for i, n := range names {
				if model.FieldOf(msg.err) == n {
					p.fields[i].Refuse(msg.err, p.c.ErrText)
					placed = true
				}
			}
			if !placed {
				p.formErr, p.formE = p.c.ErrText(msg.err), msg.err
			}
			return common.Status(p.c.T("tui.owner.not_saved"))
		}
		p.service = msg.s
		// the keys typed while it was saved are played on the screen
		// the form goes back to, as they would had the user waited
		return tea.Batch(common.Send(common.ChangedMsg{}), p.c.BackSaying(common.Say(p.c.T("tui.owner.saved", locale.Args{"Service": common.Line(msg.s.Name)}))), p.first.Play(p.c))
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return nil
}

func (p *Page) setFocus(i int) {
	n := len(p.fields)
	p.focus = ((i % n) + n) % n
	for k, f := range p.fields {
		if k == p.focus {
			f.Focus()
		} else {
			f.Blur()
		}
	}
}

// Holding reports whether keys typed before the service was read, or
// while a save was under way, wait to be played (common.Holder): the
// keys typed after them wait too, the app's own included (tab, a digit,
// @), to reach the form's fields once it is read, or the screen it goes
// back to once saved, as they would had the user waited.
func (p *Page) Holding() bool { return p.first.Held() }

// ReadHolding reports whether the keys held wait for the first read, not
// for a save (common.Reading).
func (p *Page) ReadHolding() bool { return !p.loaded && p.first.Held() }

// ForgetEarlyKeys drops the keys held (common.Forgetter).
func (p *Page) ForgetEarlyKeys() { p.first.Forget() }

func (p *Page) key(msg tea.KeyPressMsg) tea.Cmd {
	if !p.loaded && (p.first.Held() || !key.Matches(msg, p.keys.Leave)) {
		// played once the service is read, as if typed then (see
		// common.EarlyKeys.Play); esc, typed first, leaves at once
		p.first.Hold(msg)
		return nil
	}
	if p.saving {
		p.first.Hold(msg) // played once the desk answers
		return nil
	}
	if cmd, ok := p.c.AnswerLeave(&p.asking, msg, p.keys.Discard, p.keys.Stay); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, p.keys.Leave):
		if p.editable && !p.saving && p.Draft() {
			p.asking = true
			return nil
		}
		return p.c.Back()
	case !p.editable:
		return nil
	case key.Matches(msg, p.keys.Next):
		p.setFocus(p.focus + 1)
	case key.Matches(msg, p.keys.Prev):
		p.setFocus(p.focus - 1)
	case key.Matches(msg, p.keys.Save):
		return p.save()
	default:
		f := p.fields[p.focus]
		changed, cmd := f.Update(msg)
		if changed {
			p.formErr = ""
			if p.same(p.focus, f.Value()) {
				// typed as it now is: the user took the new value in
				p.moved[p.focus] = false
			}
		}
		return cmd
	}
	return nil
}

// sayTold says, after the reload a refused save asked for (recheck),
// which fields were saved by someone else under what was typed: their
// new values show beside them, and the next save saves what is typed.
func (p *Page) sayTold() tea.Cmd {
	if !p.recheck {
		return nil
	}
	p.recheck = false
	var stale []any
	for i, f := range p.fields {
		if p.moved[i] {
			stale = append(stale, f.Label)
			p.told[i] = true
		}
	}
	if len(stale) == 0 {
		// changed, and back again since: nothing to show beside a field
		return common.Status(p.c.T("tui.owner.not_saved"))
	}
	return common.Status(p.c.T("tui.owner.not_saved_meanwhile", locale.Args{"N": len(stale), "Fields": p.c.L.List(stale...)}))
}

// checks are the model's checks of the owner details, in the fields'
// order (SetOwner stops at the first refusal).
var checks = model.OwnerChecks

// same reports whether typed is field i's stored value, as typed or as
// the model writes it ("+351 210 000 999" stored as the model spells it).
func (p *Page) same(i int, typed string) bool {
	v := p.values()[i]
	if typed == common.Line(v) {
		return true
	}
	n, err := checks[i](typed)
	return err == nil && n == v
}

// meanwhile reports whether field i's stored value changed under what
// is typed there, and differs from it.
func (p *Page) meanwhile(i int) bool { return p.moved[i] && !p.same(i, p.fields[i].Value()) }

// save sends the fields that changed. Each is checked first, as the
// model checks it: every refusal is shown beside its field at once (the
// model tells of the first only), and nothing is sent.
func (p *Page) save() tea.Cmd {
	var ch model.OwnerChange
	ptrs := []**string{&ch.Holder, &ch.Address, &ch.Phone, &ch.Email}
	changed, refused := false, false
	for i, v := range p.values() {
		f := p.fields[i]
		f.Err = ""
		if nv := f.Value(); nv != v {
			if _, err := checks[i](nv); err != nil {
				f.Refuse(err, p.c.ErrText)
				refused = true
			}
			*ptrs[i] = &nv
			changed = true
		}
	}
	if refused {
		p.formErr, p.formE = "", nil
		return common.Status(p.c.T("tui.owner.not_saved"))
	}
	// a field whose stored value changed under what was typed there:
	// the first save says so, the value beside the field; the next
	// saves what is typed, nothing typed being lost either way
	var stale []any
	for i, f := range p.fields {
		if p.meanwhile(i) && !p.told[i] {
			stale = append(stale, f.Label)
			p.told[i] = true
		}
	}
	if len(stale) > 0 {
		return common.Status(p.c.T("tui.owner.not_saved_meanwhile", locale.Args{"N": len(stale), "Fields": p.c.L.List(stale...)}))
	}
	if !changed {
		return p.c.BackSaying(common.Say(p.c.T("tui.owner.unchanged")))
	}
	// the desk refuses it if a field it changes was saved by someone
	// else since the form read it, though the reload saying so has not
	// come yet (ErrChanged)
	if p.service.Owner != nil {
		was := *p.service.Owner
		ch.Was = &was
	}
	p.saving = true
	c, name := p.c, p.name
	return common.Do(func() tea.Msg {
		s, err := c.Desk.SetOwner(c.Ctx, c.Me, name, ch)
		return savedMsg{s: s, err: err}
	})
}

// SetSize sets the form's size.
func (p *Page) SetSize(w, h int) { p.width, p.height = w, h }

// MinSize is the room the form needs (common.Sized): its labels and a
// field at its narrowest, and every line down to its keys.
func (p *Page) MinSize() (int, int) {
	if !p.loaded {
		return 0, 3
	}
	return p.minW, p.lines
}

// Title names the form.
func (p *Page) Title() string { return p.c.T("tui.owner.title") + " · " + common.Line(p.name) }

// ShortTitles are the form's title without the service, then in a word
// (common.ShortTitled): at 80 columns "Coordonnées du propriétaire ·
// fontes-arquitetura.pt" was cut beside the tabs.
func (p *Page) ShortTitles() []string {
	return []string{p.c.T("tui.owner.title"), p.c.T("tui.owner.short_title")}
}

// PasteKeeps is the focused field's (common.PasteKeeper): a holder's
// name or an address pasted between words stays apart from them.
func (p *Page) PasteKeeps() (lead, trail bool) {
	if !p.Capturing() {
		return false, false
	}
	return p.fields[p.focus].PasteKeeps()
}

// Capturing reports whether a field has the keys (the admin's form), or
// will have them once the service is read: until then the form keeps
// every key, the app's too (tab, a digit, @), for its fields, should
// the user be its admin, and plays them once it knows (see Holding).
func (p *Page) Capturing() bool { return p.loaded && p.editable || !p.loaded && !p.first.Failed() }

// View draws the form.
func (p *Page) View() string {
	st := p.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render(p.c.T("tui.owner.title")) + "  " + st.Bold.Render(common.Cut(common.Line(p.name), p.width-20)) + "\n\n")
	if !p.loaded {
		b.WriteString(p.first.Waiting(p.c))
		return b.String()
	}
	labelW := 9 // the labels' width: at least the English one's
	for _, f := range p.fields {
		labelW = max(labelW, common.Width(f.Label)+1)
	}
	fieldW := max(20, min(60, p.width-labelW-4))
	refusals := 0 // the lines of refusals and notes, which come and go with what is typed
	values := p.values()
	for i, f := range p.fields {
		f.Note = ""
		if p.meanwhile(i) {
			f.Note = p.c.T("tui.owner.changed_meanwhile", locale.Args{"Value": common.Line(values[i])})
			if values[i] == "" {
				f.Note = p.c.T("tui.owner.emptied_meanwhile")
			}
		}
		mark := "  "
		if p.editable && i == p.focus {
			mark = "> "
		}
		label := st.Label.Render(common.Fit(f.Label, labelW))
		if p.editable {
			v := f.View(fieldW, p.width-labelW-3, labelW+3)
			refusals += strings.Count(v, "\n")
			b.WriteString(mark + label + " " + v + "\n")
		} else {
			v := common.Cut(common.Line(f.Value()), p.width-labelW-3)
			if strings.TrimSpace(v) == "" {
				// a detail not given: said, as the command line says
				// it, not a blank that reads as one still loading
				v = st.Subtle.Render("-")
			}
			b.WriteString(mark + label + " " + v + "\n")
		}
	}
	if p.asking {
		// in place of the blank line, and of the keys' line below: the
		// form's height stays the same
		b.WriteString(st.Error.Render(common.Cut(p.c.T("tui.contacts.leave_ask"), p.width)))
	}
	b.WriteString("\n")
	if p.formErr != "" {
		e := common.WrapMax("! "+p.formErr, 2, p.width, common.MsgLines, st.Error)
		refusals += strings.Count(e, "\n") + 1
		b.WriteString(e + "\n")
	}
	switch {
	case p.asking:
		b.WriteString(st.Subtle.Render(common.Cut("  "+p.c.T("tui.contacts.leave_keys"), p.width)))
	case p.editable:
		b.WriteString(st.Subtle.Render(common.Cut("  "+p.c.T("tui.owner.keys"), p.width)))
	default:
		b.WriteString(common.WrapMax(p.c.T("err.owner.admin_only", locale.Args{"Service": common.Line(p.service.Name), "Admin": common.H(p.service.Admin)}), 2, p.width, common.MsgLines, st.Subtle) + "\n")
		b.WriteString(st.Subtle.Render("  " + p.c.T("tui.owner.back")))
	}
	p.minW = labelW + 3 + 20
	out := b.String()
	// the least height leaves the refusals out: a save refused never
	// makes the window too small (in less room, the bottom lines are
	// left out until the refusal is gone)
	p.lines = strings.Count(out, "\n") + 1 - refusals
	return out
}

// ShortHelp lists the main keys.
func (p *Page) ShortHelp() []key.Binding {
	if p.asking {
		return []key.Binding{p.keys.Discard, p.keys.Stay}
	}
	if !p.editable {
		return []key.Binding{p.keys.Back}
	}
	return []key.Binding{p.keys.Next, p.keys.Save, p.keys.Leave}
}

// FullHelp lists every key of the form.
func (p *Page) FullHelp() [][]key.Binding {
	if p.asking {
		return [][]key.Binding{{p.keys.Discard, p.keys.Stay}}
	}
	if !p.editable {
		return [][]key.Binding{{p.keys.Back}}
	}
	return [][]key.Binding{{p.keys.Next, p.keys.Prev}, {p.keys.Save, p.keys.Leave}}
}
