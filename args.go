package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// usageError is a mistake in how a command was called: exit code 2, with
// the command's usage.
type usageError struct {
	msg   string
	usage string
}

func (e *usageError) Error() string { return e.msg }

// command is one subcommand: its usage line, flags and what it does.
type command struct {
	name  string // "request create"
	args  string // positional part of the usage: "ID"
	about string
	flags func(fs *flag.FlagSet, o *opts)
	nargs int // how many positional arguments it takes
	// needs lists the flags it can't do without, shown unbracketed in
	// its usage (--as may also come from $CONTACTDESK_AS).
	needs []string
	run   func(c *cli, o *opts, args []string) error
}

// opts holds every flag a command may take; each command registers the
// ones it uses.
type opts struct {
	db, as                 string
	json, force            bool
	services               int
	name, email, owes      string
	paid                   bool
	typ, admin, tech, bill string
	service, role, to      string
	validity, token        string
	holder, address, phone string
	setHolder, setAddress  bool
	setPhone, setEmail     bool
	limit                  int
	listen, hostKey        string
	idleTimeout            time.Duration
	maxSessions            int
	smtp, mailFrom         string
	pool                   int
}

func (c command) usage() string {
	fs := c.flagSet(&opts{})
	var b strings.Builder
	fmt.Fprintf(&b, "usage: contactdesk %s", c.name)
	if c.args != "" {
		b.WriteString(" " + c.args)
	}
	var optional []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "db" || f.Name == "pool" || isMailFlag(f.Name) {
			return
		}
		if !slices.Contains(c.needs, f.Name) {
			optional = append(optional, f)
			return
		}
		fmt.Fprintf(&b, " --%s %s", f.Name, valueName(f))
	})
	for _, f := range optional {
		if isBool(f) {
			fmt.Fprintf(&b, " [--%s]", f.Name)
		} else {
			fmt.Fprintf(&b, " [--%s %s]", f.Name, valueName(f))
		}
	}
	b.WriteString("\n  " + c.about + "\n")
	return b.String()
}

func valueName(f *flag.Flag) string {
	name, _ := flag.UnquoteUsage(f)
	if name == "" {
		return "VALUE"
	}
	return name
}

func (c command) flagSet(o *opts) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.db, "db", o.db, "the `PATH` of the database")
	poolFlag(fs, o)
	mailFlags(fs, o)
	if c.flags != nil {
		c.flags(fs, o)
	}
	return fs
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// parseArgs parses flags wherever they stand among the positional
// arguments ("request show 12 --as H" as well as "request show --as H 12").
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		if name == "h" || name == "help" {
			return nil, flag.ErrHelp
		}
		if strings.Contains(name, "=") {
			flags = append(flags, a)
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			return nil, fmt.Errorf("unknown flag %s", a)
		}
		flags = append(flags, a)
		if !isBool(f) {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag %s needs a value", a)
			}
			flags = append(flags, args[i+1])
			i++
		}
	}
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errors.New(strings.TrimPrefix(err.Error(), "flag provided but not defined: -"))
	}
	return pos, nil
}
