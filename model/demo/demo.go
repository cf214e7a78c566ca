// Package demo fills a desk with data that shows every case of docs/rules.md
// around one persona, xx11111-ovh, and optionally with many more services
// for measuring at scale. Everything goes through the model's rules.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"contactdesk/model"
)

// Persona is the account the demo is built around.
const Persona model.Handle = "xx11111-ovh"

// Agency is the account of a web agency that, in a demo of AgencyFrom
// services or more, holds a role on a tenth of them: an account with a
// long list (10,000 services at 100,000).
const Agency model.Handle = "ag10000-ovh"

// AgencyFrom is the least number of services of a demo with the Agency.
const AgencyFrom = 10_000

// Options size the demo.
type Options struct {
	// Services is how many services to make in all (at least the
	// curated ones, which are always made).
	Services int
	// Progress, when set, is told how far the load has gone.
	Progress func(done, total int)
	// PersonaLang is the persona's language: English when empty, as the
	// README shows it. Another makes every screen and mail of the
	// persona's, from the first, in that language (the golden screens of
	// each language are drawn so).
	PersonaLang model.Lang
}

// Summary says what was made.
type Summary struct {
	Accounts, Services, Requests, History int
}

type person struct {
	h     model.Handle
	name  string
	email string
	owes  model.Cents
	lang  model.Lang
}

// people speak the three languages of the desk, so that every screen and
// mail can be seen in each: the persona English (the README shows its
// screens), the others Portuguese or French. A request between them
// mails each party in its own language.
var people = []person{
	{Persona, "Xavier Xará", "xavier@xara.pt", 0, model.LangEN},
	{"yy22222-ovh", "Yolanda Yáñez", "yolanda@padaria-yolanda.pt", 0, model.LangPT},
	{"zz33333-ovh", "Zélia Zagalo", "zelia@zagalo.net", 0, model.LangPT},
	{"ab12345-ovh", "Alice Brandão", "alice.brandao@example.com", 4250, model.LangPT},
	{"cd67890-ovh", "Carlos Duarte", "carlos@duarte-consulting.com", 0, model.LangFR},
	{"ef24680-ovh", "Eva Fontes", "eva@fontes-arquitetura.pt", 0, model.LangPT},
	{"gh13579-ovh", "Gil Henriques", "gil.henriques@example.org", 0, model.LangFR},
	{"ij11223-ovh", "Inês Jardim", "ines@jardim.pt", 0, model.LangFR},
}

type svc struct {
	name, typ            string
	admin, tech, billing model.Handle
}

var services = []svc{
	// The persona is admin of these.
	{"xara.pt", model.TypeDomain, Persona, Persona, Persona},
	{"xara-shop.com", model.TypeDomain, Persona, "yy22222-ovh", "ab12345-ovh"},
	{"web.xara.pt", model.TypeHosting, Persona, "zz33333-ovh", Persona},
	{"vps-7f3a21c9.vps.ovh.net", model.TypeVPS, Persona, "zz33333-ovh", Persona},
	{"ns3091432.ip-51-91-12.eu", model.TypeDedicated, Persona, Persona, "ef24680-ovh"},
	{"mx-xara", model.TypeEmail, Persona, Persona, Persona},
	{"pn-104233", model.TypeCloud, Persona, "gh13579-ovh", Persona},
	// Only tech.
	{"padaria-yolanda.pt", model.TypeDomain, "yy22222-ovh", Persona, "yy22222-ovh"},
	{"vps-2c81d0e4.vps.ovh.net", model.TypeVPS, "cd67890-ovh", Persona, "cd67890-ovh"},
	{"web.yanez-studio.fr", model.TypeHosting, "yy22222-ovh", Persona, "ij11223-ovh"},
	// Only billing.
	{"fontes-arquitetura.pt", model.TypeDomain, "ef24680-ovh", "ef24680-ovh", Persona},
	{"ns5012345.ip-145-239-3.eu", model.TypeDedicated, "gh13579-ovh", "gh13579-ovh", Persona},
	// Nothing of the persona's.
	{"zagalo.net", model.TypeDomain, "zz33333-ovh", "yy22222-ovh", "zz33333-ovh"},
	{"duarte-consulting.com", model.TypeDomain, "cd67890-ovh", "ab12345-ovh", "cd67890-ovh"},
	{"web.jardim.pt", model.TypeHosting, "ij11223-ovh", "ij11223-ovh", "ij11223-ovh"},
}

