// Package listpage is what the list screens share, as gh-dash's section
// base: the table, the "/" filter, the reads of the list (one at a time,
// a long list's first page first), the head with its counts, the keys
// that move and open, and the mouse. A list screen (Services, Requests,
// Mailbox, a service's History, the account picker) holds one List and
// adds its own keys and narrowing.
package listpage

import (
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"contactdesk/locale"
	"contactdesk/tui/common"
	"contactdesk/tui/components/filter"
	"contactdesk/tui/components/table"
	"contactdesk/tui/styles"
)

// Entry is one item of a list as the list holds it: the item, its row
// (cells cleaned and cut once), and the text the filter searches (the
// list folds it, see common.Fold).
type Entry[T any] struct {
	Item T
	Row  table.Row
	Hay  string
}

// Got is what one read of a list brought.
type Got[T any] struct {
	Entries []Entry[T]
	// More says Entries are a long list's first page: the whole list is
	// read next, once the session's first frame is complete.
	More bool
	// Older says the read left the list's older entries out: a long
	// list read a page at a time, newest first. Spec.Older reads more.
	Older bool
	// Tag is the screen's own note on the read: how it sorted the
	// entries, what it counted.
	Tag int
	Err error
}

// Read reads a list; it runs in a command.
type Read[T any] func() Got[T]

// Spec is what a list screen tells its List.
type Spec[T any] struct {
	// Title heads the screen; Subject, drawn bold after it, says what
	// the list is of (a service's name).
	Title, Subject string
	// Legend explains the marks, at the right of the head when it fits.
	Legend string
	// Info is the head's counts: shown of total; none ("") while there
	// is nothing to count. It is not asked before a read has answered
	// (List.Unknown): Ahead is, what the head says until then.
	Info func(shown, total int) string
	// Ahead is what the head says before any read has answered: what
	// the list is narrowed to, known before it is read ("state: all"),
	// and no count; nil: nothing.
	Ahead func() string
	// None is what an empty list says (it may take several lines);
	// NoMatch, what a filter that matches nothing says.
	None, NoMatch string
	// Keep narrows the list further than the filter (nil: keeps all).
	Keep func(e *Entry[T]) bool
	// Narrowed says, when Keep narrows the list (a state, a role), how
	// to widen it again: shown under NoMatch, beside the filter's esc,
	// so that a list shown empty says what to press. "": not narrowed.
	Narrowed func() string
	// Landed sees a read's entries before the list takes them (to sort
	// them again, count them); it runs in the program's loop.
	Landed func(g *Got[T])
	// Open is the key that opens the selected row (a second click too);
	// OnOpen, what it does.
	Open   key.Binding
	OnOpen func(e *Entry[T]) tea.Cmd
	// Row are the screen's own keys that act on the selected row (a
	// service's owner details, its history): typed before the first
	// rows are read, they wait for them, as the keys that move and open
	// do.
	Row []key.Binding
	// Retime writes an entry's relative times again for now (see
	// List.Retime); nil: its row holds none.
	Retime func(now time.Time, e *Entry[T])
	// FollowTop keeps the cursor on the first row when the list is read
	// again, until the user moves it (the newest mail stays selected).
	FollowTop bool
	// Filter, when set, is the list's filter (one that always has the
	// keys, say); else the list has the "/" filter.
	Filter *filter.Model
	// Older reads more of a list whose read left its older entries out
	// (Got.Older): the next page, when the cursor reaches the last row;
	// the whole list (all), when the filter is given a query, as a
	// filter searches the whole list.
	Older func(all bool) tea.Cmd
}

// List is a list screen's shared part.
type List[T any] struct {
	c      *common.Common
	spec   Spec[T]
	paint  struct{ title, bold, subtle styles.Paint }
	Table  *table.Model
	Filter *filter.Model

	all  []Entry[T]
	rows []table.Row // the rows shown, in the memory of the previous ones

	reload    func() tea.Cmd
	whole     Read[T] // the read of the whole list, after a first page
	reads     common.Reads
	loaded    bool // the whole list is in all
	partial   bool // all holds the first page only; the rest is on its way
	err       error
	moved     bool // the user moved the cursor
	older     bool // the last read left older entries out (Got.Older)
	asked     bool // Spec.Older was asked since the last read landed
	toEnd     bool // end (G) pressed since: to the last row, once more are read
	early     common.EarlyKeys
	width     int
	height    int
	headLines int // the lines the head took when last drawn

	// failed: the first read failed; the keys typed since are not kept
	// for a later read (early: those typed before the first rows were
	// read, played once they are, or once the read fails, see Holding)
	failed bool

	// want is the row Select asked for, while wanted: the cursor goes
	// to it as soon as it shows, unless the user moves the cursor first
	want   int64
	wanted bool
}

