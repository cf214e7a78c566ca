package sqlstore

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"contactdesk/model"
)

// In the WHERE and LIMIT of a query, a bound value is written +? rather
// than ?. SQLite's planner peeks at a bare ? compared for equality (or
// used as a limit) to weigh its plans, and then marks the statement to be
// compiled again whenever that value is rebound; the driver clears the
// bindings after every run, so such a statement would be compiled on
// every use. The unary plus hides the value from the planner and changes
// nothing else: the plans are the same (TestStatementsArePreparedOnce in
// storage/sqlite counts the compilations). Rebind drops it for
// PostgreSQL.

// ---- accounts

const accountCols = "handle, name, email, owes, created, lang"

func scanAccount(sc Row) (model.Account, error) {
	var a model.Account
	var created int64
	err := sc.Scan(&a.Handle, &a.Name, &a.Email, &a.Owes, &created, &a.Lang)
	a.Created = tm(created)
	return a, err
}

func (t *Tx) Account(h model.Handle) (model.Account, error) {
	return scanAccount(t.row("SELECT "+accountCols+" FROM accounts WHERE handle = +?", h))
}

func (t *Tx) Accounts() ([]model.Account, error) {
	return list(t, scanAccount, "SELECT "+accountCols+" FROM accounts ORDER BY handle")
}

// FindAccounts matches the same on both engines: handles are lowercase,
// and lower() folds ASCII letters only in SQLite, as it does in
// PostgreSQL on a COLLATE "C" column. The escape character is ! because
// a backslash in a literal reads differently in the two.
func (t *Tx) FindAccounts(prefix string, limit int) ([]model.Account, error) {
	if limit <= 0 {
		limit = 10
	}
	like := escapeLike(strings.ToLower(prefix)) + "%"
	return list(t, scanAccount, `SELECT `+accountCols+` FROM accounts
		WHERE handle LIKE ?1 ESCAPE '!' OR lower(name) LIKE ?1 ESCAPE '!' OR lower(name) LIKE '% ' || ?1 ESCAPE '!'
		ORDER BY handle LIMIT +?2`, like, limit)
}

func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

func (t *Tx) InsertAccount(a model.Account) error {
	_, err := t.x.Exec("INSERT INTO accounts ("+accountCols+") VALUES (?, ?, ?, ?, ?, ?)", a.Handle, a.Name, a.Email, a.Owes, ts(a.Created), a.Lang)
	return err
}

func (t *Tx) SetEmail(h model.Handle, email string) error {
	return exactlyOne(t.x.Exec("UPDATE accounts SET email = ? WHERE handle = ?", email, h))
}

func (t *Tx) SetOwes(h model.Handle, owes model.Cents) error {
	return exactlyOne(t.x.Exec("UPDATE accounts SET owes = ? WHERE handle = ?", owes, h))
}

// ---- services

const serviceCols = "s.id, s.name, s.type, s.admin, s.tech, s.billing, s.has_owner, s.owner_holder, s.owner_address, s.owner_phone, s.owner_email, s.created"

func scanService(sc Row, extra ...any) (model.Service, error) {
	var s model.Service
	var hasOwner bool
	var o model.Owner
	var created int64
	err := sc.Scan(append([]any{&s.ID, &s.Name, &s.Type, &s.Admin, &s.Tech, &s.Billing, &hasOwner, &o.Holder, &o.Address, &o.Phone, &o.Email, &created}, extra...)...)
	if hasOwner {
		s.Owner = &o
	}
	s.Created = tm(created)
	return s, err
}

// scanServiceView reads serviceCols followed by the pending mark.
func scanServiceView(sc Row) (model.ServiceView, error) {
	var v model.ServiceView
	var err error
	v.Service, err = scanService(sc, &v.Pending)
	return v, err
}

func (t *Tx) Service(name string) (model.Service, error) {
	return scanService(t.row("SELECT "+serviceCols+" FROM services s WHERE s.name = +?", name))
}

