package main

import (
	"flag"

	"contactdesk/model"
)

// mailer delivers the desk's mails for real, beside the mailbox.
type mailer interface {
	// Attach starts delivering what d queues.
	Attach(d *model.Desk)
	// Close waits for what can still be sent, then stops.
	Close() error
}

// mailFlags registers the flags of real mail delivery on every command.
func mailFlags(fs *flag.FlagSet, o *opts) {}

// isMailFlag reports the flags mailFlags registers (left out of usages).
func isMailFlag(name string) bool { return false }

// setupMail turns on real delivery when it is configured.
func (c *cli) setupMail(o *opts, mo *model.Options) error { return nil }
