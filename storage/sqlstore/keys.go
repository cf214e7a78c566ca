package sqlstore

import (
	"contactdesk/model"
)

const keyCols = "fingerprint, handle, type, key, comment, added"

func scanKey(sc Row) (model.PublicKey, error) {
	var k model.PublicKey
	var added int64
	err := sc.Scan(&k.Fingerprint, &k.Handle, &k.Type, &k.Key, &k.Comment, &added)
	k.Added = tm(added)
	return k, err
}

func (t *Tx) Key(fp string) (model.PublicKey, error) {
	return scanKey(t.row("SELECT "+keyCols+" FROM keys WHERE fingerprint = +?", fp))
}

// Keys: the CAST gives PostgreSQL the type of a value it would otherwise
// have to guess from an empty literal.
func (t *Tx) Keys(h model.Handle) ([]model.PublicKey, error) {
	return list(t, scanKey, "SELECT "+keyCols+" FROM keys WHERE CAST(?1 AS TEXT) = '' OR handle = +?1 ORDER BY handle, added, fingerprint", h)
}

func (t *Tx) InsertKey(k model.PublicKey) error {
	_, err := t.x.Exec("INSERT INTO keys ("+keyCols+") VALUES (?, ?, ?, ?, ?, ?)", k.Fingerprint, k.Handle, k.Type, k.Key, k.Comment, ts(k.Added))
	return err
}

func (t *Tx) DeleteKey(fp string) error {
	return exactlyOne(t.x.Exec("DELETE FROM keys WHERE fingerprint = ?", fp))
}
