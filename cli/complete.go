package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"contactdesk/model"
	"contactdesk/model/text"
)

// Dynamic completion: the shell asks `contactdesk __complete …` for the
// handles, service names, request and mail numbers and key fingerprints
// the database holds. Completion reads the database named on the command
// line being completed (or $CONTACTDESK_DB), never creates one, never
// sends mail, and gives up quietly after completeTimeout.

// completeTimeout bounds a completion: a shell waits for it.
const completeTimeout = 2 * time.Second

// completeLimit is how many suggestions a completion offers at most.
const completeLimit = 200

const noFiles = cobra.ShellCompDirectiveNoFileComp

// peek opens the desk for a completion, without mail and without
// creating a database; ok is false when it can't be read.
func (a *app) peek() (d *model.Desk, ctx context.Context, done func(), ok bool) {
	ctx, cancel := context.WithTimeout(a.ctx, completeTimeout)
	st, err := openStore(ctx, a.dbPath(), readDesk, a.global.pool, nil)
	if err != nil {
		cancel()
		return nil, nil, nil, false
	}
	a.store = st // closed when the command line ends
	return model.NewDesk(st, model.Options{Clock: a.clock()}), ctx, cancel, true
}

// completeHandles completes a flag that takes an account's handle.
func (a *app) completeHandles(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	d, ctx, done, ok := a.peek()
	if !ok {
		return nil, noFiles
	}
	defer done()
	as, err := d.SuggestAccounts(ctx, toComplete, completeLimit)
	if err != nil {
		return nil, noFiles
	}
	var out []string
	for _, acc := range as {
		if strings.HasPrefix(string(acc.Handle), strings.ToLower(toComplete)) {
			out = append(out, string(acc.Handle)+"\t"+describeForShell(acc.Name))
		}
	}
	return out, noFiles
}

// completeHandleArg completes a first argument that is a handle.
func (a *app) completeHandleArg(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return firstArg(a.completeHandles)(cmd, args, toComplete)
}

// completeAs completes from what list offers the account the command
// acts as (--as, else $CONTACTDESK_AS): nothing without one. list returns
// each suggestion as "word\tdescription".
func (a *app) completeAs(list func(ctx context.Context, d *model.Desk, h model.Handle) ([]string, error)) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		as, _ := cmd.Flags().GetString("as")
		h, err := a.actor(as)
		if err != nil {
			return nil, noFiles
		}
		d, ctx, done, ok := a.peek()
		if !ok {
			return nil, noFiles
		}
		defer done()
		all, err := list(ctx, d, h)
		if err != nil {
			return nil, noFiles
		}
		var out []string
		for _, s := range all {
			if strings.HasPrefix(s, strings.ToLower(strings.TrimPrefix(toComplete, "#"))) && len(out) < completeLimit {
				out = append(out, s)
			}
		}
		return out, noFiles
	}
}

// firstArg makes f complete the first argument only.
func firstArg(f cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, noFiles
		}
		return f(cmd, args, toComplete)
	}
}

// completeServices completes the name of a service of the --as account.
func (a *app) completeServices(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return a.completeAs(func(ctx context.Context, d *model.Desk, h model.Handle) ([]string, error) {
		ss, err := d.Services(ctx, h)
		var out []string
		for _, s := range ss {
			// A name stored with what a terminal acts on (by hand, by an
			// older version) is not offered: the shell would write it
			// as it is on the command line and in its menu, where an
			// escape sequence retitles the terminal or writes to its
			// clipboard. Its type is a description, made inert.
			if text.Unsafe(s.Name) != "" {
				continue
			}
			out = append(out, s.Name+"\t"+describeForShell(s.Type))
		}
		return out, err
	})(cmd, args, toComplete)
}

// completeServiceArg completes a first argument that is a service's name.
func (a *app) completeServiceArg(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return firstArg(a.completeServices)(cmd, args, toComplete)
}

