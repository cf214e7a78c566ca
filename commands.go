package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/text"
	"contactdesk/storage"
)

func asFlag(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.as, "as", o.as, "the `HANDLE` you act as")
}

func jsonFlag(fs *flag.FlagSet, o *opts) {
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

func asJSON(fs *flag.FlagSet, o *opts) { asFlag(fs, o); jsonFlag(fs, o) }

// commands is the command line's contract; names and flags never change.
var commands []command

func init() {
	commands = []command{
		{name: "demo", about: "create a database filled with demo data", nargs: 0,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.IntVar(&o.services, "services", 0, "make `N` services in all")
				fs.BoolVar(&o.force, "force", false, "replace an existing contactdesk database")
			}, run: cmdDemo},
		{name: "init", about: "create an empty database", nargs: 0, run: cmdInit},
		{name: "account add", needs: []string{"name", "email"}, args: "HANDLE", about: "open an account", nargs: 1,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.name, "name", "", "the account's `NAME`")
				fs.StringVar(&o.email, "email", "", "its e-mail `ADDRESS`")
				fs.StringVar(&o.owes, "owes", "", "the `AMOUNT` it owes (0 or absent: up to date)")
			}, run: cmdAccountAdd},
		{name: "account set-standing", args: "HANDLE", about: "record an account's billing standing", nargs: 1,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.BoolVar(&o.paid, "paid", false, "payments are up to date")
				fs.StringVar(&o.owes, "owes", "", "the `AMOUNT` it owes")
			}, run: cmdSetStanding},
		{name: "account list", about: "list the accounts", nargs: 0, flags: jsonFlag, run: cmdAccountList},
		{name: "service add", needs: []string{"type", "admin", "tech", "billing"}, args: "NAME", about: "add a service with its three contacts", nargs: 1,
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.typ, "type", "", "the service `TYPE`: "+strings.Join(model.ServiceTypes, ", "))
				fs.StringVar(&o.admin, "admin", "", "the admin contact's `HANDLE`")
				fs.StringVar(&o.tech, "tech", "", "the tech contact's `HANDLE`")
				fs.StringVar(&o.bill, "billing", "", "the billing contact's `HANDLE`")
			}, run: cmdServiceAdd},
		{name: "services", needs: []string{"as"}, about: "list the services where you hold a role", nargs: 0, flags: asJSON, run: cmdServices},
		{name: "request create", needs: []string{"as", "service", "role", "to"}, about: "ask for a change of contact", nargs: 0,
			flags: func(fs *flag.FlagSet, o *opts) {
				asJSON(fs, o)
				fs.StringVar(&o.service, "service", "", "the service's `NAME`")
				fs.StringVar(&o.role, "role", "", "the `ROLE[,ROLE]` to change: admin, tech, billing")
				fs.StringVar(&o.to, "to", "", "the new contact's `HANDLE`")
				fs.StringVar(&o.validity, "validity", "", "how long parties have to answer: `D` as 15d, 48h, 90s (default 15d)")
			}, run: cmdRequestCreate},
		{name: "request list", needs: []string{"as"}, about: "list the requests you are a party to", nargs: 0, flags: asJSON, run: cmdRequestList},
		{name: "request show", needs: []string{"as"}, args: "ID", about: "show one request", nargs: 1, flags: asJSON, run: cmdRequestShow},
		{name: "request accept", needs: []string{"as", "token"}, args: "ID", about: "accept a request with your token", nargs: 1, flags: tokenFlags, run: cmdAccept},
		{name: "request refuse", needs: []string{"as", "token"}, args: "ID", about: "refuse a request with your token", nargs: 1, flags: tokenFlags, run: cmdRefuse},
		{name: "request resend", needs: []string{"as"}, args: "ID", about: "mail yourself a fresh token (the old one stops working)", nargs: 1, flags: asJSON, run: cmdResend},
		{name: "request cancel", needs: []string{"as"}, args: "ID", about: "withdraw a request you made", nargs: 1, flags: asJSON, run: cmdCancel},
		{name: "mail list", needs: []string{"as"}, about: "list your mails", nargs: 0, flags: asJSON, run: cmdMailList},
		{name: "mail show", needs: []string{"as"}, args: "ID", about: "show one of your mails (and mark it read)", nargs: 1, flags: asJSON, run: cmdMailShow},
		{name: "profile set-email", needs: []string{"as"}, args: "EMAIL", about: "change the e-mail address of your profile", nargs: 1, flags: asJSON, run: cmdSetEmail},
		{name: "owner show", needs: []string{"as"}, args: "SERVICE", about: "show a domain's owner details", nargs: 1, flags: asJSON, run: cmdOwnerShow},
		{name: "owner set", needs: []string{"as"}, args: "SERVICE", about: "change a domain's owner details (its admin only)", nargs: 1,
			flags: func(fs *flag.FlagSet, o *opts) {
				asJSON(fs, o)
				fs.Func("holder", "the holder's `NAME`", func(v string) error { o.holder, o.setHolder = v, true; return nil })
				fs.Func("address", "the postal `ADDRESS`", func(v string) error { o.address, o.setAddress = v, true; return nil })
				fs.Func("phone", "the `PHONE` number", func(v string) error { o.phone, o.setPhone = v, true; return nil })
				fs.Func("email", "the e-mail `ADDRESS`", func(v string) error { o.email, o.setEmail = v, true; return nil })
			}, run: cmdOwnerSet},
		{name: "history", needs: []string{"as"}, about: "what was done to your services and requests", nargs: 0,
			flags: func(fs *flag.FlagSet, o *opts) {
				asJSON(fs, o)
				fs.StringVar(&o.service, "service", "", "only this service's `NAME`")
				fs.IntVar(&o.limit, "limit", 0, "at most `N` entries, newest first (0: all)")
			}, run: cmdHistory},
	}
}

