package modeltest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
)

// Run runs the whole suite, each test on a fresh store from open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"WhoMayAsk", testWhoMayAsk},
		{"WhoMustConfirm", testWhoMustConfirm},
		{"Refusals", testRefusals},
		{"OneRequestPerOutgoingContact", testOnePerOutgoing},
		{"FullLife", testFullLife},
		{"Refuse", testRefuse},
		{"Resend", testResend},
		{"Expiry", testExpiry},
		{"Cancel", testCancel},
		{"Tokens", testTokens},
		{"Throttling", testThrottling},
		{"ApplyTimeRecheck", testApplyRecheck},
		{"OwnerDetails", testOwner},
		{"ProfileEmail", testEmail},
		{"ProfileEmailAbuse", testEmailAbuse},
		{"ProfileEmailLink", testEmailLink},
		{"OneMail", testOneMail},
		{"ProofMail", testProofMail},
		{"HistoryAndMailboxPrivacy", testPrivacy},
		{"OthersRequests", testOthersRequests},
		{"PermissionsPending", testPermissionsPending},
		{"SupportActions", testSupport},
		{"FirstServices", testFirstServices},
		{"StoredNames", testStoredNames},
		{"Keys", testKeys},
		{"APIKeys", testAPIKeys},
		{"Credentials", testCredentials},
		{"CredentialsPending", testCredentialsPending},
		{"CredentialsNetworks", testCredentialsNetworks},
		{"CredentialsAppBound", testCredentialsAppBound},
		{"CodeMailsPerNetwork", testCodeMailsPerNetwork},
		{"CredentialCodeMails", testCredentialCodeMails},
		{"CodeMailsOfOtherApplications", testCodeMailsOfOtherApplications},
		{"Concurrency", testConcurrency},
		{"Contention", testContention},
		{"HostileInput", testHostileInput},
		{"DebtPrivacy", testDebtPrivacy},
		{"ResendLimit", testResendLimit},
		{"RequestLimit", testRequestLimit},
		{"NamedAmiss", testNamedAmiss},
		{"Awaiting", testAwaiting},
		{"HistoryAddresses", testHistoryAddresses},
		{"Languages", testLanguages},
		{"Settings", testSettings},
		{"Links", testLinks},
		{"RealDelivery", testRealDelivery},
		{"RemovedTokens", testRemovedTokens},
		{"MailCommands", testMailCommands},
		{"RealDeliveryOff", testRealDeliveryOff},
		{"RealDeliveryOffForEveryProcess", testRealDeliveryOffForEveryProcess},
		{"TokenHolder", testTokenHolder},
		{"Import", testImport},
		{"Observe", testObserve},
		{"Gauges", testGauges},
		{"Acquaintances", testAcquaintances},
		{"TokenEnded", testTokenEnded},
		{"MailboxList", testMailboxList},
		{"SettleExpiries", testSettleExpiries},
		{"TokenUsedOrExpired", testTokenUsedOrExpired},
		{"PauseSaidAlike", testPauseSaidAlike},
		{"TokenAnswered", testTokenAnswered},
		{"EveryRoleSeesItsService", testEveryRoleSeesItsService},
		{"NotUTF8", testNotUTF8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func testWhoMayAsk(t *testing.T, open Opener) {
	cases := []struct {
		actor   model.Handle
		service string
		role    model.Role
		to      model.Handle
		want    error // nil: allowed
	}{
		{A, Example, model.Tech, N, nil},
		{A, Example, model.Billing, N, nil},
		{A, Example, model.Admin, N, nil},
		{T, Example, model.Tech, N, nil},
		{T, Example, model.Billing, N, model.ErrNotYourRole},
		{T, Example, model.Admin, N, model.ErrNotYourRole},
		{B, Example, model.Billing, N, nil},
		{B, Example, model.Tech, N, model.ErrNotYourRole},
		{B, Example, model.Admin, N, model.ErrNotYourRole},
		{X, Example, model.Tech, N, model.ErrNotFound}, // not even listed for it
		{M, Multi, model.Tech, N, nil},                 // several roles: the rights of each
		{M, Multi, model.Billing, N, nil},
		{M, Multi, model.Admin, N, model.ErrNotYourRole},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s_%s_%s", c.actor, c.service, c.role), func(t *testing.T) {
			f := New(t, open)
			before := f.Snap()
			rs, err := f.Desk.CreateRequest(f.Ctx, c.actor, model.NewRequest{Service: c.service, Roles: []model.Role{c.role}, To: string(c.to)})
			if c.want == nil {
				if err != nil || len(rs) != 1 {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			IsKind(t, err, c.want, "asking")
			f.Same(before, "a refused request")
		})
	}
	// The refusals say why.
	f := New(t, open)
	_, err := f.Desk.CreateRequest(f.Ctx, T, model.NewRequest{Service: Example, Roles: []model.Role{model.Billing}, To: string(N)})
	if err == nil || !strings.Contains(err.Error(), "billing contact of example.com") {
		t.Errorf("message %q does not say which role it is about", err)
	}
	// The services an account is listed are those where it holds a role.
	ss, err := f.Desk.Services(f.Ctx, X)
	if err != nil || len(ss) != 0 {
		t.Errorf("an account with no role sees %d services (%v)", len(ss), err)
	}
	ss, _ = f.Desk.Services(f.Ctx, T)
	var names []string
	for _, s := range ss {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{Example, Owed}) {
		t.Errorf("the tech contact sees %v", names)
	}
}

func handlesOf(r model.Request) []model.Handle {
	var hs []model.Handle
	for _, p := range r.Parties {
		hs = append(hs, p.Handle)
	}
	return hs
}

func testWhoMustConfirm(t *testing.T, open Opener) {
	cases := []struct {
		name    string
		actor   model.Handle
		service string
		role    model.Role
		to      model.Handle
		parties []model.Handle
		labels  []string
	}{
		{"admin names a new tech", A, Example, model.Tech, N, []model.Handle{A, T, N}, []string{"requester", "current tech", "new tech"}},
		{"admin names a new billing", A, Example, model.Billing, N, []model.Handle{A, B, N}, []string{"requester", "current billing", "new billing"}},
		{"admin takes tech back", A, Example, model.Tech, A, []model.Handle{A, T}, []string{"requester and new tech", "current tech"}},
		{"admin takes billing back", A, Example, model.Billing, A, []model.Handle{A, B}, []string{"requester and new billing", "current billing"}},
		{"admin hands admin over", A, Example, model.Admin, N, []model.Handle{A, N}, []string{"requester and current admin", "new admin"}},
		{"tech names a new tech", T, Example, model.Tech, N, []model.Handle{T, N}, []string{"requester and current tech", "new tech"}},
		{"billing names a new billing", B, Example, model.Billing, N, []model.Handle{B, N}, []string{"requester and current billing", "new billing"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := New(t, open)
			plan, err := f.Desk.Plan(f.Ctx, c.actor, model.NewRequest{Service: c.service, Roles: []model.Role{c.role}, To: string(c.to)})
			if err != nil || len(plan) != 1 {
				t.Fatalf("plan: %v", err)
			}
			if got := handlesOf(plan[0]); !slices.Equal(got, c.parties) {
				t.Fatalf("plan says %v must confirm, want %v", got, c.parties)
			}
			r := f.Create(c.actor, c.service, c.to, c.role)[0]
			if got := handlesOf(r); !slices.Equal(got, c.parties) {
				t.Fatalf("parties %v, want %v", got, c.parties)
			}
			for i, h := range c.parties {
				if got := r.PartyLabel(h); got != c.labels[i] {
					t.Errorf("%s is %q, want %q", h, got, c.labels[i])
				}
			}
			if r.State != model.StateValidating {
				t.Errorf("state %s", r.State)
			}
			if !slices.Equal(r.Awaited(), c.parties) {
				t.Errorf("awaited %v", r.Awaited())
			}
			// Every party, and only they, got its own token.
			tokens := map[string]bool{}
			for _, h := range c.parties {
				tok := f.Token(h, r.ID)
				if tokens[tok] {
					t.Errorf("%s got a token another party got", h)
				}
				tokens[tok] = true
			}
			for _, h := range []model.Handle{A, T, B, N, O, X, M, N2} {
				if slices.Contains(c.parties, h) {
					continue
				}
				ms, _ := f.Desk.Mails(f.Ctx, h)
				for _, m := range ms {
					if m.RequestID == r.ID {
						t.Errorf("%s, not a party, got mail %q", h, m.Subject)
					}
				}
			}
		})
	}
}

func testRefusals(t *testing.T, open Opener) {
	type setup func(f *Fixture)
	cases := []struct {
		name    string
		setup   setup
		actor   model.Handle
		service string
		roles   []model.Role
		to      string
		want    error
		says    string
	}{
		{"new contact does not exist", nil, A, Example, []model.Role{model.Tech}, "zz99999-ovh", model.ErrUnknownAccount, "zz99999-ovh"},
		{"new contact is not a handle", nil, A, Example, []model.Role{model.Tech}, "nobody", model.ErrUnknownAccount, "nobody"},
		{"already the contact", nil, A, Example, []model.Role{model.Tech}, string(T), model.ErrAlreadyContact, "already the tech contact"},
		{"role not yours", nil, T, Example, []model.Role{model.Billing}, string(N), model.ErrNotYourRole, "billing"},
		{"pending for that role", func(f *Fixture) { f.Create(A, Example, N, model.Tech) }, A, Example, []model.Role{model.Tech}, string(N2), model.ErrPending, "already pending"},
		{"pending for one of the roles", func(f *Fixture) { f.Create(A, Example, N, model.Tech) }, A, Example, []model.Role{model.Tech, model.Billing}, string(N2), model.ErrPending, "tech"},
		{"pending, asked by the actor", func(f *Fixture) { f.Create(A, Example, N, model.Tech) }, A, Example, []model.Role{model.Tech}, string(N2), model.ErrPending, "waiting for confirmation by"},
		// the admin is no party to the tech contact's request: neither
		// its number nor its parties are told
		{"pending, asked by another", func(f *Fixture) { f.Create(T, Example, N, model.Tech) }, A, Example, []model.Role{model.Tech}, string(N2), model.ErrPending, "another contact of example.com has a request pending for the tech contact; it ends once its parties have answered, by 20"},
		{"outgoing billing owes money", nil, A, Owed, []model.Role{model.Billing}, string(N), model.ErrNotUpToDate, string(O)},
		{"incoming billing owes money", nil, A, Example, []model.Role{model.Billing}, string(O), model.ErrNotUpToDate, string(O)},
		{"service not held", nil, X, Example, []model.Role{model.Tech}, string(N), model.ErrNotFound, "no service"},
		{"unknown service", nil, A, "nowhere.example", []model.Role{model.Tech}, string(N), model.ErrNotFound, "no service"},
		{"no role", nil, A, Example, nil, string(N), model.ErrInvalid, "role"},
		{"unknown requester", nil, "zz99999-ovh", Example, []model.Role{model.Tech}, string(N), model.ErrUnknownAccount, "zz99999-ovh"},
	}
	// what a refusal must not tell: the number and the parties of a
	// request the actor is no party to
	hidden := map[string][]string{"pending, asked by another": {"#", string(N)}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := New(t, open)
			if c.setup != nil {
				c.setup(f)
			}
			before := f.Snap()
			_, err := f.Desk.CreateRequest(f.Ctx, c.actor, model.NewRequest{Service: c.service, Roles: c.roles, To: c.to})
			IsKind(t, err, c.want, c.name)
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("message %q does not say %q", err, c.says)
			}
			for _, h := range hidden[c.name] {
				if strings.Contains(err.Error(), h) {
					t.Errorf("message %q tells %q", err, h)
				}
			}
			f.Same(before, c.name)
		})
	}
	// Tech changes to an owing account are not billing: allowed.
	f := New(t, open)
	f.Create(A, Example, O, model.Tech)
}