func (t *Tx) ServiceByID(id int64) (model.Service, error) {
	return scanService(t.row("SELECT "+serviceCols+" FROM services s WHERE s.id = +?", id))
}

// pendingMark is the column that marks a service with a live request.
const pendingMark = `EXISTS (SELECT 1 FROM requests r WHERE r.service_id = s.id AND r.state = 'validatingByCustomers' AND r.expires > ?2)`

func (t *Tx) ServicesOf(h model.Handle, now time.Time) ([]model.ServiceView, error) {
	return list(t, scanServiceView, `SELECT `+serviceCols+`, `+pendingMark+`
		FROM services s WHERE s.admin = +?1 OR s.tech = +?1 OR s.billing = +?1 ORDER BY s.name`, h, ts(now))
}

// FirstServicesOf takes the first limit names from each role's index
// (admin, name), (tech, name), (billing, name) and keeps the first limit
// of those: it reads at most 3×limit index entries whether h holds ten
// services or a hundred thousand, where ServicesOf's plan (a union of
// the three indexes, then a sort) reads every one.
func (t *Tx) FirstServicesOf(h model.Handle, now time.Time, limit int) ([]model.ServiceView, error) {
	return list(t, scanServiceView, FirstServicesQuery, h, ts(now), limit)
}

// FirstServicesQuery is FirstServicesOf's query (its plan is tested on
// both engines). Each role's part is a subquery of its own, so that its
// LIMIT applies to it alone; the page is cut before the services are
// read, so that both planners read about limit rows of the table.
const FirstServicesQuery = `SELECT ` + serviceCols + `, ` + pendingMark + ` FROM (
		SELECT id, name FROM (SELECT id, name FROM services WHERE admin = +?1 ORDER BY name LIMIT +?3) a
		UNION SELECT id, name FROM (SELECT id, name FROM services WHERE tech = +?1 ORDER BY name LIMIT +?3) t
		UNION SELECT id, name FROM (SELECT id, name FROM services WHERE billing = +?1 ORDER BY name LIMIT +?3) b
		ORDER BY name LIMIT +?3) f
	JOIN services s ON s.id = f.id ORDER BY s.name`

const serviceInsertCols = "name, type, admin, tech, billing, has_owner, owner_holder, owner_address, owner_phone, owner_email, created"

// serviceValues are a service's values in serviceInsertCols' order.
func serviceValues(s *model.Service) []any {
	var o model.Owner
	if s.Owner != nil {
		o = *s.Owner
	}
	return []any{s.Name, s.Type, string(s.Admin), string(s.Tech), string(s.Billing), s.Owner != nil, o.Holder, o.Address, o.Phone, o.Email, ts(s.Created)}
}