// extraCommands are registered by the files of other parts of the
// command line (serve, key, migrate…), each in its own init.
var extraCommands []command

func allCommands() []command { return append(commands[:len(commands):len(commands)], extraCommands...) }

func tokenFlags(fs *flag.FlagSet, o *opts) {
	asJSON(fs, o)
	fs.StringVar(&o.token, "token", "", "your `TOKEN` from the mail")
}

func need(v, flagName string) error {
	if strings.TrimSpace(v) == "" {
		return &usageError{msg: "--" + flagName + " is required"}
	}
	return nil
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &usageError{msg: fmt.Sprintf("%q is not a request number", text.Line(s))}
	}
	return id, nil
}

// desk opens the database and returns the desk and the acting account.
func (c *cli) deskAs(o *opts) (*model.Desk, model.Handle, error) {
	h, err := c.actor(o)
	if err != nil {
		return nil, "", err
	}
	d, err := c.open(o, false)
	return d, h, err
}

func cmdInit(c *cli, o *opts, _ []string) error {
	path := c.dbPath(o)
	if dbExists(c.ctx, path) {
		return fmt.Errorf("%s already exists; init only creates new databases", path)
	}
	if _, err := c.open(o, true); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "empty desk created at %s: add accounts with 'contactdesk account add', services with 'contactdesk service add'\n", path)
	return nil
}

func cmdDemo(c *cli, o *opts, _ []string) error {
	if o.services < 0 || o.services > 5_000_000 {
		return &usageError{msg: "--services takes a number from 0 to 5000000"}
	}
	path := c.dbPath(o)
	if _, err := os.Stat(path); err == nil {
		if !o.force {
			return fmt.Errorf("%s already exists; demo won't touch it (--force replaces a contactdesk database)", path)
		}
		// --force replaces a contactdesk database, never another file.
		db, err := storage.Open(path, storage.Options{})
		if err != nil {
			return err
		}
		db.Close()
	}
	progress, cleared := func(int, int) {}, func() {}
	if f, ok := c.stderr.(*os.File); ok && isTerminal(f) && o.services > demo.Curated {
		progress = func(done, total int) {
			fmt.Fprintf(c.stderr, "\rbuilding the demo desk: %3d%% (%d of %d)", done*100/max(total, 1), done, total)
			if done == total {
				// What is left: the indexes put off during the load.
				fmt.Fprint(c.stderr, ", indexing")
			}
		}
		// The progress line goes before the summary is printed.
		cleared = func() { fmt.Fprint(c.stderr, "\r\033[K") }
	}
	sum, err := demoBuilder(path, o.force)(c, path, o.services, progress)
	cleared()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "demo desk written to %s: %d accounts, %d services, %d requests\n", path, sum.Accounts, sum.Services, sum.Requests)
	fmt.Fprintf(c.stdout, "try: contactdesk --db %s --as %s\n", path, demo.Persona)
	return nil
}