func testOnePerOutgoing(t *testing.T, open Opener) {
	f := New(t, open)
	// Tech and billing of example.com have different contacts: two requests.
	rs := f.Create(A, Example, N, model.Tech, model.Billing)
	if len(rs) != 2 {
		t.Fatalf("%d requests, want one per outgoing contact", len(rs))
	}
	if rs[0].From != T || !slices.Equal(rs[0].Roles, []model.Role{model.Tech}) || rs[1].From != B || !slices.Equal(rs[1].Roles, []model.Role{model.Billing}) {
		t.Errorf("requests %+v / %+v", rs[0], rs[1])
	}
	// Tech and billing of multi.net are one contact: one request, two roles.
	rs = f.Create(A, Multi, N, model.Tech, model.Billing)
	if len(rs) != 1 || !slices.Equal(rs[0].Roles, []model.Role{model.Tech, model.Billing}) || !slices.Equal(handlesOf(rs[0]), []model.Handle{A, M, N}) {
		t.Fatalf("got %+v", rs)
	}
	for _, h := range []model.Handle{A, M, N} {
		f.Accept(h, rs[0].ID)
	}
	s := f.Service(Multi)
	if s.Tech != N || s.Billing != N || s.Admin != A {
		t.Errorf("after done: %+v", s)
	}
	// Different new contacts for different roles, at once: all or none.
	f3 := New(t, open)
	before3 := f3.Snap()
	_, err := f3.Desk.CreateRequests(f3.Ctx, A, []model.NewRequest{
		{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)},
		{Service: Example, Roles: []model.Role{model.Billing}, To: string(O)}, // O owes money
	})
	IsKind(t, err, model.ErrNotUpToDate, "two changes, the second refused")
	if i := model.ChangeOf(err); i != 1 || model.FieldOf(err) != "to" {
		t.Errorf("the refusal is about change %d, field %q; want 1, \"to\"", i, model.FieldOf(err))
	}
	f3.Same(before3, "two changes, the second refused")
	_, err = f3.Desk.CreateRequests(f3.Ctx, A, []model.NewRequest{
		{Service: Example, Roles: []model.Role{model.Tech}, To: "qq99999-ovh"},
		{Service: Example, Roles: []model.Role{model.Billing}, To: string(N2)},
	})
	IsKind(t, err, model.ErrUnknownAccount, "two changes, the first refused")
	if i := model.ChangeOf(err); i != 0 {
		t.Errorf("the refusal is about change %d, want 0", i)
	}
	rs, err = f3.Desk.CreateRequests(f3.Ctx, A, []model.NewRequest{
		{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)},
		{Service: Example, Roles: []model.Role{model.Billing}, To: string(N2)},
	})
	if err != nil || len(rs) != 2 || rs[0].To != N || rs[1].To != N2 {
		t.Fatalf("two changes at once: %+v %v", rs, err)
	}

	// One refusal refuses the whole change: nothing is stored.
	f2 := New(t, open)
	before := f2.Snap()
	_, err = f2.Desk.CreateRequest(f2.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech, model.Billing}, To: string(O)})
	IsKind(t, err, model.ErrNotUpToDate, "tech+billing to an account that owes")
	f2.Same(before, "a half-refused change")
}

func testFullLife(t *testing.T, open Opener) {
	cases := []struct {
		name  string
		actor model.Handle
		role  model.Role
		to    model.Handle
	}{
		{"admin names a new tech contact", A, model.Tech, N},
		{"admin takes billing back", A, model.Billing, A},
		{"admin hands admin over", A, model.Admin, N},
		{"tech names a new tech contact", T, model.Tech, N},
		{"billing names a new billing contact", B, model.Billing, N},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := New(t, open)
			r := f.Create(c.actor, Example, c.to, c.role)[0]
			for i, p := range r.Parties {
				f.Clock.Advance(time.Minute)
				got := f.Accept(p.Handle, r.ID)
				last := i == len(r.Parties)-1
				if !last {
					if got.State != model.StateValidating || len(got.Awaited()) != len(r.Parties)-i-1 {
						t.Fatalf("after %s: %s awaiting %v", p.Handle, got.State, got.Awaited())
					}
					if f.Service(Example).Contact(c.role) != r.From {
						t.Fatalf("the contact moved before everyone accepted")
					}
					continue
				}
				if got.State != model.StateDone || len(got.Awaited()) != 0 {
					t.Fatalf("after the last acceptance: %s (%s)", got.State, got.Reason)
				}
			}
			if s := f.Service(Example); s.Contact(c.role) != c.to {
				t.Fatalf("%s contact is %s, want %s", c.role, s.Contact(c.role), c.to)
			}
			for _, p := range r.Parties {
				ms, _ := f.Desk.Mails(f.Ctx, p.Handle)
				if ms[0].Kind != model.MailOutcome || ms[0].RequestID != r.ID || !strings.Contains(ms[0].Subject, "done") {
					t.Errorf("%s's newest mail is %q, want the outcome", p.Handle, ms[0].Subject)
				}
				if ms[0].Token != "" {
					t.Errorf("an outcome mail carries a token")
				}
			}
			hs, err := f.Desk.History(f.Ctx, r.Requester, model.HistoryFilter{RequestID: r.ID})
			if err != nil {
				t.Fatal(err)
			}
			actions := map[string]int{}
			for _, h := range hs {
				actions[h.Action]++
			}
			if actions[model.ActRequestCreate] != 1 || actions[model.ActRequestAccept] != len(r.Parties) || actions[model.ActRequestDone] != 1 || actions[model.ActContactChange] != 1 {
				t.Errorf("history %v", actions)
			}
			// Its tokens are spent: accepting again says so.
			_, err = f.Desk.Accept(f.Ctx, r.Parties[0].Handle, r.ID, f.Token(r.Parties[0].Handle, r.ID))
			IsKind(t, err, model.ErrEnded, "accepting a done request")
		})
	}
}

