package tui_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/modeltest"
	"contactdesk/tui"
)

// stalledStore is a database that stops answering without refusing
// (modeltest.HangingStore), counting the calls its callers gave up on
// while it hung.
type stalledStore struct {
	modeltest.HangingStore
	gaveUp *giveUps
}

func (s stalledStore) View(ctx context.Context, fn func(model.Tx) error) error {
	hung := s.Hung.Load()
	err := s.HangingStore.View(ctx, fn)
	if hung {
		s.gaveUp.add()
	}
	return err
}

func (s stalledStore) Update(ctx context.Context, fn func(model.Tx) error) error {
	hung := s.Hung.Load()
	err := s.HangingStore.Update(ctx, fn)
	if hung {
		s.gaveUp.add()
	}
	return err
}

// giveUps counts the calls given up on, and keeps what the window showed
// when the first one gave up: what the user saw then, however late the
// test looks at the screen on a busy machine. While held, the calls that
// give up wait to return until let go: the screens say they are loading
// for as long as the test needs to see it, not for a call's time limit,
// which a busy machine could pass before the test looked.
type giveUps struct {
	mu     sync.Mutex
	n      int
	screen func() string // the window, once the test watches it
	first  string        // the window when the first call gave up
	seen   bool          // first was taken
	gate   chan struct{} // closed to let the held calls go; nil: none held
	from   int           // the first call held: the give-ups before it go
}

func (g *giveUps) add() {
	g.mu.Lock()
	if g.n == 0 && g.screen != nil {
		g.first, g.seen = g.screen(), true
	}
	var wait chan struct{}
	if g.gate != nil && g.n >= g.from {
		wait = g.gate
	}
	g.n++
	g.mu.Unlock()
	if wait != nil {
		<-wait
	}
}

// watch has the window read by screen when the first call gives up.
func (g *giveUps) watch(screen func() string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.screen = screen
}

// atFirst is how many calls gave up, and what the window showed when the
// first one did (seen false: it gave up before the test watched).
func (g *giveUps) atFirst() (n int, first string, seen bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n, g.first, g.seen
}

// holdFrom holds the calls that give up from the k-th on (0: the first),
// until letGo; hold, those from now on.
func (g *giveUps) holdFrom(k int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gate == nil {
		g.gate = make(chan struct{})
	}
	g.from = k
}

func (g *giveUps) hold() {
	g.mu.Lock()
	n := g.n
	g.mu.Unlock()
	g.holdFrom(n)
}

// letGo lets the held calls return, and the next ones.
func (g *giveUps) letGo() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gate != nil {
		close(g.gate)
		g.gate = nil
	}
}

// stalledDesk is base's desk over a database that hangs from the start,
// until hung is cleared.
func stalledDesk(base *model.Desk) (d *model.Desk, hung *atomic.Bool, gaveUp *giveUps) {
	hung, gaveUp = new(atomic.Bool), new(giveUps)
	hung.Store(true)
	st := stalledStore{modeltest.HangingStore{Store: base.Store(), Hung: hung}, gaveUp}
	return model.NewDesk(st, model.Options{Clock: fixedClock(now), Broker: base.Broker()}), hung, gaveUp
}

