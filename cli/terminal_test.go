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
		d.t.Fatalf("a pseudo-terminal is needed (Linux /dev/ptmx): %v", err)
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // the terminal app waits for keys
	defer cancel()
	code = Run(ctx, args, tty, tty, tty, func(k string) string { return d.env[k] })
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
			// a wait for the answer is fang's 2 s, at least: under it, a
			// command drawn slowly on a busy machine is not taken for one
			if took >= 2*time.Second {
				t.Errorf("%v, %v: took %v, as long as a wait for the terminal's answer", env, args, took)
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

// TestTablesOnATerminalCutLongCells: a customer's e-mail address may be
// 254 characters long, a name 200: one such value made its column that
// wide in every row of the table, and on a terminal every line wrapped,
// the columns after it scattered on the lines below. On a terminal, a
// cell is cut at 48 columns, … at its end, but in the last column (which
// wraps alone); piped, every cell is whole for the script reading it.
func TestTablesOnATerminalCutLongCells(t *testing.T) {
	d := seeded(t)
	name := strings.Repeat("Ñ", 200)
	email := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 60) + ".example.com"
	d.ok("account", "add", "lo12345-ovh", "--name", name, "--email", email)
	piped := d.ok("account", "list")
	if !strings.Contains(piped, "lo12345-ovh  "+name+"  "+email+"  ") {
		t.Fatalf("piped, a cell was cut:\n%s", piped)
	}
	shown, code, _ := d.onTerminal(map[string]string{"TERM": "xterm-256color", "NO_COLOR": "1"}, "account", "list")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, shown)
	}
	lines := strings.Split(strings.TrimSuffix(shown, "\r\n"), "\r\n")
	if len(lines) != 7 {
		t.Fatalf("%d lines:\n%s", len(lines), shown)
	}
	for _, l := range lines {
		if w := len([]rune(l)); w > 4*48 {
			t.Errorf("a line of %d columns: %q", w, l)
		}
	}
	cut := strings.Repeat("Ñ", 47) + "…  " + strings.Repeat("a", 47) + "…  "
	if !strings.Contains(shown, "lo12345-ovh  "+cut+"up to date") || !strings.Contains(shown, "ad11111-ovh  Ada Admin ") {
		t.Errorf("on a terminal:\n%s", shown)
	}
	// A word support staff copy into a command is never cut: a
	// fingerprint is 50 columns wide.
	d.runIn(hostileKeyLine+" "+strings.Repeat("c", 60)+"\n", "key", "add", "ad11111-ovh", "-")
	keys := decode[[]map[string]string](t, d.ok("key", "list", "--json"))
	if len(keys) != 1 || len(keys[0]["fingerprint"]) <= 48 {
		t.Fatalf("keys: %v", keys)
	}
	if shown, _, _ := d.onTerminal(nil, "key", "list"); !strings.Contains(shown, keys[0]["fingerprint"]+"  "+strings.Repeat("c", 47)+"…  ") {
		t.Errorf("key list on a terminal:\n%s", shown)
	}
	// The last column is whole: a history's detail, a mail's subject.
	d.ok("profile", "set-email", email, "--as", "ad11111-ovh")
	if shown, _, _ := d.onTerminal(nil, "history", "--as", "ad11111-ovh"); !strings.Contains(strings.ReplaceAll(shown, "\r\n", ""), email) {
		t.Errorf("history on a terminal:\n%s", shown)
	}
}

// TestTheAppRefusesADumbTerminal: TERM=dumb says the terminal moves no
// cursor and clears no screen; the app's screens came out on it as a
// stream of escape sequences. It is a misuse, said as a piped stdout is,
// and the commands work there as anywhere.
func TestTheAppRefusesADumbTerminal(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	shown, code, _ := d.onTerminal(map[string]string{"TERM": "dumb", "NO_COLOR": ""}, "--as", "xx11111-ovh")
	if code != 2 || strings.Contains(shown, "\x1b") || !strings.Contains(shown, "TERM=dumb") || !strings.Contains(shown, "contactdesk --help") {
		t.Errorf("exit %d:\n%q", code, shown)
	}
	if shown, code, _ := d.onTerminal(map[string]string{"TERM": "dumb", "NO_COLOR": ""}, "services", "--as", "xx11111-ovh"); code != 0 || !strings.Contains(shown, "xara.pt") {
		t.Errorf("services: exit %d:\n%q", code, shown)
	}
}

// TestTheErrorBoxIsHeadedInTheLocale: on a terminal a refusal is shown in
// fang's box, whose heading said ERROR above a Portuguese or a French
// message; it is headed in the message's language.
func TestTheErrorBoxIsHeadedInTheLocale(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	for lang, want := range map[string]string{"pt_PT.UTF-8": "ERRO", "fr_FR.UTF-8": "ERREUR", "C.UTF-8": "ERROR"} {
		shown, code, _ := d.onTerminal(map[string]string{"TERM": "dumb", "NO_COLOR": "", "LANG": lang, "LC_ALL": "", "LC_MESSAGES": ""},
			"request", "show", "99", "--as", "yy22222-ovh")
		heading := ""
		for _, line := range strings.Split(shown, "\n") {
			if strings.TrimSpace(line) != "" {
				heading = strings.TrimSpace(line)
				break
			}
		}
		if code != 1 || heading != want {
			t.Errorf("LANG=%s: exit %d, heading %q, want %q:\n%s", lang, code, heading, want, shown)
		}
	}
}
