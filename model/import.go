package model

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"contactdesk/locale"
)

// An import brings in the accounts and services a provider already has
// elsewhere, as lines of a file: every line is checked with the rules of
// AddAccount and AddService, and the new ones are stored in one
// transaction — all of them, or, when any line is refused, none. An
// import never changes what the desk holds: a line that is there already
// is skipped when it says the same, and refused when it says otherwise
// (changes of contact are what requests are for).

// History actions of an import.
const (
	ActAccountImport = "account.import"
	ActServiceImport = "service.import"
)

// AccountLine is one line of an import of accounts, as written in the
// file. Owes and Lang may be empty: not given (a new account owes
// nothing and speaks DefaultLang; an existing one is not compared on
// them).
type AccountLine struct {
	Line                int // its number in the file, for messages
	Handle, Name, Email string
	Owes                string // an amount, 42.50
	Lang                string // pt, en or fr
}

// ServiceLine is one line of an import of services, as written in the
// file. The owner details are a domain's alone, and each may be empty:
// a domain's holder and e-mail address default to its admin's name and
// address, as AddService makes them.
type ServiceLine struct {
	Line                          int
	Name, Type                    string
	Admin, Tech, Billing          string
	Holder, Address, Phone, Email string
}

// Import is what to import: accounts, services, or both (the services'
// contacts may then be accounts of the same import).
type Import struct {
	Accounts []AccountLine
	Services []ServiceLine
}

// ImportOptions say how to import.
type ImportOptions struct {
	// DryRun checks every line and reports, storing nothing.
	DryRun bool
	// Progress, when set, is told how many of the new rows are stored.
	Progress func(done, total int)
}

// ImportReport says what an import did (or, dry, would do).
type ImportReport struct {
	AccountsAdded, AccountsSkipped int
	ServicesAdded, ServicesSkipped int
}

// LineError is a line an import refused, and why.
type LineError struct {
	Line int   // its number in the file
	Err  error // the refusal, an *Error
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Err) }

// ImportError is an import refused: every bad line, in the order of the
// file. Nothing was stored.
type ImportError struct {
	Lines []LineError
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("%s refused; nothing was imported", plural(len(e.Lines), "line"))
}

// Unwrap makes an import refused a refusal (IsRefusal, ErrInvalid).
func (e *ImportError) Unwrap() error { return &Error{Kind: ErrInvalid, Msg: e.Error()} }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// importChunk is how many rows are stored between two calls of Progress.
const importChunk = 5000

// Import checks every line of in and stores the new accounts and
// services, each with a history line, in one transaction; with
// o.DryRun it only checks. When a line is refused, nothing is stored
// and the error is an *ImportError listing every bad line.
func (d *Desk) Import(ctx context.Context, in Import, o ImportOptions) (ImportReport, error) {
	var rep ImportReport
	if o.DryRun {
		err := d.view(ctx, func(tx Tx, now time.Time) error {
			var err error
			rep, _, err = checkImport(tx, in, now)
			return err
		})
		return rep, err
	}
	start := time.Now()
	err := d.store.Update(ctx, func(tx Tx) error {
		now := d.clock.Now()
		var p *importPlan
		var err error
		if rep, p, err = checkImport(tx, in, now); err != nil {
			return err
		}
		return p.store(tx, now, o.Progress)
	})
	d.observed(ActImport, start, err)
	if err != nil {
		return ImportReport{}, storageErr(err)
	}
	d.broker.Publish(Change{All: true})
	for _, f := range d.onCommit {
		f()
	}
	return rep, nil
}

// importPlan is what an import will store, once every line passed.
type importPlan struct {
	accounts []Account
	services []*Service
}