func (t *Tx) InsertService(s *model.Service) error {
	id, err := t.insert("INSERT INTO services ("+serviceInsertCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", serviceValues(s)...)
	if err == nil {
		s.ID = id
	}
	return err
}

func (t *Tx) SetContact(id int64, r model.Role, h model.Handle) error {
	col := map[model.Role]string{model.Admin: "admin", model.Tech: "tech", model.Billing: "billing"}[r]
	if col == "" {
		return errors.New("storage: unknown role " + string(r))
	}
	return exactlyOne(t.x.Exec("UPDATE services SET "+col+" = ? WHERE id = ?", h, id))
}

func (t *Tx) SetOwner(id int64, o model.Owner) error {
	return exactlyOne(t.x.Exec(`UPDATE services SET has_owner = TRUE, owner_holder = ?, owner_address = ?, owner_phone = ?, owner_email = ? WHERE id = ?`,
		o.Holder, o.Address, o.Phone, o.Email, id))
}

// ---- requests

const requestCols = "r.id, r.service_id, s.name, s.type, r.roles, r.from_handle, r.to_handle, r.requester, r.state, r.reason, r.created, r.expires, r.ended"

func scanRequest(sc Row) (model.Request, error) {
	var r model.Request
	var roles string
	var created, expires, ended int64
	err := sc.Scan(&r.ID, &r.ServiceID, &r.Service, &r.Type, &roles, &r.From, &r.To, &r.Requester, &r.State, &r.Reason, &created, &expires, &ended)
	for _, x := range strings.Split(roles, ",") {
		if x != "" {
			r.Roles = append(r.Roles, model.Role(x))
		}
	}
	r.Created, r.Expires, r.Ended = tm(created), tm(expires), tm(ended)
	return r, err
}

const partyCols = "p.request_id, p.handle, p.answer, p.answered"

type partyRow struct {
	requestID int64
	party     model.Party
}

func scanParty(sc Row) (partyRow, error) {
	var p partyRow
	var answered int64
	err := sc.Scan(&p.requestID, &p.party.Handle, &p.party.Answer, &answered)
	p.party.Answered = tm(answered)
	return p, err
}

// requests runs a query of requestCols and attaches each request's
// parties with a second query (of partyCols, in order) whose only
// argument is arg.
func (t *Tx) requests(q, partyQ string, arg any) ([]model.Request, error) {
	rs, err := list(t, scanRequest, q, arg)
	if err != nil || len(rs) == 0 {
		return rs, err
	}
	byID := make(map[int64]int, len(rs))
	for i, r := range rs {
		byID[r.ID] = i
	}
	ps, err := list(t, scanParty, partyQ, arg)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if i, ok := byID[p.requestID]; ok {
			rs[i].Parties = append(rs[i].Parties, p.party)
		}
	}
	return rs, nil
}

func (t *Tx) Request(id int64) (model.Request, error) {
	rs, err := t.requests("SELECT "+requestCols+" FROM requests r JOIN services s ON s.id = r.service_id WHERE r.id = +?",
		"SELECT "+partyCols+" FROM parties p WHERE p.request_id = +? ORDER BY p.position", id)
	if err == nil && len(rs) == 0 {
		err = model.ErrNoRow
	}
	if err != nil {
		return model.Request{}, err
	}
	return rs[0], nil
}

func (t *Tx) RequestsOf(h model.Handle) ([]model.Request, error) {
	return t.requests(`SELECT `+requestCols+` FROM parties m JOIN requests r ON r.id = m.request_id JOIN services s ON s.id = r.service_id
			WHERE m.handle = +? ORDER BY r.id DESC`,
		`SELECT `+partyCols+` FROM parties m JOIN parties p ON p.request_id = m.request_id WHERE m.handle = +? ORDER BY p.request_id, p.position`, h)
}

func (t *Tx) Awaiting(h model.Handle, now time.Time) (int, error) {
	var n int
	err := t.row(`SELECT count(*) FROM parties p JOIN requests r ON r.id = p.request_id
		WHERE p.handle = +? AND p.answer = 'pending' AND r.state = 'validatingByCustomers' AND r.expires > ?`, h, ts(now)).Scan(&n)
	return n, err
}

// openAnswersQuery is OpenAnswers' query on SQLite, and on PostgreSQL
// (whose arrays SQLite has not): the numbers come as one JSON array, so
// that a list of any length is one statement, prepared once.
var openAnswersQuery = map[Dialect]string{
	SQLite: `SELECT p.request_id, p.answer FROM parties p JOIN requests r ON r.id = p.request_id
		WHERE p.handle = +? AND p.request_id IN (SELECT value FROM json_each(?)) AND r.state = 'validatingByCustomers' AND r.expires > ?`,
	Postgres: `SELECT p.request_id, p.answer FROM parties p JOIN requests r ON r.id = p.request_id
		WHERE p.handle = +? AND p.request_id IN (SELECT value::bigint FROM json_array_elements_text(?::json)) AND r.state = 'validatingByCustomers' AND r.expires > ?`,
}

func (t *Tx) OpenAnswers(h model.Handle, now time.Time, ids []int64) (map[int64]model.Answer, error) {
	type answer struct {
		id int64
		a  model.Answer
	}
	if len(ids) == 0 {
		return map[int64]model.Answer{}, nil
	}
	nums, _ := json.Marshal(ids) // numbers: never fails
	as, err := list(t, func(r Row) (a answer, err error) { return a, r.Scan(&a.id, &a.a) },
		openAnswersQuery[t.x.Dialect()], h, string(nums), ts(now))
	if err != nil {
		return nil, err
	}
	m := make(map[int64]model.Answer, len(as))
	for _, a := range as {
		m[a.id] = a.a
	}
	return m, nil
}

