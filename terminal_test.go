package main

import (
	"bytes"
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
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("a pseudo-terminal is needed (Linux /dev/ptmx): %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
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
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()

	var mu sync.Mutex
	var out bytes.Buffer
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
	shown := func() string {
		mu.Lock()
		defer mu.Unlock()
		return ansi.Strip(out.String())
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(shown(), "Xavier Xar") {
		if time.Now().After(deadline) {
			t.Fatalf("the app never showed its first screen:\n%s", shown())
		}
		time.Sleep(20 * time.Millisecond)
	}

	for _, s := range keys {
		if _, err := ptmx.WriteString(s); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // typed apart, each read alone
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("after the sequence, the app ended with %v:\n%.2000s", err, shown())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("after the sequence, q did not quit the app:\n%s", shown())
	}
	if s := shown(); strings.Contains(s, "panic") {
		t.Fatalf("the app panicked:\n%s", s)
	}
	after, err := term.GetState(tty.Fd())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the terminal was left otherwise than it was (raw?): %+v, was %+v", after, before)
	}
}
