package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests of this package run the whole program as a process, the way
// users and scripts do, when that is the point: killing it (crash tests),
// several at once (contention), as another user (file faults). The
// program is the test binary itself, started again with $asMainEnv set:
// TestMain then hands it to main, with no test run and nothing built.

const asMainEnv = "CONTACTDESK_TEST_AS_MAIN"

// binary is the program the tests start.
var binary = os.Args[0]

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		main() // exits
	}
	os.Exit(m.Run())
}

// programEnv is the environment of a program the tests start: env, and
// what makes the test binary contactdesk.
func programEnv(env ...string) []string {
	return append(env, asMainEnv+"=1", "PATH="+os.Getenv("PATH"))
}

type result struct {
	out, err string
	code     int
}

// runProgram runs contactdesk in dir with env and returns what it said.
func runProgram(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir, cmd.Env = dir, programEnv(env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// TestTheClockIsNotMovedFromAShell: $CONTACTDESK_NOW, the hook the
// command line's tests fix the time with, does nothing in the program.
func TestTheClockIsNotMovedFromAShell(t *testing.T) {
	dir := t.TempDir()
	env := []string{"CONTACTDESK_DB=" + filepath.Join(dir, "desk.db"), "HOME=" + dir, "CONTACTDESK_NOW=2001-01-01T00:00:00Z"}
	for _, args := range [][]string{
		{"init"},
		{"account", "add", "aa11111-ovh", "--name", "Ada", "--email", "ada@example.com"},
		{"account", "add", "bb22222-ovh", "--name", "Bob", "--email", "bob@example.com"},
		{"service", "add", "example.com", "--type", "domain", "--admin", "aa11111-ovh", "--tech", "aa11111-ovh", "--billing", "aa11111-ovh"},
	} {
		if r := runProgram(t, dir, env, args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	// the month it ran in, as before or after it: a run across the end
	// of a month is dated in either
	month := func() string { return time.Now().UTC().Format(`"2006-01-`) }
	before := month()
	r := runProgram(t, dir, env, "request", "create", "--as", "aa11111-ovh", "--service", "example.com", "--role", "tech", "--to", "bb22222-ovh", "--json")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if strings.Contains(r.out, "2001-") || !strings.Contains(r.out, before) && !strings.Contains(r.out, month()) {
		t.Errorf("$CONTACTDESK_NOW moved the desk's clock:\n%s", r.out)
	}
}

// TestAPIKeyAddToAClosedPipe: a write to a closed pipe ends a program
// (SIGPIPE), and so it does a command's output; but api-key add, whose
// output is the only copy of the key's credentials, takes the key back
// first, and says so: nothing is left of it.
func TestAPIKeyAddToAClosedPipe(t *testing.T) {
	dir := t.TempDir()
	env := []string{"CONTACTDESK_DB=" + filepath.Join(dir, "desk.db"), "HOME=" + dir}
	for _, args := range [][]string{
		{"init"},
		{"account", "add", "aa11111-ovh", "--name", "Ada", "--email", "ada@example.com"},
	} {
		if r := runProgram(t, dir, env, args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	toClosedPipe := func(args ...string) (*exec.ExitError, string) {
		t.Helper()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		cmd := exec.Command(binary, args...)
		cmd.Dir, cmd.Env = dir, programEnv(env...)
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = w, &errb
		err = cmd.Run()
		w.Close()
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%v to a closed pipe: %v, %q", args, err, errb.String())
		}
		return ee, errb.String()
	}
	for _, args := range [][]string{
		{"api-key", "add", "aa11111-ovh", "--name", "piped"},
		{"api-key", "add", "aa11111-ovh", "--name", "piped", "--json"},
	} {
		ee, stderr := toClosedPipe(args...)
		says := "contactdesk: writing the output: write /dev/stdout: broken pipe; the key was not kept (its credentials could not be shown): run the command again\n"
		if args[len(args)-1] == "--json" { // said as JSON, one line
			says = `{"error":{"message":"writing the output: write /dev/stdout: broken pipe; the key was not kept (its credentials could not be shown): run the command again","kind":"output"}}` + "\n"
		}
		if ee.ExitCode() != 1 || !strings.HasSuffix(stderr, says) {
			t.Errorf("%v to a closed pipe: %v, %q", args, ee, stderr)
		}
	}
	if r := runProgram(t, dir, env, "api-key", "list", "--json"); r.code != 0 || r.out != "[]\n" {
		t.Fatalf("keys whose credentials went nowhere are kept: %+v", r)
	}
	// Any other output: the program ends as any does.
	ee, stderr := toClosedPipe("account", "list")
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGPIPE || stderr != "" {
		t.Errorf("account list to a closed pipe: %v, %q", ee, stderr)
	}
}