func testRefuse(t *testing.T, open Opener) {
	for _, refuser := range []model.Handle{A, T, N} {
		t.Run(string(refuser), func(t *testing.T) {
			f := New(t, open)
			r := f.Create(A, Example, N, model.Tech)[0]
			if refuser != A {
				f.Accept(A, r.ID)
			}
			got, err := f.Desk.Refuse(f.Ctx, refuser, r.ID, f.Token(refuser, r.ID))
			if err != nil {
				t.Fatal(err)
			}
			if got.State != model.StateRefused || got.Reason != "refused by "+string(refuser) {
				t.Fatalf("%s (%s)", got.State, got.Reason)
			}
			if p, _ := got.Party(refuser); p.Answer != model.AnswerRefused {
				t.Errorf("answer %s", p.Answer)
			}
			if f.Service(Example).Tech != T {
				t.Errorf("a refused request moved the contact")
			}
			for _, p := range r.Parties {
				ms, _ := f.Desk.Mails(f.Ctx, p.Handle)
				if !strings.Contains(ms[0].Subject, "refused") {
					t.Errorf("%s was not told: %q", p.Handle, ms[0].Subject)
				}
			}
			for _, p := range r.Parties {
				if p.Handle == refuser || (p.Handle == A && refuser != A) {
					continue
				}
				_, err := f.Desk.Accept(f.Ctx, p.Handle, r.ID, f.Token(p.Handle, r.ID))
				IsKind(t, err, model.ErrEnded, "accepting a refused request")
			}
			// A new request for the role may be made again.
			f.Create(A, Example, N2, model.Tech)
		})
	}
}

func testResend(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	old := f.Token(N, r.ID)
	// N's address was wrong: N corrects it, then asks for the mail again.
	f.SetEmail(N, "nina@right.example")
	m, err := f.Desk.Resend(f.Ctx, N, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Address != "nina@right.example" || m.Token == "" || m.Token == old || m.Link != model.Link(r.ID, m.Token) {
		t.Fatalf("resent mail %+v", m)
	}
	if f.Token(N, r.ID) != m.Token {
		t.Fatalf("the newest mail does not carry the new token")
	}
	before := f.Snap()
	_, err = f.Desk.Accept(f.Ctx, N, r.ID, old)
	IsKind(t, err, model.ErrTokenReplaced, "the old token")
	f.Same(before, "the old token")
	// The party's own replaced token is no guess: it spends no try, and
	// as often as it is given (an app offering a stale mail's token),
	// it never pauses the party's tries.
	if strings.Contains(err.Error(), "tries left") {
		t.Errorf("the old token counts as a wrong try: %v", err)
	}
	for range model.MaxTokenFailures {
		_, err = f.Desk.Accept(f.Ctx, N, r.ID, old)
		IsKind(t, err, model.ErrTokenReplaced, "the old token again")
	}
	if got := f.Request(N, r.ID); got.State != model.StateValidating {
		t.Fatalf("state %s", got.State)
	}
	f.Accept(N, r.ID)
	// Only a party can resend; one that answered has nothing to resend.
	_, err = f.Desk.Resend(f.Ctx, X, r.ID)
	IsKind(t, err, model.ErrNotFound, "resend by a stranger")
	_, err = f.Desk.Resend(f.Ctx, N, r.ID)
	IsKind(t, err, model.ErrAlreadyAnswered, "resend after answering")
	// The others' tokens still work.
	f.Accept(A, r.ID)
	if got := f.Accept(T, r.ID); got.State != model.StateDone {
		t.Fatalf("state %s", got.State)
	}
}

func testExpiry(t *testing.T, open Opener) {
	f := New(t, open)
	rs, err := f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N), Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if !r.Expires.Equal(Start.Add(time.Hour)) {
		t.Errorf("expires %v", r.Expires)
	}
	f.Accept(A, r.ID)
	f.Clock.Advance(time.Hour)
	// Read: expired at once, though nothing wrote it yet.
	got := f.Request(A, r.ID)
	if got.State != model.StateExpired || !strings.Contains(got.Reason, "1 hour") || len(got.Awaited()) != 0 {
		t.Fatalf("read after expiry: %s (%s), awaiting %v", got.State, got.Reason, got.Awaited())
	}
	ss, _ := f.Desk.Services(f.Ctx, A)
	for _, s := range ss {
		if s.Name == Example && s.Pending {
			t.Errorf("an expired request still marks its service pending")
		}
	}
	outcomes := func() int { return outcomeMails(f, r.ID, A, T, N) }
	if outcomes() != 0 {
		t.Fatalf("outcome mails before any write")
	}
	// The first write that sees it records it and tells every party —
	// even a write that has nothing to do with it.
	if _, err := f.Desk.AskEmailChange(f.Ctx, X, "oscar@elsewhere.example"); err != nil {
		t.Fatal(err)
	}
	if n := outcomes(); n != 3 {
		t.Fatalf("%d outcome mails, want 3", n)
	}
	hs, _ := f.Desk.History(f.Ctx, A, model.HistoryFilter{RequestID: r.ID})
	if hs[0].Action != model.ActRequestExpire || !hs[0].At.Equal(r.Expires) {
		t.Errorf("history %+v", hs[0])
	}
	// Once only.
	f.Desk.AskEmailChange(f.Ctx, X, "oscar@again.example")
	if n := outcomes(); n != 3 {
		t.Fatalf("%d outcome mails after a second write", n)
	}
	_, err = f.Desk.Accept(f.Ctx, T, r.ID, f.Token(T, r.ID))
	IsKind(t, err, model.ErrEnded, "accepting an expired request")
	if f.Service(Example).Tech != T {
		t.Fatalf("an expired request moved the contact")
	}
	// The role is free for a new request.
	f.Create(A, Example, N, model.Tech)

	// The default validity is 15 days.
	f2 := New(t, open)
	r2 := f2.Create(A, Example, N, model.Tech)[0]
	if d := r2.Expires.Sub(r2.Created); d != 15*24*time.Hour {
		t.Errorf("default validity %v", d)
	}
	// A refused action that sees an expiry still records it.
	f2.Clock.Advance(16 * 24 * time.Hour)
	_, err = f2.Desk.Accept(f2.Ctx, T, r2.ID, f2.Token(T, r2.ID))
	IsKind(t, err, model.ErrEnded, "accepting after 16 days")
	var st model.State
	f2.Store.View(f2.Ctx, func(tx model.Tx) error {
		rr, err := tx.Request(r2.ID)
		st = rr.State
		return err
	})
	if st != model.StateExpired {
		t.Errorf("stored state %s after a refused write saw the expiry", st)
	}
}

