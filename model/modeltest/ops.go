package modeltest

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"contactdesk/model"
)

// testImport: every kind of bad line is refused with its number and
// nothing is stored; identical lines are skipped; a dry run stores
// nothing; what passes is stored with its history, as account add and
// service add would store it.
func testImport(t *testing.T, open Opener) {
	f := New(t, open)
	accounts := func() int {
		as, err := f.Desk.Accounts(f.Ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(as)
	}
	services := func() int {
		n := 0
		if err := f.Desk.EachService(f.Ctx, func(model.Service) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	acc0, svc0 := accounts(), services()

	bad := model.Import{
		Accounts: []model.AccountLine{
			{Line: 2, Handle: "nw10001-ovh", Name: "Nova", Email: "nova@example.pt", Owes: "12.50", Lang: "pt"}, // good
			{Line: 3, Handle: "nw-ovh", Name: "Bad Handle", Email: "x@example.pt"},
			{Line: 4, Handle: "nw10002-ovh", Name: "Bad Mail", Email: "nowhere"},
			{Line: 5, Handle: "nw10003-ovh", Name: "Hid\u200bden", Email: "h@example.pt"},
			{Line: 6, Handle: "nw10004-ovh", Name: "Owes", Email: "o@example.pt", Owes: "-3"},
			{Line: 7, Handle: "nw10005-ovh", Name: "Lang", Email: "l@example.pt", Lang: "de"},
			{Line: 8, Handle: string(A), Name: "Someone Else", Email: string(A) + "@mail.example"}, // differs from the desk
			{Line: 9, Handle: string(T), Name: "Ted Tech", Email: string(T) + "@mail.example"},     // identical: skipped
			{Line: 10, Handle: "NW10001-OVH", Name: "Nova Other", Email: "nova@example.pt"},        // differs from line 2
			{Line: 11, Handle: "nw10001-ovh", Name: "Nova", Email: "nova@example.pt"},              // same as line 2: skipped
			{Line: 12, Handle: "nw10006-ovh", Name: "", Email: "e@example.pt"},
		},
		Services: []model.ServiceLine{
			{Line: 2, Name: "nova.pt", Type: "domain", Admin: "nw10001-ovh", Tech: string(T), Billing: string(B)}, // good: a contact new in this import
			{Line: 3, Name: "bad name.pt", Type: "domain", Admin: string(A), Tech: string(A), Billing: string(A)},
			{Line: 4, Name: "ship.pt", Type: "spaceship", Admin: string(A), Tech: string(A), Billing: string(A)},
			{Line: 5, Name: "ghost.pt", Type: "domain", Admin: string(A), Tech: "gh99999-ovh", Billing: string(A)},
			{Line: 6, Name: "nohandle.pt", Type: "domain", Admin: "admin", Tech: string(A), Billing: string(A)},
			{Line: 7, Name: Example, Type: "domain", Admin: string(A), Tech: string(N), Billing: string(B)}, // differs: tech
			{Line: 8, Name: Multi, Type: "hosting", Admin: string(A), Tech: string(M), Billing: string(M)},  // identical: skipped
			{Line: 9, Name: "vps.example", Type: "vps", Admin: string(A), Tech: string(A), Billing: string(A), Holder: "Owner"},
			{Line: 10, Name: "phone.pt", Type: "domain", Admin: string(A), Tech: string(A), Billing: string(A), Phone: "call me"},
			{Line: 11, Name: "nova.pt", Type: "domain", Admin: string(A), Tech: string(T), Billing: string(B)}, // differs from line 2
			{Line: 12, Name: "rtl\u202e.pt", Type: "domain", Admin: string(A), Tech: string(A), Billing: string(A)},
		},
	}
	before := f.Snap()
	for _, dry := range []bool{true, false} {
		_, err := f.Desk.Import(f.Ctx, bad, model.ImportOptions{DryRun: dry})
		var ie *model.ImportError
		if !errors.As(err, &ie) || !model.IsRefusal(err) || !errors.Is(err, model.ErrInvalid) {
			t.Fatalf("dry %v: a file of bad lines: %v, want an ImportError", dry, err)
		}
		var lines []int
		for _, l := range ie.Lines {
			lines = append(lines, l.Line)
			if !model.IsRefusal(l.Err) || l.Err.Error() == "" {
				t.Errorf("line %d: %v is not a refusal a person can read", l.Line, l.Err)
			}
		}
		// Accounts' lines, then services', each in order of the file.
		want := []int{3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 10, 11, 12, 12}
		if !slices.Equal(lines, want) {
			t.Errorf("dry %v: refused lines %v, want %v (%v)", dry, lines, want, ie.Lines)
		}
		for _, l := range ie.Lines {
			if l.Line == 8 && strings.Contains(l.Err.Error(), string(A)) && !strings.Contains(l.Err.Error(), "name") {
				t.Errorf("line 8: %q does not say what differs", l.Err)
			}
		}
		if !strings.Contains(ie.Error(), "17 lines refused; nothing was imported") {
			t.Errorf("summary %q", ie.Error())
		}
	}
	f.Same(before, "an import refused")
	if accounts() != acc0 || services() != svc0 {
		t.Fatal("an import refused stored something")
	}

	good := model.Import{
		Accounts: []model.AccountLine{
			{Line: 2, Handle: "nw10001-ovh", Name: "Nova", Email: "nova@example.pt", Owes: "12.50", Lang: "pt-PT"},
			{Line: 3, Handle: string(T), Name: "Ted Tech", Email: string(T) + "@mail.example", Owes: "0", Lang: "en"}, // identical
			{Line: 4, Handle: "nw10002-ovh", Name: "Nuno", Email: "nuno@example.fr"},
		},
		Services: []model.ServiceLine{
			{Line: 2, Name: "Nova.PT", Type: "Domain", Admin: "nw10001-ovh", Tech: string(T), Billing: "nw10002-ovh"},
			{Line: 3, Name: "shop.nova.pt", Type: "domain", Admin: "nw10002-ovh", Tech: string(T), Billing: "nw10002-ovh",
				Holder: "Nova Lda", Address: "Rua 1, Lisboa", Phone: "+351 210 000 000", Email: "legal@nova.pt"},
			{Line: 4, Name: "vps.nova.pt", Type: "vps", Admin: "nw10001-ovh", Tech: "nw10001-ovh", Billing: "nw10001-ovh"},
			{Line: 5, Name: Self, Type: "vps", Admin: string(A), Tech: string(A), Billing: string(A)}, // identical
			{Line: 6, Name: "vps.nova.pt", Type: "vps", Admin: "nw10001-ovh", Tech: "nw10001-ovh", Billing: "nw10001-ovh"},
		},
	}
	rep, err := f.Desk.Import(f.Ctx, good, model.ImportOptions{DryRun: true})
	want := model.ImportReport{AccountsAdded: 2, AccountsSkipped: 1, ServicesAdded: 3, ServicesSkipped: 2}
	if err != nil || rep != want {
		t.Fatalf("dry run: %+v %v, want %+v", rep, err, want)
	}
	if accounts() != acc0 || services() != svc0 {
		t.Fatal("a dry run stored something")
	}
	var progress []int
	rep, err = f.Desk.Import(f.Ctx, good, model.ImportOptions{Progress: func(done, total int) {
		if total != 5 {
			t.Errorf("progress total %d, want 5", total)
		}
		progress = append(progress, done)
	}})
	if err != nil || rep != want {
		t.Fatalf("import: %+v %v, want %+v", rep, err, want)
	}
	if len(progress) == 0 || progress[len(progress)-1] != 5 {
		t.Errorf("progress %v does not end at 5", progress)
	}
	if accounts() != acc0+2 || services() != svc0+3 {
		t.Fatalf("after the import: %d accounts, %d services", accounts(), services())
	}
	nova, err := f.Desk.Account(f.Ctx, "nw10001-ovh")
	if err != nil || nova.Owes != 1250 || nova.Lang != model.LangPT || nova.Name != "Nova" || !nova.Created.Equal(f.Clock.Now()) {
		t.Errorf("nw10001-ovh: %+v %v", nova, err)
	}
	nuno, _ := f.Desk.Account(f.Ctx, "nw10002-ovh")
	if nuno.Lang != model.DefaultLang || nuno.Owes != 0 {
		t.Errorf("nw10002-ovh without owes and lang: %+v", nuno)
	}
	s := f.Service("nova.pt")
	if s.Type != model.TypeDomain || s.Admin != "nw10001-ovh" || s.Owner == nil || s.Owner.Holder != "Nova" || s.Owner.Email != "nova@example.pt" {
		t.Errorf("nova.pt: %+v %+v: a domain's owner details start as its admin's", s, s.Owner)
	}
	if o := f.Service("shop.nova.pt").Owner; o == nil || *o != (model.Owner{Holder: "Nova Lda", Address: "Rua 1, Lisboa", Phone: "+351 210 000 000", Email: "legal@nova.pt"}) {
		t.Errorf("shop.nova.pt owner %+v", o)
	}
	if f.Service("vps.nova.pt").Owner != nil {
		t.Error("a vps got owner details")
	}
	hs, err := f.Desk.History(f.Ctx, "nw10001-ovh", model.HistoryFilter{Service: "nova.pt"})
	if err != nil || len(hs) != 1 || hs[0].Action != model.ActServiceImport || !strings.Contains(hs[0].Detail, "imported") {
		t.Errorf("history of nova.pt: %+v %v", hs, err)
	}
	svs, err := f.Desk.Services(f.Ctx, T)
	if err != nil || len(svs) != 4 {
		t.Errorf("the tech's list after the import: %d services, %v", len(svs), err)
	}

	// The same file again: every line is there, identical: all skipped.
	rep, err = f.Desk.Import(f.Ctx, good, model.ImportOptions{})
	if err != nil || rep != (model.ImportReport{AccountsSkipped: 3, ServicesSkipped: 5}) {
		t.Errorf("the same import again: %+v %v", rep, err)
	}
	// A line that leaves owes and lang out is not compared on them.
	rep, err = f.Desk.Import(f.Ctx, model.Import{Accounts: []model.AccountLine{{Line: 2, Handle: "nw10001-ovh", Name: "Nova", Email: "nova@example.pt"}}}, model.ImportOptions{})
	if err != nil || rep.AccountsSkipped != 1 {
		t.Errorf("a line without owes and lang: %+v %v", rep, err)
	}
	_, err = f.Desk.Import(f.Ctx, model.Import{Accounts: []model.AccountLine{{Line: 2, Handle: "nw10001-ovh", Name: "Nova", Email: "nova@example.pt", Owes: "1"}}}, model.ImportOptions{})
	IsKind(t, err, model.ErrInvalid, "an import that would change what an account owes")
}

// testObserve: every write is told to Options.Observe with its action
// and outcome, and never with a handle or an address.
func testObserve(t *testing.T, open Opener) {
	st := open(t)
	clock := NewClock(Start)
	var mu sync.Mutex
	seen := map[string]int{}
	d := model.NewDesk(st, model.Options{Clock: clock, Observe: func(action string, o model.Outcome, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if took < 0 {
			t.Errorf("%s took %s", action, took)
		}
		seen[action+" "+string(o)]++
	}})
	f := &Fixture{T: t, Ctx: t.Context(), Store: st, Desk: d, Clock: clock}
	for _, h := range []model.Handle{A, N} {
		if _, err := d.AddAccount(f.Ctx, model.NewAccount{Handle: string(h), Name: "P " + string(h), Email: string(h) + "@mail.example"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.AddAccount(f.Ctx, model.NewAccount{Handle: string(A), Name: "Again", Email: "a@mail.example"}); err == nil {
		t.Fatal("an account added twice")
	}
	if _, err := d.AddService(f.Ctx, model.NewService{Name: Self, Type: "vps", Admin: string(A), Tech: string(A), Billing: string(A)}); err != nil {
		t.Fatal(err)
	}
	r := f.Create(A, Self, N, model.Tech)[0]
	f.Accept(A, r.ID)
	if _, err := d.Accept(f.Ctx, N, r.ID, "WRNG-TOKN-WRNG-TOKN-WRNG-TOKN-WRNG"); err == nil {
		t.Fatal("a wrong token accepted")
	}
	if _, err := d.Refuse(f.Ctx, N, r.ID, f.Token(N, r.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Import(f.Ctx, model.Import{Accounts: []model.AccountLine{{Line: 2, Handle: "nw10001-ovh", Name: "Nova", Email: "n@example.pt"}}}, model.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := d.AddAccount(f.Ctx, model.NewAccount{Handle: "zz12345-ovh", Name: "Late", Email: "late@mail.example"}); err == nil {
		t.Fatal("a write on a closed store")
	}
	mu.Lock()
	defer mu.Unlock()
	for k, n := range map[string]int{
		"account.add done": 2, "account.add refused": 1, "account.add failed": 1, "service.add done": 1,
		"request.create done": 1, "request.accept done": 1, "request.accept refused": 1, "request.refuse done": 1, "import done": 1,
	} {
		if seen[k] != n {
			t.Errorf("%q seen %d times, want %d (all: %v)", k, seen[k], n, seen)
		}
	}
	for k := range seen {
		if strings.Contains(k, "-ovh") || strings.Contains(k, "@") {
			t.Errorf("an observed action names someone: %q", k)
		}
	}
}

// testGauges: the requests counted by state as a monitor sees them (one
// past its expiry is expired), every state listed, and the outbox.
func testGauges(t *testing.T, open Opener) {
	f := New(t, open)
	g, err := f.Desk.Gauges(f.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Requests) != len(model.States) || g.OutboxPending != 0 {
		t.Fatalf("an empty desk's gauges: %+v", g)
	}
	for _, n := range g.Requests {
		if n != 0 {
			t.Fatalf("an empty desk's gauges: %+v", g)
		}
	}
	r1 := f.Create(A, Example, N, model.Tech)[0]
	f.Create(A, Multi, N, model.Tech)
	if _, err := f.Desk.Cancel(f.Ctx, A, r1.ID); err != nil {
		t.Fatal(err)
	}
	f.Create(A, Self, N, model.Tech)
	g, _ = f.Desk.Gauges(f.Ctx)
	if g.Requests[model.StateValidating] != 2 || g.Requests[model.StateCancelled] != 1 || g.Requests[model.StateExpired] != 0 {
		t.Errorf("gauges %+v", g.Requests)
	}
	f.Clock.Advance(model.DefaultValidity + time.Minute) // no write has recorded the expiries yet
	g, _ = f.Desk.Gauges(f.Ctx)
	if g.Requests[model.StateValidating] != 0 || g.Requests[model.StateExpired] != 2 {
		t.Errorf("gauges past the expiry %+v", g.Requests)
	}
	// Under real delivery every mail written is queued.
	r := f.Create(A, Owed, N, model.Tech)[0] // not queued
	f.Set(model.SettingMailDelivery, model.DeliverySMTP)
	if _, err := f.Desk.Resend(f.Ctx, A, r.ID); err != nil {
		t.Fatal(err)
	}
	if g, _ = f.Desk.Gauges(f.Ctx); g.OutboxPending != 1 {
		t.Errorf("outbox pending %d, want 1", g.OutboxPending)
	}
	if err := f.Desk.Ping(f.Ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
	f.Store.Close()
	if err := f.Desk.Ping(f.Ctx); err == nil {
		t.Error("a closed store answers the ping")
	}
	if _, err := f.Desk.Gauges(f.Ctx); err == nil {
		t.Error("a closed store gives gauges")
	}
}
