package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"

	"contactdesk/locale"
)

// Interrupted is the cause of the context of a command line stopped by a
// signal (see NotifySignals).
type Interrupted struct{ Signal syscall.Signal }

func (i Interrupted) Error() string { return signalName(i.Signal) + " received" }

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// NotifySignals returns a context cancelled at SIGINT or SIGTERM, its
// cause Interrupted, which Run reads to end as the signal would have
// (exit code 128 + its number), and Main to die of it.
func NotifySignals(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		select {
		case s := <-c:
			cancel(Interrupted{s.(syscall.Signal)})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(c)
		cancel(nil)
	}
}

// interrupted is the signal that stopped a command that failed, if one
// did: its context was cancelled by NotifySignals. Not serve's, which a
// signal stops as it is meant to stop, and which says what went wrong in
// its stopping.
func (a *app) interrupted(err error) (syscall.Signal, bool) {
	var (
		in Interrupted
		ue *usageError
	)
	if err == nil || errors.As(err, &ue) || a.ctx.Err() == nil || !errors.As(context.Cause(a.ctx), &in) {
		return 0, false
	}
	if a.cmd != nil && a.cmd.CommandPath() == a.cmd.Root().Name()+" serve" {
		return 0, false
	}
	return in.Signal, true
}

// interruption is what a command stopped by a signal says: that it was,
// and whether its change was made before (a change is one transaction:
// one interrupted is not made), in place of what the cancelled context
// made it fail with ("context canceled").
func (a *app) interruption(sig syscall.Signal) error {
	args := locale.Args{"Signal": signalName(sig)}
	if a.changed.Load() {
		return fails("interrupted_changed", args)
	}
	return fails("interrupted", args)
}

// Main runs the command line of the process, and ends it with Run's exit
// code. A command stopped by SIGINT or SIGTERM ends killed by that
// signal, once it has said so and cleaned up: a shell running it in a
// script stops the script too, as it stops it when a program it runs
// dies of Ctrl-C. (An exit code, 1 as it was, told the shell the program
// had handled Ctrl-C itself: a loop of commands went on to the next one
// at each Ctrl-C.)
func Main() {
	ctx, stop := NotifySignals(context.Background())
	code := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	if code > 128 {
		if sig := syscall.Signal(code - 128); sig == syscall.SIGINT || sig == syscall.SIGTERM {
			signal.Reset(sig)
			syscall.Kill(os.Getpid(), sig)
			time.Sleep(time.Second) // the signal ends the process; if it was ignored, the code does
		}
	}
	os.Exit(code)
}