// New returns a list with spec's columns; reload is the screen's Load
// (a Load asked while a read is under way runs once it lands).
func New[T any](c *common.Common, spec Spec[T], reload func() tea.Cmd, cols ...table.Column) *List[T] {
	l := &List[T]{c: c, spec: spec, reload: reload, Table: table.New(c.Styles, cols...), Filter: spec.Filter, headLines: 1}
	if l.Filter == nil {
		l.Filter = filter.New(c.Styles, c.L)
	}
	// the head is drawn at every frame, for each key press
	l.paint.title, l.paint.bold, l.paint.subtle = styles.PaintOf(c.Styles.Title), styles.PaintOf(c.Styles.Bold), styles.PaintOf(c.Styles.Subtle)
	l.Table.Empty = c.T("tui.loading")
	return l
}

// Relang makes the list speak c's language in place, with spec and cols
// written in it: what it holds (its entries, filter, cursor and scroll)
// is kept, and its rows are written again by the next read.
func (l *List[T]) Relang(c *common.Common, spec Spec[T], cols ...table.Column) {
	l.c = c
	if spec.Filter == nil {
		l.Filter.Relang(c.L)
	} else {
		l.Filter = spec.Filter
	}
	l.spec = spec
	if len(cols) > 0 {
		l.Table.Retitle(cols...)
	}
	l.Apply()
}

// gotMsg brings a read's entries back to the list that asked.
type gotMsg[T any] struct {
	seq int
	Got[T]
	fit    []int // the Fit columns measured
	widths []int
}

// Load reads the list again, one read at a time. The first time, when
// first is not nil, it reads a long list's first page and shows it, then
// whole; after that, whole, the old list staying on screen until the new
// one is there.
func (l *List[T]) Load(first, whole Read[T]) tea.Cmd {
	seq, ok := l.reads.Begin()
	if !ok {
		return nil
	}
	l.Table.Empty = l.emptyText(l.Table.Len()) // "loading…" again, after a failure
	l.failed = false
	read := whole
	l.whole = whole
	if first != nil && !l.loaded && !l.partial {
		read = first
	}
	return l.run(seq, read)
}

func (l *List[T]) run(seq int, read Read[T]) tea.Cmd {
	fit := l.Table.Fitting()
	return common.Do(func() tea.Msg {
		g := read()
		// the filter compares folded text: "joao" finds João, "confirmacao"
		// a mail's "Confirmação" (folded here, off the screen's loop)
		for i := range g.Entries {
			g.Entries[i].Hay = common.Fold(g.Entries[i].Hay)
		}
		msg := gotMsg[T]{seq: seq, Got: g, fit: fit}
		if g.Err == nil && len(fit) > 0 {
			rows := make([]table.Row, len(g.Entries))
			for i := range g.Entries {
				rows[i] = g.Entries[i].Row
			}
			msg.widths = table.Widest(rows, fit)
		}
		return msg
	})
}

// Update handles what the list knows: its reads landing, the filter's
// keys, the keys that move and open, the mouse on the table. It reports
// whether it used msg; the screen handles what it did not.
func (l *List[T]) Update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case gotMsg[T]:
		return l.landed(msg), true
	case tea.KeyPressMsg:
		if l.early.Held() {
			// behind the keys kept: played after them, in the order typed
			l.early.Hold(msg)
			return nil, true
		}
		if cmd, used := l.Filter.Key(msg, l.Apply); used {
			l.toEnd = false
			return tea.Batch(cmd, l.readOlder()), true
		}
		if l.empty() && !l.failed && (l.Table.HandleKey(msg, l.c.Keys) || l.spec.OnOpen != nil && key.Matches(msg, l.spec.Open) || key.Matches(msg, l.spec.Row...)) {
			// played on the first rows read, as if typed then: a key
			// that moves, opens, or acts on the row the cursor will be
			// on (see Holding)
			l.early.Hold(msg)
			return nil, true
		}
		if l.Table.HandleKey(msg, l.c.Keys) {
			l.moved, l.wanted = true, false
			l.toEnd = l.asked && key.Matches(msg, l.c.Keys.End)
			return l.readOlder(), true
		}
		if l.spec.OnOpen != nil && key.Matches(msg, l.spec.Open) {
			return l.open(), true
		}
	case common.MouseMsg:
		if msg.Part != "table" {
			return nil, false
		}
		before := l.Table.Cursor()
		activate := l.Table.HandleMouse(msg.Mouse)
		if l.Table.Cursor() != before {
			l.moved, l.wanted, l.toEnd = true, false, false
		}
		if activate {
			return l.open(), true
		}
		return l.readOlder(), true
	}
	return nil, false
}

