package sqlstore

import (
	"math"
	"time"

	"contactdesk/model"
)

// mailColsM reads a mail aliased m; mailCols, with its delivery when it
// went through the outbox (aliased d in a LEFT JOIN); mailListCols, as
// mailCols does, with an empty body (a mailbox's list).
const (
	mailColsM    = mailBefore + "m.body" + mailAfter
	mailCols     = mailColsM + deliveryCols
	mailListCols = mailBefore + "''" + mailAfter + deliveryCols

	mailBefore   = "m.id, m.to_handle, m.address, m.subject, m.date, "
	mailAfter    = ", coalesce(m.request_id, 0), m.token, m.link, m.kind, m.read, coalesce(m.credential_id, 0)"
	deliveryCols = ", coalesce(d.state, ''), coalesce(d.last_error, '')"
)

const mailFrom = " FROM mails m LEFT JOIN outbox d ON d.mail_id = m.id "

// scanMail reads mailColsM after the extra columns given first, and the
// extra columns given after.
func scanMail(sc Row, before []any, after ...any) (model.Mail, error) {
	var m model.Mail
	var date int64
	err := sc.Scan(append(append(before, &m.ID, &m.To, &m.Address, &m.Subject, &date, &m.Body, &m.RequestID, &m.Token, &m.Link, &m.Kind, &m.Read, &m.CredentialID), after...)...)
	m.Date = tm(date)
	return m, err
}

// scanMailDelivery reads mailCols. A mail being handed to the server
// (sending) is still pending to its reader.
func scanMailDelivery(sc Row) (model.Mail, error) {
	var state, lastErr string
	m, err := scanMail(sc, nil, &state, &lastErr)
	m.Delivery, m.DeliveryError = state, lastErr
	if m.Delivery == model.DeliverySending {
		m.Delivery = model.DeliveryPending
	}
	return m, err
}