// checkImport checks every line against the rules and the desk as tx
// sees it. It returns the *ImportError of the bad lines, if any.
func checkImport(tx Tx, in Import, now time.Time) (ImportReport, *importPlan, error) {
	var rep ImportReport
	var bad []LineError
	refuse := func(line int, err error) error {
		if !IsRefusal(err) {
			return err // the store failed: stop there
		}
		bad = append(bad, LineError{Line: line, Err: err})
		return nil
	}
	p := &importPlan{}
	set, err := tx.Settings()
	if err != nil {
		return rep, nil, err
	}

	// The accounts: the rules of AddAccount, then the desk and the
	// lines before.
	accs := make([]Account, len(in.Accounts))
	ok := make([]bool, len(in.Accounts))
	for i, l := range in.Accounts {
		a, err := checkAccountLine(l, now, set.DefaultLang())
		if err != nil {
			if err := refuse(l.Line, err); err != nil {
				return rep, nil, err
			}
			continue
		}
		accs[i], ok[i] = a, true
	}
	existing, err := accountsIn(tx, accs, ok)
	if err != nil {
		return rep, nil, err
	}
	known := map[Handle]Account{} // the desk's, then the new ones
	for _, a := range existing {
		known[a.Handle] = a
	}
	firstLine := map[Handle]int{}
	for i, l := range in.Accounts {
		if !ok[i] {
			continue
		}
		a := accs[i]
		if at, seen := firstLine[a.Handle]; seen {
			if diff := accountDiff(known[a.Handle], l); len(diff) > 0 {
				refuse(l.Line, fail(ErrExists, "handle", "err.import.account_twice", locale.Args{"Handle": a.Handle, "Line": at, "Fields": diff}))
			} else {
				rep.AccountsSkipped++
			}
			continue
		}
		firstLine[a.Handle] = l.Line
		if old, there := known[a.Handle]; there {
			if diff := accountDiff(old, l); len(diff) > 0 {
				refuse(l.Line, fail(ErrExists, "handle", "err.import.account_differs", locale.Args{"Handle": a.Handle, "Fields": diff}))
			} else {
				rep.AccountsSkipped++
			}
			continue
		}
		known[a.Handle] = a
		p.accounts = append(p.accounts, a)
		rep.AccountsAdded++
	}

	// The services: the rules of AddService, the contacts among the
	// accounts known, then the desk and the lines before.
	svcs := make([]*Service, len(in.Services))
	for i, l := range in.Services {
		s, err := checkServiceLine(l, now)
		if err != nil {
			if err := refuse(l.Line, err); err != nil {
				return rep, nil, err
			}
			continue
		}
		svcs[i] = s
	}
	if err := contactsKnown(tx, svcs, known); err != nil {
		return rep, nil, err
	}
	there, err := servicesNamed(tx, svcs)
	if err != nil {
		return rep, nil, err
	}
	firstService := map[string]int{}
	for i, l := range in.Services {
		s := svcs[i]
		if s == nil {
			continue
		}
		if at, seen := firstService[s.Name]; seen {
			if diff := serviceDiff(there[s.Name], l, s); len(diff) > 0 {
				refuse(l.Line, fail(ErrExists, "service", "err.import.service_twice", locale.Args{"Service": s.Name, "Line": at, "Fields": diff}))
			} else {
				rep.ServicesSkipped++
			}
			continue
		}
		firstService[s.Name] = l.Line
		if old, ok := there[s.Name]; ok {
			if diff := serviceDiff(old, l, s); len(diff) > 0 {
				refuse(l.Line, fail(ErrExists, "service", "err.import.service_differs", locale.Args{"Service": s.Name, "Fields": diff}))
			} else {
				rep.ServicesSkipped++
			}
			continue
		}
		there[s.Name] = *s // what later lines of the same name are compared with
		if err := contactsOf(s, known); err != nil {
			refuse(l.Line, err)
			continue
		}
		p.services = append(p.services, s)
		rep.ServicesAdded++
	}
	if len(bad) > 0 {
		slices.SortStableFunc(bad, func(a, b LineError) int { return a.Line - b.Line })
		return rep, nil, &ImportError{Lines: bad}
	}
	return rep, p, nil
}

// checkAccountLine applies AddAccount's rules to a line; an account
// without a language gets lang.
func checkAccountLine(l AccountLine, now time.Time, lang Lang) (Account, error) {
	a, err := newAccount(NewAccount{Handle: l.Handle, Name: l.Name, Email: l.Email, Lang: strings.TrimSpace(l.Lang)}, now, lang)
	if err != nil {
		return Account{}, err
	}
	if strings.TrimSpace(l.Owes) != "" {
		if a.Owes, err = ParseAmount(l.Owes); err != nil {
			return Account{}, err
		}
	}
	return a, nil
}

