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

// sizeModel counts the sizes its program is handed, and shows the last.
type sizeModel struct {
	sizes *atomic.Int64
	w, h  int
}

func (m *sizeModel) Init() tea.Cmd { return nil }

func (m *sizeModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if w, ok := msg.(tea.WindowSizeMsg); ok {
		m.sizes.Add(1)
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
