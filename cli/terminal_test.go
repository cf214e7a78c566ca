package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// onTerminal runs the command line as a shell runs it on a terminal:
// stdin, stdout and stderr the terminal (os.Stdin and os.Stdout too,
// which fang looks at), with env as the environment (fang reads the
// process's own). It returns what the terminal was sent, the exit code,
// and how long the command took.
func (d *desk) onTerminal(env map[string]string, args ...string) (shown string, code int, took time.Duration) {
	d.t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		d.t.Skipf("no terminal to run on: %v", err)
	}
	defer ptmx.Close()
	pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 100})
	var b bytes.Buffer
	read := make(chan struct{})
	go func() {
		io.Copy(&b, ptmx) // until the terminal is closed (EIO)
		close(read)
	}()
	for k, v := range env {
		d.t.Setenv(k, v)
		d.env[k] = v
	}
	in, out := os.Stdin, os.Stdout
	os.Stdin, os.Stdout = tty, tty
	start := time.Now()
	code = Run(context.Background(), args, tty, tty, tty, func(k string) string { return d.env[k] })
	took = time.Since(start)
	os.Stdin, os.Stdout = in, out
	tty.Close()
	<-read
	return b.String(), code, took
}

// TestATerminalThatCanNotAnswerIsAskedNothing: fang asks the terminal
// its background colour (OSC 11, then a device-attributes query) before
// it draws an error or a help page, and waits 2 s for an answer, twice.
// On a terminal that says it understands no escape sequence (TERM=dumb:
// Emacs' shell, a serial console), the queries were shown as they are,
// "^[]11;?^G^[[c" twice before the message, and every error and every
// --help took 4 s. With NO_COLOR, the answer chooses nothing (no colour
// is drawn): nothing is asked either. A dumb terminal's progress lines,
// which need a line erased (ESC [K), are left out.
func TestATerminalThatCanNotAnswerIsAskedNothing(t *testing.T) {
	for _, env := range []map[string]string{
		{"TERM": "dumb", "NO_COLOR": ""},
		{"TERM": "xterm-256color", "NO_COLOR": "1"},
	} {
		d := newDesk(t)
		d.ok("init")
		for _, args := range [][]string{{"nosuch"}, {"services", "--as", "zz99999-ovh"}, {"--help"}} {
			shown, code, took := d.onTerminal(env, args...)
			if strings.Contains(shown, "]11;?") || strings.Contains(shown, "\x1b[c") {
				t.Errorf("%v, %v: the terminal was asked its colours:\n%q", env, args, shown)
			}
			if took > time.Second {
				t.Errorf("%v, %v: took %v", env, args, took)
			}
			if env["TERM"] == "dumb" && strings.Contains(shown, "\x1b") {
				t.Errorf("%v, %v: a dumb terminal was sent an escape sequence:\n%q", env, args, shown)
			}
			if want := map[string]int{"nosuch": 2, "services": 1, "--help": 0}[args[0]]; code != want {
				t.Errorf("%v, %v: exit %d, want %d:\n%s", env, args, code, want, shown)
			}
		}
	}
	d := newDesk(t)
	shown, code, _ := d.onTerminal(map[string]string{"TERM": "dumb", "NO_COLOR": ""}, "demo", "--services", "300")
	if code != 0 || strings.Contains(shown, "\x1b") || !strings.Contains(shown, "demo desk written to") {
		t.Errorf("demo on a dumb terminal: exit %d:\n%q", code, shown)
	}
}