func (l *List[T]) landed(msg gotMsg[T]) tea.Cmd {
	if !l.reads.Current(msg.seq) {
		return nil
	}
	if msg.Err != nil {
		l.err = msg.Err
		if l.empty() {
			// "could not be read": the keys typed for it are not
			// kept for a later read, and those held are played now,
			// on the list saying so, as if typed once it did: it is
			// a screen the keys work on (the app's, the filter, the
			// sort), where a key that opens or acts on a row has
			// none to act on and opens nothing, so the keys after it
			// mean what they say there. A q typed ahead quits, after
			// an enter too: played as a sub-view's are
			// (common.EarlyKeys.Abandon), it was dropped with the
			// enter before it.
			l.failed = true
			l.replay()
		}
		again := l.reads.End()
		l.Table.Empty = l.emptyText(l.Table.Len())
		if again {
			return tea.Batch(common.ReadFailed(msg.Err), l.reload())
		}
		return common.ReadFailed(msg.Err)
	}
	l.err = nil
	if l.spec.Landed != nil {
		l.spec.Landed(&msg.Got)
	}
	if len(msg.fit) > 0 {
		l.Table.SetFit(msg.fit, msg.widths)
	}
	grew := len(msg.Entries) > len(l.all)
	l.all = msg.Entries
	if msg.More {
		l.partial = true
		l.Apply()
		var early tea.Cmd
		if !l.empty() {
			// a first page of rows: the keys act on it (a count alone,
			// the Requests' and the Mailbox's, has none to act on)
			early = l.replay()
		}
		l.reads.Forget() // the whole list, read next, is newer still
		// No common.Read yet: only the whole list, read next, says the
		// list reads fine (and an answer that came first would clear the
		// error of that read, if it failed first).
		return tea.Batch(early, common.Later(l.run(msg.seq, l.whole)))
	}
	l.loaded, l.partial = true, false
	l.older, l.asked = msg.Older, false
	l.Apply()
	if l.toEnd && grew && l.Table.Len() > 0 {
		// the end the user asked for while these were read
		l.toEnd = false
		l.Table.SetCursor(l.Table.Len() - 1)
	}
	early := l.replay()
	// a filter typed, or the cursor taken to the last row, before the
	// read landed: its older entries are read next (before End, so that
	// the read they ask for comes once this one is done)
	older := l.readOlder()
	if l.reads.End() {
		return tea.Batch(common.Read(), early, older, l.reload())
	}
	return tea.Batch(common.Read(), early, older)
}

// readOlder asks the screen for the older entries its last read left
// out, once: the next page when the cursor is on the last row, the whole
// list when the filter has a query.
func (l *List[T]) readOlder() tea.Cmd {
	if !l.older || l.asked || l.spec.Older == nil {
		return nil
	}
	all := l.Filter.Query() != ""
	if !all && (l.Table.Len() == 0 || l.Table.Cursor() < l.Table.Len()-1) {
		return nil
	}
	l.asked = true
	return l.spec.Older(all)
}

// Older reports whether the last read left older entries out.
func (l *List[T]) Older() bool { return l.older }

// ForgetEarlyKeys drops the keys that waited for the first rows: the user
// left the list (see common.Forgetter).
func (l *List[T]) ForgetEarlyKeys() { l.early.Forget() }

// Holding reports whether keys typed before the first rows were read
// wait to be played (common.Holder): the keys typed after them wait
// too, the app's own included (a tab's digit, @, tab), so that each
// reaches what the one before it opened once the rows are read.
func (l *List[T]) Holding() bool { return l.early.Held() }

// ReadHolding reports whether the keys held wait for the first rows
// (common.Reading): a list holds keys for nothing else.
func (l *List[T]) ReadHolding() bool { return l.early.Held() }