// accountDiff names what a line gives that old differs in (what it
// leaves empty is not compared).
func accountDiff(old Account, l AccountLine) locale.ListOf {
	a, _ := checkAccountLine(l, old.Created, old.Lang)
	var diff locale.ListOf
	if a.Name != old.Name {
		diff = append(diff, locale.M("word.differs.name"))
	}
	if a.Email != old.Email {
		diff = append(diff, locale.M("word.differs.email"))
	}
	if strings.TrimSpace(l.Owes) != "" && a.Owes != old.Owes {
		diff = append(diff, locale.M("word.differs.owes"))
	}
	if strings.TrimSpace(l.Lang) != "" && a.Lang != old.Lang {
		diff = append(diff, locale.M("word.differs.lang"))
	}
	return diff
}

// checkServiceLine applies AddService's rules (and SetOwner's, for the
// owner details) to a line; the contacts' existence is checked after.
func checkServiceLine(l ServiceLine, now time.Time) (*Service, error) {
	sv, err := newService(NewService{Name: l.Name, Type: l.Type, Admin: l.Admin, Tech: l.Tech, Billing: l.Billing}, now)
	if err != nil {
		return nil, err
	}
	s, name, typ := &sv, sv.Name, sv.Type
	o, given, err := checkOwnerLine(l)
	if err != nil {
		return nil, err
	}
	if given && typ != TypeDomain {
		return nil, fail(ErrNotDomain, "service", "err.import.not_domain", locale.Args{"Service": name, "Type": ServiceType(typ)})
	}
	if typ == TypeDomain {
		s.Owner = &o // the holder's and e-mail's defaults are the admin's: see contactsOf
	}
	return s, nil
}

// checkOwnerLine checks the owner details a line gives, and reports
// whether it gives any.
func checkOwnerLine(l ServiceLine) (Owner, bool, error) {
	var o Owner
	given := false
	for _, f := range []struct {
		v   string
		dst *string
		chk func(string) (string, error)
	}{
		{l.Holder, &o.Holder, checkHolder},
		{l.Address, &o.Address, checkAddress},
		{l.Phone, &o.Phone, checkOwnerPhone},
		{l.Email, &o.Email, checkOwnerEmail},
	} {
		if f.v == "" {
			continue
		}
		v, err := f.chk(f.v)
		if err != nil {
			return Owner{}, false, err
		}
		*f.dst, given = v, true
	}
	return o, given, nil
}

// contactsOf checks that a service's contacts are accounts known (of the
// desk, or new in this import) and fills in a domain's owner defaults.
func contactsOf(s *Service, known map[Handle]Account) error {
	for _, r := range Roles {
		if _, ok := known[s.Contact(r)]; !ok {
			return fail(ErrUnknownAccount, string(r), "err.import.no_contact", locale.Args{"Handle": s.Contact(r), "Role": r})
		}
	}
	if s.Owner != nil {
		admin := known[s.Admin]
		if s.Owner.Holder == "" {
			s.Owner.Holder = admin.Name
		}
		if s.Owner.Email == "" {
			s.Owner.Email = admin.Email
		}
	}
	return nil
}

// serviceDiff names what a line gives that old differs in: the type,
// the contacts, and the owner details it gives.
func serviceDiff(old Service, l ServiceLine, s *Service) locale.ListOf {
	var diff locale.ListOf
	if s.Type != old.Type {
		diff = append(diff, locale.M("word.differs.type"))
	}
	for _, r := range Roles {
		if s.Contact(r) != old.Contact(r) {
			diff = append(diff, locale.M("word.contact", locale.Args{"Roles": RoleWords{r}}))
		}
	}
	o, _, _ := checkOwnerLine(l)
	var was Owner
	if old.Owner != nil {
		was = *old.Owner
	}
	for _, f := range []struct {
		name, given, now, was string
	}{{"holder", l.Holder, o.Holder, was.Holder}, {"address", l.Address, o.Address, was.Address}, {"phone", l.Phone, o.Phone, was.Phone}, {"owner_email", l.Email, o.Email, was.Email}} {
		if f.given != "" && f.now != f.was {
			diff = append(diff, locale.M("word.differs."+f.name))
		}
	}
	return diff
}