func testCancel(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	f.Accept(N, r.ID)
	_, err := f.Desk.Cancel(f.Ctx, N, r.ID)
	IsKind(t, err, model.ErrNotRequester, "cancel by a party that did not ask")
	_, err = f.Desk.Cancel(f.Ctx, X, r.ID)
	IsKind(t, err, model.ErrNotFound, "cancel by a stranger")
	got, err := f.Desk.Cancel(f.Ctx, A, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != model.StateCancelled || got.Reason != "cancelled by "+string(A) {
		t.Fatalf("%s (%s)", got.State, got.Reason)
	}
	for _, h := range []model.Handle{A, T, N} {
		ms, _ := f.Desk.Mails(f.Ctx, h)
		if !strings.Contains(ms[0].Subject, "cancelled") {
			t.Errorf("%s not told: %q", h, ms[0].Subject)
		}
	}
	_, err = f.Desk.Accept(f.Ctx, T, r.ID, f.Token(T, r.ID))
	IsKind(t, err, model.ErrEnded, "accept after cancel")
	_, err = f.Desk.Cancel(f.Ctx, A, r.ID)
	IsKind(t, err, model.ErrEnded, "cancel twice")
	if f.Service(Example).Tech != T {
		t.Fatal("a cancelled request moved the contact")
	}
}

func testTokens(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	r2 := f.Create(A, Multi, N, model.Tech)[0]
	tokA, tokT, tokN := f.Token(A, r.ID), f.Token(T, r.ID), f.Token(N, r.ID)
	if len(strings.ReplaceAll(tokA, "-", "")) != 28 {
		t.Errorf("token %q", tokA)
	}
	before := f.Snap()
	cases := []struct {
		name  string
		actor model.Handle
		id    int64
		token string
		want  error
	}{
		{"someone else's token", A, r.ID, tokT, model.ErrTokenNotYours},
		{"a token of another request", N, r.ID, f.Token(N, r2.ID), model.ErrWrongToken},
		{"made up", A, r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", model.ErrWrongToken},
		{"not a token", A, r.ID, "hello", model.ErrWrongToken},
		{"a stranger with a party's token", X, r.ID, tokA, model.ErrNotFound},
		{"unknown request", A, 9999, tokA, model.ErrNotFound},
	}
	for _, c := range cases {
		_, err := f.Desk.Accept(f.Ctx, c.actor, c.id, c.token)
		IsKind(t, err, c.want, c.name)
	}
	after := f.Snap()
	if after.Requests != before.Requests || after.Mails != before.Mails {
		t.Errorf("wrong tokens changed requests or mails")
	}
	if got := f.Request(A, r.ID); len(got.Awaited()) != 3 {
		t.Fatalf("wrong tokens recorded answers: %v", got.Awaited())
	}
	// What a person types: any case, spaces or no separators, O for 0.
	typed := strings.ToLower(strings.ReplaceAll(tokA, "-", " "))
	if _, err := f.Desk.Accept(f.Ctx, A, r.ID, typed); err != nil {
		t.Fatalf("lower case with spaces: %v", err)
	}
	typed = strings.ReplaceAll(strings.ReplaceAll(tokN, "-", ""), "0", "o")
	if _, err := f.Desk.Accept(f.Ctx, N, r.ID, typed); err != nil {
		t.Fatalf("no separators, O for zero: %v", err)
	}
	// Single use.
	_, err := f.Desk.Accept(f.Ctx, A, r.ID, tokA)
	IsKind(t, err, model.ErrAlreadyAnswered, "a used token")
	// The store never holds a token's text outside the mail.
	err = f.Store.View(f.Ctx, func(tx model.Tx) error {
		toks, err := tx.Tokens(r.ID)
		for _, tk := range toks {
			if strings.Contains(string(tk.Hash[:]), strings.ReplaceAll(tokT, "-", "")) {
				t.Errorf("a token is stored in clear")
			}
		}
		if len(toks) != 3 {
			t.Errorf("%d tokens for 3 parties", len(toks))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testThrottling(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	wrong := "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"
	// the pause ends 20.5 s past a minute: it is kept to the second
	// above, and said "15 minutes" all the same
	f.Clock.Advance(20*time.Second + 500*time.Millisecond)
	for i := 1; i <= model.MaxTokenFailures; i++ {
		f.Clock.Advance(time.Minute)
		_, err := f.Desk.Accept(f.Ctx, T, r.ID, wrong)
		IsKind(t, err, model.ErrWrongToken, fmt.Sprintf("wrong token %d", i))
		if i == model.MaxTokenFailures && !strings.Contains(err.Error(), "paused") {
			t.Errorf("the 5th wrong token does not say tries are paused: %q", err)
		}
		if i == 3 && !strings.Contains(err.Error(), "2 tries left") {
			t.Errorf("the 3rd wrong token does not count down: %q", err)
		}
	}
	// Now even the right token is refused, with a message that says so.
	_, err := f.Desk.Accept(f.Ctx, T, r.ID, f.Token(T, r.ID))
	IsKind(t, err, model.ErrThrottled, "the right token while paused")
	if !strings.Contains(err.Error(), "too many wrong tokens") || !strings.Contains(err.Error(), "(in 15 minutes)") {
		t.Errorf("message %q", err)
	}
	// The time it gives has not come before the pause ends: 09:20:20
	// is said 09:21.
	if at := f.Clock.Now().Add(model.TokenLockout); at.Second() == 0 || !strings.Contains(err.Error(), "until "+at.Add(time.Minute).Format("15:04")+" UTC") {
		t.Errorf("the pause ends at %s; the message says %q", at.Format("15:04:05"), err)
	}
	// The pause is T's own: its history line shows to T (the time said
	// as the refusal says it), not to the request's other parties nor to
	// the service's other contacts.
	for _, c := range []struct {
		h    model.Handle
		f    model.HistoryFilter
		sees bool
	}{
		{T, model.HistoryFilter{RequestID: r.ID}, true},
		{T, model.HistoryFilter{}, true},
		{A, model.HistoryFilter{RequestID: r.ID}, false},
		{N, model.HistoryFilter{RequestID: r.ID}, false},
		{A, model.HistoryFilter{Service: Example}, false},
		{A, model.HistoryFilter{}, false},
		{B, model.HistoryFilter{}, false},
	} {
		hs, err := f.Desk.History(f.Ctx, c.h, c.f)
		if err != nil {
			t.Fatal(err)
		}
		seen := false
		for _, h := range hs {
			if h.Action == model.ActTokenThrottled {
				seen = true
				at := f.Clock.Now().Add(model.TokenLockout).Add(time.Minute).Format("15:04")
				if said := model.DetailOf(h).In(locale.For(locale.PT)); !strings.Contains(said, at) {
					t.Errorf("the pause's line says %q; the refusal said until %s", said, at)
				}
			}
		}
		if seen != c.sees {
			t.Errorf("%s's history %+v shows T's paused tries: %v, want %v", c.h, c.f, seen, c.sees)
		}
	}
	// Only that account, only on that request.
	f.Accept(N, r.ID)
	r2 := f.Create(A, Owed, N, model.Tech)[0]
	f.Accept(T, r2.ID)
	f.Clock.Advance(14 * time.Minute)
	_, err = f.Desk.Refuse(f.Ctx, T, r.ID, f.Token(T, r.ID))
	IsKind(t, err, model.ErrThrottled, "still paused after 14 minutes")
	// 1,000 more guesses while paused change nothing and are all refused.
	for i := 0; i < 1000; i++ {
		if _, err := f.Desk.Accept(f.Ctx, T, r.ID, wrong); !errors.Is(err, model.ErrThrottled) {
			t.Fatalf("guess %d while paused: %v", i, err)
		}
	}
	f.Clock.Advance(time.Minute + time.Second)
	if got := f.Accept(T, r.ID); len(got.Awaited()) != 1 {
		t.Fatalf("after the pause: %v", got.Awaited())
	}

	// Wrong tries spread over more than the window never pause.
	f2 := New(t, open)
	r3 := f2.Create(A, Example, N, model.Tech)[0]
	for i := 0; i < 12; i++ {
		f2.Clock.Advance(4 * time.Minute)
		_, err := f2.Desk.Accept(f2.Ctx, N, r3.ID, wrong)
		IsKind(t, err, model.ErrWrongToken, "a slow wrong token")
	}
	// What can't be a token is a slip, not a guess: it spends no try.
	for _, slip := range []string{"-", "9", "", strings.Repeat("A", 27), "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA!", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"} {
		for range model.MaxTokenFailures {
			_, err := f2.Desk.Accept(f2.Ctx, T, r3.ID, slip)
			IsKind(t, err, model.ErrWrongToken, fmt.Sprintf("the slip %q", slip))
			if err != nil && strings.Contains(err.Error(), "tries") {
				t.Fatalf("the slip %q spends a try: %v", slip, err)
			}
		}
	}
	f2.Accept(T, r3.ID)
	f2.Accept(N, r3.ID)
}

func testApplyRecheck(t *testing.T, open Opener) {
	t.Run("incoming billing contact stops paying", func(t *testing.T) {
		f := New(t, open)
		r := f.Create(A, Example, N, model.Billing)[0]
		f.Accept(A, r.ID)
		f.Accept(B, r.ID)
		if _, err := f.Desk.SetStanding(f.Ctx, N, 5000); err != nil {
			t.Fatal(err)
		}
		got := f.Accept(N, r.ID)
		if got.State != model.StateRefused || !strings.Contains(got.Reason, string(N)) || !strings.Contains(got.Reason, "unpaid") {
			t.Fatalf("%s (%s)", got.State, got.Reason)
		}
		if p, _ := got.Party(N); p.Answer != model.AnswerAccepted {
			t.Errorf("the acceptance was lost")
		}
		if f.Service(Example).Billing != B {
			t.Fatal("billing moved to an account that owes money")
		}
		for _, h := range []model.Handle{A, B, N} {
			ms, _ := f.Desk.Mails(f.Ctx, h)
			if !strings.Contains(ms[0].Subject, "refused") || !strings.Contains(ms[0].Body, "unpaid") {
				t.Errorf("%s not told why: %q", h, ms[0].Subject)
			}
		}
	})
	t.Run("outgoing billing contact stops paying", func(t *testing.T) {
		f := New(t, open)
		r := f.Create(A, Example, N, model.Billing)[0]
		f.Accept(A, r.ID)
		f.Accept(N, r.ID)
		f.Desk.SetStanding(f.Ctx, B, 100)
		if got := f.Accept(B, r.ID); got.State != model.StateRefused || !strings.Contains(got.Reason, string(B)) {
			t.Fatalf("%s (%s)", got.State, got.Reason)
		}
		if f.Service(Example).Billing != B {
			t.Fatal("billing moved")
		}
	})
	t.Run("outgoing contact no longer holds the role", func(t *testing.T) {
		f := New(t, open)
		r := f.Create(A, Example, N, model.Tech)[0]
		f.Accept(A, r.ID)
		f.Accept(T, r.ID)
		// Something outside the rules moved the contact in between.
		if err := f.Store.Update(f.Ctx, func(tx model.Tx) error {
			return tx.SetContact(f.Service(Example).ID, model.Tech, N2)
		}); err != nil {
			t.Fatal(err)
		}
		got := f.Accept(N, r.ID)
		if got.State != model.StateRefused || !strings.Contains(got.Reason, "no longer") {
			t.Fatalf("%s (%s)", got.State, got.Reason)
		}
		if f.Service(Example).Tech != N2 {
			t.Fatal("the re-check changed the contact")
		}
	})
	t.Run("settled debt lets billing move", func(t *testing.T) {
		f := New(t, open)
		_, err := f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Owed, Roles: []model.Role{model.Billing}, To: string(N)})
		IsKind(t, err, model.ErrNotUpToDate, "owing")
		f.Desk.SetStanding(f.Ctx, O, 0)
		r := f.Create(A, Owed, N, model.Billing)[0]
		for _, h := range []model.Handle{A, O, N} {
			f.Accept(h, r.ID)
		}
		if f.Service(Owed).Billing != N {
			t.Fatal("billing did not move")
		}
	})
}

func testOwner(t *testing.T, open Opener) {
	f := New(t, open)
	s, err := f.Desk.Owner(f.Ctx, T, Example)
	if err != nil || s.Owner.Holder != "Ada Admin" || s.Owner.Email != string(A)+"@mail.example" {
		t.Fatalf("owner of a new domain: %+v %v", s.Owner, err)
	}
	addr, phone := "1 Main Street, Lisbon", "+351 210 000 000"
	s, err = f.Desk.SetOwner(f.Ctx, A, Example, model.OwnerChange{Address: &addr, Phone: &phone})
	if err != nil || s.Owner.Address != addr || s.Owner.Phone != phone || s.Owner.Holder != "Ada Admin" {
		t.Fatalf("set: %+v %v", s.Owner, err)
	}
	holder := "Someone Else"
	for _, c := range []struct {
		name    string
		actor   model.Handle
		service string
		change  model.OwnerChange
		want    error
	}{
		{"tech contact", T, Example, model.OwnerChange{Holder: &holder}, model.ErrNotAdmin},
		{"billing contact", B, Example, model.OwnerChange{Holder: &holder}, model.ErrNotAdmin},
		{"stranger", X, Example, model.OwnerChange{Holder: &holder}, model.ErrNotFound},
		// Who may not is told so first, whatever the values.
		{"tech contact, bad phone", T, Example, model.OwnerChange{Phone: ptr("call me")}, model.ErrNotAdmin},
		{"stranger, bad e-mail", X, Example, model.OwnerChange{Email: ptr("ada@")}, model.ErrNotFound},
		{"not a domain", A, Multi, model.OwnerChange{Holder: &holder}, model.ErrNotDomain},
		{"escape sequence", A, Example, model.OwnerChange{Address: ptr("1 Main St\x1b[2J")}, model.ErrInvalid},
		{"bidi override", A, Example, model.OwnerChange{Holder: ptr("Ada \u202eevil")}, model.ErrInvalid},
		{"bad phone", A, Example, model.OwnerChange{Phone: ptr("call me")}, model.ErrInvalid},
		{"bad e-mail", A, Example, model.OwnerChange{Email: ptr("ada@")}, model.ErrInvalid},
		{"empty holder", A, Example, model.OwnerChange{Holder: ptr("  ")}, model.ErrInvalid},
		{"too long", A, Example, model.OwnerChange{Address: ptr(strings.Repeat("a", 1<<20))}, model.ErrInvalid},
		{"nothing", A, Example, model.OwnerChange{}, model.ErrInvalid},
	} {
		before := f.Snap()
		_, err := f.Desk.SetOwner(f.Ctx, c.actor, c.service, c.change)
		IsKind(t, err, c.want, c.name)
		f.Same(before, c.name)
	}
	s, _ = f.Desk.Owner(f.Ctx, A, Example)
	if s.Owner.Address != addr || s.Owner.Holder != "Ada Admin" {
		t.Errorf("refusals changed the owner: %+v", s.Owner)
	}
	_, err = f.Desk.Owner(f.Ctx, A, Multi)
	IsKind(t, err, model.ErrNotDomain, "owner of a hosting plan")
	hs, _ := f.Desk.History(f.Ctx, A, model.HistoryFilter{Service: Example})
	if hs[0].Action != model.ActOwnerSet || hs[0].Actor != A {
		t.Errorf("history %+v", hs[0])
	}
	testOwnerChangedMeanwhile(t, f)
}

// testOwnerChangedMeanwhile: a change given with the details as they
// were read (OwnerChange.Was) is refused, nothing saved, when a field it
// changes was saved by someone else since; the fields it leaves alone,
// and a field changed since to the very value given, do not stop it.
func testOwnerChangedMeanwhile(t *testing.T, f *Fixture) {
	read, err := f.Desk.Owner(f.Ctx, A, Example)
	if err != nil {
		t.Fatal(err)
	}
	was := *read.Owner
	// someone else saves the phone meanwhile
	theirs := "+351 210 000 111"
	if _, err := f.Desk.SetOwner(f.Ctx, A, Example, model.OwnerChange{Phone: &theirs}); err != nil {
		t.Fatal(err)
	}
	before := f.Snap()
	mine := "+351 210 000 222"
	_, err = f.Desk.SetOwner(f.Ctx, A, Example, model.OwnerChange{Phone: &mine, Holder: ptr("Ada Again"), Was: &was})
	IsKind(t, err, model.ErrChanged, "a phone saved meanwhile")
	if model.FieldOf(err) != "phone" {
		t.Errorf("the refusal is about %q, not the phone", model.FieldOf(err))
	}
	f.Same(before, "a phone saved meanwhile")
	// a field not changed meanwhile is saved, whatever happened to the others
	s, err := f.Desk.SetOwner(f.Ctx, A, Example, model.OwnerChange{Holder: ptr("Ada Again"), Was: &was})
	if err != nil || s.Owner.Holder != "Ada Again" || s.Owner.Phone != theirs {
		t.Fatalf("a field not changed meanwhile: %+v %v", s.Owner, err)
	}
	// changed meanwhile to what is given: nothing to overwrite
	if _, err := f.Desk.SetOwner(f.Ctx, A, Example, model.OwnerChange{Phone: &theirs, Was: &was}); err != nil {
		t.Fatalf("the phone given as it now is: %v", err)
	}
	// read again, the change goes through
	read, _ = f.Desk.Owner(f.Ctx, A, Example)
	s, err = f.Desk.SetOwner(f.Ctx, A, Example, model.OwnerChange{Phone: &mine, Was: read.Owner})
	if err != nil || s.Owner.Phone != mine {
		t.Fatalf("after reading again: %+v %v", s.Owner, err)
	}
}

func ptr(s string) *string { return &s }

func testEmail(t *testing.T, open Opener) {
	f := New(t, open)
	old := string(T) + "@mail.example"
	c, err := f.Desk.AskEmailChange(f.Ctx, T, "  ted@new.example ")
	if err != nil || c.Email != "ted@new.example" || c.State != model.EmailPending {
		t.Fatalf("%+v %v", c, err)
	}
	// Nothing changes until the new address proves it is T's.
	if got, _ := f.Desk.Account(f.Ctx, T); got.Email != old {
		t.Fatalf("the address changed before it was confirmed: %q", got.Email)
	}
	if p, ok, err := f.Desk.PendingEmail(f.Ctx, T); err != nil || !ok || p.Email != "ted@new.example" {
		t.Fatalf("pending %+v %v %v", p, ok, err)
	}
	token := EmailToken(f, T)
	for _, bad := range []string{"", "ted", "ted@", "@new.example", "ted@new", "Ted <ted@new.example>", "ted@new.example\x1b]0;pwned\x07", "a b@new.example", "ted@@new.example", old} {
		before := f.Snap()
		_, err := f.Desk.AskEmailChange(f.Ctx, T, bad)
		IsKind(t, err, model.ErrInvalid, fmt.Sprintf("e-mail %q", bad))
		f.Same(before, "a bad e-mail")
	}
	// A wrong token changes nothing and says how many tries are left.
	before := f.Snap()
	_, err = f.Desk.ConfirmEmail(f.Ctx, T, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	IsKind(t, err, model.ErrWrongToken, "a wrong token for the new address")
	if !strings.Contains(err.Error(), "tries left") {
		t.Errorf("refusal %q says nothing of the tries left", err)
	}
	f.Same(before, "a wrong token for the new address")
	// Another account can't use T's token.
	_, err = f.Desk.ConfirmEmail(f.Ctx, N, token)
	IsKind(t, err, model.ErrNotFound, "N confirms with T's token")
	a, err := f.Desk.ConfirmEmail(f.Ctx, T, token)
	if err != nil || a.Email != "ted@new.example" {
		t.Fatalf("confirm: %+v %v", a, err)
	}
	if got, _ := f.Desk.Account(f.Ctx, T); got.Email != "ted@new.example" {
		t.Errorf("e-mail %q", got.Email)
	}
	if _, ok, _ := f.Desk.PendingEmail(f.Ctx, T); ok {
		t.Error("the change is still pending after its confirmation")
	}
	_, err = f.Desk.ConfirmEmail(f.Ctx, T, token)
	IsKind(t, err, model.ErrTokenUsed, "the token used twice")
	if err == nil || !strings.Contains(err.Error(), "already confirmed") {
		t.Errorf("the token used twice: %v", err)
	}
	// The old address is told; the token went to the new one.
	ms, _ := f.Desk.Mails(f.Ctx, T)
	var told, proof bool
	for _, m := range ms {
		told = told || (m.Kind == model.MailEmailChanged && m.Address == old && m.Token == "")
		proof = proof || (m.Kind == model.MailEmailConfirm && m.Address == "ted@new.example" && m.Token == token)
	}
	if !told || !proof {
		t.Errorf("mails: told the old address %v, token to the new one %v", told, proof)
	}
	// New mails go to the new address; old ones keep theirs.
	r := f.Create(A, Example, N, model.Tech)[0]
	ms, _ = f.Desk.Mails(f.Ctx, T)
	if ms[0].RequestID != r.ID || ms[0].Address != "ted@new.example" {
		t.Errorf("mail to %q", ms[0].Address)
	}
	hs, _ := f.Desk.History(f.Ctx, T, model.HistoryFilter{})
	var asked, changed bool
	for _, h := range hs {
		asked = asked || (h.Action == model.ActEmailAsk && h.Actor == T)
		changed = changed || (h.Action == model.ActEmail && h.Actor == T)
	}
	if !asked || !changed {
		t.Errorf("history: asked %v, changed %v", asked, changed)
	}
	// The token of an earlier change (a mail kept in the mailbox) is no
	// guess: it says what became of that change, and costs no try.
	if _, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@newer.example"); err != nil {
		t.Fatal(err)
	}
	second := EmailToken(f, T)
	if _, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@newest.example"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		token string
		want  error
		says  string
	}{{token, model.ErrTokenUsed, "already confirmed"}, {second, model.ErrTokenReplaced, "a newer change of address"}} {
		before := f.Snap()
		_, err := f.Desk.ConfirmEmail(f.Ctx, T, c.token)
		IsKind(t, err, c.want, c.says)
		if err != nil && (!strings.Contains(err.Error(), c.says) || strings.Contains(err.Error(), "tries left")) {
			t.Errorf("an earlier change's token: %q", err)
		}
		f.Same(before, "an earlier change's token")
	}
	// What can't be a token is a slip, not a guess, as for a request:
	// it spends no try, and changes nothing.
	for _, slip := range []string{"WRONG", "-", "", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA!"} {
		for _, answer := range []func(context.Context, model.Handle, string) (model.Account, error){f.Desk.ConfirmEmail, f.Desk.RefuseEmail} {
			before := f.Snap()
			_, err := answer(f.Ctx, T, slip)
			IsKind(t, err, model.ErrWrongToken, fmt.Sprintf("the slip %q", slip))
			if err != nil && strings.Contains(err.Error(), "tries") {
				t.Errorf("the slip %q spends a try: %v", slip, err)
			}
			f.Same(before, fmt.Sprintf("the slip %q", slip))
		}
	}
	// The mailbox says which proofs a newer change replaced, as it says
	// which request tokens a resend replaced: all but the newest.
	ms, _ = f.Desk.Mails(f.Ctx, T)
	proofs := 0
	for _, m := range ms {
		if m.Kind != model.MailEmailConfirm {
			continue
		}
		if want := proofs > 0; m.TokenReplaced != want {
			t.Errorf("proof #%d (%s), newest but %d: replaced %v", m.ID, m.Address, proofs, m.TokenReplaced)
		}
		if one, err := f.Desk.Mail(f.Ctx, T, m.ID); err != nil || one.TokenReplaced != m.TokenReplaced {
			t.Errorf("proof #%d read alone: replaced %v, %v; in the mailbox %v", m.ID, one.TokenReplaced, err, m.TokenReplaced)
		}
		proofs++
	}
	if proofs != 3 {
		t.Errorf("%d proofs in the mailbox, want 3", proofs)
	}
	if a, err := f.Desk.ConfirmEmail(f.Ctx, T, EmailToken(f, T)); err != nil || a.Email != "ted@newest.example" {
		t.Errorf("the newest change's token: %+v %v", a, err)
	}
}

// EmailToken returns the token of h's newest mail proving a new address.
func EmailToken(f *Fixture, h model.Handle) string {
	f.T.Helper()
	ms, err := f.Desk.Mails(f.Ctx, h)
	if err != nil {
		f.T.Fatal(err)
	}
	for _, m := range ms {
		if m.Kind == model.MailEmailConfirm {
			return m.Token
		}
	}
	f.T.Fatalf("%s has no mail proving a new address", h)
	return ""
}

// SetEmail changes h's address the way a user does: asks, then confirms
// with the token mailed to the new address.
func (f *Fixture) SetEmail(h model.Handle, email string) {
	f.T.Helper()
	if _, err := f.Desk.AskEmailChange(f.Ctx, h, email); err != nil {
		f.T.Fatalf("%s asks to use %s: %v", h, email, err)
	}
	if _, err := f.Desk.ConfirmEmail(f.Ctx, h, EmailToken(f, h)); err != nil {
		f.T.Fatalf("%s confirms %s: %v", h, email, err)
	}
}

func testPrivacy(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	for _, h := range []model.Handle{A, T, N, X} {
		ms, _ := f.Desk.Mails(f.Ctx, h)
		for _, m := range ms {
			if m.To != h {
				t.Errorf("%s sees a mail to %s", h, m.To)
			}
		}
	}
	// A stranger reads nothing of the request or the service.
	_, err := f.Desk.Request(f.Ctx, X, r.ID)
	IsKind(t, err, model.ErrNotFound, "a stranger reads a request")
	_, err = f.Desk.History(f.Ctx, X, model.HistoryFilter{Service: Example})
	IsKind(t, err, model.ErrNotFound, "a stranger reads a service's history")
	_, err = f.Desk.History(f.Ctx, X, model.HistoryFilter{RequestID: r.ID})
	IsKind(t, err, model.ErrNotFound, "a stranger reads a request's history")
	hs, _ := f.Desk.History(f.Ctx, X, model.HistoryFilter{})
	for _, h := range hs {
		if h.Service != "" {
			t.Errorf("a stranger sees %+v", h)
		}
	}
	rs, _ := f.Desk.Requests(f.Ctx, X)
	if len(rs) != 0 {
		t.Errorf("a stranger lists %d requests", len(rs))
	}
	ms, _ := f.Desk.Mails(f.Ctx, T)
	err = f.Desk.MarkRead(f.Ctx, X, ms[0].ID)
	IsKind(t, err, model.ErrNotFound, "marking another's mail read")
	if n, _ := f.Desk.Unread(f.Ctx, T); n != 1 {
		t.Errorf("unread %d", n)
	}
	if err := f.Desk.MarkRead(f.Ctx, T, ms[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.Desk.Unread(f.Ctx, T); n != 0 {
		t.Errorf("unread %d after reading", n)
	}
	// A new contact that holds no role yet sees the request it is party to.
	rs, _ = f.Desk.Requests(f.Ctx, N)
	if len(rs) != 1 || !rs[0].AwaitingMe(N) {
		t.Errorf("the new contact lists %+v", rs)
	}
	hs, _ = f.Desk.History(f.Ctx, N, model.HistoryFilter{})
	if len(hs) == 0 || hs[0].RequestID != r.ID {
		t.Errorf("the new contact's history: %+v", hs)
	}
	// The pending mark.
	ss, _ := f.Desk.Services(f.Ctx, T)
	for _, s := range ss {
		if s.Pending != (s.Name == Example) {
			t.Errorf("%s pending=%v", s.Name, s.Pending)
		}
	}
	// A mail's link opens its request with its token.
	ms, _ = f.Desk.Mails(f.Ctx, N)
	id, tok, ok := model.ParseLink(ms[0].Link)
	if !ok || id != r.ID || tok != ms[0].Token {
		t.Errorf("link %q", ms[0].Link)
	}
	// Once the change is made, T holds no role of example.com, but its
	// history of it stays: filtered by the service, as without a filter.
	// Owed, a service T never had a line about, stays "not found", as
	// one that does not exist, for T's past and for a stranger.
	f.Accept(A, r.ID)
	f.Accept(T, r.ID)
	if r := f.Accept(N, r.ID); r.State != model.StateDone {
		t.Fatalf("the change: %s", r.State)
	}
	all, _ := f.Desk.History(f.Ctx, T, model.HistoryFilter{})
	var ofExample []model.HistoryEntry
	for _, h := range all {
		if h.Service == Example {
			ofExample = append(ofExample, h)
		}
	}
	hs, err = f.Desk.History(f.Ctx, T, model.HistoryFilter{Service: Example})
	if err != nil || len(hs) == 0 || len(hs) != len(ofExample) {
		t.Errorf("the former tech's history of %s: %d lines, %v; %d without the filter", Example, len(hs), err, len(ofExample))
	}
	// Lines made since, of a request T is no party to, are not T's.
	f.Create(A, Example, N2, model.Billing)
	if again, _ := f.Desk.History(f.Ctx, T, model.HistoryFilter{Service: Example}); len(again) != len(hs) {
		t.Errorf("the former tech sees %d lines of %s, %d before a request it is no party to", len(again), Example, len(hs))
	}
	// Both filters: the request's lines on its own service; on another,
	// none — "not found" for a service T holds no role of, whether it
	// exists (multi.net) or not.
	if both, err := f.Desk.History(f.Ctx, T, model.HistoryFilter{Service: Example, RequestID: r.ID}); err != nil || len(both) == 0 {
		t.Errorf("the former tech's history of #%d on %s: %d lines, %v", r.ID, Example, len(both), err)
	}
	_, other := f.Desk.History(f.Ctx, T, model.HistoryFilter{Service: Multi, RequestID: r.ID})
	_, nowhere := f.Desk.History(f.Ctx, T, model.HistoryFilter{Service: "nowhere.example", RequestID: r.ID})
	IsKind(t, other, model.ErrNotFound, "a request's lines under a service it is not on")
	if other == nil || nowhere == nil || strings.ReplaceAll(other.Error(), Multi, "nowhere.example") != nowhere.Error() {
		t.Errorf("a request under a service it is not on says %v; under one that does not exist %v", other, nowhere)
	}
	if hs, err := f.Desk.History(f.Ctx, A, model.HistoryFilter{Service: Multi, RequestID: r.ID}); err != nil || len(hs) != 0 {
		t.Errorf("#%d (on %s) under %s, which A holds: %d lines, %v; want none", r.ID, Example, Multi, len(hs), err)
	}
	f.Create(A, Multi, N, model.Tech)
	_, err = f.Desk.History(f.Ctx, X, model.HistoryFilter{Service: Example})
	IsKind(t, err, model.ErrNotFound, "a stranger reads a former contact's service")
	_, err = f.Desk.History(f.Ctx, B, model.HistoryFilter{Service: Multi})
	IsKind(t, err, model.ErrNotFound, "an account reads the history of a service it never touched")
	_, nope := f.Desk.History(f.Ctx, B, model.HistoryFilter{Service: "nowhere.example"})
	if err == nil || nope == nil || strings.ReplaceAll(err.Error(), Multi, "nowhere.example") != nope.Error() {
		t.Errorf("a service never touched says %v; one that does not exist %v", err, nope)
	}
}

func testSupport(t *testing.T, open Opener) {
	f := New(t, open)
	for _, c := range []struct {
		name string
		in   model.NewAccount
		want error
	}{
		{"existing", model.NewAccount{Handle: "AD11111-OVH", Name: "Again", Email: "a@b.example"}, model.ErrExists},
		{"bad handle", model.NewAccount{Handle: "ad-ovh", Name: "X", Email: "a@b.example"}, model.ErrInvalid},
		{"control in name", model.NewAccount{Handle: "zz12345-ovh", Name: "Evil\x07", Email: "a@b.example"}, model.ErrInvalid},
		{"escape in name", model.NewAccount{Handle: "zz12345-ovh", Name: "\x1b[31mRed", Email: "a@b.example"}, model.ErrInvalid},
		{"invalid utf-8", model.NewAccount{Handle: "zz12345-ovh", Name: "bad \xff", Email: "a@b.example"}, model.ErrInvalid},
		{"bad e-mail", model.NewAccount{Handle: "zz12345-ovh", Name: "Zed", Email: "zed"}, model.ErrInvalid},
		{"no name", model.NewAccount{Handle: "zz12345-ovh", Email: "a@b.example"}, model.ErrInvalid},
	} {
		_, err := f.Desk.AddAccount(f.Ctx, c.in)
		IsKind(t, err, c.want, c.name)
	}
	a, err := f.Desk.AddAccount(f.Ctx, model.NewAccount{Handle: " ZZ12345-OVH ", Name: "Zé Zed", Email: "ze@zed.example"})
	if err != nil || a.Handle != "zz12345-ovh" {
		t.Fatalf("%+v %v", a, err)
	}
	for _, c := range []struct {
		name string
		in   model.NewService
		want error
	}{
		{"existing", model.NewService{Name: "EXAMPLE.COM", Type: "domain", Admin: string(A), Tech: string(A), Billing: string(A)}, model.ErrExists},
		{"unknown contact", model.NewService{Name: "new.example", Type: "domain", Admin: string(A), Tech: "zz99999-ovh", Billing: string(A)}, model.ErrUnknownAccount},
		{"bad type", model.NewService{Name: "new.example", Type: "spaceship", Admin: string(A), Tech: string(A), Billing: string(A)}, model.ErrInvalid},
		{"bad name", model.NewService{Name: "new example", Type: "domain", Admin: string(A), Tech: string(A), Billing: string(A)}, model.ErrInvalid},
	} {
		before := f.Snap()
		_, err := f.Desk.AddService(f.Ctx, c.in)
		IsKind(t, err, c.want, c.name)
		f.Same(before, c.name)
	}
	_, err = f.Desk.SetStanding(f.Ctx, "zz99999-ovh", 0)
	IsKind(t, err, model.ErrUnknownAccount, "standing of nobody")
	acc, err := f.Desk.SetStanding(f.Ctx, B, 4250)
	if err != nil || acc.Owes != 4250 || acc.UpToDate() {
		t.Fatalf("%+v %v", acc, err)
	}
}

// testFirstServices: the first page of an account's services is the
// beginning of its whole list — same order, same pending marks, each
// service once even where the account holds several roles — and says
// whether there are more.
func testFirstServices(t *testing.T, open Opener) {
	f := New(t, open)
	// A is admin of some, only tech or only billing of others, with names
	// interleaved, so that the page merges the three roles' lists.
	for i := range 24 {
		in := model.NewService{Name: fmt.Sprintf("s%02d.example", 23-i), Type: model.TypeHosting, Admin: string(A), Tech: string(T), Billing: string(B)}
		switch i % 4 {
		case 1:
			in.Admin, in.Tech = string(T), string(A)
		case 2:
			in.Admin, in.Billing = string(T), string(A)
		case 3:
			in.Admin, in.Tech, in.Billing = string(T), string(A), string(A)
		}
		if _, err := f.Desk.AddService(f.Ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	f.Create(A, Example, N, model.Tech)
	f.Create(A, "s05.example", N, model.Billing)
	check := func(when string) {
		t.Helper()
		for _, h := range []model.Handle{A, T, B, M, O, N, X} {
			all, err := f.Desk.Services(f.Ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			for limit := 1; limit <= len(all)+1; limit++ {
				first, more, err := f.Desk.FirstServices(f.Ctx, h, limit)
				if err != nil {
					t.Fatalf("%s: first %d of %s: %v", when, limit, h, err)
				}
				want := all[:min(limit, len(all))]
				if len(first) != len(want) || more != (limit < len(all)) {
					t.Fatalf("%s: first %d of %s's %d services: %d, more %v", when, limit, h, len(all), len(first), more)
				}
				for i := range want {
					if first[i].Name != want[i].Name || first[i].Pending != want[i].Pending || first[i].ID != want[i].ID ||
						first[i].Admin != want[i].Admin || first[i].Tech != want[i].Tech || first[i].Billing != want[i].Billing {
						t.Fatalf("%s: first %d of %s, row %d: %+v, want %+v", when, limit, h, i, first[i], want[i])
					}
				}
			}
		}
	}
	check("two requests pending")
	f.Clock.Advance(model.DefaultValidity + time.Minute)
	check("the requests expired")
	if _, _, err := f.Desk.FirstServices(f.Ctx, "zz99999-ovh", 10); !errors.Is(err, model.ErrUnknownAccount) {
		t.Errorf("an unknown account's services: %v", err)
	}
}

// testStoredNames: a service whose name this desk would refuse, stored
// by an older version or another tool, is reached by its holders through
// the name it is listed with; to anyone else that name is refused as any
// name that is not one.
func testStoredNames(t *testing.T, open Opener) {
	f := New(t, open)
	odd := "Old Name\x1b[2J.example" // PostgreSQL stores no invalid UTF-8
	err := f.Store.Update(f.Ctx, func(tx model.Tx) error {
		return tx.InsertService(&model.Service{Name: odd, Type: model.TypeDomain, Admin: A, Tech: T, Billing: A, Owner: &model.Owner{Holder: "Ada"}, Created: Start})
	})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := f.Desk.Services(f.Ctx, A)
	if err != nil || !slices.ContainsFunc(ss, func(s model.ServiceView) bool { return s.Name == odd }) {
		t.Fatalf("the service is not listed: %v", err)
	}
	if _, perms, err := f.Desk.Permissions(f.Ctx, A, odd); err != nil || perms[model.Tech] != nil {
		t.Fatalf("its admin can't open it: %v %v", perms, err)
	}
	if _, err := f.Desk.Owner(f.Ctx, A, odd); err != nil {
		t.Fatalf("its admin can't read its owner details: %v", err)
	}
	rs := f.Create(A, odd, N, model.Tech)
	if len(rs) != 1 || rs[0].Service != odd {
		t.Fatalf("request on it: %+v", rs)
	}
	if hs, err := f.Desk.History(f.Ctx, T, model.HistoryFilter{Service: odd}); err != nil || len(hs) == 0 {
		t.Fatalf("its tech contact can't read its history: %d lines, %v", len(hs), err)
	}
	_, _, err = f.Desk.Permissions(f.Ctx, X, odd)
	IsKind(t, err, model.ErrInvalid, "someone holding no role on it")
	_, _, err = f.Desk.Permissions(f.Ctx, A, "Old Name.example")
	IsKind(t, err, model.ErrInvalid, "a name that is not its own")
}

func testKeys(t *testing.T, open Opener) {
	f := New(t, open)
	const pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ada@laptop\n"
	k, err := f.Desk.AddKey(f.Ctx, A, []byte(pub))
	if err != nil || k.Handle != A || k.Comment != "ada@laptop" || !strings.HasPrefix(k.Fingerprint, "SHA256:") || k.Type != "ssh-ed25519" {
		t.Fatalf("%+v %v", k, err)
	}
	_, err = f.Desk.AddKey(f.Ctx, T, []byte(pub))
	IsKind(t, err, model.ErrExists, "the same key for another account")
	if !strings.Contains(err.Error(), string(A)) {
		t.Errorf("message %q does not name the key's account", err)
	}
	for _, bad := range []string{"", "not a key", "-----BEGIN OPENSSH PRIVATE KEY-----", pub + pub} {
		_, err := f.Desk.AddKey(f.Ctx, T, []byte(bad))
		IsKind(t, err, model.ErrInvalid, fmt.Sprintf("key %q", bad))
	}
	ks, _ := f.Desk.Keys(f.Ctx, "")
	if len(ks) != 1 {
		t.Fatalf("%d keys", len(ks))
	}
	ks, _ = f.Desk.Keys(f.Ctx, T)
	if len(ks) != 0 {
		t.Fatalf("T has %d keys", len(ks))
	}
	// The key logs its account in, with all of it; a key of nobody
	// logs nobody in.
	pk, _, err := model.ParsePublicKey([]byte(pub))
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := model.ParsePublicKey([]byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPd3+DHU15lph1+g0u9ljA8RJqJ+DjzFmerBkctnW5yk other"))
	if err != nil {
		t.Fatal(err)
	}
	owner, err := f.Desk.KeyOwner(f.Ctx, pk)
	if acc, aerr := f.Desk.Account(f.Ctx, A); err != nil || aerr != nil || owner != acc {
		t.Errorf("the key's owner: %+v, %v; want %+v (%v)", owner, err, acc, aerr)
	}
	_, err = f.Desk.KeyOwner(f.Ctx, other)
	IsKind(t, err, model.ErrNotFound, "a key of no account")
	if _, err := f.Desk.RemoveKey(f.Ctx, k.Fingerprint); err != nil {
		t.Fatal(err)
	}
	_, err = f.Desk.KeyOwner(f.Ctx, pk)
	IsKind(t, err, model.ErrNotFound, "a key removed")
	_, err = f.Desk.RemoveKey(f.Ctx, k.Fingerprint)
	IsKind(t, err, model.ErrNotFound, "removing twice")
}

// testConcurrency runs 16 goroutines that create and accept at once on
// one store: no storage error reaches anyone, no request is applied
// twice, no acceptance is lost.
func testConcurrency(t *testing.T, open Opener) {
	f := New(t, open)
	targets := []model.Handle{N, N2, B, M, O, X}
	const workers, rounds = 16, 6
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*8)
	var mu sync.Mutex
	applied := map[int64]int{}
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			service := []string{Example, Self}[g%2]
			for i := 0; i < rounds; i++ {
				to := targets[(g+i)%len(targets)]
				rs, err := f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: service, Roles: []model.Role{model.Tech}, To: string(to)})
				if err != nil {
					if !model.IsRefusal(err) {
						errs <- fmt.Errorf("create: %w", err)
					}
					continue
				}
				r := rs[0]
				// Two goroutines answer for each party at once: one wins.
				for _, p := range r.Parties {
					tok := f.tokenNoFail(p.Handle, r.ID)
					var inner sync.WaitGroup
					wins := 0
					var imu sync.Mutex
					for k := 0; k < 2; k++ {
						inner.Add(1)
						go func() {
							defer inner.Done()
							got, err := f.Desk.Accept(f.Ctx, p.Handle, r.ID, tok)
							if err != nil {
								if !model.IsRefusal(err) {
									errs <- fmt.Errorf("accept: %w", err)
								}
								return
							}
							imu.Lock()
							wins++
							imu.Unlock()
							if got.State == model.StateDone {
								mu.Lock()
								applied[r.ID]++
								mu.Unlock()
							}
						}()
					}
					inner.Wait()
					if wins != 1 {
						errs <- fmt.Errorf("%d acceptances of %s on #%d won, want 1", wins, p.Handle, r.ID)
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(applied) == 0 {
		t.Fatal("no request was applied")
	}
	for id, n := range applied {
		if n != 1 {
			t.Errorf("request #%d applied %d times", id, n)
		}
		hs, _ := f.Desk.History(f.Ctx, A, model.HistoryFilter{RequestID: id})
		done, moves, accepts := 0, 0, 0
		for _, h := range hs {
			switch h.Action {
			case model.ActRequestDone:
				done++
			case model.ActContactChange:
				moves++
			case model.ActRequestAccept:
				accepts++
			}
		}
		r := f.Request(A, id)
		if done != 1 || moves != 1 || accepts != len(r.Parties) {
			t.Errorf("request #%d: %d done, %d moves, %d accepts for %d parties", id, done, moves, accepts, len(r.Parties))
		}
	}
	// The contacts are those of the last done request of each service.
	for _, service := range []string{Example, Self} {
		rs, _ := f.Desk.Requests(f.Ctx, A)
		var last model.Request
		for _, r := range rs {
			if r.Service == service && r.State == model.StateDone && r.Ended.After(last.Ended) || (r.Service == service && r.State == model.StateDone && r.Ended.Equal(last.Ended) && r.ID > last.ID) {
				last = r
			}
		}
		if last.ID != 0 && f.Service(service).Tech != last.To {
			t.Errorf("%s tech is %s; its last done request named %s", service, f.Service(service).Tech, last.To)
		}
	}
}

// tokenNoFail is Token for goroutines: it returns "" instead of failing.
func (f *Fixture) tokenNoFail(h model.Handle, id int64) string {
	ms, err := f.Desk.Mails(f.Ctx, h)
	if err != nil {
		return ""
	}
	for _, m := range ms {
		if m.RequestID == id && m.Kind == model.MailConfirm {
			return m.Token
		}
	}
	return ""
}

// testAcquaintances: the accounts a handle field may suggest to an
// account are itself, the contacts of its services and the parties of
// its requests, by handle, with their names only; never anybody else.
func testAcquaintances(t *testing.T, open Opener) {
	f := New(t, open)
	handles := func(h model.Handle) []model.Handle {
		as, err := f.Desk.Acquaintances(f.Ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		var hs []model.Handle
		for _, a := range as {
			if a.Email != "" || a.Name == "" {
				t.Errorf("%s is given %+v: a name and a handle only", h, a)
			}
			hs = append(hs, a.Handle)
		}
		return hs
	}
	// T is tech of example.com (admin A, billing B) and of owed.org
	// (billing O); N and X have nothing to do with it.
	if got, want := handles(T), []model.Handle{A, B, O, T}; !slices.Equal(got, want) {
		t.Errorf("T's acquaintances: %v, want %v", got, want)
	}
	if got := handles(X); !slices.Equal(got, []model.Handle{X}) {
		t.Errorf("X's acquaintances: %v, want itself alone", got)
	}
	// A request makes its parties acquainted: N, new tech of example.com.
	f.Create(A, Example, N, model.Tech)
	if got := handles(N); !slices.Contains(got, A) || !slices.Contains(got, T) || slices.Contains(got, X) || slices.Contains(got, B) {
		t.Errorf("N's acquaintances after a request: %v, want its parties (A, T) and no one else", got)
	}
}

// testPauseSaidAlike: a pause of tries that began within a minute's first
// second ends at a time the refusal and the history line say alike (the
// refusal rounded it up, the line down: "until 09:16" beside "09:15").
func testPauseSaidAlike(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	f.Clock.Advance(200 * time.Millisecond)
	var err error
	for range model.MaxTokenFailures + 1 {
		_, err = f.Desk.Accept(f.Ctx, T, r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	}
	IsKind(t, err, model.ErrThrottled, "the tries after the pause began")
	m := regexp.MustCompile(`until (\d\d:\d\d) UTC`).FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("the refusal says no time: %q", err)
	}
	hs, _ := f.Desk.History(f.Ctx, T, model.HistoryFilter{RequestID: r.ID})
	for _, h := range hs {
		if h.Action == model.ActTokenThrottled {
			if said := model.DetailOf(h).In(locale.For(locale.EN)); !strings.Contains(said, m[1]) {
				t.Errorf("the pause's line says %q; the refusal said until %s", said, m[1])
			}
			return
		}
	}
	t.Fatal("no history line of the pause")
}