// empty reports whether no row has been read yet (a first read may
// bring a count alone): a key that moves or opens waits for the first
// rows instead of acting on none.
func (l *List[T]) empty() bool { return !l.loaded && len(l.all) == 0 }

// replay plays the keys that waited for the first rows, through the
// root model, as if typed now (common.EarlyKeys.Play).
func (l *List[T]) replay() tea.Cmd { return l.early.Play(l.c) }

// Apply shows the entries the filter and the screen's narrowing keep,
// the cursor on the same row, in the memory of the rows shown before: a
// key press in the filter allocates nothing.
func (l *List[T]) Apply() {
	key, had := l.Table.SelectedKey()
	rows := l.rows[:0]
	q := l.Filter.Query()
	for i := range l.all {
		e := &l.all[i]
		if l.spec.Keep != nil && !l.spec.Keep(e) {
			continue
		}
		if q != "" && !strings.Contains(e.Hay, q) {
			continue
		}
		rows = append(rows, e.Row)
	}
	l.Table.Empty = l.emptyText(len(rows))
	l.rows = rows
	if l.spec.FollowTop && !l.moved {
		had = false
		l.Table.SetCursor(0)
	}
	l.Table.SetRowsAt(rows, key, had)
	if l.wanted && l.Table.SelectKey(l.want) {
		l.moved, l.wanted = true, false
	}
}

// emptyText is what the table says when it shows no row, shown of the
// entries read: that the list is loading, while nothing of it has been
// read, where its rows will be; that it could not be read, once its
// read failed (the status line says why); that none is left or none
// matches.
func (l *List[T]) emptyText(shown int) string {
	switch {
	case !l.loaded && len(l.all) == 0 && l.err != nil && !l.reads.Busy():
		return l.c.T("tui.not_read")
	case !l.loaded && len(l.all) == 0:
		return l.c.T("tui.loading")
	case l.partial && shown == 0:
		return l.c.T("tui.list.none_of_first", locale.Args{"N": locale.Number(len(l.all))})
	case len(l.all) == 0:
		return l.spec.None
	}
	ls := []string{l.spec.NoMatch}
	if l.Filter.Active() {
		ls = append(ls, l.c.T("tui.list.no_match_filter"))
	}
	if l.spec.Narrowed != nil {
		if n := l.spec.Narrowed(); n != "" {
			ls = append(ls, n)
		}
	}
	return strings.Join(ls, "\n")
}

// Select puts the cursor on the row of key, as if the user had moved it
// there (the row of a request opened from another screen): at once when
// the row shows, else as soon as a read or the filter shows it, unless
// the user moves the cursor first.
func (l *List[T]) Select(key int64) {
	l.want, l.wanted = key, true
	if l.Table.SelectKey(key) {
		l.moved, l.wanted = true, false
	}
}

// Retime writes the relative times of every entry read again, for the
// clock's now (common.Retimer): the rows say "2 min ago" a minute after
// they said "1 min ago", with no read. The columns that fit their cells
// are measured again.
func (l *List[T]) Retime() {
	if l.spec.Retime == nil || len(l.all) == 0 {
		return
	}
	now := l.c.Now()
	for i := range l.all {
		l.spec.Retime(now, &l.all[i])
	}
	if fit := l.Table.Fitting(); len(fit) > 0 {
		rows := make([]table.Row, len(l.all))
		for i := range l.all {
			rows[i] = l.all[i].Row
		}
		l.Table.SetFit(fit, table.Widest(rows, fit))
	}
	l.Apply()
}

// Entries returns every entry read, whether shown or not (a screen sorts
// them in place, then calls Apply).
func (l *List[T]) Entries() []Entry[T] { return l.all }

// Selected returns the entry under the cursor.
func (l *List[T]) Selected() (*Entry[T], bool) {
	r, ok := l.Table.Selected()
	if !ok {
		return nil, false
	}
	i := slices.IndexFunc(l.all, func(e Entry[T]) bool { return e.Row.Key == r.Key })
	if i < 0 {
		return nil, false
	}
	return &l.all[i], true
}

func (l *List[T]) open() tea.Cmd {
	if e, ok := l.Selected(); ok && l.spec.OnOpen != nil {
		return l.spec.OnOpen(e)
	}
	return nil
}

// Unknown reports whether no read of the list has answered yet: its
// head counts nothing ("0 of 0" would say it is empty), and its table
// says it is loading, or that it could not be read.
func (l *List[T]) Unknown() bool { return !l.loaded && !l.partial }

