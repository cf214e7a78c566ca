package sqlstore

import (
	"time"

	"contactdesk/model"
)

func (t *Tx) Settings() (model.Settings, error) {
	rows, err := t.x.Query("SELECT key, value FROM settings")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	s := model.Settings{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		s[k] = v
	}
	return s, rows.Err()
}

func (t *Tx) SetSetting(key, value string, at time.Time) error {
	_, err := t.x.Exec(`INSERT INTO settings (key, value, updated) VALUES (?1, ?2, ?3)
		ON CONFLICT (key) DO UPDATE SET value = ?2, updated = ?3`, key, value, ts(at))
	return err
}

func (t *Tx) DeleteSetting(key string) error {
	_, err := t.x.Exec("DELETE FROM settings WHERE key = ?", key)
	return err
}
