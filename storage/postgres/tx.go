package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"contactdesk/model"
)

// pgTx is one transaction; it implements model.Tx. Every query goes
// through exec, query or queryRow, which remember whether anything was
// written (to announce it) and the first serialization failure (to run
// the transaction again even if the caller swallowed it).
type pgTx struct {
	ctx      context.Context
	tx       pgx.Tx
	wrote    bool
	conflict error
}

var _ model.Tx = (*pgTx)(nil)

func (t *pgTx) note(err error) error {
	if err != nil && t.conflict == nil && isConflict(err) {
		t.conflict = err
	}
	return err
}

func (t *pgTx) exec(q string, args ...any) (pgconn.CommandTag, error) {
	t.wrote = true
	tag, err := t.tx.Exec(t.ctx, q, args...)
	return tag, t.note(err)
}

// insert runs an INSERT … RETURNING id.
func (t *pgTx) insert(q string, args ...any) (int64, error) {
	t.wrote = true
	var id int64
	err := t.tx.QueryRow(t.ctx, q, args...).Scan(&id)
	return id, t.note(err)
}

// scanner is a row to read: pgx.Row or pgx.Rows.
type scanner interface{ Scan(...any) error }

// row is one row of queryRow; its error goes through note.
type row struct {
	t *pgTx
	r pgx.Row
}

func (r row) Scan(dest ...any) error { return r.t.note(r.r.Scan(dest...)) }

func (t *pgTx) queryRow(q string, args ...any) scanner {
	return row{t: t, r: t.tx.QueryRow(t.ctx, q, args...)}
}

// list runs q and reads each row with scan; it returns nil when there
// is no row, as the SQLite store does.
func list[T any](t *pgTx, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.tx.Query(t.ctx, q, args...)
	if err != nil {
		return nil, t.note(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.note(err)
		}
		out = append(out, v)
	}
	return out, t.note(rows.Err())
}

// exactlyOne checks that an UPDATE hit its row.
func exactlyOne(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return model.ErrNoRow
	}
	return nil
}

