package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"contactdesk/model"
)

// sqlTx is one transaction; it implements model.Tx.
type sqlTx struct {
	ctx context.Context
	tx  *sql.Tx
}

var _ model.Tx = (*sqlTx)(nil)

// Statements are run as text: the driver keeps each connection's
// prepared statements in a cache (StmtCacheSize, set in the DSN) and
// finds them there by their text, so a statement is prepared once per
// connection rather than once per transaction. (A statement prepared
// through database/sql in a transaction dies with it; one prepared on
// the pool can't be prepared while the writer's one connection is in a
// transaction.)
//
// In the WHERE and LIMIT of a query, a bound value is written +? rather
// than ?. SQLite's planner peeks at a bare ? compared for equality (or
// used as a limit) to weigh its plans, and then marks the statement to be
// compiled again whenever that value is rebound; the driver clears the
// bindings after every run, so such a statement would be compiled on
// every use. The unary plus hides the value from the planner and changes
// nothing else: the plans are the same (TestStatementsArePreparedOnce
// counts the compilations).

func (t *sqlTx) exec(q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, q, args...)
}

func (t *sqlTx) query(q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, q, args...)
}

func (t *sqlTx) queryRow(q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, q, args...)
}

// exactlyOne checks that an UPDATE hit its row.
func exactlyOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return model.ErrNoRow
	}
	return nil
}

func noRow(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return model.ErrNoRow
	}
	return err
}

