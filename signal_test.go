package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCtrlCEndsTheScriptToo: a command stopped by SIGINT (Ctrl-C) or
// SIGTERM says so, changes nothing, and ends killed by the signal, as a
// program that does not catch it ends. A shell that runs it in a script
// then stops the script too; it ended with exit code 1, which tells the
// shell the program dealt with Ctrl-C itself, so that a loop of commands
// went on to the next at each Ctrl-C, and a script could not tell an
// interruption from a refusal. The command waits for a desk another
// program holds locked when the signal comes.
func TestCtrlCEndsTheScriptToo(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		dir := t.TempDir()
		p := filepath.Join(dir, "desk.db")
		if r := runProgram(t, dir, nil, "--db", p, "demo"); r.code != 0 {
			t.Fatalf("demo: %s", r.err)
		}
		other, tx := lockDesk(t, p, "")
		cmd := exec.Command(binary, "--db", p, "profile", "set-lang", "fr", "--as", "xx11111-ovh")
		cmd.Dir, cmd.Env = dir, programEnv()
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Once it has the desk open, it waits for the lock (5 s at most).
		waitOpen(t, cmd.Process.Pid, p)
		time.Sleep(200 * time.Millisecond)
		cmd.Process.Signal(sig)
		cmd.Wait()
		tx.Rollback()
		other.Close()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ws.Signaled() || ws.Signal() != sig {
			t.Errorf("%v: the program ended %v, not killed by the signal", sig, cmd.ProcessState)
		}
		name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[sig]
		if want := "contactdesk: interrupted (" + name + "): nothing was changed\n"; errb.String() != want || out.Len() != 0 {
			t.Errorf("%v: stdout %q, stderr %q; want %q", sig, out.String(), errb.String(), want)
		}
		if r := runProgram(t, dir, nil, "--db", p, "profile", "set-lang", "fr", "--as", "xx11111-ovh", "--json"); r.code != 0 || !strings.Contains(r.out, `"lang": "fr"`) {
			t.Errorf("%v: the desk after: exit %d %s", sig, r.code, r.err)
		}
	}
}

// waitOpen waits until process pid has the file at path open.
func waitOpen(t *testing.T, pid int, path string) {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		fds, _ := os.ReadDir(dir)
		for _, fd := range fds {
			if l, _ := os.Readlink(filepath.Join(dir, fd.Name())); l == path {
				return
			}
		}
	}
	t.Fatalf("process %d never opened %s", pid, path)
}
