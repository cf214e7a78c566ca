package storage

import (
	"contactdesk/model"
)

const keyCols = "fingerprint, handle, type, key, comment, added"

func scanKey(sc interface{ Scan(...any) error }) (model.PublicKey, error) {
	var k model.PublicKey
	var added int64
	err := sc.Scan(&k.Fingerprint, &k.Handle, &k.Type, &k.Key, &k.Comment, &added)
	k.Added = tm(added)
	return k, err
}

func (t *sqlTx) Key(fp string) (model.PublicKey, error) {
	k, err := scanKey(t.queryRow("SELECT "+keyCols+" FROM keys WHERE fingerprint = +?", fp))
	return k, noRow(err)
}

func (t *sqlTx) Keys(h model.Handle) ([]model.PublicKey, error) {
	rows, err := t.query("SELECT "+keyCols+" FROM keys WHERE ?1 = '' OR handle = +?1 ORDER BY handle, added, fingerprint", h)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ks []model.PublicKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		ks = append(ks, k)
	}
	return ks, rows.Err()
}

func (t *sqlTx) InsertKey(k model.PublicKey) error {
	_, err := t.exec("INSERT INTO keys ("+keyCols+") VALUES (?, ?, ?, ?, ?, ?)", k.Fingerprint, k.Handle, k.Type, k.Key, k.Comment, ts(k.Added))
	return err
}

func (t *sqlTx) DeleteKey(fp string) error {
	return exactlyOne(t.exec("DELETE FROM keys WHERE fingerprint = ?", fp))
}
