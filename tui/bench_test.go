package tui_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
	benchDesks = map[int]*model.Desk{}
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

// deskOf returns a desk where the persona holds n services: the demo's,
// then services it is the admin of, named as a provider would.
func deskOf(b *testing.B, n int) *model.Desk {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if d := benchDesks[n]; d != nil {
		return d
	}
	if benchDir == "" {
		dir, err := os.MkdirTemp("", "contactdesk-tui-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
	}
	st, err := storage.Open(filepath.Join(benchDir, fmt.Sprintf("desk-%d.db", n)), storage.Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	d := model.NewDesk(st, model.Options{Clock: fixedClock(now)})
	if _, err := demo.Load(context.Background(), d, demo.Options{}); err != nil {
		b.Fatal(err)
	}
	held, err := d.Services(context.Background(), demo.Persona)
	if err != nil {
		b.Fatal(err)
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
	if err != nil {
		b.Fatal(err)
	}
	benchDesks[n] = d
	return d
}

// driver runs a root model without a terminal: commands run in
// goroutines and their messages come back to Update, as in a program.
type driver struct {
	m      tea.Model
	msgs   chan tea.Msg
	cancel context.CancelFunc
	cmds   sync.WaitGroup
}

func newDriver(d *model.Desk, w, h int) *driver {
	ctx, cancel := context.WithCancel(context.Background())
	dr := &driver{m: tui.New(d, demo.Persona, tui.Options{Clock: fixedClock(now), Context: ctx}), msgs: make(chan tea.Msg, 1024), cancel: cancel}
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
		switch msg := (<-dr.msgs).(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				dr.run(c)
			}
		default:
			dr.send(msg)
		}
	}
}

// firstFrame is the first frame a user can work with: the frame loaded
// (the status line names the user, the tabs count mail and requests)
// and the Services table showing rows, the first one selected — not a
// "loading…" frame. With a long list the rows are the first page, and
// the whole list is still on its way.
func firstFrame(s string) bool {
	if !loaded(s) {
		return false
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, ">") && strings.Contains(l, "-ovh") {
			return true
		}
	}
	return false
}

// wholeList is the frame with all n services listed.
func wholeList(n int) func(string) bool {
	count := fmt.Sprintf("%d of %d ", n, n)
	return func(s string) bool { return firstFrame(s) && strings.Contains(s, count) }
}

var sizes = []int{30, 100_000}

// BenchmarkFirstFrame measures what a user waits for when the app
// starts: from a new session to its first frame with rows, every tab
// read from the database. Between runs the session is ended and the
// reads it left going (the rest of a long list) are waited for, outside
// the measure, so that each run starts on a quiet machine.
func BenchmarkFirstFrame(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			d := deskOf(b, n)
			b.ResetTimer()
			for range b.N {
				dr := newDriver(d, 120, 40)
				dr.until(firstFrame)
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
	for _, n := range sizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			d := deskOf(b, n)
			b.ResetTimer()
			for range b.N {
				dr := newDriver(d, 120, 40)
				dr.until(wholeList(n))
				b.StopTimer()
				dr.stop()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkCursorMove measures one key press moving the cursor and the
// frame drawn after it.
func BenchmarkCursorMove(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dr := newDriver(deskOf(b, n), 120, 40)
			defer dr.stop()
			dr.until(wholeList(n))
			dr.send(keyMsg("pgdown")) // away from the top, so the list scrolls
			down, up := keyMsg("down"), keyMsg("up")
			i := 0
			for b.Loop() {
				k := down
				if i%64 >= 32 {
					k = up
				}
				i++
				dr.m.Update(k)
				_ = dr.m.View()
			}
		})
	}
}

// BenchmarkFilter measures one key press in the filter — a letter typed
// or erased, so every press searches the whole list — and the frame drawn
// after it.
func BenchmarkFilter(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dr := newDriver(deskOf(b, n), 120, 40)
			defer dr.stop()
			dr.until(wholeList(n))
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
