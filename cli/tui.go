package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui"
	"contactdesk/tui/input"
)

// runTUI opens the terminal app: on as (or $CONTACTDESK_AS) when given,
// else on the account picker. A missing database is first created with
// the demo data.
func (a *app) runTUI(as string) error {
	// A character device is not enough (/dev/null is one): each end must
	// answer as a terminal does.
	if err := tui.CheckTerminal(a.stdin, a.tty); err != nil {
		return misuse(nil, "needs_terminal")
	}
	// TERM=dumb says the terminal moves no cursor and clears no screen:
	// the app's screens came out on it as a stream of escape sequences.
	if dumbTerminal(a.env) {
		return misuse(nil, "needs_terminal_dumb")
	}
	in, out := a.stdin.(*os.File), a.tty.(*os.File)
	if as == "" {
		as = a.env("CONTACTDESK_AS")
	}
	if as != "" {
		// Known before the sender starts: its lines name no other
		// account's address (a.mayShowAddress).
		if h, err := model.ParseHandle(as); err == nil {
			a.acting.Store(&h)
		}
	}
	path := a.dbPath()
	if err := checkPath(path); err != nil {
		return err
	}
	if dbMissing(path) {
		hint := ""
		if as == "" {
			hint = fmt.Sprintf(" (pick %s, the demo's main persona)", demo.Persona)
		}
		fmt.Fprintf(a.stderr, "contactdesk: no database at %s: creating one with demo data%s\n", redact(path), hint)
		if _, err := demoBuilder(path, false)(a, path, fileMode, 0, func(int, int) {}); err != nil {
			return err
		}
	}
	// Until the app has the terminal, nothing else tells that the desk
	// keeps it waiting (a database locked, or not answering).
	waited := a.waitNotice(path)
	defer waited()
	d, err := a.open(false)
	if err != nil {
		return err
	}
	if a.mail != nil {
		// The sender's warnings wait until the app has left the screen;
		// meanwhile the mailbox shows each mail's delivery.
		a.mail.log.hold()
	}
	var me model.Handle
	if as != "" {
		if me, err = model.ParseHandle(as); err != nil {
			return err
		}
		if _, err := d.Account(a.ctx, me); err != nil {
			return err
		}
	}

	lang := a.pickerLang(d)
	waited()

	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	// Writes by other processes (the CLI, another node) reach the screens.
	go d.Watch(ctx, time.Second)
	// Requests that expire meanwhile are recorded, and their parties told,
	// with no write needed to notice them (serve does the same).
	go d.SettleExpiries(ctx, expiriesEvery)
	// The terminal's input is bounded as an SSH session's is: a hostile
	// sequence pasted (or cat'ed) as the app runs made the terminal
	// reader panic where nothing recovers (input.Terminal). The program
	// still owns the terminal: raw mode, its restoring, its reader's
	// cancelling, all through the file.
	p := tea.NewProgram(tui.New(d, me, appOptions(ctx, lang)),
		tea.WithContext(ctx), tea.WithInput(input.NewTerminal(in)), tea.WithOutput(out))
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && a.ctx.Err() != nil {
		return nil // SIGINT or SIGTERM: leave quietly
	}
	return err
}

// pickerLang is the language of the app before an account is chosen
// (the account picker; support staff open it): the environment's
// ($LC_ALL, $LC_MESSAGES, $LANG), else the desk's default-lang. A
// session on an account speaks the account's.
func (a *app) pickerLang(d *model.Desk) locale.Lang {
	if l, ok := locale.FromEnv(a.env); ok {
		return l
	}
	if set, err := d.Settings(a.ctx); err == nil {
		return set.DefaultLang()
	}
	return locale.Default
}

// waitNoticeAfter is how long the desk may keep the app from starting
// before the command line says what it waits for.
var waitNoticeAfter = time.Second

// waitNotice says on stderr, once the desk has kept the app from starting
// for waitNoticeAfter, what it waits for; the func it returns ends the
// wait (once, whatever the number of calls), erasing the line on a
// terminal, where the app is to take the screen.
func (a *app) waitNotice(path string) func() {
	var mu sync.Mutex
	shown, done := false, false
	t := time.AfterFunc(waitNoticeAfter, func() {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		shown = true
		line := "contactdesk: " + a.T("cli.tui.waiting", locale.Args{"Path": redact(path)})
		if a.stderrErases {
			fmt.Fprint(a.stderr, line)
		} else {
			fmt.Fprintln(a.stderr, line)
		}
	})
	return func() {
		t.Stop()
		mu.Lock()
		defer mu.Unlock()
		if !done && shown && a.stderrErases {
			fmt.Fprint(a.stderr, "\r\x1b[K")
		}
		done = true
	}
}

// appOptions are the app's options on the local terminal: the store's
// failures said in the session's language, as the command line says
// them (storageSaid).
func appOptions(ctx context.Context, lang locale.Lang) tui.Options {
	return tui.Options{Context: ctx, Lang: lang, StoreSays: storageSaid}
}