// Curated is how many services the curated part makes.
var Curated = len(services)

// Load fills an empty desk. It runs in one transaction: on any failure
// nothing is stored.
func Load(ctx context.Context, d *model.Desk, o Options) (Summary, error) {
	now := d.Now()
	var sum Summary
	// The batch runs without cancellation: with a context that can be
	// cancelled, every statement would arm and disarm a watch on it (a
	// goroutine per query in database/sql), a second in all at 100,000
	// services. bulk checks ctx between chunks instead.
	err := d.Batch(context.WithoutCancel(ctx), func(b *model.Batch) error {
		sum = Summary{}
		if err := curated(b, now, o, &sum); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if o.Services > len(services) {
			if err := bulk(ctx, b, now, o, &sum); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
		b.SetTime(now)
		_, err := b.ExpireDue()
		return err
	})
	return sum, err
}

func curated(b *model.Batch, now time.Time, o Options, sum *Summary) error {
	day := 24 * time.Hour
	b.SetTime(now.Add(-400 * day))
	for _, p := range people {
		if p.h == Persona && o.PersonaLang != "" {
			p.lang = o.PersonaLang
		}
		if _, err := b.AddAccount(model.NewAccount{Handle: string(p.h), Name: p.name, Email: p.email, Owes: p.owes, Lang: string(p.lang)}); err != nil {
			return err
		}
		sum.Accounts++
	}
	for i, s := range services {
		b.SetTime(now.Add(-300*day + time.Duration(i)*day))
		if _, err := b.AddService(model.NewService{Name: s.name, Type: s.typ, Admin: string(s.admin), Tech: string(s.tech), Billing: string(s.billing)}); err != nil {
			return err
		}
		sum.Services++
	}
	b.SetTime(now.Add(-200 * day))
	addr, phone := "Rua das Flores 12, 1200-195 Lisboa, Portugal", "+351 210 000 123"
	if _, err := b.SetOwner(Persona, "xara.pt", model.OwnerChange{Address: &addr, Phone: &phone}); err != nil {
		return err
	}
	addr2, phone2 := "Avenida da Liberdade 200, 1250-147 Lisboa, Portugal", "+351 210 000 456"
	if _, err := b.SetOwner(Persona, "xara-shop.com", model.OwnerChange{Address: &addr2, Phone: &phone2}); err != nil {
		return err
	}

	type step struct {
		who    model.Handle
		accept bool
	}
	story := []struct {
		ago     time.Duration
		actor   model.Handle
		service string
		roles   []model.Role
		to      model.Handle
		answers []step
		cancel  bool
	}{
		// The admin names a new tech contact; everyone accepts: done.
		{30 * day, Persona, "vps-7f3a21c9.vps.ovh.net", []model.Role{model.Tech}, "cd67890-ovh",
			[]step{{Persona, true}, {"zz33333-ovh", true}, {"cd67890-ovh", true}}, false},
		// The admin names a new tech contact; the outgoing one refuses.
		{25 * day, Persona, "web.xara.pt", []model.Role{model.Tech}, "ef24680-ovh",
			[]step{{Persona, true}, {"zz33333-ovh", false}}, false},
		// Nobody answers in time: expired.
		{20 * day, "yy22222-ovh", "padaria-yolanda.pt", []model.Role{model.Billing}, "ij11223-ovh",
			[]step{{"yy22222-ovh", true}}, false},
		// The admin asks, then withdraws: cancelled.
		{12 * day, Persona, "pn-104233", []model.Role{model.Tech}, "ij11223-ovh",
			[]step{{Persona, true}}, true},
		// Another admin names the persona as new tech: the persona is a
		// plain party, its confirmation awaited.
		{2 * day, "zz33333-ovh", "zagalo.net", []model.Role{model.Tech}, Persona,
			[]step{{"zz33333-ovh", true}}, false},
		// An admin takes billing back from the persona, who may refuse.
		{1 * day, "ef24680-ovh", "fontes-arquitetura.pt", []model.Role{model.Billing}, "ef24680-ovh",
			[]step{{"ef24680-ovh", true}}, false},
		// The persona hands the admin role over; the new admin must confirm.
		{20 * time.Hour, Persona, "mx-xara", []model.Role{model.Admin}, "yy22222-ovh",
			[]step{{Persona, true}}, false},
		// As tech contact, the persona names a new tech contact.
		{6 * time.Hour, Persona, "padaria-yolanda.pt", []model.Role{model.Tech}, "gh13579-ovh",
			nil, false},
	}
	for _, st := range story {
		b.SetTime(now.Add(-st.ago))
		rs, err := b.CreateRequest(st.actor, model.NewRequest{Service: st.service, Roles: st.roles, To: string(st.to)})
		if err != nil {
			return err
		}
		sum.Requests += len(rs)
		for i, a := range st.answers {
			b.SetTime(now.Add(-st.ago + time.Duration(i+1)*37*time.Minute))
			if a.accept {
				_, err = b.Accept(a.who, rs[0].ID)
			} else {
				_, err = b.Refuse(a.who, rs[0].ID)
			}
			if err != nil {
				return err
			}
		}
		if st.cancel {
			b.SetTime(now.Add(-st.ago + 26*time.Hour))
			if _, err := b.Cancel(st.actor, rs[0].ID); err != nil {
				return err
			}
		}
	}
	return nil
}

var (
	firstNames = []string{"Ana", "Bruno", "Carla", "Diogo", "Elisa", "Filipe", "Graça", "Hugo", "Isabel", "João", "Karina", "Luís", "Marta", "Nuno", "Olga", "Pedro", "Quitéria", "Rui", "Sofia", "Tiago", "Úrsula", "Vasco", "Wanda", "Xénia", "Yuri", "Zacarias"}
	lastNames  = []string{"Almeida", "Barros", "Costa", "Dias", "Esteves", "Ferreira", "Gomes", "Henriques", "Inácio", "Jesus", "Lopes", "Martins", "Nunes", "Oliveira", "Pereira", "Quintas", "Ribeiro", "Santos", "Teixeira", "Vieira", "Xavier", "Zeferino"}
	words      = []string{"atlas", "bairro", "cais", "doca", "estrela", "farol", "granja", "horta", "ilha", "jardim", "lago", "mar", "nora", "oliva", "praia", "quinta", "rio", "serra", "torre", "vale"}
	tlds       = []string{"pt", "com", "fr", "net", "eu", "org", "es"}
	chores     = []struct{ action, detail string }{
		{"service.renew", "renewed for 12 months"},
		{"dns.update", "DNS zone updated"},
		{"ssl.renew", "SSL certificate renewed"},
		{"backup.restore", "backup restored"},
		{"reboot", "rebooted"},
		{"invoice.paid", "invoice paid"},
		{"login", "signed in to the control panel"},
		{"firewall.update", "firewall rules updated"},
		{"password.reset", "service password reset"},
	}
)

// HistoryPerService is how many history lines each bulk service gets
// (with its creation line): 100,000 services make 1,000,000 lines.
const HistoryPerService = 10

func bulk(ctx context.Context, b *model.Batch, now time.Time, o Options, sum *Summary) error {
	rng := rand.New(rand.NewPCG(1, uint64(o.Services)))
	day := 24 * time.Hour
	n := o.Services - len(services)
	total := n + n/10
	progress := func(done int) {
		if o.Progress != nil {
			o.Progress(done, total)
		}
	}

	// Several thousand accounts at 100,000 services; about 3% owe money.
	nAcc := max(50, o.Services/25)
	accts := make([]model.Handle, 0, nAcc)
	names2, emails := map[model.Handle]string{}, map[model.Handle]string{}
	b.SetTime(now.Add(-700 * day))
	for i := 0; len(accts) < nAcc; i++ {
		f, l := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		h := model.Handle(fmt.Sprintf("%c%c%d-ovh", lower(f), lower(l), 100000+i))
		var owes model.Cents
		if rng.IntN(100) < 3 {
			owes = model.Cents(1000 + rng.IntN(50000))
		}
		a, err := b.AddAccount(model.NewAccount{Handle: string(h), Name: f + " " + l, Email: fmt.Sprintf("%s.%s%d@example.com", asciiLower(f), asciiLower(l), i), Owes: owes})
		if err != nil {
			return err
		}
		accts = append(accts, h)
		names2[h], emails[h] = a.Name, a.Email
	}
	sum.Accounts += len(accts)

	// The agency takes, on a tenth of the services spread evenly, the
	// place of one of their contacts: mostly tech, sometimes admin or
	// billing. It is not among the accounts drawn below, so that it
	// holds exactly that tenth.
	var tenth int
	if o.Services >= AgencyFrom {
		tenth = o.Services / 10
		a, err := b.AddAccount(model.NewAccount{Handle: string(Agency), Name: "Agência Exemplo", Email: "contas@agencia-exemplo.pt"})
		if err != nil {
			return err
		}
		names2[Agency], emails[Agency] = a.Name, a.Email
		sum.Accounts++
	}
	agency := func(s *model.Service, i int) {
		if tenth == 0 || (i+1)*tenth/n == i*tenth/n {
			return
		}
		switch k := i * tenth / n; k % 4 {
		case 2:
			s.Admin = Agency
		case 3:
			s.Billing = Agency
		default:
			s.Tech = Agency
		}
	}

	pick := func() model.Handle { return accts[rng.IntN(len(accts))] }
	names := make([]string, 0, n)
	types := []string{model.TypeDomain, model.TypeDomain, model.TypeDomain, model.TypeHosting, model.TypeHosting, model.TypeVPS, model.TypeDedicated, model.TypeEmail, model.TypeCloud, model.TypeDatabase, model.TypeSSL, model.TypeCDN}
	const chunk = 2000
	for done := 0; done < n; done += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		progress(done)
		batch := make([]*model.Service, 0, chunk)
		for i := done; i < min(done+chunk, n); i++ {
			typ := types[rng.IntN(len(types))]
			admin := pick()
			tech, billing := admin, admin
			if rng.IntN(2) == 0 {
				tech = pick()
			}
			if rng.IntN(5) < 2 {
				billing = pick()
			}
			s := &model.Service{Name: serviceName(rng, typ, i), Type: typ, Admin: admin, Tech: tech, Billing: billing,
				Created: now.Add(-time.Duration(200+rng.IntN(500)) * day)}
			agency(s, i)
			if typ == model.TypeDomain {
				s.Owner = &model.Owner{Holder: names2[admin], Email: emails[admin]}
			}
			batch = append(batch, s)
			names = append(names, s.Name)
		}
		// Each service's history: its creation, then chores by its
		// contacts, in order. Service ids are known once stored, so the
		// lines are written after.
		hist := make([]model.HistoryEntry, 0, len(batch)*HistoryPerService)
		if err := b.ImportServices(batch, nil); err != nil {
			return err
		}
		for _, s := range batch {
			at := s.Created
			hist = append(hist, model.HistoryEntry{At: at, Actor: model.SupportActor, Action: model.ActServiceAdd, ServiceID: s.ID,
				Detail: fmt.Sprintf("%s %s added: admin %s, tech %s, billing %s", s.Type, s.Name, s.Admin, s.Tech, s.Billing)})
			for k := 1; k < HistoryPerService; k++ {
				at = at.Add(time.Duration(1+rng.IntN(18*24)) * time.Hour)
				c := chores[rng.IntN(len(chores))]
				who := []model.Handle{s.Admin, s.Tech, s.Billing}[rng.IntN(3)]
				hist = append(hist, model.HistoryEntry{At: at, Actor: who, Action: c.action, ServiceID: s.ID, Detail: c.detail})
			}
		}
		if err := b.ImportServices(nil, hist); err != nil {
			return err
		}
	}
	sum.Services += n
	sum.History += n * HistoryPerService

	// Requests in every state: a tenth as many as services.
	nReq := n / 10
	states := []model.State{model.StateValidating, model.StateDone, model.StateRefused, model.StateExpired, model.StateCancelled}
	made := 0
	for i := 0; made < nReq && i < nReq*3; i++ {
		if i%500 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			progress(n + made)
		}
		want := states[made%len(states)]
		name := names[rng.IntN(len(names))]
		var ago time.Duration
		switch want {
		case model.StateValidating:
			ago = time.Duration(1+rng.IntN(10*24)) * time.Hour
		case model.StateExpired:
			ago = time.Duration(16+rng.IntN(40)) * day
		default:
			ago = time.Duration(2+rng.IntN(60)) * day
		}
		b.SetTime(now.Add(-ago))
		role := []model.Role{model.Tech, model.Billing, model.Admin}[rng.IntN(3)]
		s, err := b.Service(name)
		if err != nil {
			return err
		}
		if want == model.StateDone && s.Contact(role) == Agency {
			continue // the agency keeps its tenth: draw again
		}
		rs, err := b.CreateRequest(s.Admin, model.NewRequest{Service: name, Roles: []model.Role{role}, To: string(pick())})
		if err != nil {
			if model.IsRefusal(err) {
				continue // this draw breaks a rule (someone owes money, a request is already pending…): draw again
			}
			return err
		}
		r := rs[0]
		step := 0
		next := func() { step++; b.SetTime(now.Add(-ago + time.Duration(step)*3*time.Hour)) }
		answerAll := func(refuseAt int) error {
			for k, p := range r.Parties {
				next()
				var err error
				if k == refuseAt {
					_, err = b.Refuse(p.Handle, r.ID)
				} else {
					_, err = b.Accept(p.Handle, r.ID)
				}
				if err != nil && !errors.Is(err, model.ErrEnded) {
					return err
				}
			}
			return nil
		}
		switch want {
		case model.StateDone:
			err = answerAll(-1)
		case model.StateRefused:
			err = answerAll(len(r.Parties) - 1)
		case model.StateCancelled:
			next()
			_, err = b.Cancel(r.Requester, r.ID)
		case model.StateValidating, model.StateExpired:
			next()
			_, err = b.Accept(r.Requester, r.ID)
		}
		if err != nil {
			return err
		}
		made++
	}
	sum.Requests += made
	progress(total)
	return nil
}

