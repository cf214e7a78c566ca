package tui_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"contactdesk/model/demo"
	"contactdesk/tui"
	"contactdesk/tui/input"
)

// TestEnterTypedAsTheAppStarts: 2 and enter typed on the terminal before
// the app has put it in raw mode (the terminal still turns enter into a
// line feed then) open the Requests tab and then its first request, as
// typed once the app shows; the enter was read as ctrl+j and lost.
func TestEnterTypedAsTheAppStarts(t *testing.T) {
	d := newDesk(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("a pseudo-terminal is needed (Linux /dev/ptmx): %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		out bytes.Buffer
	)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	shown := func() string { mu.Lock(); defer mu.Unlock(); return ansi.Strip(out.String()) }
	deadline := time.Now().Add(30 * time.Second)
	// typed before the program runs: the terminal is as the shell left
	// it, its enter a line feed
	if _, err := ptmx.WriteString("2\r"); err != nil {
		t.Fatal(err)
	}
	// the terminal takes what is written to it in its own time: its echo
	// says it has taken the line, as the shell's terminal would
	for !strings.Contains(shown(), "2\r\n") {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal did not echo the line typed: %q", shown())
		}
		time.Sleep(10 * time.Millisecond)
	}
	p := tea.NewProgram(tui.New(d, demo.Persona, tui.Options{Clock: fixedClock(now)}),
		tea.WithInput(input.NewTerminal(tty)), tea.WithOutput(tty),
		tea.WithEnvironment([]string{"TERM=xterm-256color", "LANG=C.UTF-8"}))
	ended := make(chan error, 1)
	go func() { _, err := p.Run(); ended <- err }()
	for !strings.Contains(shown(), "Request #8") {
		if time.Now().After(deadline) {
			p.Kill()
			<-ended
			t.Fatalf("2 and enter typed as the app started did not open request #8:\n%s", shown())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := ptmx.WriteString("\x03"); err != nil {
		t.Fatal(err)
	}
	if err := <-ended; err != nil {
		t.Fatal(err)
	}
}

// TestCtrlJIsEnter: ctrl+j, the key a terminal's line feed reads as, acts
// as enter in a field too: the token typed is sent.
func TestCtrlJIsEnter(t *testing.T) {
	d := newDesk(t)
	tok := mailedToken(t, d, demo.Persona, 8)
	a := start(t, d, demo.Persona, 120, 40)
	servicesShown(a)
	a.openRequest8()
	a.press("a")
	a.waitText("Accept request #8 with your token:")
	a.typ(strings.ToLower(tok))
	a.tm.Send(tea.KeyPressMsg{Code: 'j', Mod: tea.ModCtrl})
	a.waitText("you accepted request #8; still waiting for gh13579-ovh")
}
