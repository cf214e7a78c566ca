package sqlstore

import (
	"time"

	"contactdesk/model"
)

// Changes of e-mail address waiting for the token mailed to the new one.

const emailChangeCols = "id, handle, email, hash, state, created, expires, ended"

func scanEmailChange(sc Row) (model.EmailChange, error) {
	var c model.EmailChange
	var hash []byte
	var created, expires, ended int64
	err := sc.Scan(&c.ID, &c.Handle, &c.Email, &hash, &c.State, &created, &expires, &ended)
	copy(c.Hash[:], hash)
	c.Created, c.Expires, c.Ended = tm(created), tm(expires), tm(ended)
	return c, err
}

func (t *Tx) InsertEmailChange(c *model.EmailChange) error {
	id, err := t.insert("INSERT INTO email_changes (handle, email, hash, state, created, expires, ended) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		c.Handle, c.Email, c.Hash[:], c.State, ts(c.Created), ts(c.Expires), ts(c.Ended))
	c.ID = id
	return err
}

func (t *Tx) PendingEmailChange(h model.Handle) (model.EmailChange, error) {
	return scanEmailChange(t.row("SELECT "+emailChangeCols+" FROM email_changes WHERE handle = +? AND state = 'pending' ORDER BY id DESC LIMIT 1", h))
}

func (t *Tx) EmailChange(id int64) (model.EmailChange, error) {
	return scanEmailChange(t.row("SELECT "+emailChangeCols+" FROM email_changes WHERE id = +?", id))
}

func (t *Tx) EmailChangesOf(h model.Handle) ([]model.EmailChange, error) {
	return list(t, scanEmailChange, "SELECT "+emailChangeCols+" FROM email_changes WHERE handle = +? ORDER BY id DESC", h)
}

func (t *Tx) EndEmailChange(id int64, state string, at time.Time) error {
	return exactlyOne(t.x.Exec("UPDATE email_changes SET state = ?, ended = ? WHERE id = ?", state, ts(at), id))
}

func (t *Tx) RecentEmailChanges(h model.Handle, limit int) ([]time.Time, error) {
	return list(t, scanTime, "SELECT created FROM email_changes WHERE handle = +? ORDER BY id DESC LIMIT +?", h, limit)
}

// RecentRequestsBy walks h's requests from the newest through the
// parties index (the requester is always a party), so it reads about
// limit rows however many requests the desk holds.
func (t *Tx) RecentRequestsBy(h model.Handle, limit int) ([]time.Time, error) {
	return list(t, scanTime, `SELECT r.created FROM parties p JOIN requests r ON r.id = p.request_id
		WHERE p.handle = +?1 AND r.requester = +?1 ORDER BY p.request_id DESC LIMIT +?2`, h, limit)
}

func scanTime(sc Row) (time.Time, error) {
	var at int64
	err := sc.Scan(&at)
	return tm(at), err
}

func (t *Tx) SetLang(h model.Handle, lang model.Lang) error {
	return exactlyOne(t.x.Exec("UPDATE accounts SET lang = ? WHERE handle = ?", lang, h))
}
