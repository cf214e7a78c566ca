package server

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"

	"contactdesk/model"
)

// keyModel shows how many keys its program was handed, and whether
// alt+j was one of them.
type keyModel struct {
	keys  int
	altJ  bool
	after int // keys after alt+j
}

func (m *keyModel) Init() tea.Cmd { return nil }

func (m *keyModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		m.keys++
		if m.altJ {
			m.after++
		}
		m.altJ = m.altJ || k.String() == "alt+j"
	}
	return m, nil
}

func (m *keyModel) View() tea.View {
	return tea.NewView(fmt.Sprintf("keys %d alt+j %v after10 %v.", m.keys, m.altJ, m.after >= 10))
}

// TestAltKeyInAStreamOfInput: alt+j, then keys without a pause: alt+j
// reaches the program while the keys still come, and the keys after it
// too. The reader kept the
// escape, and everything after it, until the input paused: a client
// sending without a pause made its session grow by megabytes a second,
// parsed again at each read (most of a core), and its keys never
// reached the program.
func TestAltKeyInAStreamOfInput(t *testing.T) {
	f := startPlaceholder(t, func(o *Options) {
		o.NewModel = func(context.Context, ssh.Session, model.Account) tea.Model { return &keyModel{} }
	})
	tm := open(t, f.login(t, alice), 80, 24, "xterm")
	tm.waitFor(t, "keys 0 alt+j false", settle)
	stop := make(chan struct{})
	streaming := make(chan struct{})
	go func() { // keys without a pause, until the test saw what it waits for
		defer close(streaming)
		io.WriteString(tm.stdin, "\x1bj")
		xs := strings.Repeat("x", 1024)
		for {
			select {
			case <-stop:
				return
			default:
				if _, err := io.WriteString(tm.stdin, xs); err != nil {
					return
				}
			}
		}
	}()
	tm.waitFor(t, "alt+j true after10 true.", settle)
	close(stop)
	tm.sess.Close() // the write under way, if any, waits for the paced keys
	<-streaming
}

// namedKeysModel shows the keys its program was handed, by name.
type namedKeysModel struct{ keys []string }

func (m *namedKeysModel) Init() tea.Cmd { return nil }

func (m *namedKeysModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		m.keys = append(m.keys, k.String())
	}
	return m, nil
}

func (m *namedKeysModel) View() tea.View { return tea.NewView(fmt.Sprintf("keys %q.", m.keys)) }

// TestAltNonASCIIKey: alt and a letter of several bytes (alt+é, alt+ç on
// a Portuguese or French keyboard, alt+€) reaches the program whole. The
// pause after an escape came after the letter's first byte: the program
// was handed esc, and the letter was lost.
func TestAltNonASCIIKey(t *testing.T) {
	f := startPlaceholder(t, func(o *Options) {
		o.NewModel = func(context.Context, ssh.Session, model.Account) tea.Model { return &namedKeysModel{} }
	})
	tm := open(t, f.login(t, alice), 80, 24, "xterm")
	tm.waitFor(t, "keys [].", settle)
	io.WriteString(tm.stdin, "\x1bé\x1b€x")
	tm.waitFor(t, `keys ["alt+é" "alt+€" "x"].`, settle)
}