func (t *Tx) OpenRequests(serviceID int64) ([]model.Request, error) {
	return t.requests(`SELECT `+requestCols+` FROM requests r JOIN services s ON s.id = r.service_id
			WHERE r.service_id = +? AND r.state = 'validatingByCustomers' ORDER BY r.id`,
		`SELECT `+partyCols+` FROM requests r JOIN parties p ON p.request_id = r.id
			WHERE r.service_id = +? AND r.state = 'validatingByCustomers' ORDER BY p.request_id, p.position`, serviceID)
}

func (t *Tx) DueRequests(now time.Time) ([]model.Request, error) {
	// Every write asks this first, so it must cost one look in the
	// partial index of open requests (written as IN so that SQLite's
	// planner takes that index rather than a scan in id order).
	const due = "(SELECT id FROM requests WHERE state = 'validatingByCustomers' AND expires <= ?)"
	return t.requests(`SELECT `+requestCols+` FROM requests r JOIN services s ON s.id = r.service_id
			WHERE r.id IN `+due+` ORDER BY r.id`,
		`SELECT `+partyCols+` FROM parties p WHERE p.request_id IN `+due+` ORDER BY p.request_id, p.position`, ts(now))
}

func (t *Tx) InsertRequest(r *model.Request) error {
	id, err := t.insert(`INSERT INTO requests (service_id, roles, from_handle, to_handle, requester, state, reason, created, expires, ended)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.ServiceID, model.JoinRoles(r.Roles, ","), r.From, r.To, r.Requester, r.State, r.Reason, ts(r.Created), ts(r.Expires), ts(r.Ended))
	if err != nil {
		return err
	}
	r.ID = id
	if t.fresh == nil {
		t.fresh = map[int64]*freshRequest{}
	}
	t.fresh[id] = &freshRequest{next: 1}
	for i, p := range r.Parties {
		if _, err := t.x.Exec("INSERT INTO parties (request_id, position, handle, answer, answered) VALUES (?, ?, ?, ?, ?)",
			r.ID, i, p.Handle, p.Answer, ts(p.Answered)); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) EndRequest(id int64, s model.State, reason string, at time.Time) error {
	return exactlyOne(t.x.Exec("UPDATE requests SET state = ?, reason = ?, ended = ? WHERE id = ?", s, reason, ts(at), id))
}

func (t *Tx) SetAnswer(id int64, h model.Handle, a model.Answer, at time.Time) error {
	return exactlyOne(t.x.Exec("UPDATE parties SET answer = ?, answered = ? WHERE request_id = ? AND handle = ?", a, ts(at), id, h))
}

// ---- tokens and throttling

// A token is numbered within its request (1, 2, 3… as they were made),
// and its id is made of the two: the party's latest token lives on its
// row in parties (schema 9), the ones it replaced in tokens.
const tokenBits = 20

func tokenID(requestID, n int64) int64 { return requestID<<tokenBits | n }

// InsertToken moves the party's previous token, if any, to tokens, and
// puts the new one on its row. A token for someone who is not a party
// (the model makes none) goes to tokens.
//
// A request made in this transaction has no token but those issued
// here since (t.fresh): a party's first token is numbered without
// asking, and there is nothing to move, so it is one plain UPDATE of
// the party's row instead of a move and a numbering (three statements
// fewer in each request's creation).
func (t *Tx) InsertToken(tk *model.TokenRecord) error {
	if f := t.fresh[tk.RequestID]; f != nil {
		if !slices.Contains(f.issued, tk.Handle) {
			done, err := t.x.Exec("UPDATE parties SET token_n = ?, token_hash = ?, token_state = ? WHERE request_id = ? AND handle = ?",
				f.next, tk.Hash[:], tk.State, tk.RequestID, tk.Handle)
			if err != nil {
				return err
			}
			if done == 1 {
				tk.ID = tokenID(tk.RequestID, f.next)
				f.next++
				f.issued = append(f.issued, tk.Handle)
				return nil
			}
		}
		// A second token for one party, or one for someone who is not
		// a party: the general way, which numbers from what is stored.
		delete(t.fresh, tk.RequestID)
	}
	return t.insertToken(tk)
}

func (t *Tx) insertToken(tk *model.TokenRecord) error {
	const move = `INSERT INTO tokens (request_id, n, handle, hash, state)
		SELECT request_id, token_n, handle, token_hash, token_state FROM parties WHERE request_id = ?1 AND handle = ?2 AND token_n > 0`
	const next = `(SELECT coalesce(max(n), 0) + 1 FROM (SELECT token_n AS n FROM parties WHERE request_id = ?1 UNION ALL SELECT n FROM tokens WHERE request_id = ?1) AS x)`
	const update = `UPDATE parties SET token_n = ` + next + `, token_hash = ?3, token_state = ?4 WHERE request_id = ?1 AND handle = ?2 RETURNING token_n`
	args := []any{tk.RequestID, tk.Handle, tk.Hash[:], tk.State}
	var n int64
	var err error
	if t.x.Dialect() == Postgres {
		// One statement, one round trip: SQLite has no INSERT in a WITH.
		n, err = t.insert("WITH moved AS ("+move+") "+update, args...)
	} else if _, err = t.x.Exec(move, args[:2]...); err == nil {
		n, err = t.insert(update, args...)
	}
	if errors.Is(err, model.ErrNoRow) {
		n, err = t.insert(`INSERT INTO tokens (request_id, n, handle, hash, state) VALUES (?1, `+next+`, ?2, ?3, ?4) RETURNING n`, args...)
	}
	if err == nil {
		tk.ID = tokenID(tk.RequestID, n)
	}
	return err
}

func (t *Tx) Tokens(requestID int64) ([]model.TokenRecord, error) {
	return list(t, func(sc Row) (model.TokenRecord, error) {
		var tk model.TokenRecord
		var n int64
		var hash []byte
		err := sc.Scan(&tk.RequestID, &n, &tk.Handle, &hash, &tk.State)
		tk.ID = tokenID(tk.RequestID, n)
		copy(tk.Hash[:], hash)
		return tk, err
	}, `SELECT request_id, token_n, handle, token_hash, token_state FROM parties WHERE request_id = +?1 AND token_n > 0
		UNION ALL SELECT request_id, n, handle, hash, state FROM tokens WHERE request_id = +?1 ORDER BY 2`, requestID)
}

// UseToken writes the token used and the answer on the party's row in
// one statement when the token is the party's latest, as an answer's
// token is (the model refuses a replaced one); else as SetTokenState
// and SetAnswer would.
func (t *Tx) UseToken(id int64, h model.Handle, a model.Answer, at time.Time) error {
	rid, n := id>>tokenBits, id&(1<<tokenBits-1)
	if n > 0 {
		done, err := t.x.Exec("UPDATE parties SET token_state = ?, answer = ?, answered = ? WHERE request_id = ? AND handle = ? AND token_n = ?",
			model.TokenUsed, a, ts(at), rid, h, n)
		if err != nil || done > 0 {
			return err
		}
	}
	if err := t.SetTokenState(id, model.TokenUsed); err != nil {
		return err
	}
	return t.SetAnswer(rid, h, a, at)
}

func (t *Tx) SetTokenState(id int64, s model.TokenState) error {
	rid, n := id>>tokenBits, id&(1<<tokenBits-1)
	if n == 0 {
		return model.ErrNoRow
	}
	done, err := t.x.Exec("UPDATE parties SET token_state = ? WHERE request_id = ? AND token_n = ?", s, rid, n)
	if err != nil || done > 0 {
		return err
	}
	return exactlyOne(t.x.Exec("UPDATE tokens SET state = ? WHERE request_id = ? AND n = ?", s, rid, n))
}

func (t *Tx) Failures(h model.Handle, requestID int64, since time.Time) (int, error) {
	var n int
	err := t.row("SELECT count(*) FROM token_failures WHERE handle = +? AND request_id = +? AND at > ?", h, requestID, ts(since)).Scan(&n)
	return n, err
}

func (t *Tx) InsertFailure(h model.Handle, requestID int64, at time.Time) error {
	_, err := t.x.Exec("INSERT INTO token_failures (handle, request_id, at) VALUES (?, ?, ?)", h, requestID, ts(at))
	return err
}

func (t *Tx) LockedUntil(h model.Handle, requestID int64) (time.Time, error) {
	var until int64
	err := t.row("SELECT until FROM token_locks WHERE handle = +? AND request_id = +?", h, requestID).Scan(&until)
	if errors.Is(err, model.ErrNoRow) {
		return time.Time{}, nil
	}
	return tm(until), err
}

func (t *Tx) SetLock(h model.Handle, requestID int64, until time.Time) error {
	_, err := t.x.Exec(`INSERT INTO token_locks (handle, request_id, until) VALUES (?, ?, ?)
		ON CONFLICT (handle, request_id) DO UPDATE SET until = excluded.until`, h, requestID, ts(until))
	return err
}

// ---- history

const historyInsertCols = "at, actor, action, service_id, request_id, detail"

func historyValues(e *model.HistoryEntry) []any {
	return []any{ts(e.At), string(e.Actor), e.Action, nullID(e.ServiceID), nullID(e.RequestID), e.Detail}
}

// InsertHistory gives a request's line its service when it has none:
// the history finds a request's lines among its service's.
func (t *Tx) InsertHistory(e *model.HistoryEntry) error {
	id, err := t.insert("INSERT INTO history ("+historyInsertCols+") VALUES (?1, ?2, ?3, coalesce(?4, (SELECT service_id FROM requests WHERE id = ?5)), ?5, ?6) RETURNING id", historyValues(e)...)
	if err == nil {
		e.ID = id
	}
	return err
}

const historyCols = "h.id, h.at, h.actor, h.action, coalesce(h.service_id, 0), coalesce(s.name, ''), coalesce(h.request_id, 0), h.detail"

// ServiceHistoryQuery is History's query of one service (?1) for who
// (?3), at most ?2 lines (its plan is tested): the service's own lines,
// the changes of its contacts, and the lines of the requests who is a
// party to; those of another request are its parties' business, and
// the change of contact it made shows without its number.
const ServiceHistoryQuery = "SELECT " + historyPrivateCols + historyFrom +
	"h.service_id = +?1 AND (h.request_id IS NULL OR h.action = '" + model.ActContactChange + "' OR " + historyParty + ") ORDER BY h.at DESC, h.id DESC LIMIT +?2"

// historyFrom: the lines of history, but those of another's tries
// paused (wrong tokens), who being ?3.
const historyFrom = " FROM history h LEFT JOIN services s ON s.id = h.service_id WHERE (h.action <> '" + model.ActTokenThrottled + "' OR h.actor = +?3) AND "

// historyParty: who (?3) is a party to history line h's request, asked
// of that line alone by the parties' key (a correlated EXISTS), not by
// listing every request who is a party to (IN a subquery, which SQLite
// lists whole at each read): an agency is a party to thousands, and a
// service's history has a few lines.
const historyParty = "EXISTS (SELECT 1 FROM parties p WHERE p.request_id = h.request_id AND p.handle = +?3)"

// historyPrivateCols are historyCols with the number of a request who
// (?3) is no party to left out (0) of the change of contact it made.
const historyPrivateCols = "h.id, h.at, h.actor, h.action, coalesce(h.service_id, 0), coalesce(s.name, ''), " +
	"CASE WHEN h.action = '" + model.ActContactChange + "' AND NOT " + historyParty + " THEN 0 ELSE coalesce(h.request_id, 0) END, h.detail"

func scanHistory(sc Row) (model.HistoryEntry, error) {
	var e model.HistoryEntry
	var at int64
	err := sc.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.ServiceID, &e.Service, &e.RequestID, &e.Detail)
	e.At = tm(at)
	return e, err
}

func (t *Tx) History(who model.Handle, serviceID, requestID int64, limit int) ([]model.HistoryEntry, error) {
	lim := noLimit
	if limit > 0 {
		lim = int64(limit)
	}
	// A party's tries paused (wrong tokens) is its own mishap: the other
	// parties of the request, and the service's other contacts, do not
	// see that line.
	//
	// A request is its parties' business: a contact of the service that
	// is no party to it sees what was done to the service itself (added,
	// its owner details) and the changes of its contacts, without the
	// request's number, not the request's own lines (who asked to hand a
	// role to whom, who answered), as a refusal of a request pending on
	// the same role tells it neither the request's number nor its
	// parties.
	switch {
	case requestID != 0:
		// the request's own lines keep its number: the model reads them
		// for a party, and the desk itself (who "") counts its resends
		return list(t, scanHistory, "SELECT "+historyCols+historyFrom+"h.service_id = (SELECT service_id FROM requests WHERE id = +?1) AND h.request_id = +?1 ORDER BY h.at DESC, h.id DESC LIMIT +?2", requestID, lim, who)
	case serviceID != 0:
		return list(t, scanHistory, ServiceHistoryQuery, serviceID, lim, who)
	}
	return list(t, scanHistory, "SELECT "+historyPrivateCols+historyFrom+`h.id IN (
			SELECT id FROM history WHERE actor = +?1 AND request_id IS NULL
			UNION SELECT x.id FROM services v JOIN history x ON x.service_id = v.id WHERE (v.admin = +?1 OR v.tech = +?1 OR v.billing = +?1) AND (x.request_id IS NULL OR x.action = '`+model.ActContactChange+`')
			UNION SELECT x.id FROM parties p JOIN requests r ON r.id = p.request_id JOIN history x ON x.service_id = r.service_id AND x.request_id = r.id
				WHERE p.handle = +?1
		) ORDER BY h.at DESC, h.id DESC LIMIT +?2`, who, lim, who)
}

func (t *Tx) PartyHistory(who model.Handle, serviceID int64, limit int) ([]model.HistoryEntry, error) {
	lim := noLimit
	if limit > 0 {
		lim = int64(limit)
	}
	return list(t, scanHistory, "SELECT "+historyCols+` FROM history h LEFT JOIN services s ON s.id = h.service_id
		WHERE (h.action <> '`+model.ActTokenThrottled+`' OR h.actor = +?1) AND h.service_id = +?2 AND (
			(h.request_id IS NULL AND h.actor = +?1)
			OR h.request_id IN (SELECT p.request_id FROM parties p JOIN requests r ON r.id = p.request_id WHERE p.handle = +?1 AND r.service_id = +?2))
		ORDER BY h.at DESC, h.id DESC LIMIT +?3`, who, serviceID, lim)
}

// Acquaintances is worked out in SQL, handles only, before any account
// is read: an account holding 100,000 services has a few co-contacts,
// and reading its services whole to find them took the time of its
// Services list each time a form opened.
func (t *Tx) Acquaintances(h model.Handle) ([]model.Account, error) {
	return list(t, func(sc Row) (model.Account, error) {
		var a model.Account
		return a, sc.Scan(&a.Handle, &a.Name)
	}, `SELECT handle, name FROM accounts WHERE handle IN (
			SELECT +?1
			UNION SELECT admin FROM services WHERE tech = +?1 OR billing = +?1
			UNION SELECT tech FROM services WHERE admin = +?1 OR billing = +?1
			UNION SELECT billing FROM services WHERE admin = +?1 OR tech = +?1
			UNION SELECT p.handle FROM parties me JOIN parties p ON p.request_id = me.request_id WHERE me.handle = +?1
		) ORDER BY handle`, h)
}