// buildDemo writes a demo database beside path and moves it into place
// only once it is complete, so a failure leaves what was there.
func buildDemo(c *cli, path string, services int, progress func(int, int)) (demo.Summary, error) {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".building")
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(f)
	}
	db, err := storage.Open(tmp, storage.Options{Create: true, Bulk: true})
	if err != nil {
		return demo.Summary{}, err
	}
	d := model.NewDesk(db, model.Options{Clock: c.clock()})
	sum, err := demo.Load(c.ctx, d, demo.Options{Services: services, Progress: progress})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// Reopen once in the durable mode (WAL) the desk runs in.
		if db, err = storage.Open(tmp, storage.Options{}); err == nil {
			err = db.Close()
		}
	}
	if err != nil {
		for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(f)
		}
		return sum, err
	}
	for _, f := range []string{path + "-wal", path + "-shm"} {
		os.Remove(f)
	}
	return sum, os.Rename(tmp, path)
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func parseOwes(s string) (model.Cents, error) {
	if s == "" {
		return 0, nil
	}
	return model.ParseAmount(s)
}

func cmdAccountAdd(c *cli, o *opts, args []string) error {
	if err := errors.Join(need(o.name, "name"), need(o.email, "email")); err != nil {
		return &usageError{msg: strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	owes, err := parseOwes(o.owes)
	if err != nil {
		return err
	}
	d, err := c.open(o, false)
	if err != nil {
		return err
	}
	a, err := d.AddAccount(c.ctx, model.NewAccount{Handle: args[0], Name: o.name, Email: o.email, Owes: owes})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "account %s added: %s <%s>%s\n", a.Handle, a.Name, a.Email, owesNote(a.Owes))
	return nil
}

func owesNote(c model.Cents) string {
	if c > 0 {
		return ", owes " + c.String()
	}
	return ""
}

func cmdSetStanding(c *cli, o *opts, args []string) error {
	if o.paid == (o.owes != "") {
		return &usageError{msg: "give either --paid or --owes AMOUNT"}
	}
	owes, err := parseOwes(o.owes)
	if err != nil {
		return err
	}
	h, err := model.ParseHandle(args[0])
	if err != nil {
		return err
	}
	d, err := c.open(o, false)
	if err != nil {
		return err
	}
	a, err := d.SetStanding(c.ctx, h, owes)
	if err != nil {
		return err
	}
	if a.Owes > 0 {
		fmt.Fprintf(c.stdout, "%s owes %s\n", a.Handle, a.Owes)
	} else {
		fmt.Fprintf(c.stdout, "%s is up to date with payments\n", a.Handle)
	}
	return nil
}

func cmdAccountList(c *cli, o *opts, _ []string) error {
	d, err := c.open(o, false)
	if err != nil {
		return err
	}
	as, err := d.Accounts(c.ctx)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, mapJSON(as, accountOut))
	}
	rows := make([][]string, 0, len(as))
	for _, a := range as {
		owes := "up to date"
		if a.Owes > 0 {
			owes = "owes " + a.Owes.String()
		}
		rows = append(rows, []string{string(a.Handle), a.Name, a.Email, owes})
	}
	table(c.stdout, []string{"HANDLE", "NAME", "EMAIL", "PAYMENTS"}, rows)
	return nil
}

func cmdServiceAdd(c *cli, o *opts, args []string) error {
	if err := errors.Join(need(o.typ, "type"), need(o.admin, "admin"), need(o.tech, "tech"), need(o.bill, "billing")); err != nil {
		return &usageError{msg: strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	d, err := c.open(o, false)
	if err != nil {
		return err
	}
	s, err := d.AddService(c.ctx, model.NewService{Name: args[0], Type: o.typ, Admin: o.admin, Tech: o.tech, Billing: o.bill})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s %s added: admin %s, tech %s, billing %s\n", s.Type, s.Name, s.Admin, s.Tech, s.Billing)
	return nil
}

func cmdServices(c *cli, o *opts, _ []string) error {
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	ss, err := d.Services(c.ctx, h)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, mapJSON(ss, func(s model.ServiceView) serviceJSON {
			return serviceJSON{Name: s.Name, Type: s.Type, Admin: string(s.Admin), Tech: string(s.Tech), Billing: string(s.Billing),
				Pending: s.Pending, Roles: roleStrings(s.RolesOf(h))}
		}))
	}
	rows := make([][]string, 0, len(ss))
	for _, s := range ss {
		mark := ""
		if s.Pending {
			mark = "pending"
		}
		rows = append(rows, []string{s.Name, s.Type, string(s.Admin), string(s.Tech), string(s.Billing), mark})
	}
	table(c.stdout, []string{"SERVICE", "TYPE", "ADMIN", "TECH", "BILLING", "REQUEST"}, rows)
	return nil
}