func serviceName(rng *rand.Rand, typ string, i int) string {
	w1, w2 := words[rng.IntN(len(words))], words[rng.IntN(len(words))]
	tld := tlds[rng.IntN(len(tlds))]
	switch typ {
	case model.TypeDomain:
		return fmt.Sprintf("%s-%s-%d.%s", w1, w2, i, tld)
	case model.TypeHosting:
		return fmt.Sprintf("web.%s-%s-%d.%s", w1, w2, i, tld)
	case model.TypeVPS:
		return fmt.Sprintf("vps-%08x.vps.ovh.net", 0x10000000+i)
	case model.TypeDedicated:
		return fmt.Sprintf("ns%d.ip-51-%d-%d.eu", 3000000+i, rng.IntN(255), rng.IntN(255))
	case model.TypeEmail:
		return fmt.Sprintf("mx-%s-%d", w1, i)
	case model.TypeCloud:
		return fmt.Sprintf("pn-%d", 200000+i)
	case model.TypeDatabase:
		return fmt.Sprintf("db-%s-%d", w1, i)
	case model.TypeSSL:
		return fmt.Sprintf("ssl.%s-%d.%s", w1, i, tld)
	default:
		return fmt.Sprintf("cdn-%s-%d", w1, i)
	}
}

func lower(s string) rune {
	for _, r := range asciiLower(s) {
		return r
	}
	return 'x'
}

// asciiLower folds a name to lowercase ASCII for handles and addresses.
func asciiLower(s string) string {
	repl := map[rune]rune{'á': 'a', 'à': 'a', 'â': 'a', 'ã': 'a', 'ç': 'c', 'é': 'e', 'ê': 'e', 'í': 'i', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ú': 'u', 'Ú': 'u', 'É': 'e', 'Á': 'a'}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if x, ok := repl[r]; ok {
			r = x
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		if r >= 'a' && r <= 'z' {
			out = append(out, r)
		}
	}
	return string(out)
}