// Loaded reports whether the whole list has been read; Partial, whether
// its first page shows while the rest is on its way; Err, the error of
// the last read.
func (l *List[T]) Loaded() bool  { return l.loaded }
func (l *List[T]) Partial() bool { return l.partial }
func (l *List[T]) Err() error    { return l.err }

// Failed reports whether the last read failed and none is under way: a
// list not read whole then says that it (or its rest) could not be read,
// not that it is loading; while ctrl+r reads it again, that it is.
func (l *List[T]) Failed() bool { return l.err != nil && !l.reads.Busy() }

// Total is how many entries were read; Shown, how many show.
func (l *List[T]) Total() int { return len(l.all) }
func (l *List[T]) Shown() int { return l.Table.Len() }

// SetSize sets the list's size: its head, then the table.
func (l *List[T]) SetSize(w, h int) {
	l.width, l.height = w, h
	l.Table.SetSize(w, h-l.headHeight())
}

// minRows is how many rows a list shows at least: fewer, and moving in
// it is moving blind.
const minRows = 3

// MinSize is the room the list needs: its table's columns, and its head,
// the table's header and a few rows (common.Sized).
func (l *List[T]) MinSize() (int, int) {
	return l.Table.MinWidth(), l.headHeight() + 1 + minRows
}

func (l *List[T]) headHeight() int {
	if l.Filter.Always() {
		return 2
	}
	return 1
}

// Capturing reports whether the filter has the keys.
func (l *List[T]) Capturing() bool { return l.Filter.On() }

// PasteKeeps is the filter's (common.PasteKeeper).
func (l *List[T]) PasteKeeps() (lead, trail bool) { return l.Filter.PasteKeeps() }

// View draws the head — title, filter, counts, legend — and the table.
func (l *List[T]) View() string {
	head := l.paint.title.Render(l.spec.Title) + "  "
	if l.spec.Subject != "" {
		head += l.paint.bold.Render(common.Line(l.spec.Subject)) + "  "
	}
	if !l.Filter.Always() {
		if f := l.Filter.View(l.width / 3); f != "" {
			head += f + "  "
		}
	}
	var info string
	switch {
	case l.Unknown():
		if l.spec.Ahead != nil {
			info = l.spec.Ahead()
		}
	case l.spec.Info != nil:
		info = l.spec.Info(l.Shown(), l.Total())
	}
	if info != "" {
		// too long for the line (a filter beside it, a wordy language):
		// its last parts go whole ("…, os mais recentes primeiro")
		// rather than a part cut mid-word
		for w := common.Width(head); w+common.Width(info) > l.width; {
			i := max(strings.LastIndex(info, ", "), strings.LastIndex(info, " · "))
			if i < 0 {
				break
			}
			info = info[:i]
		}
		head += l.paint.subtle.Render(info)
	}
	legend := l.spec.Legend
	if w := common.Width(head); legend != "" && w+2+common.Width(legend) <= l.width {
		head += common.Pad(l.width-w-common.Width(legend)) + l.paint.subtle.Render(legend)
	} else if w > l.width {
		head = common.Cut(head, l.width)
	}
	if l.Filter.Always() {
		head += "\n" + l.Filter.View(l.width)
	}
	l.headLines = strings.Count(head, "\n") + 1
	return head + "\n" + l.Table.View()
}

// Layers places the table under the head as last drawn, so a click is
// counted from the table's own top.
func (l *List[T]) Layers() []*lipgloss.Layer {
	return []*lipgloss.Layer{lipgloss.NewLayer(l.Table.View()).ID("table").Y(l.headLines)}
}

// ShortHelp is the filter's keys while it is being typed, else the
// screen's own keys and the filter's.
func (l *List[T]) ShortHelp(own ...key.Binding) []key.Binding {
	if l.Filter.On() && !l.Filter.Always() {
		return []key.Binding{l.Filter.Keep, l.Filter.Clear}
	}
	if l.Filter.Always() {
		return append(own, l.Filter.Clear)
	}
	return append(own, l.Filter.Start)
}

// FilterKeys lists the filter's keys, for the help box.
func (l *List[T]) FilterKeys() []key.Binding {
	if l.Filter.Always() {
		return []key.Binding{l.Filter.Clear}
	}
	return []key.Binding{l.Filter.Start, l.Filter.Clear}
}