// TestLoadingWhileTheDeskHangs: a session opening while the database
// hangs shows its frame at once, and each tab says, in the session's
// language (an SSH session's: the account's, as read at login), that it
// is loading where its content will be — no blank window while the
// account's language is read, no list counting "0 of 0", no status line
// saying "no unread mail". Once the reads give up, each tab says it
// could not be read, the status line saying why; once the desk
// answers, ctrl+r shows it all.
func TestLoadingWhileTheDeskHangs(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			base := newDeskIn(t, lang)
			d, hung, gaveUp := stalledDesk(base)
			// the language's read gives up; the screens' reads wait to,
			// until the test has seen each tab loading
			gaveUp.holdFrom(1)
			a := startIn(t, d, demo.Persona, lang, 80, 24, tui.Options{Locked: true, Lang: lang, CallTimeout: 3 * time.Second})
			t.Cleanup(gaveUp.letGo)
			gaveUp.watch(a.screen)
			loading, tab := a.T("tui.loading"), "[1 "+a.T("tui.tab.services")+"]"
			s := a.waitText(tab, loading)
			// the session reads the account's language first: for 2 s
			// at most, a blank window before the frame was drawn. The
			// frame said it was loading before any read gave up: the
			// window as it was then, not when this test looked (late on
			// a busy machine).
			if n, first, seen := gaveUp.atFirst(); n != 0 && (!seen || !strings.Contains(first, tab) || !strings.Contains(first, loading)) {
				t.Errorf("nothing said it was loading until a read gave up; the window then:\n%s\nnow, %d reads given up:\n%s", first, n, s)
			}
			services := func(n int) string {
				return a.T("tui.services.info", locale.Args{"Shown": n, "Total": n, "Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.name")})
			}
			empty := []string{
				services(0),
				a.T("tui.requests.info", locale.Args{"Shown": 0, "Total": 0, "State": a.T("tui.requests.state_all")}),
				a.T("tui.status.no_unread"),
			}
			notEmpty := func(s string) {
				t.Helper()
				for _, e := range empty {
					if strings.Contains(s, e) {
						t.Errorf("while nothing was read, the screen says %q:\n%s", e, s)
					}
				}
			}
			notEmpty(s)
			if got := lineOf(s, loading); !strings.HasPrefix(got, "  "+loading) {
				t.Errorf("%q is not where the list's rows will be:\n%s", loading, s)
			}
			for _, tab := range []struct{ key, title string }{
				{"2", a.T("tui.requests.title")},
				{"3", a.T("tui.tab.mailbox")},
				{"4", a.T("tui.profile.title")},
			} {
				a.press(tab.key)
				s = a.waitText("["+tab.key+" ", tab.title, loading)
				notEmpty(s)
			}

			// the reads give up: the Profile says it could not be read,
			// and so do the lists, the status line saying why
			gaveUp.letGo()
			failed := a.T("tui.status.error", locale.Args{"Msg": ""})
			s = a.waitText(a.T("tui.profile.title"), a.T("tui.not_read"), failed)
			if strings.Contains(s, loading) {
				t.Errorf("the Profile still says %q once its read gave up:\n%s", loading, s)
			}
			for _, key := range []string{"1", "2", "3"} {
				a.press(key)
				s = a.waitText("["+key+" ", a.T("tui.not_read"), failed)
				if strings.Contains(s, loading) {
					t.Errorf("tab %s still says %q once its read gave up:\n%s", key, loading, s)
				}
				notEmpty(s)
			}

			// the desk answers again
			hung.Store(false)
			a.press("1", "ctrl+r")
			s = a.waitText("xara.pt", "Xavier Xará", services(12))
			for _, gone := range []string{loading, a.T("tui.not_read"), failed} {
				if strings.Contains(s, gone) {
					t.Errorf("the desk answered, and the screen still says %q:\n%s", gone, s)
				}
			}
			a.press("2")
			a.waitText("#8", a.T("tui.requests.info", locale.Args{"Shown": 7, "Total": 7, "State": a.T("tui.requests.state_all")}))
			a.press("4")
			a.waitText(a.T("tui.profile.label.since"), a.T("tui.profile.recent"))
		})
	}
}

// TestPickerLoadingWhileTheDeskHangs: the account picker over a desk
// that hangs says it is loading where the accounts will be, in the
// session's language, without counting "0 of 0 accounts"; once its read
// gives up, that it could not be read; once the desk answers, ctrl+r
// lists the accounts.
func TestPickerLoadingWhileTheDeskHangs(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			d, hung, gaveUp := stalledDesk(newDesk(t))
			gaveUp.hold() // until the test has seen it loading
			a := startIn(t, d, "", lang, 80, 24, tui.Options{Lang: lang, CallTimeout: 2 * time.Second})
			t.Cleanup(gaveUp.letGo)
			loading := a.T("tui.loading")
			none := a.T("tui.picker.info", locale.Args{"Shown": 0, "N": 0})
			s := a.waitText(a.T("tui.picker.title"), loading)
			if strings.Contains(s, none) {
				t.Errorf("while nothing was read, the picker says %q:\n%s", none, s)
			}
			gaveUp.letGo()
			failed := a.T("tui.status.error", locale.Args{"Msg": ""})
			s = a.waitText(a.T("tui.picker.title"), a.T("tui.not_read"), failed)
			if strings.Contains(s, loading) || strings.Contains(s, none) {
				t.Errorf("once its read gave up, the picker says %q or %q:\n%s", loading, none, s)
			}
			hung.Store(false)
			a.press("ctrl+r")
			a.waitText(demo.Persona.String(), "Xavier Xará", a.T("tui.picker.info", locale.Args{"Shown": 8, "N": 8}))
		})
	}
}

