package server

import (
	"fmt"
	"runtime/debug"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// noticeMsg is a line the server shows on a session's screen, over the
// last line of the app's view: a shutdown is coming.
type noticeMsg string

// crashMsg tells the guard a command of the app panicked.
type crashMsg struct{}

// guard wraps a session's model: a panic in its Init, Update, View or
// commands is reported and ends the program, and a notice from the server
// is drawn over its view.
type guard struct {
	inner   tea.Model
	crashed func(r any, stack string)
	notice  string
	width   int
	height  int
	dead    bool
}

func newGuard(m tea.Model, crashed func(r any, stack string)) *guard {
	return &guard{inner: m, crashed: crashed}
}

func (g *guard) panicked(r any) {
	g.dead = true
	g.crashed(fmt.Sprint(r), string(debug.Stack()))
}

func (g *guard) Init() (cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			g.panicked(r)
			cmd = tea.Quit
		}
	}()
	return g.wrap(g.inner.Init())
}

func (g *guard) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
	switch msg := msg.(type) {
	case noticeMsg:
		g.notice = string(msg)
		return g, nil
	case crashMsg:
		return g, tea.Quit
	case tea.WindowSizeMsg:
		g.width, g.height = msg.Width, msg.Height
	}
	if g.dead {
		return g, nil
	}
	defer func() {
		if r := recover(); r != nil {
			g.panicked(r)
			m, cmd = g, tea.Quit
		}
	}()
	inner, c := g.inner.Update(msg)
	g.inner = inner
	return g, g.wrap(c)
}

func (g *guard) View() (v tea.View) {
	if g.dead {
		return tea.NewView("")
	}
	defer func() {
		if r := recover(); r != nil {
			g.panicked(r)
			v = tea.NewView("")
		}
	}()
	v = g.inner.View()
	if g.notice != "" {
		v.Content = overlay(v.Content, g.notice, g.width, g.height)
	}
	return v
}

// wrap makes cmd report a panic instead of taking the program down with
// a stack trace on the server's stderr; batches are wrapped one by one.
func (g *guard) wrap(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				g.crashed(fmt.Sprint(r), string(debug.Stack()))
				msg = crashMsg{}
			}
		}()
		msg = cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for i := range b {
				b[i] = g.wrap(b[i])
			}
		}
		return msg
	}
}

// overlay draws line, in reverse video, over the last line of a screen of
// height lines (or under the content when it is shorter).
func overlay(content, line string, width, height int) string {
	if width <= 0 {
		width = 80
	}
	bar := "\x1b[7m " + ansi.Truncate(line, width-2, "…") + " \x1b[m"
	lines := strings.Split(content, "\n")
	if height > 0 && len(lines) >= height {
		lines[height-1] = bar
		lines = lines[:height]
	} else {
		lines = append(lines, bar)
	}
	return strings.Join(lines, "\n")
}