func ts(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func tm(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// ---- accounts

const accountCols = "handle, name, email, owes, created"

func scanAccount(sc interface{ Scan(...any) error }) (model.Account, error) {
	var a model.Account
	var created int64
	err := sc.Scan(&a.Handle, &a.Name, &a.Email, &a.Owes, &created)
	a.Created = tm(created)
	return a, err
}

func (t *sqlTx) accounts(q string, args ...any) ([]model.Account, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var as []model.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		as = append(as, a)
	}
	return as, rows.Err()
}

func (t *sqlTx) Account(h model.Handle) (model.Account, error) {
	a, err := scanAccount(t.queryRow("SELECT "+accountCols+" FROM accounts WHERE handle = +?", h))
	return a, noRow(err)
}

func (t *sqlTx) Accounts() ([]model.Account, error) {
	return t.accounts("SELECT " + accountCols + " FROM accounts ORDER BY handle")
}

func (t *sqlTx) FindAccounts(prefix string, limit int) ([]model.Account, error) {
	if limit <= 0 {
		limit = 10
	}
	like := escapeLike(strings.ToLower(prefix)) + "%"
	return t.accounts(`SELECT `+accountCols+` FROM accounts
		WHERE handle LIKE ?1 ESCAPE '\' OR lower(name) LIKE ?1 ESCAPE '\' OR lower(name) LIKE '% ' || ?1 ESCAPE '\'
		ORDER BY handle LIMIT +?2`, like, limit)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

func (t *sqlTx) InsertAccount(a model.Account) error {
	_, err := t.exec("INSERT INTO accounts ("+accountCols+") VALUES (?, ?, ?, ?, ?)", a.Handle, a.Name, a.Email, a.Owes, ts(a.Created))
	return err
}

func (t *sqlTx) SetEmail(h model.Handle, email string) error {
	return exactlyOne(t.exec("UPDATE accounts SET email = ? WHERE handle = ?", email, h))
}

func (t *sqlTx) SetOwes(h model.Handle, owes model.Cents) error {
	return exactlyOne(t.exec("UPDATE accounts SET owes = ? WHERE handle = ?", owes, h))
}

// ---- services

const serviceCols = "s.id, s.name, s.type, s.admin, s.tech, s.billing, s.has_owner, s.owner_holder, s.owner_address, s.owner_phone, s.owner_email, s.created"

func scanService(sc interface{ Scan(...any) error }, extra ...any) (model.Service, error) {
	var s model.Service
	var hasOwner bool
	var o model.Owner
	var created int64
	dest := append([]any{&s.ID, &s.Name, &s.Type, &s.Admin, &s.Tech, &s.Billing, &hasOwner, &o.Holder, &o.Address, &o.Phone, &o.Email, &created}, extra...)
	err := sc.Scan(dest...)
	if hasOwner {
		s.Owner = &o
	}
	s.Created = tm(created)
	return s, err
}

func (t *sqlTx) Service(name string) (model.Service, error) {
	s, err := scanService(t.queryRow("SELECT "+serviceCols+" FROM services s WHERE s.name = +?", name))
	return s, noRow(err)
}

func (t *sqlTx) ServiceByID(id int64) (model.Service, error) {
	s, err := scanService(t.queryRow("SELECT "+serviceCols+" FROM services s WHERE s.id = +?", id))
	return s, noRow(err)
}

func (t *sqlTx) ServicesOf(h model.Handle, now time.Time) ([]model.ServiceView, error) {
	return t.serviceViews(`SELECT `+serviceCols+`,
			EXISTS (SELECT 1 FROM requests r WHERE r.service_id = s.id AND r.state = 'validatingByCustomers' AND r.expires > ?2)
		FROM services s WHERE s.admin = +?1 OR s.tech = +?1 OR s.billing = +?1 ORDER BY s.name`, h, ts(now))
}

// serviceViews runs a query of serviceCols followed by the pending mark.
func (t *sqlTx) serviceViews(q string, args ...any) ([]model.ServiceView, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ss []model.ServiceView
	for rows.Next() {
		var v model.ServiceView
		v.Service, err = scanService(rows, &v.Pending)
		if err != nil {
			return nil, err
		}
		ss = append(ss, v)
	}
	return ss, rows.Err()
}

// FirstServicesOf takes the first limit names from each role's index
// (admin, name), (tech, name), (billing, name) and keeps the first limit
// of those: it reads at most 3×limit index entries whether h holds ten
// services or a hundred thousand, where ServicesOf's plan (a union of
// the three indexes, then a sort) reads every one.
func (t *sqlTx) FirstServicesOf(h model.Handle, now time.Time, limit int) ([]model.ServiceView, error) {
	return t.serviceViews(firstServicesQuery, h, ts(now), limit)
}

const firstServicesQuery = `SELECT ` + serviceCols + `,
		EXISTS (SELECT 1 FROM requests r WHERE r.service_id = s.id AND r.state = 'validatingByCustomers' AND r.expires > ?2)
	FROM services s WHERE s.id IN (
		SELECT id FROM (SELECT id FROM services WHERE admin = +?1 ORDER BY name LIMIT +?3)
		UNION ALL SELECT id FROM (SELECT id FROM services WHERE tech = +?1 ORDER BY name LIMIT +?3)
		UNION ALL SELECT id FROM (SELECT id FROM services WHERE billing = +?1 ORDER BY name LIMIT +?3))
	ORDER BY s.name LIMIT +?3`

func (t *sqlTx) InsertService(s *model.Service) error {
	var o model.Owner
	if s.Owner != nil {
		o = *s.Owner
	}
	res, err := t.exec(`INSERT INTO services (name, type, admin, tech, billing, has_owner, owner_holder, owner_address, owner_phone, owner_email, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.Name, s.Type, s.Admin, s.Tech, s.Billing, s.Owner != nil, o.Holder, o.Address, o.Phone, o.Email, ts(s.Created))
	if err != nil {
		return err
	}
	s.ID, err = res.LastInsertId()
	return err
}

func (t *sqlTx) SetContact(id int64, r model.Role, h model.Handle) error {
	col := map[model.Role]string{model.Admin: "admin", model.Tech: "tech", model.Billing: "billing"}[r]
	if col == "" {
		return errors.New("storage: unknown role " + string(r))
	}
	return exactlyOne(t.exec("UPDATE services SET "+col+" = ? WHERE id = ?", h, id))
}

func (t *sqlTx) SetOwner(id int64, o model.Owner) error {
	return exactlyOne(t.exec(`UPDATE services SET has_owner = 1, owner_holder = ?, owner_address = ?, owner_phone = ?, owner_email = ? WHERE id = ?`,
		o.Holder, o.Address, o.Phone, o.Email, id))
}

// ---- requests

const requestCols = "r.id, r.service_id, s.name, s.type, r.roles, r.from_handle, r.to_handle, r.requester, r.state, r.reason, r.created, r.expires, r.ended"

func scanRequest(sc interface{ Scan(...any) error }) (model.Request, error) {
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

// requests runs a query of requestCols and attaches each request's
// parties with a second query whose only argument list is partyArgs.
func (t *sqlTx) requests(q string, args []any, partyQ string, partyArgs []any) ([]model.Request, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	var rs []model.Request
	byID := map[int64]int{}
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[r.ID] = len(rs)
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(rs) == 0 {
		return rs, err
	}
	prows, err := t.query(partyQ, partyArgs...)
	if err != nil {
		return nil, err
	}
	defer prows.Close()
	for prows.Next() {
		var id, answered int64
		var p model.Party
		if err := prows.Scan(&id, &p.Handle, &p.Answer, &answered); err != nil {
			return nil, err
		}
		p.Answered = tm(answered)
		if i, ok := byID[id]; ok {
			rs[i].Parties = append(rs[i].Parties, p)
		}
	}
	return rs, prows.Err()
}

const partyCols = "p.request_id, p.handle, p.answer, p.answered"

func (t *sqlTx) Request(id int64) (model.Request, error) {
	rs, err := t.requests("SELECT "+requestCols+" FROM requests r JOIN services s ON s.id = r.service_id WHERE r.id = +?", []any{id},
		"SELECT "+partyCols+" FROM parties p WHERE p.request_id = +? ORDER BY p.position", []any{id})
	if err != nil {
		return model.Request{}, err
	}
	if len(rs) == 0 {
		return model.Request{}, model.ErrNoRow
	}
	return rs[0], nil
}

func (t *sqlTx) RequestsOf(h model.Handle) ([]model.Request, error) {
	return t.requests(`SELECT `+requestCols+` FROM parties m JOIN requests r ON r.id = m.request_id JOIN services s ON s.id = r.service_id
			WHERE m.handle = +? ORDER BY r.id DESC`, []any{h},
		`SELECT `+partyCols+` FROM parties m JOIN parties p ON p.request_id = m.request_id WHERE m.handle = +? ORDER BY p.request_id, p.position`, []any{h})
}

func (t *sqlTx) OpenRequests(serviceID int64) ([]model.Request, error) {
	return t.requests(`SELECT `+requestCols+` FROM requests r JOIN services s ON s.id = r.service_id
			WHERE r.service_id = +? AND r.state = 'validatingByCustomers' ORDER BY r.id`, []any{serviceID},
		`SELECT `+partyCols+` FROM requests r JOIN parties p ON p.request_id = r.id
			WHERE r.service_id = +? AND r.state = 'validatingByCustomers' ORDER BY p.request_id, p.position`, []any{serviceID})
}

func (t *sqlTx) DueRequests(now time.Time) ([]model.Request, error) {
	// Every write asks this first, so it must cost one look in the
	// partial index of open requests (written as IN so the planner
	// takes that index rather than a scan in id order).
	const due = "(SELECT id FROM requests WHERE state = 'validatingByCustomers' AND expires <= ?)"
	return t.requests(`SELECT `+requestCols+` FROM requests r JOIN services s ON s.id = r.service_id
			WHERE r.id IN `+due+` ORDER BY r.id`, []any{ts(now)},
		`SELECT `+partyCols+` FROM parties p WHERE p.request_id IN `+due+` ORDER BY p.request_id, p.position`, []any{ts(now)})
}

func (t *sqlTx) InsertRequest(r *model.Request) error {
	res, err := t.exec(`INSERT INTO requests (service_id, roles, from_handle, to_handle, requester, state, reason, created, expires, ended)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ServiceID, model.JoinRoles(r.Roles, ","), r.From, r.To, r.Requester, r.State, r.Reason, ts(r.Created), ts(r.Expires), ts(r.Ended))
	if err != nil {
		return err
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	for i, p := range r.Parties {
		if _, err := t.exec("INSERT INTO parties (request_id, position, handle, answer, answered) VALUES (?, ?, ?, ?, ?)",
			r.ID, i, p.Handle, p.Answer, ts(p.Answered)); err != nil {
			return err
		}
	}
	return nil
}

func (t *sqlTx) EndRequest(id int64, s model.State, reason string, at time.Time) error {
	return exactlyOne(t.exec("UPDATE requests SET state = ?, reason = ?, ended = ? WHERE id = ?", s, reason, ts(at), id))
}

func (t *sqlTx) SetAnswer(id int64, h model.Handle, a model.Answer, at time.Time) error {
	return exactlyOne(t.exec("UPDATE parties SET answer = ?, answered = ? WHERE request_id = ? AND handle = ?", a, ts(at), id, h))
}

// ---- tokens and throttling

func (t *sqlTx) InsertToken(tk *model.TokenRecord) error {
	res, err := t.exec("INSERT INTO tokens (request_id, handle, hash, state) VALUES (?, ?, ?, ?)", tk.RequestID, tk.Handle, tk.Hash[:], tk.State)
	if err != nil {
		return err
	}
	tk.ID, err = res.LastInsertId()
	return err
}

func (t *sqlTx) Tokens(requestID int64) ([]model.TokenRecord, error) {
	rows, err := t.query("SELECT id, request_id, handle, hash, state FROM tokens WHERE request_id = +? ORDER BY id", requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []model.TokenRecord
	for rows.Next() {
		var tk model.TokenRecord
		var hash []byte
		if err := rows.Scan(&tk.ID, &tk.RequestID, &tk.Handle, &hash, &tk.State); err != nil {
			return nil, err
		}
		copy(tk.Hash[:], hash)
		ts = append(ts, tk)
	}
	return ts, rows.Err()
}

func (t *sqlTx) SetTokenState(id int64, s model.TokenState) error {
	return exactlyOne(t.exec("UPDATE tokens SET state = ? WHERE id = ?", s, id))
}

func (t *sqlTx) Failures(h model.Handle, requestID int64, since time.Time) (int, error) {
	var n int
	err := t.queryRow("SELECT count(*) FROM token_failures WHERE handle = +? AND request_id = +? AND at > ?", h, requestID, ts(since)).Scan(&n)
	return n, err
}

func (t *sqlTx) InsertFailure(h model.Handle, requestID int64, at time.Time) error {
	_, err := t.exec("INSERT INTO token_failures (handle, request_id, at) VALUES (?, ?, ?)", h, requestID, ts(at))
	return err
}

func (t *sqlTx) LockedUntil(h model.Handle, requestID int64) (time.Time, error) {
	var until int64
	err := t.queryRow("SELECT until FROM token_locks WHERE handle = +? AND request_id = +?", h, requestID).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return tm(until), err
}

func (t *sqlTx) SetLock(h model.Handle, requestID int64, until time.Time) error {
	_, err := t.exec(`INSERT INTO token_locks (handle, request_id, until) VALUES (?, ?, ?)
		ON CONFLICT (handle, request_id) DO UPDATE SET until = excluded.until`, h, requestID, ts(until))
	return err
}

// ---- mails

// mailColsM reads a mail aliased m, with its delivery when it went
// through the outbox (aliased d in a LEFT JOIN).
const mailColsM = "m.id, m.to_handle, m.address, m.subject, m.date, m.body, coalesce(m.request_id, 0), m.token, m.link, m.kind, m.read"

const mailCols = mailColsM + ", coalesce(d.state, ''), coalesce(d.last_error, '')"

const mailFrom = " FROM mails m LEFT JOIN outbox d ON d.mail_id = m.id "

// scanMail reads mailColsM after the extra columns given first.
func scanMail(sc interface{ Scan(...any) error }, before ...any) (model.Mail, error) {
	var m model.Mail
	var date int64
	err := sc.Scan(append(before, &m.ID, &m.To, &m.Address, &m.Subject, &date, &m.Body, &m.RequestID, &m.Token, &m.Link, &m.Kind, &m.Read)...)
	m.Date = tm(date)
	return m, err
}

// scanMailDelivery reads mailCols.
func scanMailDelivery(sc interface{ Scan(...any) error }) (model.Mail, error) {
	var m model.Mail
	var date int64
	err := sc.Scan(&m.ID, &m.To, &m.Address, &m.Subject, &date, &m.Body, &m.RequestID, &m.Token, &m.Link, &m.Kind, &m.Read, &m.Delivery, &m.DeliveryError)
	m.Date = tm(date)
	if m.Delivery == model.DeliverySending {
		m.Delivery = model.DeliveryPending
	}
	return m, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (t *sqlTx) InsertMail(m *model.Mail) error {
	res, err := t.exec(`INSERT INTO mails (to_handle, address, subject, date, body, request_id, token, link, kind, read)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.To, m.Address, m.Subject, ts(m.Date), m.Body, nullID(m.RequestID), m.Token, m.Link, m.Kind, m.Read)
	if err != nil {
		return err
	}
	m.ID, err = res.LastInsertId()
	return err
}

func (t *sqlTx) MailsOf(h model.Handle) ([]model.Mail, error) {
	rows, err := t.query("SELECT "+mailCols+mailFrom+"WHERE m.to_handle = +? ORDER BY m.id DESC", h)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ms []model.Mail
	for rows.Next() {
		m, err := scanMailDelivery(rows)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

func (t *sqlTx) Mail(id int64) (model.Mail, error) {
	m, err := scanMailDelivery(t.queryRow("SELECT "+mailCols+mailFrom+"WHERE m.id = +?", id))
	return m, noRow(err)
}

func (t *sqlTx) MarkRead(h model.Handle, id int64) error {
	return exactlyOne(t.exec("UPDATE mails SET read = 1 WHERE id = ? AND to_handle = ?", id, h))
}

func (t *sqlTx) Unread(h model.Handle) (int, error) {
	var n int
	err := t.queryRow("SELECT count(*) FROM mails WHERE to_handle = +? AND read = 0", h).Scan(&n)
	return n, err
}

// ---- history

func (t *sqlTx) InsertHistory(e *model.HistoryEntry) error {
	res, err := t.exec("INSERT INTO history (at, actor, action, service_id, request_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
		ts(e.At), e.Actor, e.Action, nullID(e.ServiceID), nullID(e.RequestID), e.Detail)
	if err != nil {
		return err
	}
	e.ID, err = res.LastInsertId()
	return err
}

const historyCols = "h.id, h.at, h.actor, h.action, coalesce(h.service_id, 0), coalesce(s.name, ''), coalesce(h.request_id, 0), h.detail"

func (t *sqlTx) History(who model.Handle, serviceID, requestID int64, limit int) ([]model.HistoryEntry, error) {
	if limit <= 0 {
		limit = -1
	}
	var q string
	var args []any
	switch {
	case requestID != 0:
		q = "SELECT " + historyCols + " FROM history h LEFT JOIN services s ON s.id = h.service_id WHERE h.request_id = +? ORDER BY h.at DESC, h.id DESC LIMIT +?"
		args = []any{requestID, limit}
	case serviceID != 0:
		q = "SELECT " + historyCols + " FROM history h LEFT JOIN services s ON s.id = h.service_id WHERE h.service_id = +? ORDER BY h.at DESC, h.id DESC LIMIT +?"
		args = []any{serviceID, limit}
	default:
		q = `SELECT ` + historyCols + ` FROM history h LEFT JOIN services s ON s.id = h.service_id WHERE h.id IN (
				SELECT id FROM history WHERE actor = +?1
				UNION SELECT x.id FROM services v JOIN history x ON x.service_id = v.id WHERE v.admin = +?1 OR v.tech = +?1 OR v.billing = +?1
				UNION SELECT x.id FROM parties p JOIN history x ON x.request_id = p.request_id WHERE p.handle = +?1
			) ORDER BY h.at DESC, h.id DESC LIMIT +?2`
		args = []any{who, limit}
	}
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hs []model.HistoryEntry
	for rows.Next() {
		var e model.HistoryEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.ServiceID, &e.Service, &e.RequestID, &e.Detail); err != nil {
			return nil, err
		}
		e.At = tm(at)
		hs = append(hs, e)
	}
	return hs, rows.Err()
}