// accountsIn reads the accounts of the desk that the lines name.
func accountsIn(tx Tx, accs []Account, ok []bool) ([]Account, error) {
	var hs []Handle
	for i, a := range accs {
		if ok[i] {
			hs = append(hs, a.Handle)
		}
	}
	return tx.AccountsIn(hs)
}

// contactsKnown adds to known the accounts of the desk that the
// services name and known lacks.
func contactsKnown(tx Tx, svcs []*Service, known map[Handle]Account) error {
	want := map[Handle]bool{}
	for _, s := range svcs {
		if s == nil {
			continue
		}
		for _, r := range Roles {
			if h := s.Contact(r); !want[h] {
				if _, ok := known[h]; !ok {
					want[h] = true
				}
			}
		}
	}
	hs := make([]Handle, 0, len(want))
	for h := range want {
		hs = append(hs, h)
	}
	as, err := tx.AccountsIn(hs)
	for _, a := range as {
		known[a.Handle] = a
	}
	return err
}

// servicesNamed reads the services of the desk that the lines name.
func servicesNamed(tx Tx, svcs []*Service) (map[string]Service, error) {
	var names []string
	for _, s := range svcs {
		if s != nil {
			names = append(names, s.Name)
		}
	}
	ss, err := tx.ServicesNamed(names)
	m := make(map[string]Service, len(ss))
	for _, s := range ss {
		m[s.Name] = s
	}
	return m, err
}

// store writes the plan: the rows with the store's bulk load when it has
// one, each with its history line.
func (p *importPlan) store(tx Tx, now time.Time, progress func(done, total int)) error {
	total := len(p.accounts) + len(p.services)
	done := 0
	tell := func() {
		if progress != nil {
			progress(done, total)
		}
	}
	tell()
	bulk, isBulk := tx.(BulkTx)
	for start := 0; start < len(p.accounts); start += importChunk {
		as := p.accounts[start:min(start+importChunk, len(p.accounts))]
		hist := make([]HistoryEntry, len(as))
		for i, a := range as {
			hist[i] = HistoryEntry{At: now, Actor: SupportActor, Action: ActAccountImport, Detail: fmt.Sprintf("account %s (%s) imported", a.Handle, a.Name)}
		}
		if err := insertAccounts(tx, bulk, isBulk, as, hist); err != nil {
			return err
		}
		done += len(as)
		tell()
	}
	for start := 0; start < len(p.services); start += importChunk {
		ss := p.services[start:min(start+importChunk, len(p.services))]
		if err := insertServices(tx, bulk, isBulk, ss); err != nil {
			return err
		}
		hist := make([]HistoryEntry, len(ss))
		for i, s := range ss {
			hist[i] = HistoryEntry{At: now, Actor: SupportActor, Action: ActServiceImport, ServiceID: s.ID,
				Detail: fmt.Sprintf("%s %s imported: admin %s, tech %s, billing %s", s.Type, s.Name, s.Admin, s.Tech, s.Billing)}
		}
		if err := insertHistories(tx, bulk, isBulk, hist); err != nil {
			return err
		}
		done += len(ss)
		tell()
	}
	return nil
}

func insertAccounts(tx Tx, bulk BulkTx, isBulk bool, as []Account, hist []HistoryEntry) error {
	if isBulk {
		if err := bulk.InsertAccounts(as); err != nil {
			return err
		}
	} else {
		for _, a := range as {
			if err := tx.InsertAccount(a); err != nil {
				return err
			}
		}
	}
	return insertHistories(tx, bulk, isBulk, hist)
}

func insertServices(tx Tx, bulk BulkTx, isBulk bool, ss []*Service) error {
	if isBulk {
		return bulk.InsertServices(ss)
	}
	for _, s := range ss {
		if err := tx.InsertService(s); err != nil {
			return err
		}
	}
	return nil
}

func insertHistories(tx Tx, bulk BulkTx, isBulk bool, hist []HistoryEntry) error {
	if isBulk {
		return bulk.InsertHistories(hist)
	}
	for i := range hist {
		if err := tx.InsertHistory(&hist[i]); err != nil {
			return err
		}
	}
	return nil
}