func noRow(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
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

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ---- accounts

const accountCols = "handle, name, email, owes, created"

func scanAccount(sc scanner) (model.Account, error) {
	var a model.Account
	var created int64
	err := sc.Scan(&a.Handle, &a.Name, &a.Email, &a.Owes, &created)
	a.Created = tm(created)
	return a, err
}

func (t *pgTx) Account(h model.Handle) (model.Account, error) {
	a, err := scanAccount(t.queryRow("SELECT "+accountCols+" FROM accounts WHERE handle = $1", h))
	return a, noRow(err)
}

func (t *pgTx) Accounts() ([]model.Account, error) {
	return list(t, scanAccount, "SELECT "+accountCols+" FROM accounts ORDER BY handle")
}

// FindAccounts matches as the SQLite store does: handles are lowercase,
// and lower() of a COLLATE "C" column folds ASCII letters only, as
// SQLite's does.
func (t *pgTx) FindAccounts(prefix string, limit int) ([]model.Account, error) {
	if limit <= 0 {
		limit = 10
	}
	like := escapeLike(strings.ToLower(prefix)) + "%"
	return list(t, scanAccount, `SELECT `+accountCols+` FROM accounts
		WHERE handle LIKE $1 ESCAPE E'\\' OR lower(name) LIKE $1 ESCAPE E'\\' OR lower(name) LIKE '% ' || $1 ESCAPE E'\\'
		ORDER BY handle LIMIT $2`, like, limit)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

func (t *pgTx) InsertAccount(a model.Account) error {
	_, err := t.exec("INSERT INTO accounts ("+accountCols+") VALUES ($1, $2, $3, $4, $5)", a.Handle, a.Name, a.Email, a.Owes, ts(a.Created))
	return err
}

func (t *pgTx) SetEmail(h model.Handle, email string) error {
	return exactlyOne(t.exec("UPDATE accounts SET email = $1 WHERE handle = $2", email, h))
}

func (t *pgTx) SetOwes(h model.Handle, owes model.Cents) error {
	return exactlyOne(t.exec("UPDATE accounts SET owes = $1 WHERE handle = $2", owes, h))
}

// ---- services

const serviceCols = "s.id, s.name, s.type, s.admin, s.tech, s.billing, s.has_owner, s.owner_holder, s.owner_address, s.owner_phone, s.owner_email, s.created"

func scanService(sc scanner, extra ...any) (model.Service, error) {
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

func (t *pgTx) Service(name string) (model.Service, error) {
	s, err := scanService(t.queryRow("SELECT "+serviceCols+" FROM services s WHERE s.name = $1", name))
	return s, noRow(err)
}

func (t *pgTx) ServiceByID(id int64) (model.Service, error) {
	s, err := scanService(t.queryRow("SELECT "+serviceCols+" FROM services s WHERE s.id = $1", id))
	return s, noRow(err)
}

func (t *pgTx) ServicesOf(h model.Handle, now time.Time) ([]model.ServiceView, error) {
	return list(t, func(sc scanner) (model.ServiceView, error) {
		var v model.ServiceView
		var err error
		v.Service, err = scanService(sc, &v.Pending)
		return v, err
	}, `SELECT `+serviceCols+`,
			EXISTS (SELECT 1 FROM requests r WHERE r.service_id = s.id AND r.state = 'validatingByCustomers' AND r.expires > $2)
		FROM services s WHERE s.admin = $1 OR s.tech = $1 OR s.billing = $1 ORDER BY s.name`, h, ts(now))
}

// FirstServicesOf takes the first limit names from each role's index
// (admin, name), (tech, name), (billing, name) and keeps the first limit
// of those: about 3×limit index entries read, however many services h
// holds.
func (t *pgTx) FirstServicesOf(h model.Handle, now time.Time, limit int) ([]model.ServiceView, error) {
	return list(t, func(sc scanner) (model.ServiceView, error) {
		var v model.ServiceView
		var err error
		v.Service, err = scanService(sc, &v.Pending)
		return v, err
	}, `SELECT `+serviceCols+`,
			EXISTS (SELECT 1 FROM requests r WHERE r.service_id = s.id AND r.state = 'validatingByCustomers' AND r.expires > $2)
		FROM services s WHERE s.id IN (
			(SELECT id FROM services WHERE admin = $1 ORDER BY name LIMIT $3)
			UNION ALL (SELECT id FROM services WHERE tech = $1 ORDER BY name LIMIT $3)
			UNION ALL (SELECT id FROM services WHERE billing = $1 ORDER BY name LIMIT $3))
		ORDER BY s.name LIMIT $3`, h, ts(now), limit)
}

func (t *pgTx) InsertService(s *model.Service) error {
	var o model.Owner
	if s.Owner != nil {
		o = *s.Owner
	}
	id, err := t.insert(`INSERT INTO services (name, type, admin, tech, billing, has_owner, owner_holder, owner_address, owner_phone, owner_email, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		s.Name, s.Type, s.Admin, s.Tech, s.Billing, s.Owner != nil, o.Holder, o.Address, o.Phone, o.Email, ts(s.Created))
	if err != nil {
		return err
	}
	s.ID = id
	return nil
}

func (t *pgTx) SetContact(id int64, r model.Role, h model.Handle) error {
	col := map[model.Role]string{model.Admin: "admin", model.Tech: "tech", model.Billing: "billing"}[r]
	if col == "" {
		return errors.New("postgres: unknown role " + string(r))
	}
	return exactlyOne(t.exec("UPDATE services SET "+col+" = $1 WHERE id = $2", h, id))
}

func (t *pgTx) SetOwner(id int64, o model.Owner) error {
	return exactlyOne(t.exec(`UPDATE services SET has_owner = true, owner_holder = $1, owner_address = $2, owner_phone = $3, owner_email = $4 WHERE id = $5`,
		o.Holder, o.Address, o.Phone, o.Email, id))
}

// ---- requests

const requestCols = "r.id, r.service_id, s.name, s.type, r.roles, r.from_handle, r.to_handle, r.requester, r.state, r.reason, r.created, r.expires, r.ended"

func scanRequest(sc scanner) (model.Request, error) {
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

type partyRow struct {
	requestID int64
	party     model.Party
}

func scanParty(sc scanner) (partyRow, error) {
	var p partyRow
	var answered int64
	err := sc.Scan(&p.requestID, &p.party.Handle, &p.party.Answer, &answered)
	p.party.Answered = tm(answered)
	return p, err
}

// requests runs a query of requestCols and attaches each request's
// parties with a second query whose only argument list is partyArgs.
func (t *pgTx) requests(q string, args []any, partyQ string, partyArgs []any) ([]model.Request, error) {
	rs, err := list(t, scanRequest, q, args...)
	if err != nil || len(rs) == 0 {
		return rs, err
	}
	byID := make(map[int64]int, len(rs))
	for i, r := range rs {
		byID[r.ID] = i
	}
	ps, err := list(t, scanParty, partyQ, partyArgs...)
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

const partyCols = "p.request_id, p.handle, p.answer, p.answered"

func (t *pgTx) Request(id int64) (model.Request, error) {
	rs, err := t.requests("SELECT "+requestCols+" FROM requests r JOIN services s ON s.id = r.service_id WHERE r.id = $1", []any{id},
		"SELECT "+partyCols+" FROM parties p WHERE p.request_id = $1 ORDER BY p.position", []any{id})
	if err != nil {
		return model.Request{}, err
	}
	if len(rs) == 0 {
		return model.Request{}, model.ErrNoRow
	}
	return rs[0], nil
}

func (t *pgTx) RequestsOf(h model.Handle) ([]model.Request, error) {
	return t.requests(`SELECT `+requestCols+` FROM parties m JOIN requests r ON r.id = m.request_id JOIN services s ON s.id = r.service_id
			WHERE m.handle = $1 ORDER BY r.id DESC`, []any{h},
		`SELECT `+partyCols+` FROM parties m JOIN parties p ON p.request_id = m.request_id WHERE m.handle = $1 ORDER BY p.request_id, p.position`, []any{h})
}

func (t *pgTx) OpenRequests(serviceID int64) ([]model.Request, error) {
	return t.requests(`SELECT `+requestCols+` FROM requests r JOIN services s ON s.id = r.service_id
			WHERE r.service_id = $1 AND r.state = 'validatingByCustomers' ORDER BY r.id`, []any{serviceID},
		`SELECT `+partyCols+` FROM requests r JOIN parties p ON p.request_id = r.id
			WHERE r.service_id = $1 AND r.state = 'validatingByCustomers' ORDER BY p.request_id, p.position`, []any{serviceID})
}

func (t *pgTx) DueRequests(now time.Time) ([]model.Request, error) {
	return t.requests(`SELECT `+requestCols+` FROM requests r JOIN services s ON s.id = r.service_id
			WHERE r.state = 'validatingByCustomers' AND r.expires <= $1 ORDER BY r.id`, []any{ts(now)},
		`SELECT `+partyCols+` FROM requests r JOIN parties p ON p.request_id = r.id
			WHERE r.state = 'validatingByCustomers' AND r.expires <= $1 ORDER BY p.request_id, p.position`, []any{ts(now)})
}

func (t *pgTx) InsertRequest(r *model.Request) error {
	id, err := t.insert(`INSERT INTO requests (service_id, roles, from_handle, to_handle, requester, state, reason, created, expires, ended)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		r.ServiceID, model.JoinRoles(r.Roles, ","), r.From, r.To, r.Requester, r.State, r.Reason, ts(r.Created), ts(r.Expires), ts(r.Ended))
	if err != nil {
		return err
	}
	r.ID = id
	for i, p := range r.Parties {
		if _, err := t.exec("INSERT INTO parties (request_id, position, handle, answer, answered) VALUES ($1, $2, $3, $4, $5)",
			r.ID, i, p.Handle, p.Answer, ts(p.Answered)); err != nil {
			return err
		}
	}
	return nil
}

func (t *pgTx) EndRequest(id int64, s model.State, reason string, at time.Time) error {
	return exactlyOne(t.exec("UPDATE requests SET state = $1, reason = $2, ended = $3 WHERE id = $4", s, reason, ts(at), id))
}

func (t *pgTx) SetAnswer(id int64, h model.Handle, a model.Answer, at time.Time) error {
	return exactlyOne(t.exec("UPDATE parties SET answer = $1, answered = $2 WHERE request_id = $3 AND handle = $4", a, ts(at), id, h))
}

// ---- tokens and throttling

func (t *pgTx) InsertToken(tk *model.TokenRecord) error {
	id, err := t.insert("INSERT INTO tokens (request_id, handle, hash, state) VALUES ($1, $2, $3, $4) RETURNING id", tk.RequestID, tk.Handle, tk.Hash[:], tk.State)
	if err != nil {
		return err
	}
	tk.ID = id
	return nil
}

func (t *pgTx) Tokens(requestID int64) ([]model.TokenRecord, error) {
	return list(t, func(sc scanner) (model.TokenRecord, error) {
		var tk model.TokenRecord
		var hash []byte
		err := sc.Scan(&tk.ID, &tk.RequestID, &tk.Handle, &hash, &tk.State)
		copy(tk.Hash[:], hash)
		return tk, err
	}, "SELECT id, request_id, handle, hash, state FROM tokens WHERE request_id = $1 ORDER BY id", requestID)
}

func (t *pgTx) SetTokenState(id int64, s model.TokenState) error {
	return exactlyOne(t.exec("UPDATE tokens SET state = $1 WHERE id = $2", s, id))
}

func (t *pgTx) Failures(h model.Handle, requestID int64, since time.Time) (int, error) {
	var n int
	err := t.queryRow("SELECT count(*) FROM token_failures WHERE handle = $1 AND request_id = $2 AND at > $3", h, requestID, ts(since)).Scan(&n)
	return n, err
}

func (t *pgTx) InsertFailure(h model.Handle, requestID int64, at time.Time) error {
	_, err := t.exec("INSERT INTO token_failures (handle, request_id, at) VALUES ($1, $2, $3)", h, requestID, ts(at))
	return err
}

func (t *pgTx) LockedUntil(h model.Handle, requestID int64) (time.Time, error) {
	var until int64
	err := t.queryRow("SELECT until FROM token_locks WHERE handle = $1 AND request_id = $2", h, requestID).Scan(&until)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	return tm(until), err
}

func (t *pgTx) SetLock(h model.Handle, requestID int64, until time.Time) error {
	_, err := t.exec(`INSERT INTO token_locks (handle, request_id, until) VALUES ($1, $2, $3)
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
func scanMail(sc scanner, before ...any) (model.Mail, error) {
	var m model.Mail
	var date int64
	err := sc.Scan(append(before, &m.ID, &m.To, &m.Address, &m.Subject, &date, &m.Body, &m.RequestID, &m.Token, &m.Link, &m.Kind, &m.Read)...)
	m.Date = tm(date)
	return m, err
}

// scanMailDelivery reads mailCols. A mail being handed to the server
// (sending) is still pending to its reader.
func scanMailDelivery(sc scanner) (model.Mail, error) {
	var m model.Mail
	var date int64
	err := sc.Scan(&m.ID, &m.To, &m.Address, &m.Subject, &date, &m.Body, &m.RequestID, &m.Token, &m.Link, &m.Kind, &m.Read, &m.Delivery, &m.DeliveryError)
	m.Date = tm(date)
	if m.Delivery == model.DeliverySending {
		m.Delivery = model.DeliveryPending
	}
	return m, err
}

func (t *pgTx) InsertMail(m *model.Mail) error {
	id, err := t.insert(`INSERT INTO mails (to_handle, address, subject, date, body, request_id, token, link, kind, read)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		m.To, m.Address, m.Subject, ts(m.Date), m.Body, nullID(m.RequestID), m.Token, m.Link, m.Kind, m.Read)
	if err != nil {
		return err
	}
	m.ID = id
	return nil
}

func (t *pgTx) MailsOf(h model.Handle) ([]model.Mail, error) {
	return list(t, scanMailDelivery, "SELECT "+mailCols+mailFrom+"WHERE m.to_handle = $1 ORDER BY m.id DESC", h)
}

func (t *pgTx) Mail(id int64) (model.Mail, error) {
	m, err := scanMailDelivery(t.queryRow("SELECT "+mailCols+mailFrom+"WHERE m.id = $1", id))
	return m, noRow(err)
}

func (t *pgTx) MarkRead(h model.Handle, id int64) error {
	return exactlyOne(t.exec("UPDATE mails SET read = true WHERE id = $1 AND to_handle = $2", id, h))
}

func (t *pgTx) Unread(h model.Handle) (int, error) {
	var n int
	err := t.queryRow("SELECT count(*) FROM mails WHERE to_handle = $1 AND NOT read", h).Scan(&n)
	return n, err
}

// ---- history

func (t *pgTx) InsertHistory(e *model.HistoryEntry) error {
	id, err := t.insert("INSERT INTO history (at, actor, action, service_id, request_id, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
		ts(e.At), e.Actor, e.Action, nullID(e.ServiceID), nullID(e.RequestID), e.Detail)
	if err != nil {
		return err
	}
	e.ID = id
	return nil
}

const historyCols = "h.id, h.at, h.actor, h.action, coalesce(h.service_id, 0), coalesce(s.name, ''), coalesce(h.request_id, 0), h.detail"

func scanHistory(sc scanner) (model.HistoryEntry, error) {
	var e model.HistoryEntry
	var at int64
	err := sc.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.ServiceID, &e.Service, &e.RequestID, &e.Detail)
	e.At = tm(at)
	return e, err
}

func (t *pgTx) History(who model.Handle, serviceID, requestID int64, limit int) ([]model.HistoryEntry, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	switch {
	case requestID != 0:
		return list(t, scanHistory, "SELECT "+historyCols+" FROM history h LEFT JOIN services s ON s.id = h.service_id WHERE h.request_id = $1 ORDER BY h.at DESC, h.id DESC LIMIT $2", requestID, lim)
	case serviceID != 0:
		return list(t, scanHistory, "SELECT "+historyCols+" FROM history h LEFT JOIN services s ON s.id = h.service_id WHERE h.service_id = $1 ORDER BY h.at DESC, h.id DESC LIMIT $2", serviceID, lim)
	}
	return list(t, scanHistory, `SELECT `+historyCols+` FROM history h LEFT JOIN services s ON s.id = h.service_id WHERE h.id IN (
			SELECT id FROM history WHERE actor = $1
			UNION SELECT x.id FROM services v JOIN history x ON x.service_id = v.id WHERE v.admin = $1 OR v.tech = $1 OR v.billing = $1
			UNION SELECT x.id FROM parties p JOIN history x ON x.request_id = p.request_id WHERE p.handle = $1
		) ORDER BY h.at DESC, h.id DESC LIMIT $2`, who, lim)
}

// ---- SSH keys

const keyCols = "fingerprint, handle, type, key, comment, added"

func scanKey(sc scanner) (model.PublicKey, error) {
	var k model.PublicKey
	var added int64
	err := sc.Scan(&k.Fingerprint, &k.Handle, &k.Type, &k.Key, &k.Comment, &added)
	k.Added = tm(added)
	return k, err
}

func (t *pgTx) Key(fp string) (model.PublicKey, error) {
	k, err := scanKey(t.queryRow("SELECT "+keyCols+" FROM keys WHERE fingerprint = $1", fp))
	return k, noRow(err)
}

func (t *pgTx) Keys(h model.Handle) ([]model.PublicKey, error) {
	return list(t, scanKey, "SELECT "+keyCols+" FROM keys WHERE $1::text = '' OR handle = $1 ORDER BY handle, added, fingerprint", h)
}

func (t *pgTx) InsertKey(k model.PublicKey) error {
	_, err := t.exec("INSERT INTO keys ("+keyCols+") VALUES ($1, $2, $3, $4, $5, $6)", k.Fingerprint, k.Handle, k.Type, k.Key, k.Comment, ts(k.Added))
	return err
}

func (t *pgTx) DeleteKey(fp string) error {
	return exactlyOne(t.exec("DELETE FROM keys WHERE fingerprint = $1", fp))
}

// ---- the SMTP outbox

func (t *pgTx) QueueMail(mailID int64, at time.Time) error {
	_, err := t.exec("INSERT INTO outbox (mail_id, state, attempts, next_try, queued, updated) VALUES ($1, 'pending', 0, $2, $2, $2)",
		mailID, ts(at))
	return err
}

func (t *pgTx) DueMails(now time.Time, limit int) ([]model.OutboxEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	return list(t, func(sc scanner) (model.OutboxEntry, error) {
		var e model.OutboxEntry
		var next, queued, updated int64
		m, err := scanMail(sc, &e.State, &e.Attempts, &next, &queued, &updated, &e.LastError)
		e.Mail, e.NextTry, e.Queued, e.Updated = m, tm(next), tm(queued), tm(updated)
		return e, err
	}, `SELECT o.state, o.attempts, o.next_try, o.queued, o.updated, o.last_error, `+mailColsM+`
		FROM outbox o JOIN mails m ON m.id = o.mail_id
		WHERE o.state IN ('pending', 'sending') AND o.next_try <= $1 ORDER BY o.next_try, o.mail_id LIMIT $2`, ts(now), limit)
}

func (t *pgTx) SetDelivery(e model.OutboxEntry) error {
	return exactlyOne(t.exec("UPDATE outbox SET state = $1, attempts = $2, next_try = $3, updated = $4, last_error = $5 WHERE mail_id = $6",
		e.State, e.Attempts, ts(e.NextTry), ts(e.Updated), e.LastError, e.Mail.ID))
}

// ---- bulk loading (model.BulkTx)

var _ model.BulkTx = (*pgTx)(nil)

// InsertServices stores the services with one COPY and sets their IDs,
// taken from the sequence beforehand.
func (t *pgTx) InsertServices(ss []*model.Service) error {
	if len(ss) == 0 {
		return nil
	}
	ids, err := list(t, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, "SELECT nextval(pg_get_serial_sequence('services', 'id')) FROM generate_series(1, $1)", len(ss))
	if err != nil {
		return err
	}
	t.wrote = true
	i := 0
	_, err = t.tx.CopyFrom(t.ctx, pgx.Identifier{"services"},
		[]string{"id", "name", "type", "admin", "tech", "billing", "has_owner", "owner_holder", "owner_address", "owner_phone", "owner_email", "created"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(ss) {
				return nil, nil
			}
			s := ss[i]
			s.ID = ids[i]
			i++
			var o model.Owner
			if s.Owner != nil {
				o = *s.Owner
			}
			return []any{s.ID, s.Name, s.Type, string(s.Admin), string(s.Tech), string(s.Billing), s.Owner != nil, o.Holder, o.Address, o.Phone, o.Email, ts(s.Created)}, nil
		}))
	return t.note(err)
}

// InsertHistories stores the entries with one COPY.
func (t *pgTx) InsertHistories(es []model.HistoryEntry) error {
	if len(es) == 0 {
		return nil
	}
	t.wrote = true
	rows := make([][]any, len(es))
	for i, e := range es {
		rows[i] = []any{ts(e.At), string(e.Actor), e.Action, nullID(e.ServiceID), nullID(e.RequestID), e.Detail}
	}
	_, err := t.tx.CopyFrom(t.ctx, pgx.Identifier{"history"}, []string{"at", "actor", "action", "service_id", "request_id", "detail"}, pgx.CopyFromRows(rows))
	return t.note(err)
}