func (t *Tx) InsertMail(m *model.Mail) error {
	id, err := t.insert(`INSERT INTO mails (to_handle, address, subject, date, body, request_id, token, link, kind, read, credential_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.To, m.Address, m.Subject, ts(m.Date), m.Body, nullID(m.RequestID), m.Token, m.Link, m.Kind, m.Read, nullID(m.CredentialID))
	if err == nil {
		m.ID = id
	}
	return err
}

func (t *Tx) MailsOf(h model.Handle) ([]model.Mail, error) {
	return list(t, scanMailDelivery, "SELECT "+mailCols+mailFrom+"WHERE m.to_handle = +? ORDER BY m.id DESC", h)
}

// MailListOf reads mailListCols, the newest first,
// limit mails at most (0: all).
func (t *Tx) MailListOf(h model.Handle, limit int) ([]model.Mail, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	return list(t, scanMailDelivery, "SELECT "+mailListCols+mailFrom+"WHERE m.to_handle = +? ORDER BY m.id DESC LIMIT +?", h, limit)
}

func (t *Tx) Mail(id int64) (model.Mail, error) {
	return scanMailDelivery(t.row("SELECT "+mailCols+mailFrom+"WHERE m.id = +?", id))
}

func (t *Tx) LastMailAbout(h model.Handle, requestID int64, kind string) (model.Mail, error) {
	return scanMailDelivery(t.row("SELECT "+mailCols+mailFrom+"WHERE m.to_handle = +? AND m.request_id = +? AND m.kind = +? ORDER BY m.id DESC LIMIT 1", h, requestID, kind))
}

func (t *Tx) MarkRead(h model.Handle, id int64) error {
	return exactlyOne(t.x.Exec("UPDATE mails SET read = TRUE WHERE id = ? AND to_handle = ?", id, h))
}

func (t *Tx) Unread(h model.Handle) (int, error) {
	var n int
	err := t.row(UnreadQuery, h).Scan(&n)
	return n, err
}

func (t *Tx) RedactMail(id int64, body, link string) error {
	return exactlyOne(t.x.Exec("UPDATE mails SET body = ?, link = ?, token = '' WHERE id = ?", body, link, id))
}

func (t *Tx) RestoreMail(m model.Mail) error {
	return exactlyOne(t.x.Exec("UPDATE mails SET body = ?, link = ?, token = ? WHERE id = ?", m.Body, m.Link, m.Token, m.ID))
}

// SimulatedTokenMails reads every mail (no index holds tokens: one would
// cost each mail written a second entry, for a statement run once, when
// real delivery is turned on); the outbox is looked up by its key.
func (t *Tx) SimulatedTokenMails(limit int) ([]model.Mail, error) {
	return list(t, func(sc Row) (model.Mail, error) { return scanMail(sc, nil) },
		"SELECT "+mailColsM+" FROM mails m WHERE m.token <> '' AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.mail_id = m.id) ORDER BY m.id LIMIT +?", limit)
}

// CredentialCodeMails reads the code mails in mails_codes, the index
// of the code mails alone (the kind is written in the query, as the
// index's, for SQLite to use it), and each one's key by its number
// (whether it is of appKey, and then the network it was asked from). A
// mail whose key was deleted since (revoked, or its application key
// removed) is no application's: it counts only toward the account's
// total. Within the hour counted, only the account or support deletes
// one: a key awaiting validation can't log itself out, and one is
// deleted on its own only a day after it expired.
func (t *Tx) CredentialCodeMails(h model.Handle, appKey string, since time.Time) ([]model.CodeMail, error) {
	return list(t, func(sc Row) (model.CodeMail, error) {
		var date, ofApp int64
		var from string
		err := sc.Scan(&date, &ofApp, &from)
		return model.CodeMail{Date: tm(date), OfApp: ofApp == 1, From: from}, err
	}, CodeMailsQuery, h, ts(since), appKey)
}

// CodeMailsQuery is CredentialCodeMails's query (its plan is tested).
const CodeMailsQuery = "SELECT m.date, CASE WHEN c.app_key = ?3 THEN 1 ELSE 0 END, CASE WHEN c.app_key = ?3 THEN c.asked_from ELSE '' END FROM mails m LEFT JOIN api_consumers c ON c.id = m.credential_id" +
	" WHERE m.to_handle = +?1 AND m.kind = '" + model.MailCredentialCode + "' AND m.date > +?2 ORDER BY m.date"

// UnreadQuery is Unread's query (its plan is tested): SQLite counts in
// the index alone.
const UnreadQuery = "SELECT count(*) FROM mails WHERE to_handle = +? AND NOT read"

// ---- the SMTP outbox

func (t *Tx) QueueMail(mailID int64, at time.Time) error {
	_, err := t.x.Exec("INSERT INTO outbox (mail_id, state, attempts, next_try, queued, updated) VALUES (?1, 'pending', 0, ?2, ?2, ?2)", mailID, ts(at))
	return err
}

func (t *Tx) DueMails(now time.Time, limit int) ([]model.OutboxEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	return list(t, func(sc Row) (model.OutboxEntry, error) {
		var e model.OutboxEntry
		var next, queued, updated, created int64
		m, err := scanMail(sc, []any{&e.State, &e.Attempts, &next, &queued, &updated, &e.LastError, &created})
		e.Mail, e.NextTry, e.Queued, e.Updated, e.RequestCreated = m, tm(next), tm(queued), tm(updated), tm(created)
		return e, err
	}, `SELECT o.state, o.attempts, o.next_try, o.queued, o.updated, o.last_error, COALESCE(r.created, 0), `+mailColsM+`
		FROM outbox o JOIN mails m ON m.id = o.mail_id LEFT JOIN requests r ON r.id = m.request_id
		WHERE o.state IN ('pending', 'sending') AND o.next_try <= +? ORDER BY o.next_try, o.mail_id LIMIT +?`, ts(now), limit)
}

func (t *Tx) SetDelivery(e model.OutboxEntry) error {
	return exactlyOne(t.x.Exec("UPDATE outbox SET state = ?, attempts = ?, next_try = ?, updated = ?, last_error = ? WHERE mail_id = ?",
		e.State, e.Attempts, ts(e.NextTry), ts(e.Updated), e.LastError, e.Mail.ID))
}

func (t *Tx) SetDeliveryIf(e, was model.OutboxEntry) error {
	return exactlyOne(t.x.Exec(`UPDATE outbox SET state = ?, attempts = ?, next_try = ?, updated = ?, last_error = ?
		WHERE mail_id = ? AND state = ? AND attempts = ? AND next_try = ?`,
		e.State, e.Attempts, ts(e.NextTry), ts(e.Updated), e.LastError, e.Mail.ID, was.State, was.Attempts, ts(was.NextTry)))
}

// WithdrawPending's statements pick the entries still pending with two
// terms, the first outbox_due's own condition, written as the index is:
// SQLite and PostgreSQL then read that partial index, which holds only
// the entries not yet sent or failed, rather than the whole outbox. An
// entry being handed over (sending) is left alone: its mail's token is
// the server's already.
func (t *Tx) WithdrawPending() ([]model.Handle, error) {
	hs, err := list(t, func(sc Row) (model.Handle, error) {
		var h model.Handle
		err := sc.Scan(&h)
		return h, err
	}, "SELECT m.to_handle FROM outbox o JOIN mails m ON m.id = o.mail_id WHERE o.state IN ('pending', 'sending') AND o.state = 'pending'")
	if err != nil || len(hs) == 0 {
		return hs, err
	}
	_, err = t.x.Exec("DELETE FROM outbox WHERE state IN ('pending', 'sending') AND state = 'pending'")
	return hs, err
}