// TestFirstFramesSpeakTheAccountsLanguage: a session on an account of
// another language than the one it was given (the command line's $LANG)
// draws no frame in that one while it reads the account's: its first
// frames name no tab until they can name it in the account's language.
func TestFirstFramesSpeakTheAccountsLanguage(t *testing.T) {
	d := newDeskIn(t, model.LangPT)
	en, pt := locale.For(model.LangEN), locale.For(model.LangPT)
	var mu sync.Mutex
	var frames []string
	r := recorder{m: tui.New(d, demo.Persona, tui.Options{Clock: fixedClock(now), Lang: model.LangEN}), frame: func(s string) {
		mu.Lock()
		defer mu.Unlock()
		frames = append(frames, ansi.Strip(s))
	}}
	tm := teatest.NewTestModel(t, r, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	defer func() {
		tm.Send(keyMsg("ctrl+c"))
		tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	}()
	ok := false
	for deadline := time.Now().Add(20 * time.Second); !ok && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		mu.Lock()
		ok = len(frames) > 0 && strings.Contains(frames[len(frames)-1], "Xavier Xará")
		mu.Unlock()
	}
	if !ok {
		t.Fatal("the session never showed the account")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, f := range frames {
		if strings.Contains(f, en.T("tui.tab.services")) || strings.Contains(f, en.T("tui.loading")) {
			t.Fatalf("a frame spoke English to an account in Portuguese:\n%s", f)
		}
	}
	if !strings.Contains(frames[len(frames)-1], pt.T("tui.tab.services")) {
		t.Fatalf("the session does not speak Portuguese:\n%s", frames[len(frames)-1])
	}
}

// recorder wraps the app and hands each frame it draws to frame.
type recorder struct {
	m     tea.Model
	frame func(string)
}

func (r recorder) Init() tea.Cmd { return r.m.Init() }

func (r recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := r.m.Update(msg)
	r.m = m
	return r, cmd
}

func (r recorder) View() tea.View {
	v := r.m.View()
	r.frame(v.Content)
	return v
}

// TestSubViewsWhileTheDeskHangs: a sub-view (a request, Edit contacts, a
// service's owner or history, a mail) opened while the database hangs says it is
// loading, and once its read gives up, that it could not be read, the
// status line saying why, as the lists do; it stays open, "loading…"
// again while ctrl+r reads, and shows its content once the desk answers
// and ctrl+r reads it.
func TestSubViewsWhileTheDeskHangs(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			d, hung, gaveUp := stalledDesk(newDeskIn(t, lang))
			hung.Store(false)
			a := startIn(t, d, demo.Persona, lang, 100, 30, tui.Options{Locked: true, Lang: lang, CallTimeout: time.Second})
			t.Cleanup(gaveUp.letGo)
			a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
			loading, notRead := a.T("tui.loading"), a.T("tui.not_read")
			failed := a.T("tui.status.error", locale.Args{"Msg": ""})
			services := func(n int) string {
				return a.T("tui.services.info", locale.Args{"Shown": n, "Total": 12, "Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.name")})
			}
			for _, v := range []struct {
				name  string
				list  func()   // shows the list the view opens from, the row selected
				open  string   // the key that opens it
				title string   // its title
				shown []string // what it shows once read
			}{
				{"request", func() { a.press("2"); a.waitText(a.T("tui.requests.title"), "#8") },
					"enter", a.T("tui.request.title", locale.Args{"ID": 8}), []string{a.T("tui.request.parties")}},
				{"contacts", func() { a.press("1"); a.typ("/shop"); a.press("enter"); a.waitText(services(1)) },
					"enter", a.T("tui.contacts.title"), []string{"xara-shop.com", a.T("tui.contacts.col.current")}},
				{"owner", func() {
					a.press("1")
					a.typ("/xara.pt")
					a.press("enter", "G")
					a.waitFor("xara.pt selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), " xara.pt") })
				},
					"o", a.T("tui.owner.title"), []string{"Rua das Flores"}},
				{"history", func() {
					a.press("1")
					a.typ("/xara.pt")
					a.press("enter", "G")
					a.waitFor("xara.pt selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), " xara.pt") })
				},
					"h", a.T("tui.history.title"), []string{a.T("tui.history.col.when"), a.T("tui.history.col.action")}},
				{"mail", func() { a.press("3"); a.waitText(a.T("tui.tab.mailbox"), a.T("tui.mailbox.title")) },
					"enter", a.T("tui.mail.title", locale.Args{"ID": ""}), []string{a.T("tui.mail.label.subject"), a.T("tui.mail.label.date")}},
			} {
				v.list()
				hung.Store(true)
				gaveUp.hold() // until the test has seen it loading
				a.press(v.open)
				a.waitText(v.title, loading)
				gaveUp.letGo()
				s := a.waitText(v.title, notRead, failed)
				if strings.Contains(s, loading) {
					t.Errorf("%s: still says %q once its read gave up:\n%s", v.name, loading, s)
				}
				// ctrl+r reads it again: loading, then not read again
				gaveUp.hold()
				a.press("ctrl+r")
				a.waitFor(v.name+" loading again", func(s string) bool {
					return strings.Contains(s, v.title) && strings.Contains(s, loading) && !strings.Contains(s, notRead)
				})
				gaveUp.letGo()
				a.waitText(v.title, notRead, failed)
				// the desk answers: ctrl+r shows it
				hung.Store(false)
				a.press("ctrl+r")
				a.waitFor(v.name+" read", func(s string) bool {
					for _, want := range append([]string{v.title}, v.shown...) {
						if !strings.Contains(s, want) {
							return false
						}
					}
					for _, gone := range []string{loading, notRead, failed} {
						if strings.Contains(s, gone) {
							return false // the desk answered, and the view still says it
						}
					}
					return true
				})
				a.press("esc")
				if v.name == "contacts" || v.name == "owner" {
					a.press("esc") // the services' filter
				}
			}
		})
	}
}