func cmdRequestCreate(c *cli, o *opts, _ []string) error {
	if err := errors.Join(need(o.service, "service"), need(o.role, "role"), need(o.to, "to")); err != nil {
		return &usageError{msg: strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	roles, err := model.ParseRoles(o.role)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	var validity = model.DefaultValidity
	if o.validity != "" {
		if validity, err = model.ParseValidity(o.validity); err != nil {
			return &usageError{msg: err.Error()}
		}
	}
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	rs, err := d.CreateRequest(c.ctx, h, model.NewRequest{Service: o.service, Roles: roles, To: o.to, Validity: validity})
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, mapJSON(rs, requestOut))
	}
	for _, r := range rs {
		fmt.Fprintf(c.stdout, "request #%d created: %s contact of %s, %s -> %s; waiting for confirmation by %s (each has a token by mail)\n",
			r.ID, r.RoleList(), r.Service, r.From, r.To, handles(r.Awaited()))
	}
	return nil
}

func cmdRequestList(c *cli, o *opts, _ []string) error {
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	rs, err := d.Requests(c.ctx, h)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, mapJSON(rs, requestOut))
	}
	rows := make([][]string, 0, len(rs))
	for _, r := range rs {
		awaited := handles(r.Awaited())
		if r.AwaitingMe(h) {
			awaited = "YOU; " + awaited
		}
		rows = append(rows, []string{fmt.Sprintf("#%d", r.ID), stamp(r.Created), r.Service, r.RoleList(),
			string(r.From) + " -> " + string(r.To), string(r.State), dash(awaited)})
	}
	table(c.stdout, []string{"ID", "CREATED", "SERVICE", "ROLES", "FROM -> TO", "STATE", "AWAITING"}, rows)
	return nil
}

func cmdRequestShow(c *cli, o *opts, args []string) error {
	id, err := parseID(args[0])
	if err != nil {
		return err
	}
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	r, err := d.Request(c.ctx, h, id)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, requestOut(r))
	}
	describe(c.stdout, r)
	return nil
}

func cmdAccept(c *cli, o *opts, args []string) error { return answer(c, o, args, true) }
func cmdRefuse(c *cli, o *opts, args []string) error { return answer(c, o, args, false) }

func answer(c *cli, o *opts, args []string, accept bool) error {
	id, err := parseID(args[0])
	if err != nil {
		return err
	}
	if err := need(o.token, "token"); err != nil {
		return err
	}
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	var r model.Request
	if accept {
		r, err = d.Accept(c.ctx, h, id, o.token)
	} else {
		r, err = d.Refuse(c.ctx, h, id, o.token)
	}
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, requestOut(r))
	}
	switch r.State {
	case model.StateDone:
		fmt.Fprintf(c.stdout, "request #%d done: %s is now the %s contact of %s\n", r.ID, r.To, r.RoleList(), r.Service)
	case model.StateValidating:
		fmt.Fprintf(c.stdout, "request #%d accepted by %s; waiting for confirmation by %s\n", r.ID, h, handles(r.Awaited()))
	default:
		fmt.Fprintf(c.stdout, "request #%d %s: %s\n", r.ID, r.State, r.Reason)
	}
	return nil
}

func cmdResend(c *cli, o *opts, args []string) error {
	id, err := parseID(args[0])
	if err != nil {
		return err
	}
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	m, err := d.Resend(c.ctx, h, id)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, mailOut(m))
	}
	fmt.Fprintf(c.stdout, "a fresh token for request #%d was mailed to %s; the one sent before no longer works\n", id, m.Address)
	return nil
}

func cmdCancel(c *cli, o *opts, args []string) error {
	id, err := parseID(args[0])
	if err != nil {
		return err
	}
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	r, err := d.Cancel(c.ctx, h, id)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, requestOut(r))
	}
	fmt.Fprintf(c.stdout, "request #%d cancelled; every party was told by mail\n", r.ID)
	return nil
}

