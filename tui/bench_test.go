package tui_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	btable "charm.land/bubbles/v2/table"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/storage"
	"contactdesk/tui"
)

// The benchmarks' desks are built once per test binary, in a directory
// removed when the binary ends.
var (
	benchMu    sync.Mutex
	benchDir   string
	benchDesks = map[string]*model.Desk{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	benchMu.Lock()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	benchMu.Unlock()
	os.Exit(code)
}

// size is a list the benchmarks measure: who acts, on which desk, and
// how many services that account holds.
type size struct {
	name string
	me   model.Handle
	who  string // the account's name, in the status line
	n    int
	desk func(b *testing.B) *model.Desk
}

// sizes: the persona of the demo (30 services), the agency of the
// 100,000-service demo (10,000), and a desk where the persona holds
// 100,000 services.
var sizes = []size{
	{"30", demo.Persona, "Xavier Xará", 30, func(b *testing.B) *model.Desk { return personaDesk(b, 30) }},
	{"10000-agency", demo.Agency, "Agência Exemplo", 10_000, agencyDesk},
	{"100000", demo.Persona, "Xavier Xará", 100_000, func(b *testing.B) *model.Desk { return personaDesk(b, 100_000) }},
}

// benchDesk returns the desk called name, built by fill the first time.
func benchDesk(b *testing.B, name string, fill func(path string) (*model.Desk, error)) *model.Desk {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if d := benchDesks[name]; d != nil {
		return d
	}
	if benchDir == "" {
		dir, err := os.MkdirTemp("", "contactdesk-tui-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
	}
	d, err := fill(filepath.Join(benchDir, name+".db"))
	if err != nil {
		b.Fatal(err)
	}
	benchDesks[name] = d
	return d
}

// agencyDesk is the demo of 100,000 services, built as the demo command
// builds it: the agency holds 10,000 of them.
func agencyDesk(b *testing.B) *model.Desk {
	return benchDesk(b, "demo-100000", func(path string) (*model.Desk, error) {
		st, err := storage.Open(path, storage.Options{Create: true, Bulk: true})
		if err != nil {
			return nil, err
		}
		_, err = demo.Load(context.Background(), model.NewDesk(st, model.Options{Clock: fixedClock(now)}), demo.Options{Services: 100_000})
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		if st, err = storage.Open(path, storage.Options{}); err != nil {
			return nil, err
		}
		return model.NewDesk(st, model.Options{Clock: fixedClock(now)}), nil
	})
}

// personaDesk returns a desk where the persona holds n services: the
// demo's, then services it is the admin of, named as a provider would.
func personaDesk(b *testing.B, n int) *model.Desk {
	return benchDesk(b, fmt.Sprintf("persona-%d", n), func(path string) (*model.Desk, error) {
		st, err := storage.Open(path, storage.Options{Create: true})
		if err != nil {
			return nil, err
		}
		d := model.NewDesk(st, model.Options{Clock: fixedClock(now)})
		if _, err := demo.Load(context.Background(), d, demo.Options{}); err != nil {
			return nil, err
		}
		held, err := d.Services(context.Background(), demo.Persona)
		if err != nil {
			return nil, err
		}
		words := []string{"atlas", "bairro", "cais", "doca", "estrela", "farol", "granja", "horta", "ilha", "jardim", "lago", "mar"}
		types := []string{model.TypeDomain, model.TypeHosting, model.TypeVPS, model.TypeEmail, model.TypeCloud, model.TypeDatabase}
		others := []model.Handle{"yy22222-ovh", "zz33333-ovh", "cd67890-ovh", "ef24680-ovh", "gh13579-ovh", "ij11223-ovh"}
		err = d.Batch(context.Background(), func(bt *model.Batch) error {
			for i := len(held); i < n; i++ {
				tech := others[i%len(others)]
				if i%3 == 0 {
					tech = demo.Persona
				}
				_, err := bt.AddService(model.NewService{
					Name:  fmt.Sprintf("%s-%s-%d.%s", words[i%len(words)], words[(i/7)%len(words)], i, []string{"pt", "com", "fr", "eu"}[i%4]),
					Type:  types[i%len(types)],
					Admin: string(demo.Persona), Tech: string(tech), Billing: string(demo.Persona),
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		return d, err
	})
}

// driver runs a root model without a terminal: commands run in
// goroutines and their messages come back to Update, as in a program.
type driver struct {
	m      tea.Model
	msgs   chan tea.Msg
	cancel context.CancelFunc
	cmds   sync.WaitGroup
}

func newDriver(d *model.Desk, me model.Handle, w, h int) *driver {
	ctx, cancel := context.WithCancel(context.Background())
	dr := &driver{m: tui.New(d, me, tui.Options{Clock: fixedClock(now), Context: ctx}), msgs: make(chan tea.Msg, 1024), cancel: cancel}
	dr.send(tea.WindowSizeMsg{Width: w, Height: h})
	dr.run(dr.m.Init())
	return dr
}

func (dr *driver) run(cmd tea.Cmd) {
	if cmd != nil {
		dr.cmds.Go(func() { dr.msgs <- cmd() })
	}
}

// stop ends the session and waits for its commands to return, so that
// nothing it started runs on into the next measurement.
func (dr *driver) stop() {
	dr.cancel()
	dr.cmds.Wait()
}

func (dr *driver) send(msg tea.Msg) {
	m, cmd := dr.m.Update(msg)
	dr.m = m
	dr.run(cmd)
}

// until handles messages until the screen satisfies ok.
func (dr *driver) until(ok func(string) bool) string {
	for {
		if s := ansi.Strip(dr.m.View().Content); ok(s) {
			return s
		}
		dr.handle(<-dr.msgs)
	}
}

// handle handles a message a command brought, as a program does.
func (dr *driver) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			dr.run(c)
		}
	default:
		dr.send(msg)
	}
}

// settle handles messages until none has come for a while: the reads
// that complete the other tabs (a mailbox of hundreds of mails, the
// profile's activity) are done, and do not take a core from what is
// measured next.
func (dr *driver) settle() {
	for {
		select {
		case msg := <-dr.msgs:
			dr.handle(msg)
		case <-time.After(500 * time.Millisecond):
			return
		}
	}
}

// firstFrame is the first frame a user can work with: the frame loaded
// (the status line names the user, the tabs count mail and requests)
// and the Services table showing rows, the first one selected — not a
// "loading…" frame. With a long list the rows are the first page, and
// the whole list is still on its way.
func (sz size) firstFrame(s string) bool {
	if !strings.Contains(s, sz.who) || !strings.Contains(s, "Mailbox (") || !strings.Contains(s, "Requests (") {
		return false
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, ">") && strings.Contains(l, "-ovh") {
			return true
		}
	}
	return false
}

// wholeList is the frame with all the services listed.
func (sz size) wholeList(s string) bool {
	return sz.firstFrame(s) && strings.Contains(s, fmt.Sprintf("%d of %d ", sz.n, sz.n))
}

// BenchmarkFirstFrame measures what a user waits for when the app
// starts: from a new session to its first frame with rows, every tab
// read from the database. Between runs the session is ended and the
// reads it left going (the rest of a long list) are waited for, outside
// the measure, so that each run starts on a quiet machine.
func BenchmarkFirstFrame(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			d := sz.desk(b)
			b.ResetTimer()
			for range b.N {
				dr := newDriver(d, sz.me, 120, 40)
				dr.until(sz.firstFrame)
				b.StopTimer()
				dr.stop()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkWholeList measures from a new session to the frame listing
// every service: how long "loading the rest…" shows with a long list.
func BenchmarkWholeList(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			d := sz.desk(b)
			b.ResetTimer()
			for range b.N {
				dr := newDriver(d, sz.me, 120, 40)
				dr.until(sz.wholeList)
				b.StopTimer()
				dr.stop()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkCursorMove measures one key press moving the cursor and the
// frame drawn after it; "stock" is the same with the bubbles table, as
// many rows of the same cells, at the same size.
func BenchmarkCursorMove(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			dr := newDriver(sz.desk(b), sz.me, 120, 40)
			defer dr.stop()
			dr.until(sz.wholeList)
			dr.settle()
			dr.send(keyMsg("pgdown")) // away from the top, so the list scrolls
			for i := 0; b.Loop(); i++ {
				dr.m.Update(move(i))
				_ = dr.m.View()
			}
		})
	}
	for _, sz := range sizes {
		b.Run("stock-"+sz.name, func(b *testing.B) {
			ss, err := sz.desk(b).Services(context.Background(), sz.me)
			if err != nil {
				b.Fatal(err)
			}
			rows := make([]btable.Row, len(ss))
			for i, s := range ss {
				rows[i] = btable.Row{s.Name, s.Type, string(s.Admin), string(s.Tech), string(s.Billing)}
			}
			t := btable.New(btable.WithColumns([]btable.Column{{Title: "Service", Width: 48}, {Title: "Type", Width: 9},
				{Title: "Admin", Width: 13}, {Title: "Tech", Width: 13}, {Title: "Billing", Width: 13}}),
				btable.WithRows(rows), btable.WithWidth(120), btable.WithHeight(35), btable.WithFocused(true))
			t.MoveDown(35)
			for i := 0; b.Loop(); i++ {
				t, _ = t.Update(move(i))
				_ = t.View()
			}
		})
	}
}

// move is the i-th key of a cursor going down 32 rows, then up 32.
func move(i int) tea.KeyPressMsg {
	if i%64 >= 32 {
		return keyMsg("up")
	}
	return keyMsg("down")
}

// BenchmarkFilter measures one key press in the filter — a letter typed
// or erased, so every press searches the whole list — and the frame drawn
// after it.
func BenchmarkFilter(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			dr := newDriver(sz.desk(b), sz.me, 120, 40)
			defer dr.stop()
			dr.until(sz.wholeList)
			dr.settle()
			dr.m.Update(keyMsg("/"))
			letter, erase := keyMsg("r"), keyMsg("backspace")
			i := 0
			for b.Loop() {
				k := letter
				if i%2 == 1 {
					k = erase
				}
				i++
				dr.m.Update(k)
				_ = dr.m.View()
			}
		})
	}
}
