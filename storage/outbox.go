package storage

import (
	"time"

	"contactdesk/model"
)

func (t *sqlTx) QueueMail(mailID int64, at time.Time) error {
	_, err := t.exec("INSERT INTO outbox (mail_id, state, attempts, next_try, queued, updated) VALUES (?, 'pending', 0, ?, ?, ?)",
		mailID, ts(at), ts(at), ts(at))
	return err
}

func (t *sqlTx) DueMails(now time.Time, limit int) ([]model.OutboxEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := t.query(`SELECT o.state, o.attempts, o.next_try, o.queued, o.updated, o.last_error, `+mailColsM+`
		FROM outbox o JOIN mails m ON m.id = o.mail_id
		WHERE o.state IN ('pending', 'sending') AND o.next_try <= +? ORDER BY o.next_try, o.mail_id LIMIT +?`, ts(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var es []model.OutboxEntry
	for rows.Next() {
		var e model.OutboxEntry
		var next, queued, updated int64
		m, err := scanMail(rows, &e.State, &e.Attempts, &next, &queued, &updated, &e.LastError)
		if err != nil {
			return nil, err
		}
		e.Mail, e.NextTry, e.Queued, e.Updated = m, tm(next), tm(queued), tm(updated)
		es = append(es, e)
	}
	return es, rows.Err()
}

func (t *sqlTx) SetDelivery(e model.OutboxEntry) error {
	return exactlyOne(t.exec("UPDATE outbox SET state = ?, attempts = ?, next_try = ?, updated = ?, last_error = ? WHERE mail_id = ?",
		e.State, e.Attempts, ts(e.NextTry), ts(e.Updated), e.LastError, e.Mail.ID))
}
