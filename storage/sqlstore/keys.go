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

// KeyOwnerQuery (Tx.KeyOwner's query, its plan tested on both engines)
// reads a key and its account, and returns one row whether or not they
// exist: the key is looked for from a row of one value, the account by
// the key's handle or, when there is no key, by the empty handle (no
// account has it). Both tables' keys are searched either way and one
// row of the same columns is read either way, blanks where nothing was
// found, so a stranger's key takes as long as a customer's (one
// statement: the account was a second one, read only for a registered
// key). The fingerprint is given as a CAST for PostgreSQL, which would
// otherwise have to guess its type.
const KeyOwnerQuery = `SELECT COALESCE(k.fingerprint, ''), COALESCE(k.handle, ''), COALESCE(k.type, ''),
	COALESCE(k.key, ''), COALESCE(k.comment, ''), COALESCE(k.added, 0),
	COALESCE(a.handle, ''), COALESCE(a.name, ''), COALESCE(a.email, ''),
	COALESCE(a.owes, 0), COALESCE(a.created, 0), COALESCE(a.lang, '')
FROM (SELECT CAST(+? AS TEXT) AS fp) AS q
LEFT JOIN keys AS k ON k.fingerprint = q.fp
LEFT JOIN accounts AS a ON a.handle = COALESCE(k.handle, '')`

func (t *Tx) KeyOwner(fp string) (model.PublicKey, model.Account, error) {
	var k model.PublicKey
	var a model.Account
	var added, created int64
	err := t.row(KeyOwnerQuery, fp).Scan(&k.Fingerprint, &k.Handle, &k.Type, &k.Key, &k.Comment, &added,
		&a.Handle, &a.Name, &a.Email, &a.Owes, &created, &a.Lang)
	if err != nil {
		return model.PublicKey{}, model.Account{}, err
	}
	if k.Fingerprint == "" || a.Handle == "" {
		return model.PublicKey{}, model.Account{}, model.ErrNoRow
	}
	k.Added, a.Created = tm(added), tm(created)
	return k, a, nil
}
