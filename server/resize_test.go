package server

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"

	"contactdesk/model"
)

// sizeModel counts the sizes its program is handed, and their cells
// (when cells is set), and shows the last.
type sizeModel struct {
	sizes, cells *atomic.Int64
	w, h         int
}

func (m *sizeModel) Init() tea.Cmd { return nil }

func (m *sizeModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if w, ok := msg.(tea.WindowSizeMsg); ok {
		m.sizes.Add(1)
		if m.cells != nil {
			m.cells.Add(int64(w.Width * w.Height))
		}
		m.w, m.h = w.Width, w.Height
	}
	return m, nil
}

func (m *sizeModel) View() tea.View { return tea.NewView(fmt.Sprintf("size %dx%d.", m.w, m.h)) }

// TestWindowChangesArePaced: a client sending window changes as fast as
// it can has its program handed a new size at most every resizeEvery,
// the last one it sent included. Each was handed on: every one a whole
// frame drawn at a new size, 40 % of a core per session for a client
// sending 74,000 a second.
func TestWindowChangesArePaced(t *testing.T) {
	var sizes atomic.Int64
	f := startPlaceholder(t, func(o *Options) {
		o.NewModel = func(context.Context, ssh.Session, model.Account) tea.Model { return &sizeModel{sizes: &sizes} }
	})
	tm := open(t, f.login(t, alice), 80, 24, "xterm")
	tm.waitFor(t, "size 80x24.", settle)
	before := sizes.Load()
	start := time.Now()
	const changes = 5000
	for i := range changes {
		if err := tm.sess.WindowChange(20+i%40, 60+i%80); err != nil {
			t.Fatal(err)
		}
	}
	if err := tm.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(t, "size 100x30.", settle)
	elapsed := time.Since(start)
	handed := sizes.Load() - before
	if most := int64(elapsed/resizeEvery) + 2; handed > most {
		t.Errorf("%d window changes in %s handed the program %d sizes; want at most %d (one every %s)",
			changes+1, elapsed.Round(time.Millisecond), handed, most, resizeEvery)
	}
}

// TestLargeWindowChangesArePacedByTheirCells: a client changing its
// window between the largest size the server draws and a small one, as
// fast as it can, has its program handed no more cells a second than
// resizeCells, after the largest frame at once: a frame of 500 × 200 is
// drawn into 22 MiB of buffers made for it, and every 100 ms they were
// five a second. The last size it sent is handed on.
func TestLargeWindowChangesArePacedByTheirCells(t *testing.T) {
	var sizes, cells atomic.Int64
	f := startPlaceholder(t, func(o *Options) {
		o.NewModel = func(context.Context, ssh.Session, model.Account) tea.Model {
			return &sizeModel{sizes: &sizes, cells: &cells}
		}
	})
	tm := open(t, f.login(t, alice), 80, 24, "xterm")
	tm.waitFor(t, "size 80x24.", settle)
	before := cells.Load()
	start := time.Now()
	deadline := start.Add(2 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		w, h := 80, 24
		if i%2 == 0 {
			w, h = DefaultMaxWidth, DefaultMaxHeight
		}
		if err := tm.sess.WindowChange(h, w); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if err := tm.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(t, "size 100x30.", settle)
	elapsed := time.Since(start)
	handed := cells.Load() - before
	// the pace's own arithmetic: its burst, then resizeCells a second;
	// the last frame may be drawn on credit of the wait before it
	if most := int64(DefaultMaxWidth*DefaultMaxHeight) + int64(elapsed.Seconds()*resizeCells) + 100*30; handed > most {
		t.Errorf("window changes for %s handed the program %d cells in %d sizes; want at most %d (%d a second after %d)",
			elapsed.Round(time.Millisecond), handed, sizes.Load(), most, resizeCells, DefaultMaxWidth*DefaultMaxHeight)
	}
}
