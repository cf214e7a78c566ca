package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui"
)

// runTUI opens the terminal app: on --as (or $CONTACTDESK_AS) when given,
// else on the account picker. A missing database is first created with
// the demo data.
func (c *cli) runTUI(g opts) error {
	in, inOK := c.stdin.(*os.File)
	out, outOK := c.stdout.(*os.File)
	if !inOK || !outOK || !isTerminal(in) || !isTerminal(out) {
		return &usageError{msg: "the terminal app needs a terminal; to script, give a command", usage: usageAll()}
	}
	v := g.as
	if v == "" {
		v = c.env("CONTACTDESK_AS")
	}
	path := c.dbPath(&g)
	if dbMissing(c.ctx, path) {
		hint := ""
		if v == "" {
			hint = fmt.Sprintf(" (pick %s, the demo's main persona)", demo.Persona)
		}
		fmt.Fprintf(c.stderr, "contactdesk: no database at %s: creating one with demo data%s\n", path, hint)
		if _, err := demoBuilder(path, false)(c, path, 0, func(int, int) {}); err != nil {
			return err
		}
	}
	d, err := c.open(&g, false)
	if err != nil {
		return err
	}
	if m, ok := c.mail.(*cliMailer); ok {
		// The sender's warnings wait until the app has left the screen;
		// meanwhile the mailbox shows each mail's delivery.
		m.log.hold()
	}
	var me model.Handle
	if v != "" {
		if me, err = model.ParseHandle(v); err != nil {
			return err
		}
		if _, err := d.Account(c.ctx, me); err != nil {
			return err
		}
	}

	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	// Writes by other processes (the CLI, another node) reach the screens.
	go d.Watch(ctx, time.Second)
	p := tea.NewProgram(tui.New(d, me, tui.Options{Context: ctx}),
		tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out))
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && c.ctx.Err() != nil {
		return nil // SIGINT or SIGTERM: leave quietly
	}
	return err
}