func cmdMailList(c *cli, o *opts, _ []string) error {
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	ms, err := d.Mails(c.ctx, h)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, mapJSON(ms, mailOut))
	}
	rows := make([][]string, 0, len(ms))
	for _, m := range ms {
		unread := ""
		if !m.Read {
			unread = "*"
		}
		rows = append(rows, []string{fmt.Sprint(m.ID), unread, stamp(m.Date), m.Subject})
	}
	table(c.stdout, []string{"ID", "NEW", "DATE", "SUBJECT"}, rows)
	return nil
}

func cmdMailShow(c *cli, o *opts, args []string) error {
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return &usageError{msg: fmt.Sprintf("%q is not a mail number", text.Line(args[0]))}
	}
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	ms, err := d.Mails(c.ctx, h)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.ID != id {
			continue
		}
		if err := d.MarkRead(c.ctx, h, id); err != nil {
			return err
		}
		m.Read = true
		if o.json {
			return writeJSON(c.stdout, mailOut(m))
		}
		fmt.Fprintf(c.stdout, "From:    contactdesk\nTo:      %s <%s>\nDate:    %s\nSubject: %s\n\n%s", m.To, text.Line(m.Address), stamp(m.Date), text.Line(m.Subject), text.Clean(m.Body, true))
		return nil
	}
	return &model.Error{Kind: model.ErrNotFound, Field: "mail", Msg: fmt.Sprintf("no mail #%d in the mailbox of %s", id, h)}
}

func cmdSetEmail(c *cli, o *opts, args []string) error {
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	a, err := d.SetEmail(c.ctx, h, args[0])
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, accountOut(a))
	}
	fmt.Fprintf(c.stdout, "the e-mail address of %s is now %s\n", a.Handle, a.Email)
	return nil
}

func ownerOut(s model.Service) ownerJSON {
	return ownerJSON{Service: s.Name, Admin: string(s.Admin), Holder: s.Owner.Holder, Address: s.Owner.Address, Phone: s.Owner.Phone, Email: s.Owner.Email}
}

func printOwner(c *cli, s model.Service) {
	fmt.Fprintf(c.stdout, "owner details of %s (admin %s):\n  holder:  %s\n  address: %s\n  phone:   %s\n  e-mail:  %s\n",
		s.Name, s.Admin, text.Line(s.Owner.Holder), dash(text.Line(s.Owner.Address)), dash(text.Line(s.Owner.Phone)), dash(text.Line(s.Owner.Email)))
}

func cmdOwnerShow(c *cli, o *opts, args []string) error {
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	s, err := d.Owner(c.ctx, h, args[0])
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, ownerOut(s))
	}
	printOwner(c, s)
	return nil
}

func cmdOwnerSet(c *cli, o *opts, args []string) error {
	var ch model.OwnerChange
	if o.setHolder {
		ch.Holder = &o.holder
	}
	if o.setAddress {
		ch.Address = &o.address
	}
	if o.setPhone {
		ch.Phone = &o.phone
	}
	if o.setEmail {
		ch.Email = &o.email
	}
	if ch == (model.OwnerChange{}) {
		return &usageError{msg: "give at least one of --holder, --address, --phone, --email"}
	}
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	s, err := d.SetOwner(c.ctx, h, args[0], ch)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, ownerOut(s))
	}
	printOwner(c, s)
	return nil
}

func cmdHistory(c *cli, o *opts, _ []string) error {
	if o.limit < 0 {
		return &usageError{msg: "--limit takes a number of entries, 0 for all"}
	}
	d, h, err := c.deskAs(o)
	if err != nil {
		return err
	}
	hs, err := d.History(c.ctx, h, model.HistoryFilter{Service: o.service, Limit: o.limit})
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, mapJSON(hs, historyOut))
	}
	rows := make([][]string, 0, len(hs))
	for _, e := range hs {
		req := ""
		if e.RequestID != 0 {
			req = fmt.Sprintf("#%d", e.RequestID)
		}
		rows = append(rows, []string{stamp(e.At), string(e.Actor), e.Action, dash(e.Service), dash(req), e.Detail})
	}
	table(c.stdout, []string{"AT", "ACTOR", "ACTION", "SERVICE", "REQUEST", "DETAIL"}, rows)
	return nil
}
