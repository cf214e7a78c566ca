package cli

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"syscall"
	"testing"
	"time"

	"contactdesk/storage/sqlite"
)

// TestAnInterruptedCommandSaysSo: a command whose context a signal
// cancelled (NotifySignals) says it was interrupted, in the reader's
// language, rather than "context canceled", and ends with the code of a
// program the signal killed (Main then dies of it); a misuse stays one.
func TestAnInterruptedCommandSaysSo(t *testing.T) {
	d := seeded(t)
	for _, c := range []struct {
		sig  syscall.Signal
		lang string
		args []string
		code int
		says string
	}{
		{syscall.SIGINT, "C", []string{"services", "--as", "ad11111-ovh"}, 130, "contactdesk: interrupted (SIGINT): nothing was changed\n"},
		{syscall.SIGTERM, "C", []string{"profile", "set-lang", "pt", "--as", "ad11111-ovh"}, 143, "contactdesk: interrupted (SIGTERM): nothing was changed\n"},
		{syscall.SIGINT, "pt_PT.UTF-8", []string{"services", "--as", "ad11111-ovh"}, 130, "contactdesk: interrompido (SIGINT): nada foi alterado\n"},
		{syscall.SIGINT, "C", []string{"services", "--as", "ad11111-ovh", "--bogus"}, 2, "contactdesk: unknown flag --bogus\n"},
	} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(Interrupted{c.sig})
		var out, errb bytes.Buffer
		env := map[string]string{"LANG": c.lang}
		for k, v := range d.env {
			env[k] = v
		}
		code := Run(ctx, c.args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
		if code != c.code || !strings.HasPrefix(errb.String(), c.says) || out.Len() != 0 {
			t.Errorf("%v %v: exit %d, stdout %q, stderr %q; want %d, %q", c.sig, c.args, code, out.String(), errb.String(), c.code, c.says)
		}
	}
	if out := d.ok("services", "--as", "ad11111-ovh"); !strings.Contains(out, "example.com") {
		t.Errorf("services: %s", out)
	}
}

// TestInterruptedWhileTheDeskIsLocked: a command that waits for another
// program's lock on the desk (a write, under another's write; any, under
// an exclusive lock) and is interrupted says so at once, while the lock
// is still held, rather than when the busy timeout (5 s) is over, and
// the desk is as it was.
func TestInterruptedWhileTheDeskIsLocked(t *testing.T) {
	d := seeded(t)
	before := d.ok("export", "accounts")
	for _, c := range []struct {
		name, params string
		args         []string
	}{
		{"writing", "", []string{"profile", "set-lang", "pt", "--as", "ad11111-ovh"}},
		{"exclusively", "&_locking_mode=EXCLUSIVE", []string{"account", "add", "zz99999-ovh", "--name", "Zed", "--email", "zed@example.com"}},
		{"exclusively", "&_locking_mode=EXCLUSIVE", []string{"services", "--as", "ad11111-ovh"}},
		{"exclusively", "&_locking_mode=EXCLUSIVE", []string{"demo", "--force"}},
		{"writing", "", []string{"demo", "--force"}},
	} {
		other, err := sql.Open("sqlite3", "file:"+d.env["CONTACTDESK_DB"]+"?_txlock=immediate"+c.params)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := other.Begin()
		if err == nil {
			_, err = tx.Exec("INSERT INTO history (at, actor, action, detail) VALUES (1, 'other', 'other.program', 'holds the lock')")
		}
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(50*time.Millisecond, func() { cancel(Interrupted{syscall.SIGINT}) })
		var out, errb bytes.Buffer
		ran := make(chan int, 1)
		go func() {
			ran <- Run(ctx, c.args, strings.NewReader(""), &out, &errb, func(k string) string { return d.env[k] })
		}()
		var code int
		// The bound is the wait the command was interrupted in: one that
		// sat it out would say the same, and the busy timeout's ErrBusy
		// is what the interruption replaces.
		select {
		case code = <-ran:
		case <-time.After(sqlite.BusyTimeout):
			t.Errorf("%s, %v: still waiting for the lock when its busy timeout (%s) was over", c.name, c.args, sqlite.BusyTimeout)
			code = <-ran
		}
		tx.Rollback() // only now: the command ended while the lock was held
		other.Close()
		if want := "contactdesk: interrupted (SIGINT): nothing was changed\n"; code != 130 || errb.String() != want || out.Len() != 0 {
			t.Errorf("%s, %v: exit %d, stdout %q, stderr %q; want 130, %q", c.name, c.args, code, out.String(), errb.String(), want)
		}
	}
	if after := d.ok("export", "accounts"); after != before {
		t.Errorf("the desk changed:\n%s\nwas:\n%s", after, before)
	}
}
