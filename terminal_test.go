package main

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/creack/pty"
)

// TestAppSurvivesAHostileSequence runs the terminal app in a
// pseudo-terminal and types in it a CSI of 33 parameters, alone or in a
// bracketed paste (as a terminal sends what is pasted in it): x/ansi's
// parser indexed past its array, a panic in the program's input
// goroutine, where nothing recovers. The app ended, what was typed lost,
// the terminal left raw. The keys after it now arrive: q quits, with
// status 0, and the terminal is as it was.
func TestAppSurvivesAHostileSequence(t *testing.T) {
	dir := t.TempDir()
	env := []string{"CONTACTDESK_DB=" + filepath.Join(dir, "desk.db"), "HOME=" + dir, "TERM=xterm-256color"}
	if r := runProgram(t, dir, env, "demo"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	many := "\x1b[" + strings.Repeat("1;", 32) + "1m"
	t.Run("alone", func(t *testing.T) { typeInApp(t, dir, env, many, "j", "q") })
	t.Run("pasted", func(t *testing.T) { typeInApp(t, dir, env, "\x1b[200~"+many+"\x1b[201~", "j", "q") })
}

// typeInApp runs the terminal app in dir, in a pseudo-terminal of 80×24,
// types keys in it once it shows its first screen, one at a time, and
// checks that it then quit, with status 0, the terminal as it was.
func typeInApp(t *testing.T, dir string, env []string, keys ...string) {
	a := startApp(t, dir, env)
	a.waitFor("its first screen", "Xavier Xar")
	for _, s := range keys {
		a.typ(s)
		time.Sleep(200 * time.Millisecond) // typed apart, each read alone
	}
	a.ended("after the sequence")
}

// ptyApp is the terminal app running in a pseudo-terminal.
type ptyApp struct {
	t      *testing.T
	ptmx   *os.File
	tty    *os.File
	before *term.State
	exited chan error
	mu     sync.Mutex
	out    bytes.Buffer // what it wrote, escape sequences and all
}

// startApp runs the terminal app on xx11111-ovh in dir, in a
// pseudo-terminal of 80×24.
func startApp(t *testing.T, dir string, env []string) *ptyApp {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("a pseudo-terminal is needed (Linux /dev/ptmx): %v", err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	before, err := term.GetState(tty.Fd())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "--as", "xx11111-ovh")
	cmd.Dir, cmd.Env = dir, programEnv(env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &ptyApp{t: t, ptmx: ptmx, tty: tty, before: before, exited: make(chan error, 1)}
	go func() { a.exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			a.mu.Lock()
			a.out.Write(buf[:n])
			a.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return a
}

// raw is what the app wrote; shown, without its escape sequences.
func (a *ptyApp) raw() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.out.String()
}

func (a *ptyApp) shown() string { return ansi.Strip(a.raw()) }

// waitFor waits until the app has shown text (what, for the failure).
func (a *ptyApp) waitFor(what, text string) {
	a.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(a.shown(), text) {
		if time.Now().After(deadline) {
			a.t.Fatalf("the app never showed %s:\n%s", what, a.shown())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (a *ptyApp) typ(s string) {
	a.t.Helper()
	if _, err := a.ptmx.WriteString(s); err != nil {
		a.t.Fatal(err)
	}
}

// ended checks that the app quit (when: after what), with status 0, no
// panic, and the terminal as it was.
func (a *ptyApp) ended(when string) {
	a.t.Helper()
	select {
	case err := <-a.exited:
		if err != nil {
			a.t.Fatalf("%s, the app ended with %v:\n%.2000s", when, err, a.shown())
		}
	case <-time.After(30 * time.Second):
		a.t.Fatalf("%s, q did not quit the app:\n%s", when, a.shown())
	}
	if s := a.shown(); strings.Contains(s, "panic") {
		a.t.Fatalf("the app panicked:\n%s", s)
	}
	after, err := term.GetState(a.tty.Fd())
	if err != nil {
		a.t.Fatal(err)
	}
	if !reflect.DeepEqual(a.before, after) {
		a.t.Errorf("the terminal was left otherwise than it was (raw?): %+v, was %+v", after, a.before)
	}
}

// TestAppSaysWhatItWaitsFor: while the desk keeps the app from starting
// (its file locked by another program), the command line says so on the
// terminal after a second, the app not having the screen yet; the line
// goes once the app starts.
func TestAppSaysWhatItWaitsFor(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "desk.db")
	env := []string{"CONTACTDESK_DB=" + path, "HOME=" + dir, "TERM=xterm-256color"}
	if r := runProgram(t, dir, env, "demo"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	// Another program holds the file: no read gets through while it does.
	lock, err := sql.Open("sqlite3", "file:"+path+"?_locking_mode=EXCLUSIVE")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	lock.SetMaxOpenConns(1)
	if _, err := lock.Exec("BEGIN EXCLUSIVE; UPDATE settings SET value = value WHERE 0"); err != nil {
		t.Fatal(err)
	}
	a := startApp(t, dir, env)
	a.waitFor("what it waits for", "contactdesk: waiting for the desk at "+path)
	if strings.Contains(a.shown(), "Xavier Xar") {
		t.Fatalf("the app started while the desk was locked:\n%s", a.shown())
	}
	if _, err := lock.Exec("COMMIT"); err != nil {
		t.Fatal(err)
	}
	lock.Close()
	a.waitFor("its first screen", "Xavier Xar")
	raw := a.raw()
	if i := strings.Index(raw, "waiting for the desk"); !strings.Contains(raw[i:], "\r\x1b[K") {
		t.Errorf("the waiting line was not erased before the app started: %q", raw)
	}
	a.typ("q")
	a.ended("after q")
}
