package sqlstore

import (
	"time"

	"contactdesk/model"
)

const apiKeyCols = "app_key, handle, name, created, last_used"

func scanAPIKey(sc Row) (model.APIKey, error) {
	var k model.APIKey
	var created, used int64
	err := sc.Scan(&k.AppKey, &k.Handle, &k.Name, &created, &used)
	k.Created, k.LastUsed = tm(created), tm(used)
	return k, err
}

func scanAPIKeyRecord(sc Row) (model.APIKeyRecord, error) {
	var k model.APIKeyRecord
	var created, used int64
	var hash []byte
	err := sc.Scan(&k.AppKey, &k.Handle, &k.Name, &created, &used, &hash, &k.Secret)
	k.Created, k.LastUsed = tm(created), tm(used)
	copy(k.ConsumerHash[:], hash)
	return k, err
}

func (t *Tx) APIKey(appKey string) (model.APIKeyRecord, error) {
	return scanAPIKeyRecord(t.row("SELECT "+apiKeyCols+", consumer_hash, secret FROM api_keys WHERE app_key = +?", appKey))
}

func (t *Tx) APIKeyByConsumer(hash [32]byte) (model.APIKeyRecord, error) {
	return scanAPIKeyRecord(t.row("SELECT "+apiKeyCols+", consumer_hash, secret FROM api_keys WHERE consumer_hash = +?", hash[:]))
}

// APIKeys: the CAST, as in Keys, types an empty literal for PostgreSQL.
func (t *Tx) APIKeys(h model.Handle) ([]model.APIKey, error) {
	return list(t, scanAPIKey, "SELECT "+apiKeyCols+" FROM api_keys WHERE CAST(?1 AS TEXT) = '' OR handle = +?1 ORDER BY handle, created, app_key", h)
}

func (t *Tx) InsertAPIKey(k model.APIKeyRecord) error {
	_, err := t.x.Exec("INSERT INTO api_keys ("+apiKeyCols+", consumer_hash, secret) VALUES (?, ?, ?, ?, ?, ?, ?)",
		k.AppKey, k.Handle, k.Name, ts(k.Created), ts(k.LastUsed), k.ConsumerHash[:], k.Secret)
	return err
}

func (t *Tx) DeleteAPIKey(appKey string) error {
	return exactlyOne(t.x.Exec("DELETE FROM api_keys WHERE app_key = ?", appKey))
}

// TouchAPIKey never moves the time back: two nodes noting the same key
// at once keep the later.
func (t *Tx) TouchAPIKey(appKey string, at time.Time) error {
	_, err := t.x.Exec("UPDATE api_keys SET last_used = ?1 WHERE app_key = ?2 AND last_used < ?1", ts(at), appKey)
	return err
}
