package sqlstore

import (
	"time"

	"contactdesk/model"
)

const apiKeyCols = "app_key, handle, name, created, last_used"

func scanAPIKey(sc Row, more ...any) (model.APIKey, error) {
	var k model.APIKey
	var created, used int64
	err := sc.Scan(append([]any{&k.AppKey, &k.Handle, &k.Name, &created, &used}, more...)...)
	k.Created, k.LastUsed = tm(created), tm(used)
	return k, err
}

func (t *Tx) APIKey(appKey string) (model.APIKeyRecord, error) {
	var k model.APIKeyRecord
	var err error
	k.APIKey, err = scanAPIKey(t.row("SELECT "+apiKeyCols+", secret FROM api_keys WHERE app_key = +?", appKey), &k.Secret)
	return k, err
}

// APIKeys: the CAST, as in Keys, types an empty literal for PostgreSQL.
func (t *Tx) APIKeys(h model.Handle) ([]model.APIKey, error) {
	return list(t, func(sc Row) (model.APIKey, error) { return scanAPIKey(sc) }, "SELECT "+apiKeyCols+" FROM api_keys WHERE CAST(?1 AS TEXT) = '' OR handle = +?1 ORDER BY handle, created, app_key", h)
}

func (t *Tx) InsertAPIKey(k model.APIKeyRecord) error {
	_, err := t.x.Exec("INSERT INTO api_keys ("+apiKeyCols+", secret) VALUES (?, ?, ?, ?, ?, ?)", k.AppKey, k.Handle, k.Name, ts(k.Created), ts(k.LastUsed), k.Secret)
	return err
}

func (t *Tx) DeleteAPIKey(appKey string) error {
	if _, err := t.x.Exec("DELETE FROM api_consumers WHERE app_key = ?", appKey); err != nil {
		return err
	}
	return exactlyOne(t.x.Exec("DELETE FROM api_keys WHERE app_key = ?", appKey))
}

const apiConsumerCols = "c.id, c.app_key, k.handle, c.rules, c.state, c.redirection, c.created, c.expires, c.ended, c.last_used, c.asked_from"

func scanAPIConsumer(sc Row, more ...any) (model.APIConsumer, error) {
	var c model.APIConsumer
	var rules string
	var created, expires, ended, used int64
	err := sc.Scan(append([]any{&c.ID, &c.AppKey, &c.Handle, &rules, &c.State, &c.Redirection, &created, &expires, &ended, &used, &c.From}, more...)...)
	c.Rules = model.ParseRulesJSON(rules)
	c.Created, c.Expires, c.Ended, c.LastUsed = tm(created), tm(expires), tm(ended), tm(used)
	return c, err
}

func scanAPIConsumerRecord(sc Row) (model.APIConsumerRecord, error) {
	var r model.APIConsumerRecord
	var hash []byte
	var err error
	r.APIConsumer, err = scanAPIConsumer(sc, &hash, &r.TokenHash, &r.CodeHash, &r.Codes, &r.Secret)
	copy(r.ConsumerHash[:], hash)
	return r, err
}

const apiConsumerRecordSelect = "SELECT " + apiConsumerCols + ", c.consumer_hash, c.token_hash, c.code_hash, c.codes, k.secret FROM api_consumers c JOIN api_keys k ON k.app_key = c.app_key"

func (t *Tx) APIConsumerByHash(hash [32]byte) (model.APIConsumerRecord, error) {
	return scanAPIConsumerRecord(t.row(apiConsumerRecordSelect+" WHERE c.consumer_hash = +?", hash[:]))
}

func (t *Tx) APIConsumers(h model.Handle) ([]model.APIConsumer, error) {
	return list(t, func(sc Row) (model.APIConsumer, error) { return scanAPIConsumer(sc) },
		"SELECT "+apiConsumerCols+" FROM api_consumers c JOIN api_keys k ON k.app_key = c.app_key WHERE CAST(?1 AS TEXT) = '' OR k.handle = +?1 ORDER BY c.app_key, c.id", h)
}

func (t *Tx) InsertAPIConsumer(c model.APIConsumerRecord) (int64, error) {
	return t.insert(`INSERT INTO api_consumers (app_key, consumer_hash, rules, state, redirection, token_hash, code_hash, codes, created, expires, ended, last_used, asked_from)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.AppKey, c.ConsumerHash[:], model.RulesJSON(c.Rules), c.State, c.Redirection, nullBytes(c.TokenHash), nullBytes(c.CodeHash), c.Codes, ts(c.Created), ts(c.Expires), ts(c.Ended), ts(c.LastUsed), c.From)
}

// TouchAPIConsumer never moves the time back: two nodes noting the same
// key at once keep the later. Its application key's last use moves
// with it, and outlives it (a consumer key revoked is deleted).
func (t *Tx) TouchAPIConsumer(id int64, at time.Time) error {
	if _, err := t.x.Exec("UPDATE api_consumers SET last_used = ?1 WHERE id = ?2 AND last_used < ?1", ts(at), id); err != nil {
		return err
	}
	_, err := t.x.Exec("UPDATE api_keys SET last_used = ?1 WHERE app_key = (SELECT app_key FROM api_consumers WHERE id = ?2) AND last_used < ?1", ts(at), id)
	return err
}

// nullBytes is b, or NULL for none.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func (t *Tx) APIConsumerByToken(hash []byte) (model.APIConsumerRecord, error) {
	return scanAPIConsumerRecord(t.row(apiConsumerRecordSelect+" WHERE c.token_hash = +?", hash))
}

func (t *Tx) UpdateAPIConsumer(c model.APIConsumerRecord) error {
	return exactlyOne(t.x.Exec("UPDATE api_consumers SET state = ?, code_hash = ?, codes = ?, ended = ?, expires = ? WHERE id = ?",
		c.State, nullBytes(c.CodeHash), c.Codes, ts(c.Ended), ts(c.Expires), c.ID))
}

// PendingAPIConsumers reads the keys of one application key by its
// index (api_consumers_app).
func (t *Tx) PendingAPIConsumers(appKey string, since time.Time) ([]model.APIConsumerRecord, error) {
	return list(t, scanAPIConsumerRecord, apiConsumerRecordSelect+" WHERE c.app_key = ? AND c.state = ? AND c.created > ? ORDER BY c.id", appKey, model.CredentialPending, ts(since))
}

func (t *Tx) DeleteAPIConsumer(id int64) error {
	return exactlyOne(t.x.Exec("DELETE FROM api_consumers WHERE id = ?", id))
}

func (t *Tx) DeleteStaleAPIConsumers(appKey string, before time.Time) error {
	_, err := t.x.Exec("DELETE FROM api_consumers WHERE app_key = ? AND state = ? AND expires < ?", appKey, model.CredentialPending, ts(before))
	return err
}