// completeRequests completes the number of a request the --as account is
// a party to.
func (a *app) completeRequests(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return a.completeRequestsWhere(nil)(cmd, args, toComplete)
}

// completeRequestsWhere completes the number of a request the --as
// account is a party to and that keep (when not nil) keeps: a command
// that only an open request allows offers no ended one.
func (a *app) completeRequestsWhere(keep func(r model.Request, h model.Handle) bool) cobra.CompletionFunc {
	return firstArg(a.completeAs(func(ctx context.Context, d *model.Desk, h model.Handle) ([]string, error) {
		rs, err := d.Requests(ctx, h)
		var out []string
		for _, r := range rs {
			if keep != nil && !keep(r, h) {
				continue
			}
			out = append(out, strconv.FormatInt(r.ID, 10)+"\t"+
				describeForShell(fmt.Sprintf("%s of %s, %s -> %s (%s)", r.RoleList(), r.Service, r.From, r.To, r.State)))
		}
		return out, err
	}))
}

// awaitingMe keeps the requests that await the account's answer: those
// it may accept, refuse, or have its token mailed again for.
func awaitingMe(r model.Request, h model.Handle) bool { return r.AwaitingMe(h) }

// cancellable keeps the open requests the account asked for.
func cancellable(r model.Request, h model.Handle) bool {
	return r.State == model.StateValidating && r.Requester == h
}

// completeMails completes the number of a mail of the --as account.
func (a *app) completeMails(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return firstArg(a.completeAs(func(ctx context.Context, d *model.Desk, h model.Handle) ([]string, error) {
		ms, _, err := d.Mailbox(ctx, h, 0)
		var out []string
		for _, m := range ms {
			out = append(out, strconv.FormatInt(m.ID, 10)+"\t"+describeForShell(m.Subject))
		}
		return out, err
	}))(cmd, args, toComplete)
}

// completeKeys completes the fingerprint of a registered key.
func (a *app) completeKeys(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	d, ctx, done, ok := a.peek()
	if !ok {
		return nil, noFiles
	}
	defer done()
	ks, err := d.Keys(ctx, "")
	if err != nil {
		return nil, noFiles
	}
	var out []string
	for _, k := range ks {
		if strings.HasPrefix(k.Fingerprint, toComplete) {
			out = append(out, k.Fingerprint+"\t"+describeForShell(string(k.Handle)+" "+k.Comment))
		}
	}
	return out, noFiles
}

// describeForShell makes a suggestion's description safe for the shell's
// completion menu: one line, inert, no tab (the separator).
func describeForShell(s string) string {
	return strings.ReplaceAll(text.Line(s), "\t", " ")
}

// fileFlags are the flags whose value is a file's path: completing them
// offers the files, as the shell would.
var fileFlags = map[string]bool{"db": true, "from": true, "tls-cert": true, "tls-key": true, "host-key": true, "api-secret-key": true}

// noFilesForValues makes every flag of root's tree that takes a value
// other than a file's path, and has no completion of its own, complete
// nothing rather than the files of the current folder: a tab after
// `--validity `, `--name ` or `--limit ` listed them, as if one of them
// were the value to give.
func noFilesForValues(root *cobra.Command) {
	none := cobra.NoFileCompletions
	var walk func(c *cobra.Command, flags *pflag.FlagSet)
	walk = func(c *cobra.Command, flags *pflag.FlagSet) {
		flags.VisitAll(func(f *pflag.Flag) {
			if f.NoOptDefVal != "" || fileFlags[f.Name] { // a switch (--json), or a file
				return
			}
			if _, has := c.GetFlagCompletionFunc(f.Name); !has {
				c.RegisterFlagCompletionFunc(f.Name, none)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub, sub.LocalNonPersistentFlags())
		}
	}
	walk(root, root.Flags())
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.NoOptDefVal == "" && !fileFlags[f.Name] {
			if _, has := root.GetFlagCompletionFunc(f.Name); !has {
				root.RegisterFlagCompletionFunc(f.Name, none)
			}
		}
	})
}
